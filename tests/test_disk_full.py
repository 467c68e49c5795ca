"""A full disk under --out stops the batch with what to do (exit 2), and loses nothing graded."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader import cli
from grader.classroom import batch
from grader.classroom.store import Store
from grader.model.errors import is_disk_full

ROOT = Path(__file__).resolve().parents[1]


def _report() -> dict[str, Any]:
    return {"exercise": "basics", "score": 10.0, "max_score": 10.0, "lang": "es", "title": "t",
            "execution": {"status": "ok", "message": "ok"}, "checks": []}


def _done(job: batch.Job, on_done: Any) -> None:
    """What a worker does: write the report's files, then hand the report back."""
    job.out_dir.mkdir(parents=True, exist_ok=True)
    (job.out_dir / "report.json").write_text(json.dumps(_report()))
    on_done(job, _report(), 0.1)


def _submissions(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):  # each its own bytes, so its own result; refused at intake: graded in a blink
        (folder / f"e{i:03d}.ipynb").write_text(f"Hola profe, adjunto mi tarea {i}")
    return folder


def test_disk_full_errors_are_recognised() -> None:
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert is_disk_full(sqlite3.OperationalError("database or disk is full"))
    assert not is_disk_full(OSError(errno.ENOENT, "No such file"))
    assert not is_disk_full(sqlite3.OperationalError("no such table: x"))


@pytest.mark.parametrize("where", ["worker", "store"])
def test_a_full_disk_stops_the_batch_keeps_the_store_and_the_rerun_finishes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], where: str) -> None:
    """ENOSPC injected after two results: from a worker writing a report, or from SQLite."""
    subs = _submissions(tmp_path / "subs", 4)
    out = tmp_path / "out"
    calls: list[int] = []

    def full_run(jobs: list[batch.Job], *args: Any, **kw: Any) -> None:
        on_done = args[4]
        calls.append(len(jobs))
        for job in jobs[:2]:
            _done(job, on_done)
        if where == "worker":
            raise OSError(errno.ENOSPC, "No space left on device", str(jobs[2].out_dir / "report.json"))
        _done(jobs[2], on_done)

    real_put = Store.put

    def put(self: Store, *args: Any, **kwargs: Any) -> None:
        if where == "store" and self.count() >= 2:
            raise sqlite3.OperationalError("database or disk is full")
        real_put(self, *args, **kwargs)

    monkeypatch.setattr(batch, "run", full_run)
    monkeypatch.setattr(Store, "put", put)
    cmd = ["grade", "basics", str(subs), "--out", str(out), "--quiet"]
    assert cli.main(cmd) == 2
    err = capsys.readouterr().err
    assert f"el disco de {out} está lleno: libera espacio y ejecuta la misma orden de nuevo (2 resultados guardados)" \
        in err, err
    assert "Traceback" not in err
    con = sqlite3.connect(out / "results.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2
    con.close()

    monkeypatch.setattr(Store, "put", real_put)  # space again: the same command grades only the other two

    def run(jobs: list[batch.Job], *args: Any, **kw: Any) -> None:
        calls.append(len(jobs))
        for job in jobs:
            _done(job, args[4])

    monkeypatch.setattr(batch, "run", run)
    assert cli.main(cmd[:-1] + ["--jsonl"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert calls == [4, 2]
    assert sorted(x["cached"] for x in lines) == [False, False, True, True]
    assert Store(out / "results.sqlite").count() == 4


def test_english_message() -> None:
    from grader.model.errors import DiskFull

    assert str(DiskFull.of("/srv/out", 7, "en")) == (
        "the disk of /srv/out is full: free space and run the same command again (7 results kept)")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Any:
    """A 3 MB tmpfs (root only), unmounted afterwards."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.slow
def test_a_real_full_disk_stops_with_exit_2_and_the_rerun_completes(tmp_path: Path, tiny_disk: Path) -> None:
    subs = _submissions(tmp_path / "subs", 160)  # ~40 kB each of reports and store: more than 3 MB
    out = tiny_disk / "out"
    cmd = [sys.executable, "-m", "grader", "grade", "basics", str(subs), "--out", str(out), "--workers", "1",
           "--no-warm", "--quiet"]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert first.returncode == 2, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    message = first.stderr.strip().splitlines()[-1]
    prefix = f"error: el disco de {out} está lleno: libera espacio y ejecuta la misma orden de nuevo ("
    assert message.startswith(prefix) and message.endswith(" resultados guardados)"), message
    kept = int(message[len(prefix):].split()[0])
    assert 0 < kept < 160
    con = sqlite3.connect(out / "results.sqlite")  # the disk is still full: the store opens all the same
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM results").fetchone()[0] == kept
    con.close()

    remount = subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_disk)], capture_output=True, text=True)
    assert remount.returncode == 0, remount.stderr
    second = subprocess.run(cmd[:-1] + ["--jsonl"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    lines = [json.loads(x) for x in second.stdout.splitlines()]
    assert len(lines) == 160 and sum(x["cached"] for x in lines) == kept  # nothing graded twice
    assert Store(out / "results.sqlite").count() == 160
    assert (out / "gradebook.csv").is_file() and (out / "e159" / "report.md").is_file()


def test_a_worker_that_hits_a_full_disk_stops_the_pool_instead_of_a_crashed_report(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from concurrent.futures import Future

    from grader.pipeline import GradeOptions

    class Pool:
        def __init__(self, *args: Any, **kw: Any) -> None:
            self._processes: dict[int, Any] = {}

        def submit(self, *args: Any) -> Future[Any]:
            fut: Future[Any] = Future()
            fut.set_exception(OSError(errno.ENOSPC, "No space left on device", "/out/a/report.json"))
            return fut

        def shutdown(self, *args: Any, **kw: Any) -> None:
            pass

    monkeypatch.setattr(batch, "ProcessPoolExecutor", Pool)
    jobs = [batch.Job(batch.Submission("a", tmp_path / "a.ipynb"), "k", tmp_path / "a")]
    done: list[Any] = []
    with pytest.raises(OSError) as caught:
        batch.run(jobs, tmp_path, tmp_path, GradeOptions(), 1, lambda *a: done.append(a))
    assert caught.value.errno == errno.ENOSPC and done == []
