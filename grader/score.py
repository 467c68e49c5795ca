"""Stage 6 — score: apply a rubric's points and bands to the check results."""

from __future__ import annotations

from grader.outcomes import CheckResult, ScoredCheck
from grader.spec import Rubric, RubricItem


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
    return [ScoredCheck(r, points_for(r, rubric.checks[r.id]), rubric.checks[r.id].points) for r in results]
