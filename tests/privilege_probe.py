"""One sandboxed kernel tries to leave its sandbox; prints what it could do as one JSON line.

``python -m tests.privilege_probe LEVEL PATHS_JSON`` (or ``probe(level, paths)``): the kernel
runs the attack cell below with the grader's own ``KernelSession``. It reports its
capabilities and tries every way out an attacker with ``ctypes`` has: remounting the
read-only binds writable, mounting, unmounting, new namespaces (``unshare``, ``clone``),
``ptrace``, becoming root again, opening the host's files for writing (never writing a byte:
the host stays as it is even if a wall fails) and reaching any cgroup file.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ATTACK = r'''
import ctypes, glob, json, os, platform
libc = ctypes.CDLL(None, use_errno=True)
PATHS = json.loads(%r)

def call(fn, *args):
    return 0 if fn(*args) == 0 else ctypes.get_errno()

status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines() if ':' in line)
res = {"uid": os.getuid(), "gid": os.getgid(), "cap_eff": status['CapEff'].strip(),
       "cap_bnd": status['CapBnd'].strip(), "no_new_privs": status.get('NoNewPrivs', '').strip(),
       "seccomp": status.get('Seccomp', '').strip()}
MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096
res["remount_rw"] = {t: call(libc.mount, None, t.encode(), None, ctypes.c_ulong(MS_REMOUNT | MS_BIND), None)
                     for t in PATHS["read_only"]}
res["mount_tmpfs"] = call(libc.mount, b"none", PATHS["read_only"][0].encode(), b"tmpfs", ctypes.c_ulong(0), None)
res["umount"] = call(libc.umount2, PATHS["read_only"][0].encode(), 2)
res["unshare_user"] = call(libc.unshare, 0x10000000)
res["unshare_mount"] = call(libc.unshare, 0x00020000)
nr_clone = {"x86_64": 56, "aarch64": 220}.get(platform.machine())
if nr_clone:
    pid = libc.syscall(nr_clone, 0x10000000 | 17, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    res["clone_newuser"] = "CREATED" if pid > 0 else ctypes.get_errno()
    if pid > 0:
        os.waitpid(pid, 0)
res["ptrace"] = call(libc.ptrace, 0, 0, None, None)
try:
    os.setuid(0)
    res["setuid_0"] = "ROOT"
except OSError as exc:
    res["setuid_0"] = exc.errno
res["open_for_write"] = {}
for path in PATHS["host_files"]:
    try:
        with open(path, "ab"):
            pass
        res["open_for_write"][path] = "OPENED"
    except OSError as exc:
        res["open_for_write"][path] = exc.errno
res["cgroup_files"] = sorted(glob.glob('/sys/fs/cgroup/**/cgroup.procs', recursive=True))[:5]
res["cgroup_write"] = {}
for path in PATHS["cgroup_files"]:
    try:
        with open(path, "w") as f:
            f.write(str(os.getpid()))
        res["cgroup_write"][path] = "WROTE"
    except OSError as exc:
        res["cgroup_write"][path] = exc.errno
print("PROBE " + json.dumps(res))
'''


def probe(level: str, paths: dict[str, Any]) -> dict[str, Any]:
    import nbformat

    from grader.pipeline.execute import KernelSession, RunOptions

    root = Path(tempfile.mkdtemp(prefix="dlg-probe-"))
    (root / "work").mkdir()
    session = KernelSession(root / "work", root / "artifacts", RunOptions(sandbox=level, startup_timeout=120))
    if not session.start():
        return {"failed": session.failure, "log": session.kernel_log}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ATTACK % json.dumps(paths))])
    outcome, executed = session.run(nb)
    text = "".join(o.get("text", "") for o in executed.cells[0].outputs if o.get("output_type") == "stream")
    line = next((ln for ln in text.splitlines() if ln.startswith("PROBE ")), None)
    if line is None:
        return {"failed": outcome.status, "outputs": executed.cells[0].outputs}
    found: dict[str, Any] = json.loads(line[len("PROBE "):])
    found["isolation"] = outcome.isolation
    return found


if __name__ == "__main__":
    print("RESULT " + json.dumps(probe(sys.argv[1], json.loads(sys.argv[2]))))
