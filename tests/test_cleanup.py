"""What a grader killed with kill -9 leaves (temporary folders, cgroups) is removed by the next
run, and what a live grader is using never is (grader.runtime.cleanup)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from grader.runtime import cleanup

ROOT = Path(__file__).resolve().parents[1]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def live_python() -> Iterator[int]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    time.sleep(0.2)
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture
def live_other() -> Iterator[int]:
    proc = subprocess.Popen(["sleep", "120"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def _leftover(root: Path, name: str) -> Path:
    path = root / name
    (path / "home").mkdir(parents=True)
    (path / "kernel.json").write_text("{}")
    return path


def test_only_the_leftovers_of_dead_graders_are_removed(tmp_path: Path, live_python: int, live_other: int) -> None:
    dead = _dead_pid()
    assert not psutil.pid_exists(dead)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    gone = [_leftover(tmp, f"{p}-{dead}-abc123") for p in ("dlg-rt", "dlg-sub", "dlg-zygote", "dlg-check", "dlg-class")]
    gone.append(_leftover(tmp, f"dlg-rt-{live_other}-reused"))  # a live pid, but not a grader: the pid was reused
    old = _leftover(tmp, f"dlg-sub-{live_python}-older")  # made before that python started: reused too
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    gone.append(old)
    kept = [_leftover(tmp, f"dlg-rt-{live_python}-live"), _leftover(tmp, f"dlg-zygote-{os.getpid()}-mine"),
            _leftover(tmp, "dlg-rt-oldstyle"), _leftover(tmp, f"other-{dead}-x"), _leftover(tmp, "dlg-probe-123-x")]
    groups = tmp_path / "cgroup"
    (groups / f"dl-grader-{dead}-deadbeef").mkdir(parents=True)
    (groups / f"dl-grader-{live_python}-0123abcd").mkdir()
    removed = cleanup.sweep(tmp, [groups])
    assert sorted(removed) == sorted([*gone, groups / f"dl-grader-{dead}-deadbeef"])
    assert not any(p.exists() for p in gone)
    assert all(p.is_dir() for p in kept)
    assert (groups / f"dl-grader-{live_python}-0123abcd").is_dir()


def test_a_real_cgroup_left_by_a_dead_grader_is_removed(tmp_path: Path) -> None:
    bases = [b for b in cleanup.cgroup_bases() if os.access(b, os.W_OK)]
    dead = _dead_pid()
    made = []
    for base in bases:
        try:
            (base / f"dl-grader-{dead}-0123abcd").mkdir()
            made.append(base / f"dl-grader-{dead}-0123abcd")
        except OSError:
            continue
    if not made:
        pytest.skip("no cgroup hierarchy we may write to")
    try:
        removed = cleanup.sweep(tmp_path, None)
        assert all(p in removed and not p.exists() for p in made)
    finally:
        for p in made:
            if p.exists():
                p.rmdir()


@pytest.mark.slow
def test_the_run_after_a_kill_9_leaves_nothing_of_the_dead_one(tmp_path: Path) -> None:
    reference = json.loads((ROOT / "reference" / "basics.ipynb").read_text())
    subs = tmp_path / "entregas"
    subs.mkdir()
    for i in range(4):
        nb = json.loads(json.dumps(reference))
        nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                            "source": f"# estudiante {i}"})
        (subs / f"e{i}.ipynb").write_text(json.dumps(nb))
    cmd = [sys.executable, "-m", "grader", "grade", "basics", str(subs), "--out", str(tmp_path / "out"),
           "--workers", "1", "--jsonl"]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             start_new_session=True)
    assert first.stdout is not None
    first.stdout.readline()  # one result in: the worker is running the next notebook, a kernel warm for the one after
    tree = psutil.Process(first.pid).children(recursive=True)
    pids = {first.pid, *(p.pid for p in tree)}
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in pids):
        time.sleep(0.5)

    def theirs() -> list[Path]:
        return [p for p in Path(tempfile.gettempdir()).glob("dlg-*")
                if p.name.split("-")[2:3] and p.name.split("-")[2].isdigit() and int(p.name.split("-")[2]) in pids]

    if not os.environ.get("PYTEST_XDIST_WORKER"):  # in parallel another test's grader may sweep them first
        assert theirs(), "the killed grader left nothing: this test tests nothing"
    (tmp_path / "otra.ipynb").write_text("Hola profe")  # the next run: a cheap one (refused at intake)
    second = subprocess.run([sys.executable, "-m", "grader", "grade", "basics", str(tmp_path / "otra.ipynb"),
                             "--out", str(tmp_path / "out2"), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert theirs() == []
