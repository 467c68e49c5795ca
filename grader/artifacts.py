"""The artifacts a kernel exported, sealed before anything reads them.

The kernel writes ``manifest.json`` and the files it names (``grader.kernel_side``); the
student's code can tamper with all of it. ``read_manifest`` opens the manifest without
following links, and every file it names must be a plain file of the artifacts folder — not a
link, not a path elsewhere, not huge — or its entry becomes ``tampered`` and no check reads it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}$")
ARTIFACT_FILE_LIMIT = 2 * 1024 * 1024 * 1024


def read_manifest(artifacts_dir: Path) -> dict[str, Any]:
    """The kernel's manifest, read without following links, with every file it names sealed."""
    try:
        fd = os.open(artifacts_dir / "manifest.json", os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data = json.loads(f.read(64 * 1024 * 1024))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    artifacts = data.get("artifacts")
    if isinstance(artifacts, dict):
        data["artifacts"] = {str(k): seal_entry(artifacts_dir, v) for k, v in artifacts.items() if isinstance(v, dict)}
    return data


def unsafe_file(artifacts_dir: Path, name: Any) -> str | None:
    """Why a file named in the manifest must not be read by the checker, or None when it is a
    plain file the kernel wrote in its artifacts folder (not a link, not a path elsewhere)."""
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or ".." in name:
        return f"the name {str(name)[:80]!r} is not a plain file name"
    try:
        st = os.lstat(artifacts_dir / name)
    except OSError:
        return f"{name} does not exist"
    if stat.S_ISLNK(st.st_mode):
        return f"{name} is a symbolic link"
    if not stat.S_ISREG(st.st_mode):
        return f"{name} is not a regular file"
    if st.st_nlink != 1:
        return f"{name} is a hard link to another file"
    if st.st_size > ARTIFACT_FILE_LIMIT:
        return f"{name} is larger than {ARTIFACT_FILE_LIMIT // 1024 ** 3} GiB"
    return None


def seal_entry(artifacts_dir: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """An artifact entry whose files are safe to read; an unsafe one becomes status "tampered"."""
    for key in ("file", "history"):
        if key in entry:
            problem = unsafe_file(artifacts_dir, entry[key])
            if problem is not None:
                return {"status": "tampered", "error": problem, "type": str(entry.get("type", "?"))[:80]}
    return entry
