"""Stage 6 — score: apply a rubric's points and bands to the check results."""

from __future__ import annotations

from typing import Any

from grader.model.outcomes import CheckResult, ScoredCheck
from grader.model.spec import Rubric, RubricItem


def points_for(result: CheckResult, item: RubricItem) -> float:
    if item.bands and result.measured is not None and result.status in ("pass", "fail"):
        earned = [b.points for b in item.bands if result.measured >= b.min]
        return max(earned, default=0.0)
    if result.status == "pass":
        return item.points
    if item.proportional and result.status == "fail" and result.fraction is not None:
        return round(item.points * result.fraction, 2)
    return 0.0


def score(results: list[CheckResult], rubric: Rubric) -> list[ScoredCheck]:
    status = {r.id: r.status for r in results}
    out = []
    for r in results:
        item = rubric.checks[r.id]
        unmet = [c for c in item.requires if status.get(c) != "pass"]
        earned = points_for(r, item)
        out.append(ScoredCheck(r, 0.0 if unmet and earned else earned, item.points,
                               withheld_by=unmet if earned else []))
    return out


def compat_charge(adaptations: list[dict[str, Any]], rubric: Rubric, earned: float) -> tuple[float, list[str]]:
    """Points the rubric takes off for old spellings the grader adapted, and those rules: never
    more than the checks earned."""
    charge = rubric.compat_charge
    rules = sorted({str(a.get("rule")) for a in adaptations if a.get("kind") == "compat" and a.get("rule")})
    if charge is None or not rules:
        return 0.0, rules
    points = charge.per_rule * len(rules)
    if charge.max is not None:
        points = min(points, charge.max)
    return round(min(points, earned), 2), rules
