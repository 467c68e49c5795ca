"""--cluster and --cluster-config: what they accept, what they refuse, and the job scripts the
batch schedulers receive (built by dask-jobqueue itself, not submitted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cluster import config, engine
from grader.cluster import worker as remote
from grader.model.errors import UsageError

pytest.importorskip("dask_jobqueue")


def test_no_cluster_means_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.ENV, raising=False)
    assert config.parse(None, None) is None


def test_the_cluster_comes_from_the_option_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.ENV, "tcp://sched.uni.edu:8786")
    cfg = config.parse(None, None)
    assert cfg is not None and cfg.engine == "address" and cfg.address == "tcp://sched.uni.edu:8786"
    cfg = config.parse("10.0.0.5:8786", None)  # a bare host:port is a TCP address
    assert cfg is not None and cfg.address == "tcp://10.0.0.5:8786"
    cfg = config.parse("SLURM", None)
    assert cfg is not None and cfg.engine == "slurm"


def test_a_misspelt_key_or_kind_is_an_error_that_names_what_there_is(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("kind: slurm\npartition: gpu\n")
    with pytest.raises(UsageError, match=r"'partition'.*queue"):
        config.parse(None, bad)
    with pytest.raises(UsageError, match="not a scheduler address"):
        config.parse("slurn", None)
    bad.write_text("kind: torque\n")
    with pytest.raises(UsageError, match="torque"):
        config.parse(None, bad)
    bad.write_text("- a\n- b\n")
    with pytest.raises(UsageError, match="mapping"):
        config.parse(None, bad)
    with pytest.raises(UsageError, match="no such file"):
        config.parse(None, tmp_path / "missing.yaml")


SLURM = """
kind: slurm
queue: gpu
account: curso-dl
walltime: "02:00:00"
cores: 8
memory: 32GB
gpus: 2
jobs: 3
job_extra_directives: ["--constraint=a100"]
job_script_prologue: ["module load python/3.11"]
"""


def test_slurm_job_script_asks_for_the_partition_account_gpus_and_one_worker_per_gpu(tmp_path: Path) -> None:
    from dask_jobqueue import SLURMCluster

    path = tmp_path / "slurm.yaml"
    path.write_text(SLURM)
    cfg = config.parse(None, path)
    assert cfg is not None
    kw = engine.jobqueue_kwargs(cfg)
    assert kw["processes"] == 2 and kw["cores"] == 8  # a worker per GPU, 4 threads each
    with SLURMCluster(**kw) as cluster:
        script = cluster.job_script()
    for line in ("#SBATCH -p gpu", "#SBATCH -A curso-dl", "#SBATCH -t 02:00:00", "#SBATCH --gres=gpu:2",
                 "#SBATCH --constraint=a100", "module load python/3.11", "--nworkers 2", "--nthreads 4"):
        assert line in script, (line, script)


@pytest.mark.parametrize("kind,expect", [
    ("pbs", ["#PBS -q gpu", "#PBS -A curso-dl", "ngpus=1"]),
    ("sge", ["#$ -q gpu", "#$ -P curso-dl"]),
    ("lsf", ["#BSUB -q gpu", '#BSUB -P "curso-dl"', '-gpu "num=1"']),
    ("htcondor", ["request_gpus", "RequestMemory"]),
])
def test_the_other_schedulers_get_their_own_directives(kind: str, expect: list[str], tmp_path: Path) -> None:
    import dask_jobqueue

    path = tmp_path / "c.yaml"
    path.write_text(f"kind: {kind}\nqueue: gpu\naccount: curso-dl\nwalltime: '01:00:00'\ncores: 2\n"
                    "memory: 8GB\ngpus: 1\n")
    cfg = config.parse(None, path)
    assert cfg is not None
    kw = engine.jobqueue_kwargs(cfg)
    with getattr(dask_jobqueue, config.JOBQUEUE[kind])(**kw) as cluster:
        script = cluster.job_script()
    for line in expect:
        assert line in script, (line, script)


def test_kubernetes_needs_an_image(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_text("kind: kubernetes\ngpus: 1\njobs: 4\n")
    cfg = config.parse(None, path)
    assert cfg is not None
    with pytest.raises(UsageError, match="image"):
        engine.kubernetes_kwargs(cfg)
    path.write_text("kind: kubernetes\nimage: ghcr.io/uni/dl-grader:0.1.0\ngpus: 1\njobs: 4\nnamespace: curso\n")
    cfg = config.parse(None, path)
    assert cfg is not None
    kw = engine.kubernetes_kwargs(cfg)
    assert kw["n_workers"] == 4 and kw["namespace"] == "curso"
    assert kw["resources"]["limits"]["nvidia.com/gpu"] == "1"


def test_a_node_refuses_another_grader_version_or_no_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader import __version__
    from grader.runtime import sandbox

    plugin = remote.GraderPlugin(remote.Terms(exercise="xor", version="0.0.1"))
    plugin.check()
    assert plugin.state == "refused" and f"aquí está instalado dl-grader {__version__}" in plugin.reason
    assert "pip install dl-grader==0.0.1" in plugin.reason
    plugin = remote.GraderPlugin(remote.Terms(exercise="xor", version="0.0.1", lang="en"))  # the client's language
    plugin.check()
    assert f"dl-grader {__version__} is installed here and the client runs 0.0.1" in plugin.reason

    def no_bwrap(level: str) -> str:
        raise sandbox.SandboxUnavailable("bubblewrap is not available here")

    monkeypatch.setattr(sandbox, "choose", no_bwrap)
    plugin = remote.GraderPlugin(remote.Terms(exercise="xor", version=__version__, sandbox="bwrap"))
    plugin.check()
    assert plugin.state == "refused" and "bubblewrap is not available" in plugin.reason
    monkeypatch.setattr(sandbox, "choose", lambda level: "namespace")
    plugin = remote.GraderPlugin(remote.Terms(exercise="xor", version=__version__, sandbox="auto"))
    plugin.check()
    assert plugin.state == "refused" and "apt install bubblewrap" in plugin.reason


def test_gpu_workers_take_one_gpu_each_and_run_per_gpu_submissions(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """Two worker processes of a job that holds physical GPUs 3 and 5 take one each (a lock file
    per physical GPU); a third one refuses and says why; each offers per_gpu grading slots."""
    import asyncio
    import tempfile

    from grader import __version__

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    terms = remote.Terms(exercise="mnist_cnn", version=__version__, device="gpu", per_gpu=3)
    plugins = [remote.GraderPlugin(terms) for _ in range(3)]
    for plugin in plugins:
        assert plugin._take_gpu() is (plugin is not plugins[2])
    assert [p.gpu for p in plugins] == [0, 1, None]
    assert plugins[2].state == "refused" and "cada GPU de este nodo (2)" in plugins[2].reason

    class FakeWorker:  # what Plugin.open reads of a Dask worker, and what it sets
        class state:
            nthreads = 4
        given: dict[str, float] = {}

        async def set_resources(self, **resources: float) -> None:
            self.given.update(resources)

    worker = FakeWorker()
    asyncio.run(plugins[0].open(worker))
    assert worker.given == {"dlgrader-mnist_cnn-gpu": 3}  # per_gpu, not the worker's 4 threads
    for plugin in plugins:
        plugin.teardown(worker)
