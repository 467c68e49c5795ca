"""Stage 6 — points from check results: full credit, bands, proportional credit."""

from __future__ import annotations

from typing import Any

import pytest

from grader.model.outcomes import CheckResult, ScoredCheck
from grader.model.spec import Rubric, RubricItem
from grader.pipeline.score import points_for, score

BANDS = [{"min": 0.97, "points": 4}, {"min": 0.95, "points": 2}]


def _result(status: str = "fail", **kw: Any) -> CheckResult:
    return CheckResult(id=kw.pop("id", "c"), kind="metric", status=status,  # type: ignore[arg-type]
                       message="metric.low", **kw)


@pytest.mark.parametrize(
    ("measured", "status", "points"),
    [
        (0.96, "fail", 2.0),
        (0.95, "fail", 2.0),  # a band's min is inclusive
        (0.98, "pass", 4.0),
        (0.97, "pass", 4.0),
        (0.9699, "fail", 2.0),
        (0.5, "fail", 0.0),
        (0.0, "fail", 0.0),
    ],
)
def test_bands(measured: float, status: str, points: float) -> None:
    item = RubricItem(points=4, bands=BANDS)
    assert points_for(_result(status, measured=measured), item) == points


def test_bands_order_does_not_matter() -> None:
    item = RubricItem(points=4, bands=list(reversed(BANDS)))
    assert points_for(_result(measured=0.96), item) == 2.0
    assert points_for(_result(measured=0.99), item) == 4.0


def test_bands_give_nothing_when_the_metric_is_missing() -> None:
    item = RubricItem(points=4, bands=BANDS)
    assert points_for(_result("missing", measured=0.99), item) == 0.0
    assert points_for(_result("error", measured=0.99), item) == 0.0


def test_bands_without_measurement_fall_back_to_status() -> None:
    item = RubricItem(points=4, bands=BANDS)
    assert points_for(_result("pass"), item) == 4
    assert points_for(_result("fail"), item) == 0.0


def test_proportional_credit() -> None:
    item = RubricItem(points=2, proportional=True)
    assert points_for(_result("fail", fraction=0.5), item) == 1.0
    assert points_for(_result("fail", fraction=1 / 3), item) == 0.67  # rounded to 2 places
    assert points_for(_result("fail", fraction=0.0), item) == 0.0


def test_proportional_needs_a_fraction_and_a_failure() -> None:
    item = RubricItem(points=2, proportional=True)
    assert points_for(_result("fail"), item) == 0.0
    assert points_for(_result("missing", fraction=0.5), item) == 0.0
    assert points_for(_result("pass", fraction=0.5), item) == 2


def test_fraction_ignored_without_proportional() -> None:
    item = RubricItem(points=2)
    assert points_for(_result("fail", fraction=0.5), item) == 0.0


def test_missing_gives_zero() -> None:
    assert points_for(_result("missing"), RubricItem(points=3)) == 0.0


def test_error_gives_zero() -> None:
    assert points_for(_result("error"), RubricItem(points=3)) == 0.0


def test_pass_gives_full_points() -> None:
    assert points_for(_result("pass"), RubricItem(points=3)) == 3
    assert points_for(_result("pass"), RubricItem(points=0.5)) == 0.5


def test_score_applies_each_rubric_item() -> None:
    rubric = Rubric(schema_version=1, exercise="e", checks={
        "a": RubricItem(points=1),
        "b": RubricItem(points=2, proportional=True),
        "m": RubricItem(points=4, bands=BANDS),
    })
    results = [_result("pass", id="a"), _result("fail", id="b", fraction=0.25),
               _result("fail", id="m", measured=0.96)]
    scored = score(results, rubric)
    assert all(isinstance(s, ScoredCheck) for s in scored)
    assert [(s.result.id, s.points, s.max_points) for s in scored] == [
        ("a", 1, 1), ("b", 0.5, 2), ("m", 2, 4)]
    assert sum(s.points for s in scored) == 3.5


def test_requires_withholds_points_until_the_other_check_passes(tmp_path) -> None:
    from grader.messages import render
    from grader.model.spec import Rubric

    rubric = Rubric(schema_version=1, exercise="x", checks={
        "acc": {"points": 6}, "small": {"points": 1, "requires": ["acc"]}, "tiny": {"points": 1, "requires": ["acc"]}})
    results = [CheckResult(id="acc", kind="metric", status="fail", message="m"),
               CheckResult(id="small", kind="param_count", status="pass", message="m"),
               CheckResult(id="tiny", kind="param_count", status="fail", message="m")]
    scored = {s.result.id: s for s in score(results, rubric)}
    assert (scored["small"].points, scored["small"].withheld_by) == (0.0, ["acc"])
    assert (scored["tiny"].points, scored["tiny"].withheld_by) == (0.0, [])  # nothing earned, nothing withheld
    results[0].status = "pass"
    scored = {s.result.id: s for s in score(results, rubric)}
    assert (scored["small"].points, scored["small"].withheld_by) == (1.0, [])
    assert render("score.withheld", {"checks": "`acc`"}).startswith("Sin puntos por ahora: esta parte cuenta solo")


def test_requires_must_name_another_check(tmp_path) -> None:
    import pytest

    from grader.model.errors import SpecError
    from grader.pipeline import library
    from grader.pipeline.spec import load_rubric, load_spec

    spec = load_spec(library.spec_path("spirals"))
    text = (library.rubric_path(library.spec_path("spirals"), "spirals")).read_text(encoding="utf-8")
    bad = tmp_path / "spirals.yaml"
    bad.write_text(text.replace("    requires: [exactitud]", "    requires: [exactitu]", 1), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_rubric(bad, spec)
    assert "field 'checks.simple_300.requires': 'exactitu' is not another check of the spec" in str(info.value)


# ----------------------------------------------------------------------------- compat charge
def _compat(*rules: str) -> list[dict[str, Any]]:
    return [{"kind": "compat", "rule": r, "cell": 3} for r in rules] + [{"kind": "epoch_cap", "cell": 4}]


@pytest.mark.parametrize(("charge", "adaptations", "earned", "expected"), [
    (None, _compat("optimizer_lr"), 10.0, (0.0, ["optimizer_lr"])),  # no charge in the rubric
    ({"per_rule": 0.5}, _compat(), 10.0, (0.0, [])),  # nothing adapted
    ({"per_rule": 0.5}, _compat("optimizer_lr", "np_utils", "optimizer_lr"), 10.0, (1.0, ["np_utils", "optimizer_lr"])),
    ({"per_rule": 1, "max": 1.5}, _compat("a", "b", "c"), 10.0, (1.5, ["a", "b", "c"])),
    ({"per_rule": 2}, _compat("a", "b"), 1.0, (1.0, ["a", "b"])),  # never more than was earned
])
def test_the_rubric_may_charge_for_adapted_code(charge: dict[str, Any] | None, adaptations: list[dict[str, Any]],
                                                earned: float, expected: tuple[float, list[str]]) -> None:
    from grader.pipeline.score import compat_charge

    rubric = Rubric(schema_version=1, exercise="x", checks={"c": RubricItem(points=10)}, compat_charge=charge)
    assert compat_charge(adaptations, rubric, earned) == expected


def test_a_charge_is_a_deduction_the_report_explains_in_the_reader_s_language(tmp_path: Any) -> None:
    from pathlib import Path

    from grader.model.outcomes import ExecutionOutcome
    from grader.pipeline import library
    from grader.pipeline.report import build, student_view, to_markdown

    spec, rubric, _ = library.load("iris")
    rubric = Rubric.model_validate({**rubric.model_dump(), "compat_charge": {"per_rule": 0.5, "max": 2}})
    scored = [ScoredCheck(_result("pass", id=cid), item.points, item.points) for cid, item in rubric.checks.items()]
    outcome = ExecutionOutcome(status="ok", adaptations=_compat("optimizer_lr", "fit_epochs"))
    nb = Path(tmp_path) / "nb.ipynb"
    nb.write_text("{}")
    for lang, words in (("es", "Se descuentan 1 punto(s)"), ("en", "1 point(s) taken off")):
        report = build(spec, rubric, nb, outcome, scored, lang, {})
        assert report["score"] == report["max_score"] - 1
        assert report["deductions"][0]["rules"] == ["fit_epochs", "optimizer_lr"]
        assert words in report["deductions"][0]["message"] and words in to_markdown(report)
        assert student_view(report)["public_score"] == student_view(report)["public_max_score"] - 1
