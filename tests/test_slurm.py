"""Grading through a real Slurm: Debian's slurm-wlm and munge started on this machine as a
one-node cluster (scripts/slurm-one-node.sh: slurmctld + slurmd + munged, as root), the class
sent through dask-jobqueue's SLURMCluster with an adaptive number of jobs, as docs/cluster.md
tells an instructor to do on a university cluster."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

pytest.importorskip("dask_jobqueue")

from grader.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = os.environ.get("DLGRADER_DATA_DIR") or str(ROOT.parent / "shared" / "datasets")
pytestmark = [pytest.mark.slow, pytest.mark.kernel, pytest.mark.xdist_group("slurm")]


@pytest.fixture(scope="module")
def slurm() -> None:
    if os.geteuid() != 0:
        pytest.skip("a one-node Slurm needs root to start (CI runs as root)")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "slurm-one-node.sh"), "start"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr  # as root, Slurm must come up: no silent skip
    yield
    subprocess.run(["bash", str(ROOT / "scripts" / "slurm-one-node.sh"), "stop"], timeout=120)


def test_a_class_graded_through_slurm_jobs(slurm: None, tmp_path: Path) -> None:
    subs = tmp_path / "entregas"
    subs.mkdir()
    shutil.copy(ROOT / "reference" / "xor.ipynb", subs / "ana.ipynb")
    shutil.copy(ROOT / "tests" / "fixtures" / "xor" / "relu_forgotten.ipynb", subs / "luis.ipynb")
    (subs / "sofia.ipynb").write_text("{ esto no es json", encoding="utf-8")
    logs = tmp_path / "slurm-logs"
    config = tmp_path / "slurm.yaml"
    config.write_text("queue: debug\ncores: 1\nmemory: 6GB\nwalltime: '00:30:00'\n"
                      f"adaptive: {{minimum: 0, maximum: 2}}\nlog_directory: {logs}\n")
    out = tmp_path / "out"
    assert main(["grade", "xor", str(subs), "--out", str(out), "--cluster", "slurm", "--cluster-config", str(config),
                 "--quiet", "--data-dir", DATA]) == 0
    summary = {line["student"]: line for line in json.loads((out / "summary.json").read_text(encoding="utf-8"))}
    assert summary["ana"]["score"] == summary["ana"]["max_score"] == 10
    assert summary["luis"]["score"] < 10 and summary["luis"]["execution"] == "ok"
    assert summary["sofia"]["execution"] == "invalid_notebook"
    jobs = set()
    for name in ("ana", "luis"):
        node = json.loads((out / name / "report.json").read_text(encoding="utf-8"))["execution"]["node"]
        assert node["scheduler"] == "slurm" and node["job"].isdigit()
        jobs.add(node["job"])
    assert {f"dask-worker-{job}.err" for job in jobs} <= {p.name for p in logs.iterdir()}  # sbatch's logs
    for _ in range(60):  # the jobs end with the grading (dask-jobqueue cancels them)
        queue = subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True, timeout=60).stdout
        if not set(queue.split()) & jobs:
            break
        time.sleep(1)
    assert not set(queue.split()) & jobs, queue
