"""Grading on a real Dask cluster: a LocalCluster of two worker processes over TCP, reached by
its address as an instructor reaches a scheduler someone already runs (``--cluster tcp://…``).

The same mixed class graded by the local process pool and by the cluster gets the same scores;
a worker killed mid-batch costs a retry, and a worker that dies every time costs one graded
report that says so; the client killed with kill -9 and started again grades only what is
missing; two clients on one store never grade a submission twice; a node without the datasets
refuses (``data: shared``) or is sent them (``data: auto``)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

from grader.classroom.store import Store, exercise_fingerprint, file_sha256, result_key  # noqa: E402
from grader.cli import main  # noqa: E402
from grader.model.errors import UsageError  # noqa: E402
from grader.pipeline import library  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.kernel, pytest.mark.xdist_group("cluster")]
DATA = os.environ.get("DLGRADER_DATA_DIR") or str(ROOT.parent / "shared" / "datasets")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Two worker processes (nannies restart a killed one); a task whose worker dies twice is
    given up (allowed-failures 1); datasets shipped to the workers go to a folder of the test's."""
    import dask
    from distributed import Client, LocalCluster

    shipped = tmp_path_factory.mktemp("shipped")
    old = os.environ.get("DLGRADER_SHIPPED_DATA")
    os.environ["DLGRADER_SHIPPED_DATA"] = str(shipped)  # the workers inherit it
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp://",
                          dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(lc)
    try:
        yield lc.scheduler_address, client, shipped
    finally:
        client.close()
        lc.close()
        if old is None:
            os.environ.pop("DLGRADER_SHIPPED_DATA", None)
        else:
            os.environ["DLGRADER_SHIPPED_DATA"] = old


def _class(folder: Path) -> Path:
    """xor's reference, a notebook with ReLU forgotten, one that raises, a file that is not a notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "reference" / "xor.ipynb", folder / "ana.ipynb")
    shutil.copy(ROOT / "tests" / "fixtures" / "xor" / "relu_forgotten.ipynb", folder / "luis.ipynb")
    nb = json.loads((ROOT / "reference" / "xor.ipynb").read_text(encoding="utf-8"))
    nb["cells"].insert(2, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "raise ValueError('no sé qué pasa')"})
    (folder / "eva.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (folder / "sofia.ipynb").write_text("{ esto no es json", encoding="utf-8")
    return folder


def _grade(args: list[str]) -> None:
    assert main(["grade", *args, "--quiet", "--data-dir", DATA]) == 0


def _summary(out: Path) -> dict[str, dict[str, Any]]:
    return {line["student"]: line for line in json.loads((out / "summary.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def graded(cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same class graded by the local pool and by the cluster (once, shared by the tests)."""
    address = cluster[0]
    base = tmp_path_factory.mktemp("mixed")
    subs = _class(base / "entregas")
    _grade(["xor", str(subs), "--out", str(base / "pool"), "--workers", "2"])
    _grade(["xor", str(subs), "--out", str(base / "cluster"), "--cluster", address])
    return base / "pool", base / "cluster"


def test_the_cluster_gives_the_scores_the_local_pool_gives(graded: tuple[Path, Path]) -> None:
    pool, on_cluster = (_summary(p) for p in graded)
    assert set(pool) == set(on_cluster) == {"ana", "luis", "eva", "sofia"}
    for name in pool:
        assert (on_cluster[name]["score"], on_cluster[name]["execution"]) == (
            pool[name]["score"], pool[name]["execution"]), name
    assert on_cluster["ana"]["score"] == on_cluster["ana"]["max_score"] == 10
    assert on_cluster["luis"]["score"] < 10 and on_cluster["eva"]["execution"] == "error"
    # the cluster's report folders hold what the pool's do (the executed notebook, figures …)
    for name in pool:
        files = [sorted(str(f.relative_to(p / name)) for f in (p / name).rglob("*")) for p in graded]
        assert files[0] == files[1], name
    assert (graded[1] / "ana" / "executed.ipynb").is_file()
    for name in ("gradebook.csv", "index.html", "junit.xml"):
        assert (graded[1] / name).is_file()


def test_each_report_names_the_node_and_worker_that_graded_it(graded: tuple[Path, Path], cluster: Any) -> None:
    workers = set(cluster[1].scheduler_info(n_workers=-1)["workers"])
    report = json.loads((graded[1] / "ana" / "report.json").read_text(encoding="utf-8"))
    node = report["execution"]["node"]
    assert node["host"] and node["worker"] in workers
    assert report["notebook"].endswith("entregas/ana.ipynb")  # the client's path, not the worker's
    assert f"nodo: {node['host']}" in (graded[1] / "ana" / "report.md").read_text(encoding="utf-8")
    assert _summary(graded[1])["ana"]["node"] == node["host"]


def _keys(paths: list[Path], exercise: str = "basics") -> dict[str, Path]:
    spec = library.spec_path(exercise)
    fp = exercise_fingerprint(spec, library.rubric_path(spec, exercise), None)
    return {"dlgrader-" + result_key(file_sha256(p), fp, seed=0, lang="es", device="cpu"): p for p in paths}


def _sleepy(path: Path, seconds: int, tag: str) -> Path:
    nb = json.loads((ROOT / "reference" / "basics.ipynb").read_text(encoding="utf-8"))
    nb["cells"].insert(0, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": f"import time  # {tag}\ntime.sleep({seconds})"})
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _executing(dask_worker: Any) -> list[str]:
    return [str(ts.key) for ts in dask_worker.state.executing]


def _grade_killing(client: Any, address: str, subs: Path, out: Path, targets: dict[Path, int],
                   after: float) -> list[str]:
    """Grade ``subs`` on the cluster while SIGKILLing the worker process that runs a target
    notebook, ``after`` seconds into it, as many times as ``targets`` says."""
    keys = _keys(list(targets))
    kills = dict(targets)
    killed: list[str] = []
    stop = threading.Event()

    def killer() -> None:
        seen: dict[tuple[str, str], float] = {}
        while not stop.wait(0.5) and any(kills.values()):
            try:
                running = client.run(_executing)
                pids = client.run(os.getpid)
            except Exception:
                continue
            for addr, tasks in running.items():
                for key in tasks:
                    path = keys.get(key)
                    if path is None or not kills[path]:
                        continue
                    first = seen.setdefault((addr, key), time.monotonic())
                    if time.monotonic() - first > after and addr in pids:
                        os.kill(pids[addr], signal.SIGKILL)
                        kills[path] -= 1
                        killed.append(path.name)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        _grade(["basics", str(subs), "--out", str(out), "--cluster", address])
    finally:
        stop.set()
        thread.join()
    return killed


def test_a_worker_killed_mid_notebook_costs_a_retry(cluster: Any, tmp_path: Path) -> None:
    address, client, _ = cluster
    subs = tmp_path / "entregas"
    subs.mkdir()
    once = _sleepy(subs / "uno.ipynb", 20, "killed once")
    shutil.copy(ROOT / "reference" / "basics.ipynb", subs / "tres.ipynb")
    out = tmp_path / "out"
    assert _grade_killing(client, address, subs, out, {once: 1}, after=6) == ["uno.ipynb"]
    lines = _summary(out)
    assert lines["uno"]["score"] == 10 and lines["tres"]["score"] == 10  # graded again on a live worker
    assert lines["uno"]["execution"] == "ok"


def test_a_worker_that_dies_every_time_costs_one_report_and_the_batch_goes_on(cluster: Any, tmp_path: Path) -> None:
    address, client, _ = cluster
    subs = tmp_path / "entregas"
    subs.mkdir()
    always = _sleepy(subs / "dos.ipynb", 40, "killed every time")
    shutil.copy(ROOT / "reference" / "basics.ipynb", subs / "tres.ipynb")
    out = tmp_path / "out"
    # the fixture's scheduler gives a task up after its second dead worker (allowed-failures: 1)
    assert _grade_killing(client, address, subs, out, {always: 2}, after=12) == ["dos.ipynb", "dos.ipynb"]
    lines = _summary(out)
    assert lines["tres"]["score"] == 10
    assert lines["dos"]["execution"] == "grader_error" and lines["dos"]["score"] == 0
    report = json.loads((out / "dos" / "report.json").read_text(encoding="utf-8"))
    message = report["execution"]["message"]
    assert "murió 2 vez/veces" in message and "vuelve a ejecutar la misma orden" in message
    assert report["execution"]["node"]["host"]
    store = Store(out / "results.sqlite")
    assert store.count() == 1  # the one that never finished is not stored: the next run tries it again
    store.close()


def test_the_client_killed_and_restarted_grades_only_what_is_missing(cluster: Any, tmp_path: Path) -> None:
    address = cluster[0]
    subs = tmp_path / "entregas"
    subs.mkdir()
    for i in range(4):
        _sleepy(subs / f"e{i}.ipynb", 1 + 3 * i, f"student {i}")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader", "grade", "basics", str(subs), "--out", str(out), "--cluster", address,
           "--jsonl", "--data-dir", DATA]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert first.stdout is not None
    done_first = []
    for line in first.stdout:
        done_first.append(json.loads(line)["student"])
        os.kill(first.pid, signal.SIGKILL)  # kill -9 of the client as soon as one result is in
        break
    first.wait()
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr[-2000:]
    lines = [json.loads(x) for x in second.stdout.splitlines()]
    assert sorted(x["student"] for x in lines) == ["e0", "e1", "e2", "e3"]
    assert [x["student"] for x in lines if x["cached"]] == done_first
    assert all(x["score"] == 10 for x in lines)


def test_two_clients_on_one_store_never_grade_a_submission_twice(tmp_path: Path) -> None:
    subs = tmp_path / "entregas"
    subs.mkdir()
    for i in range(4):
        _sleepy(subs / f"e{i}.ipynb", 2, f"student {i}")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader", "grade", "basics", str(subs), "--out", str(out), "--workers", "1",
           "--jsonl", "--no-warm", "--data-dir", DATA]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e[-1500:] for _, e in outs]
    lines = [json.loads(x) for o, _ in outs for x in o.splitlines()]
    graded = sorted(x["student"] for x in lines if not x["cached"])
    assert graded == ["e0", "e1", "e2", "e3"]  # each graded once, by one of the two
    assert sorted(x["student"] for x in lines) == sorted(["e0", "e1", "e2", "e3"] * 2)
    assert all(x["score"] == 10 for x in lines)
    assert any("otra ejecución de grader" in e for _, e in outs)


def test_a_node_without_the_datasets_refuses_and_says_which_and_why(cluster: Any, tmp_path: Path) -> None:
    address = cluster[0]
    config = tmp_path / "cluster.yaml"
    config.write_text("data: shared\ndata_dir: /srv/no-such-folder\n")
    subs = tmp_path / "entregas"
    subs.mkdir()
    shutil.copy(ROOT / "reference" / "sonar_roc.ipynb", subs / "ana.ipynb")
    with pytest.raises(UsageError) as err:
        from grader.classroom.grade_class import ClassRun, grade_class
        from grader.cluster.config import parse
        from grader.pipeline import GradeOptions

        grade_class("sonar_roc", [subs], GradeOptions(data_dir=Path(DATA), profile="ci"),
                    ClassRun(out=tmp_path / "out", quiet=True, cluster=parse(address, config)), print)
    text = str(err.value)
    assert "ningún worker del clúster puede calificar sonar_roc" in text
    assert "/srv/no-such-folder" in text and "sonar/sonar.csv" in text
    import socket

    assert socket.gethostname() in text  # which node


def test_datasets_the_workers_lack_are_shipped_once_and_checked(cluster: Any, tmp_path: Path) -> None:
    address, _, shipped = cluster
    config = tmp_path / "cluster.yaml"
    config.write_text("data: auto\ndata_dir: /srv/no-such-folder\n")
    subs = tmp_path / "entregas"
    subs.mkdir()
    shutil.copy(ROOT / "reference" / "sonar_roc.ipynb", subs / "ana.ipynb")
    out = tmp_path / "out"
    _grade(["sonar_roc", str(subs), "--out", str(out), "--cluster", address, "--cluster-config", str(config),
            "--profile", "ci"])
    line = _summary(out)["ana"]
    assert line["score"] == line["max_score"] and line["execution"] == "ok"
    copy = shipped / "sonar" / "sonar.csv"
    assert copy.is_file() and file_sha256(copy) == file_sha256(Path(DATA) / "sonar" / "sonar.csv")
    assert not list(shipped.rglob("*.part-*"))
