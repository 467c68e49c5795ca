"""Check kinds: small functions registered by name.

A check kind is a function ``(check, ctx) -> CheckResult`` that never prints and never raises
for anything a student did (``run_check`` turns an unexpected crash into status ``error``).
Each kind registers a pydantic :class:`Expect` model of what its ``expect`` mapping may
contain, so that a spec with a typo or a wrong value fails when it is loaded, naming the field's
path and the valid keys or values — and an unknown kind lists the valid kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from grader.model.outcomes import CheckResult
from grader.model.spec import CheckSpec

if TYPE_CHECKING:
    from grader.checks.context import CheckContext
    from grader.model.spec import ExerciseSpec

# (check, ctx) -> result; a kind that reads an artifact receives an ArtifactCheck
CheckFn = Callable[..., CheckResult]
E = TypeVar("E", bound="Expect")
# how a model was chosen among several (grader.kernel.save._discover); `_any` when none fits the
# exercise's data or the spec does not say what that is
LAST = tuple(f"{w}{s}" for w in ("last_trained", "last_trained_cut", "last_created") for s in ("", "_any"))


class Expect(BaseModel):
    """What a check kind's ``expect`` mapping may hold: one model per kind, registered with it.

    Unknown keys are refused when the spec loads, with the field's path; defaults live here
    and nowhere else (a check reads ``exp.split``, never ``expect.get("split", "test")``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    @classmethod
    def of(cls: type[E], check: CheckSpec) -> E:
        return cls.model_validate(check.expect)


class ArtifactCheck(CheckSpec):
    """A check of a kind that reads an artifact: the spec loader made sure it names one."""

    artifact: str


@dataclass(frozen=True)
class CheckKind:
    name: str
    fn: CheckFn
    needs: str | None  # "model", "value" or None (no artifact)
    expect: type[Expect]

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.expect.model_fields)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(k for k, f in self.expect.model_fields.items() if f.is_required())


REGISTRY: dict[str, CheckKind] = {}


def register(name: str, *, needs: str | None, expect: type[Expect]) -> Callable[[CheckFn], CheckFn]:
    def deco(fn: CheckFn) -> CheckFn:
        REGISTRY[name] = CheckKind(name, fn, needs, expect)
        return fn

    return deco


def _load_kinds() -> None:
    # importing the modules registers their kinds
    from grader.checks import execution, metrics, model, predictions, text, training, values  # noqa: F401


def kinds() -> dict[str, CheckKind]:
    _load_kinds()  # cheap after the first time; a partly filled registry is never trusted
    return REGISTRY


def validate_check(check: CheckSpec, spec: ExerciseSpec) -> tuple[str, str] | None:
    """Return (field path, problem) when the check is malformed, else None."""
    registry = kinds()
    kind = registry.get(check.kind)
    if kind is None:
        return "kind", f"unknown check kind '{check.kind}'; valid kinds: {', '.join(sorted(registry))}"
    if kind.needs and check.artifact is None:
        return "artifact", f"kind '{check.kind}' needs an artifact (a {kind.needs} variable)"
    if kind.needs and check.artifact:
        declared = spec.artifact(check.artifact)
        if declared is not None and declared.kind != kind.needs:
            return "artifact", (
                f"kind '{check.kind}' reads a {kind.needs}, but '{check.artifact}' is declared "
                f"as kind '{declared.kind}'"
            )
    try:
        kind.expect.model_validate(check.expect)
    except ValidationError as exc:
        return _problem(kind, exc)
    return None


def expect_problem(kind: str, expect: dict[str, Any]) -> str | None:
    """What is wrong with ``expect`` for check kind ``kind`` (field path: problem), or None."""
    found = kinds()[kind]
    try:
        found.expect.model_validate(expect)
    except ValidationError as exc:
        path, problem = _problem(found, exc)
        return f"{path}: {problem}"
    return None


def _problem(kind: CheckKind, exc: ValidationError) -> tuple[str, str]:
    """The first error as (field path, what is wrong and what is allowed)."""
    errors = exc.errors()
    unknown = [e["loc"][0] for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1]
    if unknown:
        return "expect", (f"unknown key(s) {', '.join(sorted(map(str, unknown)))} for kind '{kind.name}'; "
                          f"allowed: {', '.join(sorted(kind.allowed))}")
    missing = [str(e["loc"][0]) for e in errors if e["type"] == "missing" and len(e["loc"]) == 1]
    if missing:
        return "expect", f"kind '{kind.name}' requires: {', '.join(sorted(missing))}"
    first = errors[0]
    loc = [str(p) for p in first["loc"]]
    path = ".".join(["expect", *loc])
    if first["type"] == "extra_forbidden":
        inner = _model_at(kind.expect, first["loc"][:-1])
        allowed = f"; allowed: {', '.join(sorted(inner.model_fields))}" if inner is not None else ""
        return ".".join(["expect", *loc[:-1]]), f"unknown key '{loc[-1]}'{allowed}"
    if first["type"] == "literal_error" and len(loc) == 1:
        choices = _literal_choices(kind.expect, loc[0])
        return path, f"{loc[0]} {first['input']!r} is not one of: {', '.join(choices)}"
    if first["type"] == "value_error":  # the models' own messages name what they are about
        return path, str(first["msg"]).removeprefix("Value error, ")
    return path, str(first["msg"])


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The nested model that an error's location points into (``layers.2`` → the layer model)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        current = current.model_fields[part].annotation
        while get_args(current) and not (isinstance(current, type) and issubclass(current, BaseModel)):
            current = next((a for a in get_args(current) if isinstance(a, type) and issubclass(a, BaseModel)),
                           get_args(current)[0])
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _literal_choices(model: type[Expect], name: str) -> list[str]:
    annotation = model.model_fields[name].annotation
    args = get_args(annotation)
    literal = next((a for a in (annotation, *args) if get_origin(a) is Literal), None)
    return [str(v) for v in get_args(literal)] if literal is not None else []


def run_check(check: CheckSpec, ctx: CheckContext) -> CheckResult:
    """Run one check; a missing input or a crash becomes a result, never an exception."""
    from grader.checks.context import ArtifactTooLarge

    kind = kinds()[check.kind]
    target: CheckSpec = check
    if kind.needs is not None:
        if check.artifact is None:  # the spec loader refuses this; a hand-built spec gets a result
            return CheckResult(id=check.id, kind=check.kind, status="error", message="check.crashed",
                               params={"error": f"kind '{check.kind}' needs an artifact"})
        missing = ctx.missing_reason(check, kind.needs)
        if missing is not None:
            return missing
        target = ArtifactCheck.model_validate(check.model_dump())
    try:
        result = kind.fn(target, ctx)
    except ArtifactTooLarge as exc:  # its header said so: it was never loaded
        result = CheckResult(id=check.id, kind=check.kind, status="missing", message=exc.key,
                             params={"name": check.artifact, "error": str(exc)})
    except Exception as exc:  # a bug in a check must not lose the other results
        result = CheckResult(
            id=check.id, kind=check.kind, status="error", message="check.crashed",
            params={"error": f"{type(exc).__name__}: {exc}"[:300]},
        )
    result.public = check.public
    found_as = ctx.found_as(check.artifact) if check.artifact else None
    if found_as and check.artifact:
        entry = ctx.entry(check.artifact)
        why, candidates = entry.get("chosen_by"), entry.get("candidates")
        declared = ctx.spec.artifact(check.artifact)
        if why == "role" and declared is not None and declared.role is not None:  # a value found by its role
            result.details.append({"message": "artifact.discovered_value", "params": {
                "name": check.artifact, "found_as": found_as, "rows": declared.role.rows,
                "columns": ", ".join(f"`{c}`" for c in declared.role.columns),
                "n_candidates": len(candidates or [found_as])}})
        elif why == "trained" and entry.get("instead_of"):  # a trained model over an untrained one under the name
            result.details.append({"message": "artifact.discovered_trained", "params": {
                "name": check.artifact, "found_as": found_as, "instead_of": entry["instead_of"]}})
        elif candidates and why in ("role", *LAST):  # among several
            result.details.append({"message": "artifact.discovered", "params": {
                "name": check.artifact, "found_as": found_as, "why_key": f"artifact.why.{why}",
                "candidates": ", ".join(f"`{c}`" for c in candidates), "epochs": entry.get("epochs")}})
        else:
            result.details.append({"message": "artifact.found_as",
                                   "params": {"name": check.artifact, "found_as": found_as}})
    return result
