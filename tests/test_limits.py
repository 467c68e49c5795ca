"""Resource limits on plain processes (no Jupyter): the cgroup where this machine offers one,
the watchdog everywhere. Each test stops a real process at a small limit."""

from __future__ import annotations

import errno
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.runtime import limits

ALLOCATE = ("import numpy as np, time\nkeep = []\nfor _ in range(200):\n"
            "    keep.append(np.ones(2**25 // 8))\n    time.sleep(0.02)\n")  # 32 MiB a step, 6.4 GiB in all
FORK = ("import os, time\nfor _ in range(400):\n    if os.fork() == 0:\n        time.sleep(30)\n"
        "        os._exit(0)\n    time.sleep(0.005)\ntime.sleep(30)\n")


def _run(code: str, lim: limits.Limits, group: limits.Cgroup | None, folders: list[Path] = (),  # type: ignore[assignment]
         timeout: float = 60) -> tuple[subprocess.Popen[bytes], limits.Watchdog]:
    proc = subprocess.Popen([*limits.launcher(group, lim), sys.executable, "-c", code], stderr=subprocess.PIPE)
    dog = limits.Watchdog(lim, lambda: proc.pid, group, list(folders), interval=0.05)
    dog.start()
    try:
        proc.wait(timeout=timeout)
    finally:
        dog.stop()
        dog.kill()
        proc.wait()
    return proc, dog


def test_the_watchdog_kills_a_process_over_its_memory_limit() -> None:
    proc, dog = _run(ALLOCATE, limits.Limits(memory_mb=300), None)
    assert dog.verdict() == "memory"
    assert proc.returncode == -9
    assert 250 < dog.peaks["memory_mb"] < 1500


def test_the_watchdog_counts_tasks_without_cgroups() -> None:
    proc, dog = _run(FORK, limits.Limits(max_processes=40), None)
    assert dog.verdict() == "processes"
    assert dog.peaks["tasks"] > 40


def test_the_watchdog_stops_a_disk_filler(tmp_path: Path) -> None:
    code = (f"f = open({str(tmp_path / 'big.bin')!r}, 'wb')\nimport time\n"
            "for _ in range(400):\n    f.write(b'x' * 2**20)\n    f.flush()\n    time.sleep(0.01)\n")
    proc, dog = _run(code, limits.Limits(disk_mb=40), None, [tmp_path])
    assert dog.verdict() == "disk"
    assert proc.returncode == -9


def test_output_over_the_limit_trips_the_watchdog() -> None:
    dog = limits.Watchdog(limits.Limits(output_mb=1), lambda: None, None, [])
    dog.add_output(600_000)
    assert dog.tripped is None
    dog.add_output(600_000)
    assert dog.verdict() == "output"


@pytest.mark.skipif(not limits._which("prlimit"), reason="needs prlimit (util-linux)")
def test_one_file_cannot_grow_past_the_file_limit(tmp_path: Path) -> None:
    code = (f"import sys\ntry:\n    open({str(tmp_path / 'f.bin')!r}, 'wb').write(b'x' * 12 * 2**20)\n"
            "except OSError as exc:\n    sys.exit(exc.errno)\n")
    proc = subprocess.run([*limits.launcher(None, limits.Limits(file_mb=5)), sys.executable, "-c", code])
    assert proc.returncode == errno.EFBIG


def test_disk_use_counts_allocated_blocks(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 3 * 2**20)
    sparse = tmp_path / "sub" / "sparse"
    sparse.parent.mkdir()
    with open(sparse, "wb") as f:
        f.seek(10 * 2**30)  # 10 GiB long, nothing written
        f.write(b"x")
    used = limits.folder_bytes([tmp_path])
    assert 3 * 2**20 <= used < 4 * 2**20


needs_cgroup = pytest.mark.skipif(limits.cgroup_support() is None, reason="no writable cgroup here")


@needs_cgroup
def test_the_cgroup_enforces_memory_and_says_so() -> None:
    lim = limits.Limits(memory_mb=300)
    group = limits.new_cgroup(lim)
    assert group is not None
    try:
        proc, dog = _run(ALLOCATE, lim, group)
        assert proc.returncode == -9
        assert dog.verdict() == "memory"
        assert group.oom_killed() or dog.tripped == "memory"
    finally:
        group.remove()
    assert not any(d.exists() for d in group.dirs)


@needs_cgroup
def test_the_cgroup_stops_a_fork_bomb_at_the_task_limit() -> None:
    lim = limits.Limits(max_processes=40)
    group = limits.new_cgroup(lim)
    assert group is not None
    try:
        t0 = time.monotonic()
        proc, dog = _run(FORK, lim, group)
        assert dog.verdict() == "processes"
        assert time.monotonic() - t0 < 25
        assert group.pids() == []  # the whole group is gone, children included
    finally:
        group.remove()


@needs_cgroup
def test_a_process_that_leaves_its_cgroup_is_put_back_and_still_limited() -> None:
    """Code that could write a cgroup file (the sandbox leaves none reachable) and moved itself
    out of its memory group is found by the watchdog, put back, flagged, and still stopped."""
    lim = limits.Limits(memory_mb=300)
    group = limits.new_cgroup(lim)
    assert group is not None
    leave = ("import os, time\ntime.sleep(1.5)\n"
             f"open({str(group.memory_dir.parent / 'cgroup.procs')!r}, 'w').write(str(os.getpid()))\n"
             "time.sleep(0.5)\n" + ALLOCATE)
    try:
        proc, dog = _run(leave, lim, group)
        assert proc.returncode == -9
        assert dog.escaped is True
        assert dog.verdict() == "memory"
    finally:
        group.remove()
