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

Under ``bwrap`` and ``namespace`` the kernel also runs with **least privilege**
(``grader.runtime.jail``): no capabilities, ``no_new_privs`` and a seccomp filter that refuses mounts,
new namespaces, ``ptrace``, ``bpf`` and the like. When the grader runs as root, bubblewrap
sets up the mounts without a user namespace and the jail then switches the kernel to the
unprivileged ``nobody`` user (uid/gid 65534), which owns nothing outside the kernel's own
folders; as a normal user the kernel keeps that user's uid, in a user namespace with every
capability dropped. Either way it sees no cgroup files (``/sys/fs/cgroup`` is an empty tmpfs).
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import site
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.runtime import jail

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
        # the namespaces the real command asks for: as root, none of them a user namespace
        spaces = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"] if os.geteuid() == 0
                  else ["--unshare-all"])
        done = subprocess.run(["bwrap", *spaces, "--die-with-parent", "--ro-bind", "/", "/",
                               "--proc", "/proc", "--dev", "/dev", "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@functools.lru_cache(maxsize=1)
def _bwrap_help() -> str:
    try:
        done = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout + done.stderr


def _bwrap_has(option: str) -> bool:
    return option in _bwrap_help()


JAIL = Path(__file__).with_name("jail.py")


def kernel_uid(level: str) -> int | None:
    """The host uid the kernel runs as when it differs from the grader's (root grading:
    ``nobody``); None when the kernel keeps the grader's uid. Under ``namespace`` the kernel
    sees the host's folders, so ``nobody`` needs to reach the Python installation itself."""
    if os.geteuid() != 0 or level == "none":
        return None
    if level == "bwrap" or _reachable_by_others([*_python_paths(), str(JAIL), sys.executable]):
        return jail.NOBODY
    return None


def _reachable_by_others(paths: list[str]) -> bool:
    """Every path and the folders above it can be entered and read by any user."""
    for path in paths:
        for folder in [*Path(path).parents]:
            try:
                if not os.stat(folder).st_mode & stat.S_IXOTH:
                    return False
            except OSError:
                return False
        try:
            if not os.stat(path).st_mode & stat.S_IROTH:
                return False
        except OSError:
            return False
    return True


def jail_command(uid: int | None, writable: list[Path] | None = None) -> list[str]:
    """The least-privilege step that runs inside the sandbox just before the kernel."""
    ids = ["--uid", str(uid), "--gid", str(uid)] if uid is not None else []
    for folder in writable or []:
        ids += ["--writable", str(folder)]
    return [sys.executable, "-I", "-S", str(JAIL), *ids, "--"]


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
    uid = kernel_uid("bwrap")
    if uid is not None:
        # as root: no user namespace (its root would hold every capability over the binds);
        # the mounts belong to the host's namespace, and the jail leaves root for ``nobody``
        cmd = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    else:
        cmd = ["bwrap", "--unshare-all", "--unshare-user", "--cap-drop", "ALL"]
        if _bwrap_has("--disable-userns"):
            cmd += ["--disable-userns"]
    cmd += ["--die-with-parent", "--hostname", "dl-grader", "--unsetenv", "JPY_PARENT_PID"]
    for path in _SYSTEM:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    for name in _ETC:
        cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # the private /tmp first: what is bound below it afterwards (a venv or the grader's
    # folders under /tmp) stays visible on top of it
    perms = ["--perms", "1777"] if _bwrap_has("--perms") else []
    if _bwrap_has("--size"):
        cmd += ["--size", str(TMP_MB * 1024 * 1024)]
    cmd += [*perms, "--tmpfs", "/tmp"]
    made = {"/", "/tmp", *(f"={p}" for p in _SYSTEM)}
    for path in _python_paths():
        cmd += [*_parents(path, made, perms), "--ro-bind", path, path]
    cmd += [*_parents(str(JAIL), made, perms), "--ro-bind", str(JAIL), str(JAIL)]
    cmd += ["--proc", "/proc", "--dev", "/dev", *perms, "--tmpfs", "/dev/shm"]
    if os.path.isdir("/sys"):
        # CPU topology and GPU information stay readable; the cgroup tree does not exist
        cmd += ["--ro-bind", "/sys", "/sys"]
        if os.path.isdir("/sys/fs/cgroup"):
            cmd += ["--tmpfs", "/sys/fs/cgroup", "--remount-ro", "/sys/fs/cgroup"]
    if plan.device in ("gpu", "auto"):
        for dev in sorted(glob.glob("/dev/nvidia*")) + ["/dev/dri", "/dev/kfd"]:
            cmd += ["--dev-bind-try", dev, dev]
    for folder in (plan.runtime, plan.workdir, plan.artifacts):
        cmd += [*_parents(str(folder), made, perms), "--bind", str(folder), str(folder)]
    for file in plan.read_only:
        cmd += [*_parents(str(file), made, perms), "--ro-bind", str(file), str(file)]
    cmd += ["--chdir", str(plan.workdir), "--"]
    return cmd + jail_command(uid)


def _parents(path: str, made: set[str], perms: list[str]) -> list[str]:
    """``--dir`` steps for the folders above ``path`` that the sandbox does not have yet, made
    traversable (bubblewrap would create them private to root, and the kernel is ``nobody``)."""
    out: list[str] = []
    parts = Path(path).parts
    for i in range(2, len(parts)):
        parent = str(Path(*parts[:i]))
        if parent in made or any(parent.startswith(m + "/") for m in made if m.startswith("=")):
            continue
        if any(parent.startswith(m[1:] + "/") or parent == m[1:] for m in made if m.startswith("=")):
            continue
        made.add(parent)
        out += [*(["--perms", "0755"] if perms else []), "--dir", parent]
    made.add("=" + path)  # bound: what is below it comes from the host
    return out


def command_prefix(level: str, plan: Plan) -> list[str]:
    if level == "bwrap":
        return bwrap_command(plan)
    if level == "namespace":
        # a mount namespace where only the kernel's own folders can be written (the jail)
        writable = [plan.runtime, plan.workdir, plan.artifacts]
        uid = kernel_uid(level)
        if os.geteuid() == 0:  # root needs no user namespace for these
            return ["unshare", "--mount", "--net", "--", *jail_command(uid, writable)]
        return ["unshare", "--user", "--map-root-user", "--mount", "--net", "--",
                *jail_command(None, writable)[:-1], "--lenient", "--"]
    return []


def _privileges(level: str) -> str:
    if level == "none":
        return "not restricted"
    if kernel_uid(level) is not None:
        return "uid 65534 (nobody), no capabilities, seccomp"
    if os.geteuid() == 0:
        return "root without capabilities, seccomp, read-only but for its folders"
    return "this user's uid, no capabilities, seccomp" + (", read-only but for its folders" if level == "namespace"
                                                           else "")


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
        "privileges": _privileges(level),
        "warnings": [],
    }
    if level != "bwrap":
        info["warnings"].append("filesystem")
    if level == "none":
        info["warnings"].append("network")
    if memory == "watchdog":
        info["warnings"].append("memory_watchdog")
    return info
