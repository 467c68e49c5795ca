"""What a grader killed with ``kill -9`` left behind, removed by the next ``grade`` or ``check``.

A grader that ends normally removes its own temporary folders and cgroups. One that is killed
leaves them: runtime folders (``dlg-rt-``, with the kernel's connection file), workspaces
(``dlg-sub-``), the checker's folders (``dlg-zygote-``, ``dlg-check-``), unpacked class zips
(``dlg-class-``) in the temporary folder, and empty cgroups ``dl-grader-<pid>-<hex>`` under the
grader's own cgroup (``grader.runtime.limits``).

Every such name carries the pid of the process that made it. ``sweep`` removes those whose
process no longer exists, and never those of a live grader (several run at once, e.g. tests
under pytest-xdist). A pid can be reused: a live process with that pid counts as the owner only
when it started before the thing was last changed and looks like Python or the grader.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIXES = ("dlg-rt", "dlg-sub", "dlg-zygote", "dlg-check", "dlg-class")
_FOLDER = re.compile(r"^(?:" + "|".join(PREFIXES) + r")-(?P<pid>\d+)-[^/]+$")
_CGROUP = re.compile(r"^dl-grader-(?P<pid>\d+)-[0-9a-f]+$")
_SLACK_S = 2.0  # process start times are known to about a clock tick; mtimes to the filesystem's grain


def owner_alive(pid: int, since: float) -> bool:
    """Whether process ``pid`` exists and may be the one that made something last changed at
    ``since`` (epoch seconds). When in doubt (no permission to look), yes."""
    if pid == os.getpid():
        return True
    try:
        import psutil

        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        if proc.create_time() > since + _SLACK_S:  # the pid was reused after the thing was made
            return False
        words = [proc.name(), *proc.cmdline()[:3]]
    except ImportError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    except Exception as exc:
        return type(exc).__name__ != "NoSuchProcess"  # AccessDenied and the like: keep it
    return any(w in text.lower() for text in words for w in ("python", "grader", "pytest"))


def _mtime(path: Path) -> float | None:
    try:
        return path.lstat().st_mtime
    except OSError:
        return None


def stale_folders(tmpdir: Path | None = None) -> list[Path]:
    """The grader's temporary folders in ``tmpdir`` whose process is gone."""
    root = Path(tmpdir or tempfile.gettempdir())
    out = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        match = _FOLDER.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        mtime = _mtime(Path(entry.path))
        if mtime is not None and not owner_alive(int(match["pid"]), mtime):
            out.append(Path(entry.path))
    return out


def cgroup_bases() -> list[Path]:
    """The folders where this grader makes its cgroups (v2 and v1's memory and pids)."""
    from grader.runtime import limits

    own = limits._own_cgroups()
    bases = []
    for mountpoint, fstype, options in limits._mounts():
        if fstype == "cgroup2" and "" in own:
            bases.append(Path(mountpoint + own[""]))
        elif fstype == "cgroup":
            bases += [Path(mountpoint + own[c]) for c in ("memory", "pids") if c in options and c in own]
    return [b for b in dict.fromkeys(bases) if b.is_dir()]


def stale_cgroups(bases: list[Path] | None = None) -> list[Path]:
    """The grader's cgroups under ``bases`` whose process is gone."""
    out = []
    for base in cgroup_bases() if bases is None else bases:
        try:
            children = [p for p in base.iterdir() if p.is_dir()]
        except OSError:
            continue
        for child in children:
            match = _CGROUP.match(child.name)
            mtime = _mtime(child) if match else None
            if match and mtime is not None and not owner_alive(int(match["pid"]), mtime):
                out.append(child)
    return out


def _remove_cgroup(path: Path) -> bool:
    from grader.runtime import limits

    group = limits.Cgroup("v1", path, path, [path])  # kills what is still inside, then removes it
    group.remove()
    return not path.exists()


def sweep(tmpdir: Path | None = None, bases: list[Path] | None = None) -> list[Path]:
    """Remove what killed graders left (see the module's doc); never raises. What was removed."""
    removed = []
    try:
        for folder in stale_folders(tmpdir):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
        for group in stale_cgroups(bases):
            if _remove_cgroup(group):
                removed.append(group)
    except Exception:  # cleaning up must never stop grading
        pass
    return removed
