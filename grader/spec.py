"""Stage 1 — spec: load and validate an exercise spec and its rubric.

A spec (``exercises/<id>/spec.yaml``) says what to run and what to check; a rubric
(``rubrics/<id>.yaml``) says what each check is worth. Both are versioned
(``schema_version``) and validated on load; every error names the file, the field and what
is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grader.errors import SpecError

SPEC_SCHEMA_VERSION = 1
RUBRIC_SCHEMA_VERSION = 1
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in the course languages; Spanish is required, English optional."""

    es: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return (self.en if lang == "en" and self.en else self.es) or ""


class Budget(_Strict):
    cell_timeout: float = Field(120, gt=0, description="seconds a single cell may run")
    notebook_timeout: float = Field(900, gt=0, description="seconds the whole notebook may run")
    startup_timeout: float = Field(90, gt=0)
    # applied to every Model.fit call in the student's kernel, and reported
    max_epochs: int | None = Field(None, gt=0, description="cap on the epochs of one fit call")
    fit_time_budget: float | None = Field(
        None, gt=0, description="seconds all fit calls together may train; then training stops cleanly")
    data_fraction: float | None = Field(
        None, gt=0, le=1, description="train on this random fraction of the rows passed to fit")
    # resource limits of the student's kernel (grader.limits); the command line can lower them
    memory_mb: int = Field(8192, gt=0, description="memory of the kernel and its children")
    max_processes: int = Field(1024, gt=0, description="tasks (processes and threads) at once")
    disk_mb: int = Field(2048, gt=0, description="everything the notebook writes")
    output_mb: float = Field(20, gt=0, description="text and images the notebook prints")
    gpu_memory_mb: int | None = Field(None, gt=0, description="GPU memory per submission (a shared GPU)")
    # what the checker accepts from the kernel: sizes are read before anything is loaded
    artifact_mb: int = Field(256, gt=0, description="one exported array or value, in memory")
    model_mb: int = Field(1024, gt=0, description="one exported .keras model, unpacked")
    checker_memory_mb: int = Field(3072, gt=0, description="memory the checker may add while it checks")


class BudgetOverride(_Strict):
    """A profile's changes to the budget; fields left out keep the spec's value."""

    cell_timeout: float | None = Field(None, gt=0)
    notebook_timeout: float | None = Field(None, gt=0)
    startup_timeout: float | None = Field(None, gt=0)
    max_epochs: int | None = Field(None, gt=0)
    fit_time_budget: float | None = Field(None, gt=0)
    data_fraction: float | None = Field(None, gt=0, le=1)
    memory_mb: int | None = Field(None, gt=0)
    max_processes: int | None = Field(None, gt=0)
    disk_mb: int | None = Field(None, gt=0)
    output_mb: float | None = Field(None, gt=0)
    gpu_memory_mb: int | None = Field(None, gt=0)
    artifact_mb: int | None = Field(None, gt=0)
    model_mb: int | None = Field(None, gt=0)
    checker_memory_mb: int | None = Field(None, gt=0)


class Profile(_Strict):
    """A named way to run the exercise (``ci``: few epochs for continuous integration;
    ``quick``: the student's fast self-check). ``expect`` overrides check expectations,
    e.g. a lower accuracy threshold for fewer epochs; ``why`` says how it was measured."""

    budget: BudgetOverride = Field(default_factory=lambda: BudgetOverride.model_validate({}))
    expect: dict[str, dict[str, Any]] = {}
    why: str = ""


class ArtifactSpec(_Strict):
    """A variable of the student's namespace that the kernel exports for the checker."""

    name: str
    kind: Literal["model", "value", "history"] = "value"
    aliases: list[str] = []
    # For models: when neither the name nor an alias exists, accept the only Keras model in
    # the namespace (reported as such). Never used for plain values.
    discover: bool = False

    @field_validator("name")
    @classmethod
    def _identifier(cls, v: str) -> str:
        # the name also names the artifact's files: plain ASCII
        if not _IDENT.match(v):
            raise ValueError(f"'{v}' is not a Python variable name in plain ASCII (letters, digits, _); "
                             "put spellings with accents under aliases")
        return v

    @field_validator("aliases")
    @classmethod
    def _alias_identifiers(cls, v: list[str]) -> list[str]:
        import keyword

        for name in v:  # students write `explicación = ...`: any Python identifier
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"'{name}' is not a Python variable name")
        return v


class CheckSpec(_Strict):
    id: str
    kind: str
    # the artifact (variable) the check reads; "ran_cleanly" needs none
    artifact: str | None = None
    expect: dict[str, Any] = {}
    public: bool = True
    title: Text | None = None

    @field_validator("id")
    @classmethod
    def _check_id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("must be lower_snake_case (letters, digits, _)")
        return v


class ExerciseSpec(_Strict):
    schema_version: int
    id: str
    title: Text
    statement: str
    statement_en: str | None = None
    reference: str
    data: list[str] = []
    budget: Budget = Field(default_factory=lambda: Budget.model_validate({}))
    artifacts: list[ArtifactSpec] = []
    checks: list[CheckSpec]
    profiles: dict[str, Profile] = {}
    # filled in by load_spec, not by the YAML
    path: Path | None = Field(None, exclude=True)
    profile: str = Field("full", exclude=True)

    @field_validator("data")
    @classmethod
    def _known_datasets(cls, v: list[str]) -> list[str]:
        from grader.datasets import REGISTRY

        unknown = [d for d in v if d not in REGISTRY]
        if unknown:
            raise ValueError(f"unknown dataset(s) {', '.join(unknown)}; known: {', '.join(sorted(REGISTRY))}")
        return v

    def with_profile(self, name: str | None) -> ExerciseSpec:
        """This spec as run under profile ``name`` ("full" or None: unchanged)."""
        if name in (None, "full"):
            return self
        if name not in self.profiles:
            from grader.errors import UsageError

            known = ", ".join(["full", *sorted(self.profiles)])
            raise UsageError(f"exercise '{self.id}' has no profile '{name}'; its profiles: {known}")
        prof = self.profiles[name]
        budget = self.budget.model_copy(update=prof.budget.model_dump(exclude_none=True))
        checks = [c.model_copy(update={"expect": {**c.expect, **prof.expect.get(c.id, {})}})
                  for c in self.checks]
        return self.model_copy(update={"budget": budget, "checks": checks, "profile": name})

    def artifact(self, name: str) -> ArtifactSpec | None:
        return next((a for a in self.artifacts if a.name == name), None)

    def resolve(self, relative: str) -> Path:
        """A path written in the spec, relative to the spec file's folder."""
        assert self.path is not None
        return (self.path.parent / relative).resolve()


class Band(_Strict):
    min: float
    points: float = Field(ge=0)


class RubricItem(_Strict):
    points: float = Field(ge=0)
    bands: list[Band] = []
    proportional: bool = False
    feedback: Text | None = None
    # checks that must pass for this one to earn its points (a small network is only worth
    # points when it also works)
    requires: list[str] = []
    # what a student sees of this check (grader.reveal): never | on_fail_hint | always; unset:
    # never for value and text_answer checks (the expected value is the answer), else always
    reveal: Literal["never", "on_fail_hint", "always"] | None = None


class Rubric(_Strict):
    schema_version: int
    exercise: str
    checks: dict[str, RubricItem]
    path: Path | None = Field(None, exclude=True)

    @property
    def max_points(self) -> float:
        return sum(item.points for item in self.checks.values())


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

    path = Path(path).resolve()
    spec = _parse(path, ExerciseSpec, SPEC_SCHEMA_VERSION)
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
        missing = [i for i in ids if i not in rubric.checks]
        if missing:
            raise SpecError.field(
                path, "checks", f"no points given for check(s): {', '.join(missing)}"
            )
    return rubric
