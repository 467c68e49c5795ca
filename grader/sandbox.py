"""Isolation of the student's kernel: what it can see, reach and write.

The strongest mechanism the machine offers is used, and the report says which one was in
force:

``bwrap`` (bubblewrap, Debian's ``bubblewrap`` package, no root needed)
    The kernel runs in new user, PID, IPC, UTS and network namespaces over an *allow-list*
    filesystem: the system's libraries and the Python installation read-only, its own working
    folder, its artifacts folder and its private HOME read-write, a small private ``/tmp``,
    and the dataset files the exercise hands out read-only. Nothing else exists for it: not
    the grader's hidden labels, rubric or results store, not the report folder, not other
    students' notebooks. No network at all (only a loopback interface of its own).
``namespace`` (``unshare -rn``)
    No network, private HOME and working folder, but the rest of the filesystem is visible
    with this user's permissions. Used when bubblewrap is missing; the report warns.
``none``
    Nothing but a private working folder. Only for debugging (``--sandbox none``).
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LEVELS = ("bwrap", "namespace", "none")
TMP_MB = 512  # the kernel's private /tmp (memory-backed, counts against its memory limit)

# system folders a Python kernel needs, read-only (merged-/usr symlinks are recreated as links)
_SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt/conda"]
_ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "hosts",
        "localtime", "timezone", "fonts", "alternatives", "ssl", "ca-certificates", "mime.types",
        "os-release", "debian_version", "matplotlibrc"]


class SandboxUnavailable(RuntimeError):
    """The isolation asked for (``--sandbox bwrap``) cannot be had on this machine."""


@functools.lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """True when bubblewrap is installed and may create namespaces here."""
    if shutil.which("bwrap") is None:
        return False
    try:
        done = subprocess.run(["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                               "--proc", "/proc", "--dev", "/dev", "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@functools.lru_cache(maxsize=1)
def _bwrap_has_size() -> bool:
    try:
        done = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in done.stdout + done.stderr


@functools.lru_cache(maxsize=1)
def namespace_works() -> bool:
    """True when ``unshare -rn`` works for this user (Linux, unprivileged user namespaces)."""
    if shutil.which("unshare") is None:
        return False
    try:
        done = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def choose(requested: str) -> str:
    """The level to use for ``requested`` ("auto" or one of LEVELS); raises SandboxUnavailable
    when a level that was asked for by name is not available."""
    if requested == "auto":
        if bwrap_works():
            return "bwrap"
        return "namespace" if namespace_works() else "none"
    if requested == "bwrap" and not bwrap_works():
        raise SandboxUnavailable(
            "bubblewrap is not available here (install it: `apt install bubblewrap`), or this machine "
            "does not allow user namespaces; use --sandbox auto to fall back to a weaker isolation")
    if requested == "namespace" and not namespace_works():
        raise SandboxUnavailable("`unshare -rn` does not work here (user namespaces disabled?)")
    if requested not in LEVELS:
        raise SandboxUnavailable(f"unknown sandbox level {requested!r}: use auto, bwrap, namespace or none")
    return requested


def _python_paths() -> list[str]:
    """The Python installation the kernel runs on: prefixes, and site-packages outside them."""
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    for entry in [*sys.path, site.getusersitepackages()]:
        if entry and entry.rstrip("/").endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
            if not any(entry.startswith(p + os.sep) for p in paths):
                paths.add(os.path.realpath(entry))
    # a venv's own path (symlinks to the base interpreter live there) besides its real path
    paths.add(sys.prefix)
    return sorted(p for p in paths if os.path.exists(p))


@dataclass
class Plan:
    """What one sandboxed kernel may see and write."""

    workdir: Path
    artifacts: Path
    runtime: Path  # connection file, IPC sockets, private HOME
    read_only: list[Path] = field(default_factory=list)  # dataset files handed out
    device: str = "cpu"


def bwrap_command(plan: Plan) -> list[str]:
    # ipykernel exits when its parent looks gone (parent pid 1): inside the PID namespace it
    # always is, so the parent pid is not passed; --die-with-parent ties it to the grader instead
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--hostname", "dl-grader", "--unsetenv", "JPY_PARENT_PID"]
    for path in _SYSTEM:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    for name in _ETC:
        cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # the private /tmp first: what is bound below it afterwards (a venv or the grader's
    # folders under /tmp) stays visible on top of it
    if _bwrap_has_size():
        cmd += ["--size", str(TMP_MB * 1024 * 1024)]
    cmd += ["--tmpfs", "/tmp"]
    for path in _python_paths():
        cmd += ["--ro-bind", path, path]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--ro-bind-try", "/sys", "/sys"]
    if plan.device in ("gpu", "auto"):
        for dev in sorted(glob.glob("/dev/nvidia*")) + ["/dev/dri", "/dev/kfd"]:
            cmd += ["--dev-bind-try", dev, dev]
    for folder in (plan.runtime, plan.workdir, plan.artifacts):
        cmd += ["--bind", str(folder), str(folder)]
    for file in plan.read_only:
        cmd += ["--ro-bind", str(file), str(file)]
    cmd += ["--chdir", str(plan.workdir), "--"]
    return cmd


def command_prefix(level: str, plan: Plan) -> list[str]:
    if level == "bwrap":
        return bwrap_command(plan)
    if level == "namespace":
        return ["unshare", "--user", "--map-root-user", "--net"]
    return []


def describe(level: str, memory: str, processes: str) -> dict[str, Any]:
    """What the report says about isolation: one line per aspect, and warnings in plain words."""
    info: dict[str, Any] = {
        "level": level,
        "network": {"bwrap": "namespace (bubblewrap): no network", "namespace": "namespace (unshare): no network",
                    "none": "not isolated"}[level],
        "filesystem": {"bwrap": "allow-list (bubblewrap): work folder, artifacts, HOME, /tmp; datasets read-only",
                       "namespace": "not isolated: this user's files are readable",
                       "none": "not isolated: this user's files are readable"}[level],
        "processes": processes,
        "memory": memory,
        "warnings": [],
    }
    if level != "bwrap":
        info["warnings"].append("filesystem")
    if level == "none":
        info["warnings"].append("network")
    if memory == "watchdog":
        info["warnings"].append("memory_watchdog")
    return info
