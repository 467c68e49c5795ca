"""Stage 2 — provision: a fresh, private working directory for one submission.

The student's notebook runs with this folder as its working directory; it holds only what
the spec provides. The artifacts folder is a sibling the notebook is not pointed at.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.spec import ExerciseSpec


@dataclass
class Workspace:
    root: Path
    workdir: Path
    artifacts: Path

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def provision(spec: ExerciseSpec) -> Workspace:
    root = Path(tempfile.mkdtemp(prefix="dlg-sub-"))
    workdir = root / "work"
    artifacts = root / "artifacts"
    workdir.mkdir()
    artifacts.mkdir()
    return Workspace(root=root, workdir=workdir, artifacts=artifacts)
