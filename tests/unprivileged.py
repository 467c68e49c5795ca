"""Run a command as an unprivileged user (``nobody``) that can still reach this checkout, its
virtual environment and the datasets — the way an instructor without root runs the grader.

Root's own folders are often private (``/root`` is 0700 here, and pyenv keeps Python there),
so ``nobody`` could not even start the interpreter. As root, the command runs in a private
mount namespace (``unshare -m``) where every private folder above a path it needs is covered
by a world-readable tmpfs that holds only those paths, bound back; the host's folders and
permissions are untouched. Then ``setpriv`` drops to ``nobody`` with no capabilities.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

NOBODY = 65534


def available() -> bool:
    return (os.geteuid() == 0 and all(shutil.which(t) for t in ("unshare", "setpriv", "mount"))
            and sys.platform.startswith("linux"))


def _private_ancestors(path: Path) -> list[Path]:
    out = []
    for parent in reversed(path.parents):
        if parent == Path("/"):
            continue
        try:
            mode = os.stat(parent).st_mode
        except OSError:
            break
        if not mode & stat.S_IXOTH:
            out.append(parent)
    return out


def script(needed: list[Path], command: list[str]) -> str:
    """The shell script that builds the view and runs ``command`` as nobody."""
    needed = sorted({Path(os.path.realpath(p)) for p in needed} | {Path(p) for p in needed})
    covers: dict[Path, list[Path]] = {}
    for path in needed:
        private = _private_ancestors(path)
        if private:
            covers.setdefault(private[0], []).append(path)
    lines = ["set -e", "mount --make-rprivate /", "stage=$(mktemp -d /tmp/dlg-view-XXXXXX)"]
    for n, (cover, paths) in enumerate(sorted(covers.items())):
        for m, path in enumerate(paths):
            lines.append(f"mkdir -p $stage/{n}-{m} && mount --rbind {shlex.quote(str(path))} $stage/{n}-{m}")
        lines.append(f"mount -t tmpfs -o mode=755 dlg-view {shlex.quote(str(cover))}")
        for m, path in enumerate(paths):
            lines.append(f"mkdir -p {shlex.quote(str(path))} && chmod 755 {shlex.quote(str(path.parent))} "
                         f"&& mount --rbind $stage/{n}-{m} {shlex.quote(str(path))}")
            for parent in path.parents:  # the folders the tmpfs needed between cover and path
                if parent == cover or cover not in parent.parents:
                    break
                lines.append(f"chmod 755 {shlex.quote(str(parent))}")
    quoted = " ".join(shlex.quote(c) for c in command)
    lines.append(f"exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups --inh-caps=-all "
                 f"--bounding-set=-all -- {quoted}")
    return "\n".join(lines)


def run(needed: list[Path], command: list[str], *, env: dict[str, str], cwd: Path,
        timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``command`` as nobody in a view where ``needed`` paths are reachable."""
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script(needed, command)],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
