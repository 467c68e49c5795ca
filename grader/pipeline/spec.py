"""Stage 1 — spec: read and validate an exercise spec and its rubric.

Every error names the file, the field and what is allowed: YAML, ``schema_version``, the
fields (``grader.model.spec``), each check's kind and expectations (the ``grader.checks``
registry), the datasets named, the artifacts checks refer to, the profiles and the rubric's
points for every check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from grader.model.errors import SpecError
from grader.model.spec import RUBRIC_SCHEMA_VERSION, SPEC_SCHEMA_VERSION, ExerciseSpec, Rubric


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise SpecError.file(path, "file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SpecError.file(path, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SpecError.file(path, "must be a YAML mapping (key: value pairs) at the top level")
    return data


def _raise_validation(path: Path, exc: ValidationError) -> None:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(top level)"
    problem = err["msg"]
    if err["type"] == "extra_forbidden":
        problem = "unknown field (check its spelling against docs/spec-format.md)"
    elif err["type"] == "missing":
        problem = "required field is missing"
    raise SpecError.field(path, field, problem) from None


def _check_version(path: Path, data: dict[str, Any], supported: int) -> None:
    version = data.get("schema_version")
    if version is None:
        raise SpecError.field(path, "schema_version", f"required; this grader reads version {supported}")
    if version != supported:
        raise SpecError.field(
            path,
            "schema_version",
            f"version {version!r} is not supported; this grader reads version {supported}",
        )


_M = TypeVar("_M", ExerciseSpec, Rubric)


def _parse(path: Path, model: type[_M], version: int) -> _M:
    """Read the YAML, check its schema version, validate it into ``model``."""
    data = _read_yaml(path)
    _check_version(path, data, version)
    try:
        return model(**data, path=path)
    except ValidationError as exc:
        _raise_validation(path, exc)
        raise  # unreachable: _raise_validation always raises


def load_spec(path: Path | str) -> ExerciseSpec:
    """Load and validate a spec, including its check kinds and expectations."""
    from grader.checks import validate_check  # registry import kept out of module load
    from grader.data.datasets import REGISTRY

    path = Path(path).resolve()
    spec = _parse(path, ExerciseSpec, SPEC_SCHEMA_VERSION)
    unknown = [d for d in spec.data if d not in REGISTRY]
    if unknown:
        raise SpecError.field(path, "data", f"unknown dataset(s) {', '.join(unknown)}; known: {', '.join(sorted(REGISTRY))}")
    seen: set[str] = set()
    names = {a.name for a in spec.artifacts}
    for i, check in enumerate(spec.checks):
        where = f"checks.{i}"
        if check.id in seen:
            raise SpecError.field(path, f"{where}.id", f"duplicate check id '{check.id}'")
        seen.add(check.id)
        if check.artifact is not None and check.artifact not in names:
            raise SpecError.field(
                path,
                f"{where}.artifact",
                f"'{check.artifact}' is not declared under 'artifacts'; declared: "
                + (", ".join(sorted(names)) or "none"),
            )
        problem = validate_check(check, spec)
        if problem:
            raise SpecError.field(path, f"{where}.{problem[0]}", problem[1])
        dataset = check.expect.get("dataset")
        if isinstance(dataset, str) and dataset not in spec.data:
            raise SpecError.field(path, f"{where}.expect.dataset",
                                  f"'{dataset}' must also be listed under 'data' (so it is located before grading)")
    ids = {c.id for c in spec.checks}
    for name, prof in spec.profiles.items():
        for check_id in prof.expect:
            if check_id not in ids:
                raise SpecError.field(path, f"profiles.{name}.expect.{check_id}",
                                      f"no such check; the checks are: {', '.join(sorted(ids))}")
        if name == "full":
            raise SpecError.field(path, "profiles.full", "'full' is the spec itself; name profiles otherwise")
        for check in spec.with_profile(name).checks:
            problem = validate_check(check, spec)
            if problem:
                raise SpecError.field(path, f"profiles.{name}.expect.{check.id}.{problem[0]}", problem[1])
    return spec


def load_rubric(path: Path | str, spec: ExerciseSpec | None = None) -> Rubric:
    path = Path(path).resolve()
    rubric = _parse(path, Rubric, RUBRIC_SCHEMA_VERSION)
    if spec is not None:
        if rubric.exercise != spec.id:
            raise SpecError.field(
                path, "exercise", f"is '{rubric.exercise}' but the spec is for '{spec.id}'"
            )
        ids = [c.id for c in spec.checks]
        for check_id, item in rubric.checks.items():
            if check_id not in ids:
                raise SpecError.field(
                    path, f"checks.{check_id}", f"no such check in the spec; its checks: {', '.join(ids)}"
                )
            for needed in item.requires:
                if needed not in ids or needed == check_id:
                    raise SpecError.field(
                        path, f"checks.{check_id}.requires",
                        f"'{needed}' is not another check of the spec; its checks: {', '.join(ids)}")
            for band in item.bands:
                if band.points > item.points:
                    raise SpecError.field(
                        path,
                        f"checks.{check_id}.bands",
                        f"a band gives {band.points} points, more than the check's {item.points}",
                    )
        if rubric.competition is not None:
            kinds = {c.id: c.kind for c in spec.checks}
            if kinds.get(rubric.competition.check) != "predictions":
                raise SpecError.field(
                    path, "competition.check",
                    f"'{rubric.competition.check}' is not a predictions check of the spec (a competition ranks "
                    f"predictions scored on hidden labels); its predictions checks: "
                    f"{', '.join(i for i, k in kinds.items() if k == 'predictions') or 'none'}")
        missing = [i for i in ids if i not in rubric.checks]
        if missing:
            raise SpecError.field(
                path, "checks", f"no points given for check(s): {', '.join(missing)}"
            )
    return rubric
