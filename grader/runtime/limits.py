"""Resource limits for one student kernel: memory, processes, disk written, output.

Two mechanisms, the stronger one used when the machine offers it:

* **cgroups** (v2 with a writable subtree, or v1 ``memory`` + ``pids`` hierarchies): the
  kernel process joins its own group before it execs, so the Linux kernel itself enforces the
  memory limit (the OOM killer acts inside the group only) and the task limit (``fork`` fails
  at the limit — a fork bomb goes no further).
* **a watchdog thread**, always running: it samples the kernel's memory (the cgroup's usage,
  or the RSS of its process tree), its task count and the size of the folders it may write.
  Without cgroups it enforces the limits itself by killing the kernel at the limit; with them
  it records peaks and tells *which* limit was hit, so the outcome can say so.

``RLIMIT_FSIZE`` (through ``prlimit``) caps any one file the kernel writes and
``RLIMIT_CORE=0`` keeps crashes from dumping cores.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MiB = 1024 * 1024


@dataclass
class Limits:
    memory_mb: int = 8192
    max_processes: int = 1024  # tasks: processes and threads (TensorFlow starts many threads)
    disk_mb: int = 2048  # everything the kernel writes: its folder, artifacts, home, /tmp
    output_mb: float = 20  # text and images the notebook sends back while it runs
    file_mb: int = 1024  # one file (RLIMIT_FSIZE)
    gpu_memory_mb: int | None = None  # per submission on a shared GPU (grader.kernel.seeds, XLA's fraction)

    def as_dict(self) -> dict[str, Any]:
        return {"memory_mb": self.memory_mb, "max_processes": self.max_processes, "disk_mb": self.disk_mb,
                "output_mb": self.output_mb, "file_mb": self.file_mb, "gpu_memory_mb": self.gpu_memory_mb}


def die_with_parent() -> None:
    """This process gets SIGKILL when its parent dies, even by kill -9 (Linux; elsewhere a no-op)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def gpu_env(limits: Limits) -> dict[str, str]:
    """Environment for a kernel on a GPU: allocate as needed, and cap JAX at its share."""
    env = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
    total = gpu_total_mb()
    if limits.gpu_memory_mb and total:
        env["XLA_PYTHON_CLIENT_MEM_FRACTION"] = f"{min(1.0, limits.gpu_memory_mb / total):.3f}"
    return env


@functools.lru_cache(maxsize=1)
def gpu_total_mb() -> int | None:
    """Memory of the smallest visible NVIDIA GPU (nvidia-smi), or None."""
    import shutil
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return None
    try:
        done = subprocess.run(["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                              capture_output=True, text=True, timeout=20)
        sizes = [int(x) for x in done.stdout.split() if x.strip().isdigit()]
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return min(sizes) if sizes else None


# --------------------------------------------------------------------------- cgroups
def _mounts() -> list[tuple[str, str, list[str]]]:
    out = []
    try:
        for line in Path("/proc/self/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 4:
                out.append((parts[1], parts[2], parts[3].split(",")))
    except OSError:
        pass
    return out


def _own_cgroups() -> dict[str, str]:
    """controller (or "" for v2) -> this process's cgroup path."""
    out: dict[str, str] = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                out[c] = path
    except (OSError, ValueError):
        pass
    return out


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


def _try_mkdir(base: Path) -> Path | None:
    child = base / f"dl-grader-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        child.mkdir()
    except OSError:
        return None
    return child


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _keyed(text: str) -> dict[str, int]:
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


@functools.lru_cache(maxsize=1)
def cgroup_support() -> str | None:
    """"v2", "v1" or None: which cgroup interface can give this user a limited group."""
    group = _new_group(Limits(), probe=True)
    if group is None:
        return None
    group.remove()
    return group.version


@dataclass
class Cgroup:
    """One kernel's group(s). ``procs_files`` are what the launcher writes its pid into."""

    version: str
    memory_dir: Path
    pids_dir: Path
    dirs: list[Path] = field(default_factory=list)

    @property
    def procs_files(self) -> list[Path]:
        return [d / "cgroup.procs" for d in self.dirs]

    def memory_usage(self) -> int:
        name = "memory.current" if self.version == "v2" else "memory.usage_in_bytes"
        text = _read(self.memory_dir / name).strip()
        return int(text) if text.isdigit() else 0

    def oom_killed(self) -> bool:
        if self.version == "v2":
            return _keyed(_read(self.memory_dir / "memory.events")).get("oom_kill", 0) > 0
        control = _keyed(_read(self.memory_dir / "memory.oom_control"))
        return control.get("oom_kill", 0) > 0

    def pids_limit_hit(self) -> bool:
        return _keyed(_read(self.pids_dir / "pids.events")).get("max", 0) > 0

    def tasks(self) -> int:
        text = _read(self.pids_dir / "pids.current").strip()
        return int(text) if text.isdigit() else 0

    def pids(self) -> list[int]:
        out: set[int] = set()
        for d in self.dirs:
            out.update(int(p) for p in _read(d / "cgroup.procs").split() if p.isdigit())
        return sorted(out)

    def kill_all(self) -> None:
        if self.version == "v2" and _write(self.memory_dir / "cgroup.kill", "1"):
            return
        for _ in range(3):  # a fork bomb keeps forking while we kill: a few rounds
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)

    def remove(self) -> None:
        for d in reversed(self.dirs):
            for _ in range(40):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # processes still exiting
                    self.kill_all()
                    time.sleep(0.05)


def _new_group(limits: Limits, probe: bool = False) -> Cgroup | None:
    mounts = _mounts()
    own = _own_cgroups()
    # v2: a unified hierarchy where our own group's parent lets us make a child with both controllers
    for mountpoint, fstype, _ in mounts:
        if fstype != "cgroup2" or "" not in own:
            continue
        base = Path(mountpoint + own[""])
        if not _writable_dir(base):
            continue
        controllers = _read(base / "cgroup.controllers").split()
        if not {"memory", "pids"} <= set(controllers):
            continue
        subtree = _read(base / "cgroup.subtree_control").split()
        if not {"memory", "pids"} <= set(subtree):
            _write(base / "cgroup.subtree_control", "+memory +pids")
        child = _try_mkdir(base)
        if child is None:
            continue
        if not {"memory", "pids"} <= set(_read(child / "cgroup.controllers").split()):
            child.rmdir()
            continue
        group = Cgroup("v2", child, child, [child])
        if probe:
            return group
        _write(child / "memory.swap.max", "0")  # absent without swap accounting: no matter
        if (_write(child / "memory.max", str(limits.memory_mb * MiB))
                and _write(child / "pids.max", str(limits.max_processes))):
            return group
        group.remove()
    # v1: separate memory and pids hierarchies
    roots = {}
    for mountpoint, fstype, options in mounts:
        if fstype == "cgroup":
            for controller in ("memory", "pids"):
                if controller in options:
                    roots[controller] = Path(mountpoint)
    if set(roots) != {"memory", "pids"} or "memory" not in own or "pids" not in own:
        return None
    memory_base = Path(str(roots["memory"]) + own["memory"])
    pids_base = Path(str(roots["pids"]) + own["pids"])
    if not (_writable_dir(memory_base) and _writable_dir(pids_base)):
        return None
    memory_dir = _try_mkdir(memory_base)
    if memory_dir is None:
        return None
    pids_dir = _try_mkdir(pids_base)
    if pids_dir is None:
        memory_dir.rmdir()
        return None
    group = Cgroup("v1", memory_dir, pids_dir, [memory_dir, pids_dir])
    if probe:
        return group
    ok = _write(memory_dir / "memory.limit_in_bytes", str(limits.memory_mb * MiB))
    if (memory_dir / "memory.memsw.limit_in_bytes").exists():
        _write(memory_dir / "memory.memsw.limit_in_bytes", str(limits.memory_mb * MiB))  # no swapping past it
    ok = ok and _write(pids_dir / "pids.max", str(limits.max_processes))
    if not ok:
        group.remove()
        return None
    return group


def new_cgroup(limits: Limits) -> Cgroup | None:
    """A fresh limited group for one kernel, or None where cgroups are not available to us."""
    if os.environ.get("DLGRADER_NO_CGROUPS"):
        return None
    return _new_group(limits)


def launcher(group: Cgroup | None, limits: Limits) -> list[str]:
    """The command prefix that puts the kernel in its group and sets its rlimits, then execs."""
    prefix: list[str] = []
    if group is not None:
        files = [str(p) for p in group.procs_files]
        script = ('n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 97; shift; n=$((n-1)); done; '
                  'exec "$@"')
        prefix += ["/bin/sh", "-c", script, "dl-grader-launch", str(len(files)), *files]
    if _which("prlimit"):
        prefix += ["prlimit", f"--fsize={limits.file_mb * MiB}", "--core=0", "--"]
    return prefix


def _which(name: str) -> bool:
    import shutil

    return shutil.which(name) is not None


# --------------------------------------------------------------------------- watchdog
def _tree(pid: int) -> list[Any]:
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _alive(proc: Any) -> bool:
    """Still running (not a zombie, not gone): an exiting process has left its group's list."""
    import psutil

    try:
        return bool(proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def folder_bytes(paths: list[Path]) -> int:
    """Bytes of disk used under ``paths`` (allocated blocks: a sparse file counts what it uses)."""
    total = 0
    stack = [str(p) for p in paths]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as it:
                for entry in it:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        total += st.st_blocks * 512
        except OSError:
            continue
    return total


class Watchdog(threading.Thread):
    """Samples a running kernel and kills it when a limit is passed.

    ``pid_of()`` returns the kernel launcher's pid (None until it is started). ``tripped`` is
    "memory", "processes", "disk" or "output" once a limit was hit; ``peaks`` holds the
    highest readings, for the report.
    """

    def __init__(self, limits: Limits, pid_of: Any, group: Cgroup | None, folders: list[Path],
                 interval: float = 0.2) -> None:
        super().__init__(daemon=True, name="dl-grader-watchdog")
        self.limits = limits
        self.pid_of = pid_of
        self.group = group
        self.folders = folders
        self.interval = interval
        self.tripped: str | None = None
        self.tripped_at: float | None = None
        self.peaks: dict[str, float] = {"memory_mb": 0.0, "tasks": 0, "disk_mb": 0.0}
        self.output_bytes = 0
        self.escaped = False  # a process of the kernel was found outside its cgroup
        self._born = time.monotonic()
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def stop(self) -> None:
        self._stop_event.set()

    def trip(self, reason: str) -> None:
        """Record the first limit hit and kill the kernel (idempotent)."""
        with self._lock:
            if self.tripped is not None:
                return
            self.tripped = reason
            self.tripped_at = time.monotonic()
        self.kill()

    def kill(self) -> None:
        pid = self.pid_of()
        procs = _tree(pid) if pid else []
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for proc in procs:
            try:
                proc.kill()
            except Exception:
                pass
        if self.group is not None:
            self.group.kill_all()

    def add_output(self, n: int) -> None:
        self.output_bytes += n
        if self.output_bytes > self.limits.output_mb * MiB:
            self.trip("output")

    def sample(self) -> None:
        limit = self.limits.memory_mb * MiB
        pid = self.pid_of()
        if self.group is not None:
            memory = self.group.memory_usage()
            tasks = self.group.tasks()
            if self.group.pids_limit_hit():
                self.peaks["tasks"] = max(self.peaks["tasks"], self.limits.max_processes)
                self.trip("processes")
                return
            # the kernel cannot reach any cgroup file; should a process of its tree still be
            # found outside its group, it goes back in, is flagged, and its memory counts anyway
            memory += self._tree_outside_group(pid)
        else:
            memory, tasks = 0, 0
            for proc in _tree(pid) if pid else []:
                try:
                    memory += proc.memory_info().rss
                    tasks += proc.num_threads()
                except Exception:
                    continue
        self.peaks["memory_mb"] = max(self.peaks["memory_mb"], round(memory / MiB, 1))
        self.peaks["tasks"] = max(self.peaks["tasks"], tasks)
        if memory > limit:
            self.trip("memory")
        elif self.group is None and tasks > self.limits.max_processes:
            self.trip("processes")

    def _tree_outside_group(self, pid: int | None) -> int:
        """The RSS of the kernel's processes found outside its group (they are put back), else 0.
        Their memory is not charged to the group, so it is added to the group's figure; a
        process that is exiting (gone from the group's list first) is no stray."""
        assert self.group is not None
        procs = _tree(pid) if pid else []
        strays: dict[int, Any] = {}
        moved = False
        for folder in self.group.dirs:
            members = {int(p) for p in _read(folder / "cgroup.procs").split() if p.isdigit()}
            for proc in procs:
                if proc.pid in members or not _alive(proc):
                    continue
                if _write(folder / "cgroup.procs", str(proc.pid)):
                    moved = True
                    if folder == self.group.memory_dir:
                        strays[proc.pid] = proc
        if not moved:
            return 0
        # in its first second the launcher may not have joined its group yet: that is no escape
        self.escaped = self.escaped or time.monotonic() - self._born > 1.0
        total = 0
        for proc in strays.values():
            try:
                total += proc.memory_info().rss
            except Exception:
                continue
        return total

    def sample_disk(self) -> None:
        used = folder_bytes(self.folders)
        self.peaks["disk_mb"] = max(self.peaks["disk_mb"], round(used / MiB, 1))
        if used > self.limits.disk_mb * MiB:
            self.trip("disk")

    def run(self) -> None:
        tick = 0
        while not self._stop_event.wait(self.interval):
            try:
                self.sample()
                if tick % 5 == 0:
                    self.sample_disk()
            except Exception:  # a sampling hiccup (process gone) is not a verdict
                pass
            tick += 1

    def verdict(self) -> str | None:
        """The limit that ended the run: the watchdog's, or the one the cgroup enforced itself
        (its OOM killer, or a fork it refused at the task limit)."""
        if self.tripped is not None:
            return self.tripped
        if self.group is not None and self.group.oom_killed():
            return "memory"
        # the group refused a fork: the kernel may have died of it before the next sample
        if self.group is not None and self.group.pids_limit_hit():
            return "processes"
        return None
