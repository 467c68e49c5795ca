"""The exercise spec and its rubric as typed values (pydantic), with their defaults.

A spec (``exercises/<id>/spec.yaml``) says what to run and what to check; a rubric
(``rubrics/<id>.yaml``) says what each check is worth. ``grader.pipeline.spec`` reads and
validates them (files, versions, check kinds, datasets); these types only describe them.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    # resource limits of the student's kernel (grader.runtime.limits); the command line can lower them
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


class ValueRole(_Strict):
    """What a value artifact looks like, to find it under a name the spec does not list."""

    rows: int = Field(gt=0)
    columns: list[str] = Field(min_length=1)


class ArtifactSpec(_Strict):
    """A variable of the student's namespace that the kernel exports for the checker."""

    name: str
    kind: Literal["model", "value", "history"] = "value"
    aliases: list[str] = []
    # For models: when neither the name nor an alias holds a model, find it by its role among
    # the namespace's models (input/output, fit log; docs/spec-format.md), reported as such.
    discover: bool = False
    # For discovered models: a layer type the model must contain to qualify (`Conv2D` for the
    # exercise's CNN beside dense models of the same input and output).
    has_layer: str | None = None
    # For values: when neither the name nor an alias holds one, a pandas DataFrame with these
    # rows and columns is the artifact (a Kaggle submission frame kept as `sub`), reported as such.
    role: ValueRole | None = None

    @field_validator("name")
    @classmethod
    def _identifier(cls, v: str) -> str:
        # the name also names the artifact's files: plain ASCII
        if not _IDENT.match(v):
            raise ValueError(f"'{v}' is not a Python variable name in plain ASCII (letters, digits, _); "
                             "put spellings with accents under aliases")
        return v

    @model_validator(mode="after")
    def _role_for_values(self) -> ArtifactSpec:
        if self.role is not None and self.kind != "value":
            raise ValueError("role is for values; a model is found by `discover: true`")
        if self.discover and self.kind != "model":
            raise ValueError("discover is for models; a value is found by its `role`")
        if self.has_layer is not None and not self.discover:
            raise ValueError("has_layer narrows discovery: it needs `discover: true`")
        return self

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
    # code for older Keras / NumPy / pandas / scikit-learn: run with today's names and reported
    # (adapt), or left to fail with a hint naming the replacement (hint); grader.kernel.compat
    compat: Literal["adapt", "hint"] = "adapt"
    # filled in by load_spec, not by the YAML
    path: Path | None = Field(None, exclude=True)
    profile: str = Field("full", exclude=True)
    # under another profile: the spec as the full profile runs it (what a capped run compares to)
    full: ExerciseSpec | None = Field(None, exclude=True)

    def with_profile(self, name: str | None) -> ExerciseSpec:
        """This spec as run under profile ``name`` ("full" or None: unchanged)."""
        if name in (None, "full"):
            return self
        if name not in self.profiles:
            from grader.model.errors import UsageError

            known = ", ".join(["full", *sorted(self.profiles)])
            raise UsageError(f"exercise '{self.id}' has no profile '{name}'; its profiles: {known}")
        prof = self.profiles[name]
        budget = self.budget.model_copy(update=prof.budget.model_dump(exclude_none=True))
        checks = [c.model_copy(update={"expect": {**c.expect, **prof.expect.get(c.id, {})}})
                  for c in self.checks]
        return self.model_copy(update={"budget": budget, "checks": checks, "profile": name, "full": self.full or self})

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
    # what a student sees of this check (grader.pipeline.reveal): never | on_fail_hint | always; unset:
    # never for value and text_answer checks (the expected value is the answer), else always
    reveal: Literal["never", "on_fail_hint", "always"] | None = None


class CompatCharge(_Strict):
    """Points taken off for code that ran only because the grader adapted an old spelling
    (``compat: adapt``; docs/compatibility.md): ``per_rule`` for each distinct rule used, at most
    ``max`` in all."""
    per_rule: float = Field(gt=0)
    max: float | None = Field(None, gt=0)


class LatePolicy(_Strict):
    """Points taken off work handed in after ``due`` (grader.pipeline.score.late_penalty):
    ``penalty_percent`` of the maximum score for each day (or hour) begun after the due date and
    ``grace_minutes``, at most ``max_percent`` in all."""
    due: datetime
    grace_minutes: float = Field(0, ge=0)
    penalty_percent: float = Field(gt=0, le=100)
    per: Literal["day", "hour"] = "day"
    max_percent: float = Field(100, gt=0, le=100)

    @field_validator("due")
    @classmethod
    def _with_offset(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("give the due date with its UTC offset, e.g. 2026-03-15T23:59:00-03:00 "
                             "(a date without one would mean a different moment on each machine)")
        return v


class Competition(_Strict):
    """A leaderboard on hidden labels split in two (grader.pipeline.score.competition): students
    see the accuracy on the ``public_fraction`` of the rows; the final ranking uses the others.
    ``daily_limit``: scored submissions per student and day (the Gradescope autograder), counted
    in the course's ``utc_offset``."""
    check: str
    public_fraction: float = Field(0.5, gt=0, lt=1)
    seed: int = 0
    daily_limit: int | None = Field(None, ge=1)
    utc_offset: str = Field("+00:00", pattern=r"^[+-]\d{2}:\d{2}$")


class Rubric(_Strict):
    schema_version: int
    exercise: str
    checks: dict[str, RubricItem]
    compat_charge: CompatCharge | None = None
    late: LatePolicy | None = None
    competition: Competition | None = None
    path: Path | None = Field(None, exclude=True)

    @property
    def max_points(self) -> float:
        return sum(item.points for item in self.checks.values())
