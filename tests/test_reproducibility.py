"""Grading the same submission again gives the same score and the same metric values on the
CPU; --seed changes the seed the report records. (scripts/reproducibility.py does this for
every reference of the library and writes docs/reproducibility.md.)"""

from __future__ import annotations

from typing import Any

import pytest

from grader.pipeline import GradeOptions, grade_one, library

pytestmark = pytest.mark.slow


def _grade(exercise: str, seed: int = 0) -> dict[str, Any]:
    spec, rubric, _ = library.load(exercise)
    return grade_one(spec, rubric, spec.resolve(spec.reference), GradeOptions(seed=seed))


def _values(report: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [(c["id"], c["measured"], c["found"]) for c in report["checks"]]


@pytest.mark.parametrize("exercise", ["xor", "iris"])
def test_three_gradings_of_a_reference_are_identical(exercise: str) -> None:
    reports = [_grade(exercise) for _ in range(3)]
    assert {r["score"] for r in reports} == {reports[0]["max_score"]}
    assert _values(reports[1]) == _values(reports[0])
    assert _values(reports[2]) == _values(reports[0])
    versions = reports[0]["execution"]["versions"]
    assert {"python", "numpy", "keras"} <= set(versions)
    assert reports[0]["execution"]["seed"] == 0 and reports[0]["execution"]["device"]["used"] == "cpu"


def test_the_seed_is_an_option_and_is_recorded() -> None:
    report = _grade("xor", seed=7)
    assert report["execution"]["seed"] == 7
