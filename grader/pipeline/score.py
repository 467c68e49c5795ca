"""Stage 6 — score: apply a rubric's points and bands to the check results."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from grader.model.outcomes import CheckResult, ScoredCheck
from grader.model.spec import LatePolicy, Rubric, RubricItem


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


@dataclass
class Late:
    """How late a submission was and what the rubric's late policy takes off for it."""
    points: float
    percent: float
    units: int  # days (or hours) begun after the due date and the grace
    late_by_s: float | None  # None: the LMS flagged it late without saying when it was handed in
    per: str


def late_penalty(policy: LatePolicy | None, submitted: datetime | None, flagged: bool, max_score: float,
                 earned: float) -> Late | None:
    """The late policy applied to one submission, or None when nothing is taken off. A time
    decides; without one, an LMS's late flag counts as one day (or hour) begun, the least it
    can mean. Never more than the points earned."""
    if policy is None:
        return None
    unit = 86400.0 if policy.per == "day" else 3600.0
    if submitted is not None:
        if submitted.tzinfo is None:  # Moodle's worksheet gives local times: the due date's zone is the course's
            submitted = submitted.replace(tzinfo=policy.due.tzinfo)
        late_by = (submitted - policy.due).total_seconds()
        if late_by <= policy.grace_minutes * 60:
            return None
        units = math.ceil((late_by - policy.grace_minutes * 60) / unit)
    elif flagged:
        late_by, units = None, 1
    else:
        return None
    percent = min(policy.penalty_percent * units, policy.max_percent)
    points = round(min(max_score * percent / 100, max(earned, 0.0)), 2)
    return Late(points=points, percent=round(percent, 2), units=units, late_by_s=late_by, per=policy.per)


def competition(rows: list[int] | None, fraction: float, seed: int) -> dict[str, Any] | None:
    """Accuracy on a competition's public and private rows: a fixed split of the hidden rows
    (the same for every student: ``seed``), ``fraction`` of them public."""
    if not rows:
        return None
    import numpy as np

    right = np.asarray(rows, dtype="float64")
    order = np.random.default_rng(seed).permutation(len(right))
    cut = max(1, min(len(right) - 1, round(len(right) * fraction)))
    public, private = right[order[:cut]], right[order[cut:]]
    return {"public": round(float(public.mean()), 4), "private": round(float(private.mean()), 4),
            "n_public": int(len(public)), "n_private": int(len(private))}
