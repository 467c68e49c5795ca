"""Tamper evidence: before any notebook runs, the datasets and the grader's installation are
what they should be.

A notebook cannot write to either (``grader.runtime.jail``, ``grader.runtime.sandbox``); this is the second
line, for whatever else may have changed them (an earlier grader without those walls, a hand
edit, a broken download). Two checks, both before a batch:

* **datasets**: every file of the exercise's datasets against its published SHA-256;
* **installation**: every Python file and ``.pth`` file that pip recorded for an installed
  distribution (its ``RECORD``) still has the recorded hash, and no start-up hook
  (``.pth``, ``sitecustomize``, ``usercustomize``) exists that no distribution installed.

Hashing 180 MB of Python files takes seconds, so a file is hashed again only when its inode
change time, size or inode differ from the last verified run (kept in the user's cache). The
change time cannot be set back by anyone who cannot set the clock, so a rewritten file is
always hashed again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import site
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from grader.model.errors import GraderError

_HOOKS = ("sitecustomize.py", "usercustomize.py")


class Tampered(GraderError, RuntimeError):
    """Datasets or the installation differ from what was verified: nothing is graded."""

    exit_code = 2

    @classmethod
    def found(cls, problems: list[str]) -> Tampered:
        shown = problems[:10] + ([f"… and {len(problems) - 10} more"] if len(problems) > 10 else [])
        return cls("nothing was graded: the grader's files are not what they should be.\n  "
                   + "\n  ".join(shown)
                   + "\nReinstall the grader (`bash scripts/setup.sh`, or `pip install --force-reinstall` "
                   "of the package named) and fetch changed datasets again (`grader data fetch NAME`); "
                   "then run the same command again. DLGRADER_SKIP_TAMPER_CHECK=1 skips this check.")


class _HashCache:
    """SHA digests of files, trusted while (ctime, size, inode) are those seen when hashed."""

    def __init__(self, name: str) -> None:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dl-grader"
        self.path = base / f"{name}.json"
        try:
            self.entries: dict[str, list[Any]] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False

    def digest(self, path: str, algorithm: str) -> bytes | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp = [st.st_ctime_ns, st.st_size, st.st_ino, algorithm]
        known = self.entries.get(path)
        if known is not None and known[:4] == stamp:
            return bytes.fromhex(known[4])
        h = hashlib.new(algorithm)
        try:
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return None
        self.entries[path] = [*stamp, h.hexdigest()]
        self.changed = True
        return h.digest()

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.entries))
            os.replace(tmp, self.path)
        except OSError:
            pass  # no cache: the next run hashes again


def _site_dirs() -> list[str]:
    dirs = [p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages"))]
    try:
        dirs += site.getsitepackages() + [site.getusersitepackages()]
    except AttributeError:
        pass
    return sorted({os.path.realpath(d) for d in dirs if os.path.isdir(d)})


def installation_problems() -> list[str]:
    """Python files changed since pip installed them, and start-up hooks nobody installed."""
    cache = _HashCache("install-" + hashlib.sha256(sys.prefix.encode()).hexdigest()[:12])
    problems: list[str] = []
    recorded: set[str] = set()
    for dist in metadata.distributions():
        name = dist.metadata["Name"] or "?"
        for file in dist.files or []:
            if not str(file).endswith((".py", ".pth")):
                continue
            path = os.path.normpath(str(file.locate()))
            if path.endswith((".pth", *_HOOKS)):
                recorded.add(os.path.realpath(path))
            if file.hash is None:
                continue
            digest = cache.digest(path, file.hash.mode)
            if digest is None:
                continue  # removed or unreadable: Python will not run it either
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != file.hash.value:
                problems.append(f"{path}: changed since {name} was installed")
    for folder in _site_dirs():
        for entry in sorted(os.listdir(folder)):
            path = os.path.realpath(os.path.join(folder, entry))
            if (entry.endswith(".pth") or entry in _HOOKS) and path not in recorded:
                problems.append(f"{path}: a start-up file that no installed package put there")
    for folder in sys.path:
        for hook in _HOOKS:
            path = os.path.realpath(os.path.join(folder or ".", hook))
            if os.path.isfile(path) and path not in recorded and not any(path in p for p in problems):
                problems.append(f"{path}: a start-up file that no installed package put there")
    cache.save()
    return problems


def dataset_problems(located: list[Any]) -> list[str]:
    """Files of the located datasets whose SHA-256 is not the published one."""
    cache = _HashCache("datasets")
    problems = []
    for found in located:
        for name, path in found.paths.items():
            known = found.dataset.file(name)
            if known is None or not known.sha256:
                continue
            digest = cache.digest(os.path.realpath(path), "sha256")
            if digest is None or digest.hex() != known.sha256:
                problems.append(f"{path}: its checksum is not the published one (changed, corrupt or "
                                "another version)")
    cache.save()
    return problems


def verify(located: list[Any]) -> None:
    """Raise ``Tampered`` when a dataset or the installation changed; before any notebook runs."""
    if os.environ.get("DLGRADER_SKIP_TAMPER_CHECK"):
        return
    problems = dataset_problems(located) + installation_problems()
    if problems:
        raise Tampered.found(problems)
