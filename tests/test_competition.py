"""A competition on hidden labels (the course of seed 003 runs one): a fixed public/private split
of the hidden rows, students see only the public part, the instructor's leaderboard ranks the
private part, and the autograder keeps a daily limit of scored submissions."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.classroom import autograder, gradebook
from grader.classroom.batch import Submission
from grader.model.errors import SpecError
from grader.model.spec import Competition
from grader.pipeline.reveal import student_check
from grader.pipeline.score import competition

ROOT = Path(__file__).resolve().parents[1]


def test_the_split_is_fixed_and_covers_every_row() -> None:
    rows = [1] * 300 + [0] * 118
    a, b = competition(rows, 0.5, 7), competition(list(rows), 0.5, 7)
    assert a == b and a is not None and a["n_public"] + a["n_private"] == 418 and a["n_public"] == 209
    overall = sum(rows) / len(rows)
    assert a["public"] * 209 + a["private"] * 209 == pytest.approx(overall * 418, abs=0.05)
    assert competition(rows, 0.5, 8) != a  # another seed, another split
    assert competition(None, 0.5, 7) is None


def _check(rows: list[int]) -> dict[str, Any]:
    return {"id": "prediccion_test", "kind": "predictions", "status": "pass", "public": True, "points": 5.0,
            "max_points": 5.0, "message": "ok", "measured": sum(rows) / len(rows), "reveal": "always",
            "rows": rows, "competition": competition(rows, 0.5, 3)}


def test_students_never_see_the_rows_nor_the_private_part() -> None:
    shown = student_check(_check([1, 0] * 209), "es")
    assert "rows" not in shown and set(shown["competition"]) == {"public", "n_public"}


def test_the_instructors_leaderboard_ranks_the_private_part() -> None:
    def row(name: str, rows: list[int]) -> tuple[Submission, dict[str, Any], float]:
        return (Submission(name, Path(f"{name}.ipynb")), {"score": 9.0, "max_score": 10.0, "checks": [_check(rows)],
                                                           "execution": {"status": "ok"}}, 1.0)

    rows = [row("ana", [1] * 300 + [0] * 118), row("luis", [0] * 118 + [1] * 300)]
    board = gradebook.class_summary(rows, hidden={"prediccion_test"})["leaderboard"]
    assert [b["value"] for b in board] == sorted([b["value"] for b in board], reverse=True)
    assert {b["student"]: b["value"] for b in board} == {
        name: r[1]["checks"][0]["competition"]["private"] for name, r in zip(("ana", "luis"), rows)}
    assert all(b["public"] is not None for b in board)


def test_a_competition_must_rank_a_predictions_check(tmp_path: Path) -> None:
    from grader.pipeline.spec import load_rubric, load_spec

    rubric = yaml.safe_load((ROOT / "rubrics" / "titanic.yaml").read_text(encoding="utf-8"))
    spec = load_spec(ROOT / "exercises" / "titanic" / "spec.yaml")
    rubric["competition"] = {"check": "x_test_filas", "public_fraction": 0.3}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(rubric), encoding="utf-8")
    with pytest.raises(SpecError, match="prediccion_test"):
        load_rubric(bad, spec)
    rubric["competition"] = {"check": "prediccion_test", "public_fraction": 0.3, "daily_limit": 2}
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(rubric), encoding="utf-8")
    assert load_rubric(good, spec).competition == Competition(check="prediccion_test", public_fraction=0.3,
                                                              daily_limit=2)


def test_the_autograder_keeps_a_daily_limit_in_the_courses_day(tmp_path: Path) -> None:
    rubric = type("R", (), {"competition": Competition(check="p", daily_limit=2, utc_offset="-03:00")})()
    meta = tmp_path / "submission_metadata.json"
    now = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 23:00 on March 1st in the course's zone

    def submissions(*times: str) -> None:
        meta.write_text(json.dumps({"previous_submissions": [
            {"submission_time": t, "score": 5.0 + i, "results": {"score": 5.0 + i, "tests": [], "output": "ok"}}
            for i, t in enumerate(times)]}), encoding="utf-8")

    submissions("2026-03-01T12:00:00-03:00")
    assert autograder.over_daily_limit(meta, rubric, now) is None  # one today: this one is scored
    submissions("2026-03-01T12:00:00-03:00", "2026-03-01T20:00:00-03:00")
    kept = autograder.over_daily_limit(meta, rubric, now)
    assert kept is not None and kept["score"] == 6.0 and "Daily limit" in kept["output"]
    assert kept["extra_data"]["over_daily_limit"] is True
    submissions("2026-02-28T12:00:00-03:00", "2026-03-01T20:00:00-03:00")  # yesterday's does not count
    assert autograder.over_daily_limit(meta, rubric, now) is None
    no_limit = type("R", (), {"competition": None})()
    assert autograder.over_daily_limit(meta, no_limit, now) is None
