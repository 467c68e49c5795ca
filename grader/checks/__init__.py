"""Check kinds: small functions registered by name.

A check kind is a function ``(check, ctx) -> CheckResult`` that never prints and never raises
for anything a student did (``run_check`` turns an unexpected crash into status ``error``).
Each kind declares what its ``expect`` mapping may contain so that a spec with a typo fails
when it is loaded, naming the valid keys — and an unknown kind lists the valid kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.model.outcomes import CheckResult

if TYPE_CHECKING:
    from grader.checks.context import CheckContext
    from grader.model.spec import CheckSpec, ExerciseSpec

CheckFn = Callable[["CheckSpec", "CheckContext"], CheckResult]


@dataclass(frozen=True)
class CheckKind:
    name: str
    fn: CheckFn
    needs: str | None  # "model", "value" or None (no artifact)
    allowed: frozenset[str]
    required: frozenset[str]
    validate: Callable[[dict[str, Any]], str | None] | None = None


REGISTRY: dict[str, CheckKind] = {}


def register(
    name: str,
    *,
    needs: str | None,
    allowed: set[str],
    required: set[str] = frozenset(),  # type: ignore[assignment]
    validate: Callable[[dict[str, Any]], str | None] | None = None,
) -> Callable[[CheckFn], CheckFn]:
    def deco(fn: CheckFn) -> CheckFn:
        REGISTRY[name] = CheckKind(name, fn, needs, frozenset(allowed), frozenset(required), validate)
        return fn

    return deco


def _load_kinds() -> None:
    # importing the modules registers their kinds
    from grader.checks import execution, metrics, model, predictions, text, training, values  # noqa: F401


def kinds() -> dict[str, CheckKind]:
    _load_kinds()  # cheap after the first time; a partly filled registry is never trusted
    return REGISTRY


def validate_check(check: CheckSpec, spec: ExerciseSpec) -> tuple[str, str] | None:
    """Return (field, problem) when the check is malformed, else None."""
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
    unknown = set(check.expect) - kind.allowed
    if unknown:
        return "expect", (
            f"unknown key(s) {', '.join(sorted(unknown))} for kind '{check.kind}'; "
            f"allowed: {', '.join(sorted(kind.allowed))}"
        )
    missing = kind.required - set(check.expect)
    if missing:
        return "expect", f"kind '{check.kind}' requires: {', '.join(sorted(missing))}"
    if kind.validate is not None:
        problem = kind.validate(check.expect)
        if problem:
            return "expect", problem
    return None


def run_check(check: CheckSpec, ctx: CheckContext) -> CheckResult:
    """Run one check; a missing input or a crash becomes a result, never an exception."""
    from grader.checks.context import ArtifactTooLarge

    kind = kinds()[check.kind]
    if kind.needs is not None:
        assert check.artifact is not None
        missing = ctx.missing_reason(check, kind.needs)
        if missing is not None:
            return missing
    try:
        result = kind.fn(check, ctx)
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
    if found_as:
        result.details.append({"message": "artifact.found_as", "params": {"name": check.artifact, "found_as": found_as}})
    return result
