"""Where the exercise library lives: ``exercises/<id>/spec.yaml``, ``rubrics/<id>.yaml``,
``reference/<id>.ipynb``.

Looked up in ``$DLGRADER_LIBRARY``, then the source checkout this package sits in, then the
copy bundled inside an installed wheel (``grader/_library``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from grader.model.errors import ExerciseNotFound

if TYPE_CHECKING:
    from grader.model.spec import ExerciseSpec, Rubric

PACKAGE = Path(__file__).resolve().parents[1]  # grader/


def library_root() -> Path:
    env = os.environ.get("DLGRADER_LIBRARY")
    for candidate in (Path(env) if env else None, PACKAGE.parent, PACKAGE / "_library"):
        if candidate is not None and (candidate / "exercises").is_dir():
            return candidate
    return PACKAGE.parent


def exercise_ids(root: Path | None = None) -> list[str]:
    root = root or library_root()
    return sorted(p.parent.name for p in (root / "exercises").glob("*/spec.yaml"))


def spec_path(spec_or_id: str | Path) -> Path:
    """A spec file path, or the spec of a library exercise given by id."""
    path = Path(spec_or_id)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return path
    if path.is_dir() and (path / "spec.yaml").is_file():
        return path / "spec.yaml"
    root = library_root()
    candidate = root / "exercises" / str(spec_or_id) / "spec.yaml"
    if candidate.is_file():
        return candidate
    raise ExerciseNotFound.unknown(str(spec_or_id), exercise_ids(root))


def rubric_path(spec_file: Path, exercise_id: str) -> Path:
    """The rubric beside the library the spec belongs to: <root>/rubrics/<id>.yaml."""
    return spec_file.resolve().parent.parent.parent / "rubrics" / f"{exercise_id}.yaml"


def load(spec_or_id: str | Path, rubric: str | Path | None = None) -> tuple[ExerciseSpec, Rubric, Path]:
    """The spec (a file or a library id), its rubric (``rubric`` or the library's) and the
    rubric's file, both validated."""
    from grader.pipeline.spec import load_rubric, load_spec

    path = spec_path(spec_or_id)
    spec = load_spec(path)
    rubric_file = Path(rubric) if rubric else rubric_path(path, spec.id)
    return spec, load_rubric(rubric_file, spec), rubric_file
