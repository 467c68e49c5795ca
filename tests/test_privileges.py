"""Least privilege, tried as an attacker with ``ctypes`` would (``tests.privilege_probe``): the
student's kernel holds no capability, cannot remount, mount, unshare, ptrace or become root,
cannot open the grader's Python, the base Python, ``/usr``, the datasets or any cgroup file
for writing — as root (how setup and CI run) and as an unprivileged user — and the host's files
are byte-identical afterwards. The checker's child is confined the same way."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.data import datasets
from grader.runtime import jail, sandbox, tamper
from tests import privilege_probe, unprivileged

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.kernel
ZERO_CAPS = "0000000000000000"


# --------------------------------------------------------------------------- the filter itself
def test_the_filter_is_well_formed_for_each_architecture() -> None:
    for arch in ("x86_64", "aarch64"):
        code = jail.program(arch)
        assert len(code) % 8 == 0 and len(code) // 8 < 255
        insns = [struct.unpack("<HBBI", code[i:i + 8]) for i in range(0, len(code), 8)]
        # every jump lands inside the program, and it ends by returning
        for n, (op, jt, jf, _) in enumerate(insns):
            if op & 0x07 == 0x05:
                assert n + 1 + max(jt, jf) < len(insns)
        assert insns[-1][0] == 0x06
        numbers = {k for op, _, _, k in insns if op == 0x15}
        assert set(jail.denied(arch).values()) <= numbers


def _confined(snippet: str, *args: str) -> dict[str, Any]:
    """Run ``snippet`` in a fresh interpreter after ``jail.harden(*args)``; its JSON answer."""
    code = (f"import json, sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom grader.runtime import jail\n"
            + f"state = jail.harden({', '.join(args)})\n" + snippet)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_harden_drops_everything_and_python_still_works() -> None:
    found = _confined(
        "import ctypes, subprocess, threading, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "out = {'state': state, 'mount': libc.mount(b'none', b'/mnt', b'tmpfs', 0, None),\n"
        "       'mount_errno': ctypes.get_errno(), 'unshare': libc.unshare(0x10000000)}\n"
        "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
        "out['child'] = subprocess.run(['true']).returncode\n"
        "print(json.dumps(out))")
    assert found["state"]["cap_eff"] == 0 and found["state"]["seccomp"] is True
    assert found["mount"] == -1 and found["mount_errno"] == 1  # EPERM from the filter
    assert found["unshare"] == -1
    assert found["child"] == 0  # threads and subprocesses (clone without namespaces) still work


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to nobody needs root")
def test_harden_as_root_becomes_nobody() -> None:
    found = _confined("import os\nprint(json.dumps({'uid': os.getuid(), 'groups': os.getgroups(), "
                      "'state': state}))", "65534", "65534")
    assert found["uid"] == jail.NOBODY and found["groups"] == []
    assert found["state"]["cap_eff"] == 0


# --------------------------------------------------------------------------- a real kernel
def _site_packages() -> Path:
    import keras

    return Path(keras.__file__).resolve().parents[1]


def _targets() -> dict[str, Any]:
    site = _site_packages()
    base = Path(os.__file__).resolve().parent
    mnist = datasets.locate("mnist", None)
    titanic = datasets.locate("titanic", None)
    data_file = str(next(iter(mnist.paths.values())))
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        own[controllers] = path
    cgroup_files = [f"/sys/fs/cgroup/{c or 'unified'}{p}/cgroup.procs" for c, p in own.items() if c in ("memory", "pids", "")]
    return {
        "read_only": [str(site), str(base), "/usr", data_file],
        "host_files": [str(site / "keras" / "__init__.py"), str(site / "dlg-probe.pth"), str(base / "os.py"),
                       "/usr/bin/env", data_file, str(titanic.paths["test_labels.csv"]),
                       "/proc/sys/vm/drop_caches"],
        "cgroup_files": [f for f in cgroup_files if os.path.exists(f)],
    }


def _digests(paths: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for path in paths:
        try:
            out[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest() if not path.startswith("/proc") else ""
        except OSError:
            out[path] = None
    return out


def _assert_walled(found: dict[str, Any], targets: dict[str, Any], *, host_isolated: bool) -> None:
    assert "failed" not in found, found
    assert found["cap_eff"] == ZERO_CAPS and found["cap_bnd"] == ZERO_CAPS
    assert found["no_new_privs"] == "1" and found["seccomp"] == "2"
    assert all(code != 0 for code in found["remount_rw"].values()), found["remount_rw"]
    for key in ("mount_tmpfs", "umount", "unshare_user", "unshare_mount", "ptrace"):
        assert found[key] != 0, key
    assert found.get("clone_newuser") != "CREATED"
    if found["uid"] != 0:  # root without capabilities (namespace, root, Python unreachable) stays that
        assert found["setuid_0"] != "ROOT"
    assert "OPENED" not in found["open_for_write"].values(), found["open_for_write"]
    assert "WROTE" not in found["cgroup_write"].values(), found["cgroup_write"]
    if host_isolated:
        assert found["cgroup_files"] == []


@pytest.fixture(scope="module")
def targets() -> Any:
    t = _targets()
    before = _digests(t["host_files"])
    yield t
    pth = Path(t["host_files"][1])
    assert not pth.exists(), "a kernel created a .pth in site-packages"
    assert _digests(t["host_files"]) == before, "a host file changed"
    assert tamper.installation_problems() == []


@pytest.mark.skipif(not sandbox.bwrap_works(), reason="needs bubblewrap")
def test_the_bubblewrap_kernel_cannot_leave_or_write(targets: dict[str, Any]) -> None:
    found = privilege_probe.probe("bwrap", targets)
    _assert_walled(found, targets, host_isolated=True)
    if os.geteuid() == 0:
        assert found["uid"] == jail.NOBODY and found["gid"] == jail.NOBODY
        assert found["isolation"]["privileges"].startswith("uid 65534")


@pytest.mark.skipif(not sandbox.namespace_works(), reason="needs unshare")
def test_the_namespace_fallback_drops_the_same(targets: dict[str, Any]) -> None:
    found = privilege_probe.probe("namespace", targets)
    _assert_walled(found, targets, host_isolated=False)


@pytest.mark.slow
@pytest.mark.skipif(not unprivileged.available() or not sandbox.bwrap_works(),
                    reason="needs root to build the unprivileged user's view, and bubblewrap")
def test_as_an_unprivileged_user_the_walls_hold_too(targets: dict[str, Any], tmp_path: Path) -> None:
    tmp_path.chmod(0o777)
    data_dir = Path(os.environ.get("DLGRADER_DATA_DIR") or datasets.locate("mnist", None).folder.parent)
    needed = [ROOT, Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent,
              data_dir.resolve()]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "DLGRADER_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    for level in ("bwrap", "namespace"):
        done = unprivileged.run(needed, [sys.executable, "-m", "tests.privilege_probe", level, json.dumps(targets)],
                                env=env, cwd=ROOT, timeout=300)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
        assert line is not None, (done.stdout[-2000:], done.stderr[-3000:])
        found = json.loads(line[len("RESULT "):])
        assert found.get("uid") == jail.NOBODY or found.get("uid") == 0, found  # nobody, or nobody mapped to root
        _assert_walled(found, targets, host_isolated=level == "bwrap")
        assert found["isolation"]["privileges"].startswith("this user's uid")


# --------------------------------------------------------------------------- the checker's child
def test_the_checker_child_is_confined(tmp_path: Path) -> None:
    """The checker (warm or cold) reports what held in its child: no capabilities, seccomp, a
    memory cap, and — as root — a read-only view of everything but its own folder."""
    from grader.model.outcomes import ExecutionOutcome
    from grader.pipeline import check
    from grader.pipeline.library import load

    spec = load("cnn_params")[0]
    state: dict[str, Any] = {}
    check.check(spec, ExecutionOutcome(status="ok"), tmp_path, None, confinement=state)
    assert state["cap_eff"] == 0 and state["seccomp"] is True and state["no_new_privs"] is True
    assert state["memory_mb"] == spec.budget.checker_memory_mb
    if os.geteuid() == 0:
        assert state["read_only"] is True
