"""Least privilege for code the grader does not trust: the student's kernel and the checker.

Standard library only: this file is bound read-only into the sandbox and run there as a script
(``python -I -S jail.py [--uid N --gid N] -- COMMAND...``) before the kernel starts, and the
checker's child imports it after it forks. In that order it

1. sets ``no_new_privs`` (no setuid binary, no file capability can give privileges back);
2. empties the capability bounding set and, where a uid is given and this process is root,
   switches to that unprivileged uid/gid with no supplementary groups — the kernel clears the
   permitted and effective capabilities at that switch; otherwise it clears them with
   ``capset`` itself, so ``CapEff`` is 0 either way;
3. installs a seccomp filter that refuses what a kernel never needs and an attacker would use
   to leave the sandbox: mounting and unmounting (``mount``, ``umount2``, the new mount API),
   ``pivot_root``, ``chroot``, new namespaces (``unshare``, ``setns``, ``clone`` with a
   namespace flag; ``clone3`` answers "not implemented" so the C library falls back to
   ``clone``), ``ptrace``, ``bpf``, the key ring, ``perf_event_open``, ``kexec``, kernel
   modules, swap, reboot and ``userfaultfd``; a foreign-architecture or x32 system call is
   refused too.

Why not libseccomp: it is a system library the grader cannot count on in a pip-only install,
and its Python binding is not importable inside the sandbox without one; the filter above is
small enough to assemble here (classic BPF, checked by ``tests/test_jail.py``).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

NOBODY = 65534

# system calls refused with EPERM, by architecture (x86_64 and aarch64 numbers)
_DENY = {
    "x86_64": {
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "unshare": 272, "setns": 308,
        "ptrace": 101, "bpf": 321, "keyctl": 250, "add_key": 248, "request_key": 249,
        "perf_event_open": 298, "kexec_load": 246, "kexec_file_load": 320, "init_module": 175,
        "finit_module": 313, "delete_module": 176, "swapon": 167, "swapoff": 168, "reboot": 169,
        "acct": 163, "open_by_handle_at": 304, "userfaultfd": 323, "iopl": 172, "ioperm": 173,
        "quotactl": 179, "lookup_dcookie": 212,
    },
    "aarch64": {
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "unshare": 97, "setns": 268,
        "ptrace": 117, "bpf": 280, "keyctl": 219, "add_key": 217, "request_key": 218,
        "perf_event_open": 241, "kexec_load": 104, "kexec_file_load": 294, "init_module": 105,
        "finit_module": 273, "delete_module": 106, "swapon": 224, "swapoff": 225, "reboot": 142,
        "acct": 89, "open_by_handle_at": 265, "userfaultfd": 282, "quotactl": 60, "lookup_dcookie": 18,
    },
}
# the mount API of Linux 5.2+ and mount_setattr (one numbering on every architecture)
_NEW_MOUNT_API = {"open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
                  "fspick": 433, "mount_setattr": 442}
_CLONE = {"x86_64": 56, "aarch64": 220}
_CLONE3 = 435
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME
_CLONE_NS_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 \
    | 0x40000000 | 0x00000080
_X32_BIT = 0x40000000

# classic BPF opcodes and seccomp return values
_LD_ABS_W = 0x20
_JEQ = 0x15
_JGE = 0x35
_JSET = 0x45
_RET = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16  # struct seccomp_data (little-endian: low word first)

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_SECCOMP_MODE_FILTER = 2


def machine() -> str | None:
    """The architecture this filter knows, or None."""
    name = platform.machine().lower()
    name = {"amd64": "x86_64", "arm64": "aarch64"}.get(name, name)
    return name if name in _DENY else None


def denied(arch: str) -> dict[str, int]:
    """Name -> number of every system call the filter refuses outright on ``arch``."""
    return {**_DENY[arch], **_NEW_MOUNT_API}


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def program(arch: str) -> bytes:
    """The seccomp filter for ``arch`` as classic BPF instructions."""
    eperm = _RET_ERRNO | errno.EPERM
    enosys = _RET_ERRNO | errno.ENOSYS
    out = [
        _insn(_LD_ABS_W, _OFF_ARCH),
        _insn(_JEQ, _AUDIT_ARCH[arch], jt=1, jf=0),
        _insn(_RET, _RET_KILL_PROCESS),  # a system call of another ABI (i386 int 0x80 …)
        _insn(_LD_ABS_W, _OFF_NR),
    ]
    if arch == "x86_64":  # the x32 ABI numbers its calls from 0x40000000
        out += [_insn(_JGE, _X32_BIT, jt=0, jf=1), _insn(_RET, enosys)]
    out += [_insn(_JEQ, _CLONE3, jt=0, jf=1), _insn(_RET, enosys)]
    for number in sorted(denied(arch).values()):
        out += [_insn(_JEQ, number, jt=0, jf=1), _insn(_RET, eperm)]
    # clone: allowed unless a namespace flag is set in its first argument
    out += [
        _insn(_JEQ, _CLONE[arch], jt=0, jf=4),
        _insn(_LD_ABS_W, _OFF_ARG0),
        _insn(_JSET, _CLONE_NS_FLAGS, jt=0, jf=1),
        _insn(_RET, eperm),
        _insn(_RET, _RET_ALLOW),
        _insn(_RET, _RET_ALLOW),
    ]
    return b"".join(out)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _prctl(libc: ctypes.CDLL, option: int, arg2: int | ctypes.c_void_p = 0, arg3: int = 0) -> None:
    if libc.prctl(option, arg2, arg3, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl({option}) failed: {os.strerror(code)}")


def no_new_privs() -> None:
    _prctl(_libc(), _PR_SET_NO_NEW_PRIVS, 1)


def install_seccomp() -> bool:
    """Install the filter on this thread (and what it execs); False on an unknown architecture."""
    arch = machine()
    if arch is None:
        return False
    code = program(arch)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buf = ctypes.create_string_buffer(code, len(code))
    prog = SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = _libc()
    _prctl(libc, _PR_SET_NO_NEW_PRIVS, 1)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        code_ = ctypes.get_errno()
        raise OSError(code_, f"seccomp could not be installed: {os.strerror(code_)}")
    return True


def _clear_capabilities(libc: ctypes.CDLL) -> None:
    """Permitted, effective and inheritable capabilities to nothing (capset, version 3)."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)
    data = (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"capset failed: {os.strerror(code)}")


def drop_privileges(uid: int | None = None, gid: int | None = None) -> None:
    """No capabilities from here on; as root with ``uid`` given, become that user."""
    libc = _libc()
    _prctl(libc, _PR_SET_NO_NEW_PRIVS, 1)
    try:
        _prctl(libc, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass  # kernels before 4.3 have no ambient set
    for cap in range(64):  # the bounding set: nothing can ever be gained back
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() not in (errno.EINVAL, errno.EPERM):
            break
    if uid is not None and os.geteuid() == 0:
        group = gid if gid is not None else uid
        os.setgroups([])
        os.setresgid(group, group, group)
        os.setresuid(uid, uid, uid)
    _clear_capabilities(libc)


_CLONE_NEWNS = 0x00020000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME, _MS_MOVE = 1024, 2048, 1 << 21, 8192
_MOUNT_FLAGS = {"nosuid": _MS_NOSUID, "nodev": _MS_NODEV, "noexec": _MS_NOEXEC, "noatime": _MS_NOATIME,
                "nodiratime": _MS_NODIRATIME, "relatime": _MS_RELATIME}


def _mount(libc: ctypes.CDLL, source: str | None, target: str, flags: int) -> int:
    src = source.encode() if source is not None else None
    if libc.mount(src, target.encode(), None, ctypes.c_ulong(flags), None) != 0:
        return ctypes.get_errno()
    return 0


_DEVICES = ("null", "zero", "full", "random", "urandom")


def _minimal_dev(libc: ctypes.CDLL, scratch: str) -> bool:
    """Replace ``/dev`` with a tmpfs holding only the harmless character devices: a device node
    is writable on a read-only mount, and root owns the disks even without capabilities."""
    stage = os.path.join(scratch, ".dev")
    os.makedirs(stage, exist_ok=True)
    src = b"tmpfs"
    if libc.mount(src, stage.encode(), src, ctypes.c_ulong(_MS_NOSUID | _MS_NOEXEC), b"mode=755") != 0:
        return False
    for name in _DEVICES:
        node = os.path.join(stage, name)
        open(node, "w").close()
        if os.path.exists(f"/dev/{name}") and _mount(libc, f"/dev/{name}", node, _MS_BIND):
            return False
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(stage, name))
    shm = os.path.join(stage, "shm")  # POSIX semaphores and shared memory (multiprocessing)
    os.mkdir(shm)
    if libc.mount(src, shm.encode(), src, ctypes.c_ulong(_MS_NOSUID | _MS_NOEXEC), b"mode=1777") != 0:
        return False
    return _mount(libc, stage, "/dev", _MS_MOVE) == 0


def read_only_view(writable: list[str]) -> bool:
    """This process (single-threaded, root) gets a mount namespace of its own in which every
    mount is read-only — ``/proc`` and ``/sys`` too — except the ``writable`` folders, and
    ``/dev`` holds only null, zero, full, random and urandom.
    False where it cannot (not root, no mount namespaces): the caller carries on without."""
    libc = _libc()
    if os.geteuid() != 0 or libc.unshare(_CLONE_NEWNS) != 0:
        return False
    if _mount(libc, None, "/", _MS_REC | _MS_PRIVATE):
        return False
    for folder in writable:  # its own mount, so it can stay writable below a read-only one
        if _mount(libc, folder, folder, _MS_BIND):
            return False
    if not _minimal_dev(libc, writable[0]):
        return False
    keep = {os.path.realpath(f) for f in writable}
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split(" - ")[0].split() for line in f]
    holes = 0
    for fields in mounts:
        target = fields[4].encode().decode("unicode_escape")
        if target in keep or target == "/dev/shm":
            continue
        flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY
        for option in fields[5].split(","):
            flags |= _MOUNT_FLAGS.get(option, 0)
        if _mount(libc, None, target, flags) not in (0, errno.ENOENT, errno.EACCES):
            holes += 1
    os.chdir(os.getcwd())  # the working folder again, through the new mounts (it may be writable)
    return holes == 0


def effective_capabilities() -> int:
    """This process's CapEff as a number (Linux), -1 where it cannot be read."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return -1


def harden(uid: int | None = None, gid: int | None = None, writable: list[str] | None = None,
           strict: bool = True) -> dict[str, object]:
    """Everything above, in order; what holds afterwards (for the report and the tests).
    With ``writable`` (the sandbox without bubblewrap), first a mount namespace where nothing
    else can be written; where that cannot be had, refuse rather than run unwalled — unless not
    ``strict`` (a normal user's user namespace, which may not allow every remount: that user
    can only harm their own files)."""
    read_only = read_only_view(writable) if writable is not None else False
    if writable is not None and not read_only and strict:
        raise OSError(errno.EPERM, "could not make the filesystem read-only around the kernel's folders")
    drop_privileges(uid, gid)
    seccomp = install_seccomp()
    return {"uid": os.getuid(), "gid": os.getgid(), "cap_eff": effective_capabilities(), "seccomp": seccomp,
            "no_new_privs": True}


def main(argv: list[str]) -> int:
    """``jail.py [--uid N] [--gid N] [--writable DIR]... [--lenient] -- COMMAND ARGS...``:
    harden, then exec COMMAND."""
    uid = gid = None
    writable: list[str] | None = None
    strict = True
    args = list(argv)
    while args and args[0] != "--":
        flag = args.pop(0)
        if flag in ("--uid", "--gid") and args:
            value = int(args.pop(0))
            uid, gid = (value, gid) if flag == "--uid" else (uid, value)
        elif flag == "--writable" and args:
            writable = [*(writable or []), args.pop(0)]
        elif flag == "--lenient":
            strict = False
        else:
            print(f"dl-grader jail: unknown option {flag!r}", file=sys.stderr)
            return 97
    command = args[1:]
    if not command:
        print("dl-grader jail: no command after --", file=sys.stderr)
        return 97
    try:
        harden(uid, gid, writable, strict)
    except OSError as exc:  # never run student code with privileges the jail could not drop
        print(f"dl-grader jail: {exc}", file=sys.stderr)
        return 97
    os.execvp(command[0], command)
    return 97  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
