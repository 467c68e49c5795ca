"""A class in one command: the download layouts, the results store, resuming after kill -9."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat import v4

from grader.classroom import batch
from grader.classroom.store import Store, result_key

ROOT = Path(__file__).resolve().parents[1]


def _nb(path: Path, source: str = "x = 1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(source)]), path)
    return path


def test_moodle_download_gives_names_and_ids(tmp_path: Path) -> None:
    _nb(tmp_path / "Ana María Pérez_123456_assignsubmission_file_" / "tarea 3.ipynb")
    _nb(tmp_path / "Ana María Pérez_123456_assignsubmission_file_" / "borrador.py")
    _nb(tmp_path / "Luis Gómez_98765_assignsubmission_file_" / "entrega.zip")
    subs = batch.collect(tmp_path)
    assert [(s.student, s.student_id, s.path.name, s.layout) for s in subs] == [
        ("Ana María Pérez", "123456", "tarea 3.ipynb", "moodle"),  # the notebook wins over the script
        ("Luis Gómez", "98765", "entrega.zip", "moodle"),
    ]


def test_canvas_download_gives_ids_and_late_flags(tmp_path: Path) -> None:
    _nb(tmp_path / "perezana_41_2001_tarea_mnist.ipynb")
    _nb(tmp_path / "gomezluis_LATE_42_2002_mnist-1.ipynb")
    subs = batch.collect(tmp_path)
    assert [(s.student, s.student_id, s.extra["late"]) for s in subs] == [("gomezluis", "42", True),
                                                                         ("perezana", "41", False)]


def test_gradescope_export_reads_the_metadata(tmp_path: Path) -> None:
    _nb(tmp_path / "submission_111" / "notebook.ipynb")
    _nb(tmp_path / "submission_222" / "src" / "tarea.ipynb")
    (tmp_path / "submission_333").mkdir()  # an empty submission gets a row that says so (grader.classroom.roster)
    (tmp_path / "submission_metadata.yml").write_text(
        "submission_111:\n  :submitters:\n  - :name: Ana Pérez\n    :sid: '2024001'\n    :email: ana@uni.edu\n"
        "submission_222:\n  :submitters:\n  - :name: Luis Gómez\n    :sid: '2024002'\n    :email: luis@uni.edu\n"
        "  - :name: Eva Ruiz\n    :sid: '2024003'\n"
        "submission_333:\n  :submitters:\n  - :name: Nadie\n")
    subs = batch.collect(tmp_path)
    assert [(s.student, s.student_id, s.layout, s.path.name, s.kind) for s in subs] == [
        ("Ana Pérez", "2024001", "gradescope", "notebook.ipynb", "notebook"),
        ("Luis Gómez", "2024002", "gradescope", "tarea.ipynb", "notebook"),
        ("Nadie", "", "gradescope", "submission_333", "empty")]
    assert subs[1].extra["group"] == ["Eva Ruiz"] and subs[0].extra["email"] == "ana@uni.edu"


def test_a_plain_folder_and_single_files(tmp_path: Path) -> None:
    _nb(tmp_path / "clase" / "a01.ipynb")
    _nb(tmp_path / "clase" / "grupo2" / "a02.ipynb")
    _nb(tmp_path / "clase" / ".ipynb_checkpoints" / "a01-checkpoint.ipynb")
    (tmp_path / "clase" / "notas.txt").write_text("no")
    assert [s.student for s in batch.collect(tmp_path / "clase")] == ["a01", "grupo2/a02"]
    assert [s.student for s in batch.collect(tmp_path / "clase" / "a01.ipynb")] == ["a01"]


def test_a_zip_of_the_class_is_unpacked_safely(tmp_path: Path) -> None:
    archive = tmp_path / "clase.zip"
    nb = nbformat.writes(v4.new_notebook(cells=[v4.new_code_cell("a = 1")]))
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Ana_1_assignsubmission_file_/t.ipynb", nb)
        zf.writestr("Luis_2_assignsubmission_file_/t.ipynb", nb)
        zf.writestr("../../escape.ipynb", nb)
    subs = batch.collect(archive, workdir=tmp_path)
    assert [(s.student, s.student_id) for s in subs] == [("Ana", "1"), ("Luis", "2")]
    assert not (tmp_path.parent / "escape.ipynb").exists()
    # one student's zip (a single notebook inside) is a submission, not a class
    single = tmp_path / "solo.zip"
    with zipfile.ZipFile(single, "w") as zf:
        zf.writestr("mi_tarea.ipynb", nb)
    assert [(s.student, s.path) for s in batch.collect(single)] == [("solo", single)]


def test_nothing_to_grade_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "basics", str(tmp_path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 3 and "no notebooks found" in done.stderr


def _report(score: float) -> dict[str, object]:
    return {"exercise": "x", "score": score, "max_score": 10, "execution": {"status": "ok"}, "checks": []}


def test_the_store_keeps_results_by_key(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.sqlite")
    k1 = result_key("a" * 64, "fp", seed=0, lang="es", device="cpu")
    assert k1 != result_key("a" * 64, "fp", seed=1, lang="es", device="cpu")
    assert k1 != result_key("b" * 64, "fp", seed=0, lang="es", device="cpu")
    store.put(k1, "Ana", tmp_path / "a.ipynb", _report(7), 12.5)
    assert store.keys([k1, "other"]) == {k1}
    stored = store.get(k1)
    assert stored is not None and stored[0]["score"] == 7 and stored[1] == 12.5
    assert store.get("other") is None


WRITER = """
import sys
from pathlib import Path
from grader.classroom.store import Store
s = Store(Path(sys.argv[1]))
for i in range(150):
    s.put(f"{sys.argv[2]}-{i}", "e", Path("x"), {"exercise": "x", "score": i, "max_score": 10,
          "execution": {"status": "ok"}}, 0.1)
"""


def test_concurrent_writers_do_not_corrupt_the_store(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite"
    Store(db).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), name], cwd=ROOT) for name in "abc"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 450


@pytest.mark.slow
def test_a_batch_killed_with_kill_9_resumes_and_grades_nothing_twice(tmp_path: Path) -> None:
    reference = json.loads((ROOT / "reference" / "basics.ipynb").read_text())
    subs = tmp_path / "entregas"
    subs.mkdir()
    for i in range(6):  # six different submissions: the same answers, each with its own comment
        nb = json.loads(json.dumps(reference))
        nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                            "source": f"# estudiante {i}"})
        (subs / f"e{i}.ipynb").write_text(json.dumps(nb))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader", "grade", "basics", str(subs), "--out", str(out), "--workers", "1", "--jsonl"]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             start_new_session=True)
    assert first.stdout is not None
    done_first = []
    children: list[psutil.Process] = []
    for line in first.stdout:  # kill -9 as soon as two results are in
        done_first.append(json.loads(line)["student"])
        if len(done_first) == 2:
            children = psutil.Process(first.pid).children(recursive=True)  # workers, kernels, sandboxes
            os.kill(first.pid, signal.SIGKILL)
            break
    first.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(p) for p in children):
        time.sleep(0.5)
    assert children and not any(_alive(p) for p in children)  # nothing of the killed run is left
    con = sqlite3.connect(out / "results.sqlite")
    assert sorted(r[0] for r in con.execute("SELECT student FROM results")) == sorted(done_first)
    con.close()
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr[-2000:]
    lines = [json.loads(x) for x in second.stdout.splitlines()]
    assert sorted(x["student"] for x in lines) == [f"e{i}" for i in range(6)]
    assert sorted(x["student"] for x in lines if x["cached"]) == sorted(done_first)  # not graded again
    assert all(x["score"] == 10 for x in lines)
    for name in ("junit.xml", "index.html", "dashboard-scores.png", "summary.json"):
        assert (out / name).is_file(), name
    for i in range(6):
        assert (out / f"e{i}" / "report.html").is_file() and (out / f"e{i}" / "results.json").is_file()
    rows = list(csv.DictReader(open(out / "gradebook.csv", encoding="utf-8")))
    assert [r["student"] for r in rows] == [f"e{i}" for i in range(6)]
    assert all(float(r["score"]) == 10 for r in rows)


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_gpu_batches_spread_submissions_and_share_memory(tmp_path: Path) -> None:
    from grader.pipeline import GradeOptions, library, run_options
    from grader.pipeline.spec import load_spec

    assert [batch.worker_gpu(i, 2) for i in range(5)] == [0, 1, 0, 1, 0]
    assert batch.worker_gpu(3, 0) is None
    assert batch.gpu_plan(2, 3, 81_920) == (6, 24_576)  # 6 workers, 90 % of 80 GiB split in three
    assert batch.gpu_plan(1, 2, None) == (2, None)
    spec = load_spec(library.spec_path("xor"))
    env = run_options(spec, GradeOptions(device="gpu", gpu_index=1, gpu_memory_mb=4096)).extra_env
    assert env == {"CUDA_VISIBLE_DEVICES": "1"}
    assert run_options(spec, GradeOptions(device="cpu", gpu_index=1)).extra_env == {}
    assert run_options(spec, GradeOptions(device="gpu", gpu_memory_mb=4096)).limits.gpu_memory_mb == 4096


def _whoami(delay: float) -> tuple[int, int | None]:
    time.sleep(delay)
    return os.getpid(), batch._WORKER["gpu"]


def test_each_pool_worker_keeps_one_gpu_and_they_share_them_evenly() -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    ctx = get_context("spawn")
    with ProcessPoolExecutor(max_workers=4, mp_context=ctx, initializer=batch._init_worker,
                             initargs=(ctx.Value("i", 0), 2)) as pool:
        first = list(pool.map(_whoami, [1.5] * 4))  # four at once: one per worker
        later = list(pool.map(_whoami, [0.0] * 8))
    gpu_of = dict(first)
    assert len(gpu_of) == 4
    assert sorted(g for g in gpu_of.values() if g is not None) == [0, 0, 1, 1]
    assert all(gpu_of[pid] == gpu for pid, gpu in later)  # a worker never changes GPU


@pytest.mark.slow
def test_kernels_started_ahead_grade_exactly_as_fresh_ones(tmp_path: Path) -> None:
    """Iris trains a small network: the same weights, hence the same accuracy, whether its
    kernel was started (and imported Keras) ahead of the notebook or not."""
    reference = json.loads((ROOT / "reference" / "iris.ipynb").read_text())
    subs = tmp_path / "entregas"
    subs.mkdir()
    for i in range(3):
        nb = json.loads(json.dumps(reference))
        nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": f"estudiante {i}"})
        (subs / f"e{i}.ipynb").write_text(json.dumps(nb))

    def grade(folder: Path, out: Path, *extra: str) -> dict[str, dict]:
        done = subprocess.run([sys.executable, "-m", "grader", "grade", "iris", str(folder), "--out", str(out),
                               "--workers", "1", "--quiet", *extra], cwd=ROOT, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        return {p.stem: json.loads((out / p.stem / "report.json").read_text()) for p in folder.glob("*.ipynb")}

    warm = grade(subs, tmp_path / "warm")
    assert [warm[k]["execution"]["kernel"]["started_ahead"] for k in sorted(warm)] == [False, True, True]
    # e0's kernel was started fresh; the two whose kernels were started ahead, graded again with
    # warming off (where the second kernel would otherwise be started ahead)
    again = tmp_path / "again"
    again.mkdir()
    for name in ("e1", "e2"):
        shutil.copy(subs / f"{name}.ipynb", again / f"{name}.ipynb")
    cold = grade(again, tmp_path / "cold", "--no-warm")
    assert sorted(cold) == ["e1", "e2"]
    assert not any(r["execution"]["kernel"]["started_ahead"] for r in cold.values())

    def verdicts(report: dict) -> list:
        return [(c["id"], c["status"], c["points"], c.get("found")) for c in report["checks"]]

    expected = verdicts(warm["e0"])
    assert {c[0]: c[1] for c in expected}["exactitud"] == "pass"
    for name in sorted(warm):
        assert verdicts(warm[name]) == expected, name
    for name in sorted(cold):
        assert verdicts(cold[name]) == expected, name
