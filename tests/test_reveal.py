"""Answers stay hidden from students: a check's rubric says what a student sees (``reveal``).

For every check of the library whose rubric hides its expected value, wrong answers of every
shape are checked by the real check functions (model checks: their real message builders), the
report is built, and each student-facing rendering — the student view (`grader check --json`),
the terminal table, the CI summary, JUnit, the in-notebook table, Gradescope's results.json and
report.html — must not contain the expected value; the instructor's report still does. The
slow tests run `grader check` on the blank statements of `basics` and `cnn_params`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import numpy as np
import pytest

import grader.checks.execution  # noqa: F401  (a complete kind registry, whichever test runs first)
import grader.checks.metrics  # noqa: F401
import grader.checks.model  # noqa: F401
import grader.checks.text  # noqa: F401
import grader.checks.values  # noqa: F401
from grader import selfcheck
from grader.checks.context import CheckContext
from grader.checks.model import _per_layer, _result
from grader.checks.text import check_text
from grader.checks.values import check_value
from grader.classroom import gradebook
from grader.classroom.batch import Submission
from grader.messages import fmt, words
from grader.model.errors import SpecError
from grader.model.outcomes import CheckResult, ExecutionOutcome
from grader.model.spec import CheckSpec, ExerciseSpec, Rubric
from grader.pipeline import library, report
from grader.pipeline.reveal import level, student_check
from grader.pipeline.score import score
from grader.pipeline.spec import load_rubric
from tests.conftest import ROOT

EXERCISES = library.exercise_ids()
SHOWN_KINDS = ("value", "text_answer", "param_count", "output_shapes")  # kinds whose messages state `expect`


# ----------------------------------------------------------------------------- the rubric field

def test_reveal_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("schema_version: 1\nexercise: x\nchecks:\n  a: {points: 1, reveal: sometimes}\n")
    with pytest.raises(SpecError, match=r"checks\.a\.reveal.*'never', 'on_fail_hint' or 'always'"):
        load_rubric(path)


def test_default_hides_values_and_text_answers_only() -> None:
    assert [level(None, k) for k in ("value", "text_answer", "param_count", "metric", "model_structure")] == [
        "never", "never", "always", "always", "always"]
    assert level("always", "value") == "always" and level("never", "metric") == "never"


def test_every_library_value_and_text_check_says_what_students_see() -> None:
    """The library decides deliberately: no value or text_answer check falls back on the default."""
    for ex in EXERCISES:
        spec, rubric, _ = library.load(ex)
        undecided = [c.id for c in spec.checks if c.kind in ("value", "text_answer") and rubric.checks[c.id].reveal is None]
        assert undecided == [], ex


# ----------------------------------------------------------------------------- what is secret

def _numbers(value: Any, minimum: float) -> list[Any]:
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v, minimum)]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    if isinstance(value, float):  # 0.5 is also half a point: too short to look for
        return [value] if len(fmt(value)) >= 4 else []
    return [value] if abs(value) >= minimum else []


def secrets(spec: ExerciseSpec, rubric: Rubric) -> tuple[set[str], set[str]]:
    """(numbers, texts) that state the expected value of a hidden check of the exercise: its
    scalars (ints of two digits or more, decimals of four characters or more), its lists and shapes as the messages write them,
    each parameter count, and the ideas a text answer must touch. A value's shape is secret only
    when it is all that is expected (xor's AND table has 4 values, as its shown output has)."""
    numbers: set[str] = set()
    texts: set[str] = set()
    for c in spec.checks:
        if level(rubric.checks[c.id].reveal, c.kind) == "always":
            continue
        exp = c.expect
        if c.kind == "value":
            for v in [exp.get("equals"), *exp.get("one_of", [])]:
                if isinstance(v, list):
                    numbers.update({fmt(v), json.dumps(v)})
                elif v is not None:
                    numbers.update(fmt(n) for n in _numbers(v, 10))
                    if isinstance(v, str):
                        texts.add(v)
            if exp.get("shape") and "equals" not in exp:
                numbers.add(fmt(exp["shape"]))
        elif c.kind == "param_count":
            for key in ("total", "trainable", "non_trainable", "max_total"):
                if key in exp:
                    numbers.add(str(exp[key]))
            numbers.update(str(n) for n in _numbers(exp.get("per_layer", []), 100))
        elif c.kind == "output_shapes":
            numbers.update(fmt(s) for s in [exp.get("input"), exp.get("output"), *exp.get("layers", [])] if s)
        elif c.kind == "text_answer":
            for group in exp.get("keywords", []):
                if isinstance(group, dict):
                    idea = group.get("idea")
                    texts.update(idea.values() if isinstance(idea, dict) else [idea] if idea else [])
                    group = group["stems"]
                texts.update(s for s in group if len(s) >= 5)
    return numbers, texts


def leaks(text: str, numbers: set[str], texts: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """The secrets found in ``text``: numbers as whole numbers (47 is not in 1470 or 0.47)."""
    found = [n for n in numbers if re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", text)]
    folded = text.lower()
    return found + [t for t in texts if re.search(rf"\b{re.escape(t.lower())}", folded)]


# ----------------------------------------------------------------------------- wrong answers

WRONG_VALUES: dict[str, Any] = {"number": -7, "text": "nada", "short_list": [-7], "array": None}


def _same_shape(v: Any) -> Any:
    return [_same_shape(x) for x in v] if isinstance(v, list) else -7


def _value_result(check: CheckSpec, spec: ExerciseSpec, variant: str, tmp: Path) -> CheckResult:
    if check.kind == "text_answer":
        words = int(check.expect.get("min_words", 10))
        text = "corto" if variant == "number" else " ".join(["palabra"] * (words + 5))
        entry: dict[str, Any] = {"status": "ok", "kind": "value", "value": text, "type": "str"}
        fn = check_text
    else:
        value = WRONG_VALUES.get(variant, _same_shape(check.expect.get("equals", [1, 2])))
        entry = {"status": "ok", "kind": "value", "value": value, "type": type(value).__name__}
        if variant == "array":
            np.save(tmp / f"{check.id}.npy", np.full((3,), -7.0))
            entry = {"status": "ok", "kind": "value", "file": f"{check.id}.npy", "type": "ndarray"}
        fn = check_value
    outcome = ExecutionOutcome(status="ok", artifacts={str(check.artifact): entry})
    return fn(check, CheckContext(spec, outcome, tmp))


def _model_result(check: CheckSpec) -> CheckResult:
    """A failing param_count / output_shapes result, built as grader.checks.model builds them."""
    exp = check.expect
    details: list[dict[str, Any]] = []
    if check.kind == "param_count":
        for key in ("total", "trainable", "non_trainable"):
            if key in exp:
                details.append({"message": "params.wrong", "params": {"what_key": f"params.what.{key}", "found": -7,
                                                                      "expected": exp[key]}})
        if "max_total" in exp:
            details.append({"message": "params.too_many", "params": {"found": exp["max_total"] * 10 + 7,
                                                                     "expected": exp["max_total"]}})
        if "per_layer" in exp:
            n = len(exp["per_layer"])
            details += _per_layer([-7] * n, exp["per_layer"], [{"type": "Dense"}] * n, lambda f, e: f == e,
                                  "params.wrong", "params.missing_layer", carries=False)
            details += _per_layer([-7], exp["per_layer"], [{"type": "Dense"}], lambda f, e: f == e, "params.wrong",
                                  "params.missing_layer", carries=False)
        return _result(check, "params.ok", -7, details, {"total": -7})
    for key in ("input", "output"):
        if key in exp:
            details.append({"message": "shapes.wrong", "params": {"what_key": f"shapes.what.{key}", "found": [None, 7],
                                                                  "expected": exp[key]}})
    if "layers" in exp:
        n = len(exp["layers"])
        details += _per_layer([[None, 7]] * n, exp["layers"], [{"type": "Dense"}] * n, lambda f, e: False,
                              "shapes.wrong", "shapes.missing_layer", carries=True)
    return _result(check, "shapes.ok", [None, 7], details, {"output": [None, 7]})


def wrong_report(ex: str, variant: str, lang: str, tmp: Path) -> tuple[dict[str, Any], ExerciseSpec, Rubric]:
    spec, rubric, _ = library.load(ex)
    results = []
    for c in spec.checks:
        if c.kind in ("value", "text_answer"):
            results.append(_value_result(c, spec, variant, tmp))
        elif c.kind in ("param_count", "output_shapes"):
            results.append(_model_result(c))
    rep = report.build(spec, rubric, tmp / "nb.ipynb", ExecutionOutcome(status="ok"), score(results, rubric), lang,
                       {"total": 1.0})
    return rep, spec, rubric


def student_texts(rep: dict[str, Any], tmp: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every student-facing rendering of a report, as text."""
    from rich.console import Console

    view = report.student_view(rep)
    console = Console(width=400, record=True)
    report.print_summary(rep, console, public_only=True)
    gradebook.write_junit([(Submission("s", tmp / "s.ipynb"), view, 1.0)], rep["exercise"], tmp / "junit.xml")
    shown: list[str] = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    selfcheck._display(view, words("selfcheck", selfcheck._TEXT, rep["lang"]), "h")
    return {
        "json": json.dumps([{k: c[k] for k in ("message", "details", "hint", "expected")} for c in view["checks"]],
                           ensure_ascii=False),
        "table": console.export_text(),
        "summary": report.to_summary(view),
        "markdown": report.to_markdown(rep, instructor=False),
        "junit": ET.tostring(ET.parse(tmp / "junit.xml").getroot(), encoding="unicode"),
        "notebook": "".join(shown),
        "results.json": json.dumps(gradebook.gradescope_results(rep), ensure_ascii=False),
        "report.html": gradebook.write_student_html(rep, tmp).read_text(encoding="utf-8"),
    }


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("variant", ["number", "text", "same_shape", "short_list", "array"])
@pytest.mark.parametrize("ex", EXERCISES)
def test_hidden_expected_values_never_reach_a_student(ex: str, variant: str, lang: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rep, spec, rubric = wrong_report(ex, variant, lang, tmp_path)
    numbers, texts = secrets(spec, rubric)
    # every rendering in Spanish; in English (the same values, other words) the view is enough
    outputs = student_texts(rep, tmp_path, monkeypatch) if lang == "es" else {
        "json": json.dumps(report.student_view(rep)["checks"], ensure_ascii=False)}
    for where, text in outputs.items():
        # the notebook's path is in the title; pytest numbers its folders (…_ne19/nb.ipynb)
        text = text.replace(str(tmp_path), "<tmp>")
        assert leaks(text, numbers) == [], (ex, variant, where)
    view = {c["id"]: c for c in report.student_view(rep)["checks"]}
    # the ideas a hidden text answer must touch: not in what the grader says of it (the rubric's
    # hint may name the statement's topics)
    said = json.dumps([[c["message"], c["details"], c["expected"]] for c in view.values()
                       if c["kind"] == "text_answer" and c["reveal"] != "always"], ensure_ascii=False)
    assert leaks(said, set(), texts) == [], (ex, variant)
    for c in rep["checks"]:
        item = rubric.checks[c["id"]]
        shown = view[c["id"]]
        if c["reveal"] == "always":
            assert (shown["message"], shown["expected"], shown["hint"]) == (c["message"], c["expected"], c["hint"])
            continue
        assert shown["expected"] is None and "student" not in shown
        if c["kind"] not in ("value", "text_answer"):  # what the grader counted in a model: not shown
            assert shown["found"] is None
        feedback = item.feedback.get(lang) if item.feedback else None
        assert shown["hint"] == (feedback if c["reveal"] == "on_fail_hint" and c["status"] == "fail" else None)
        assert student_check(shown, lang) == shown  # a view shown again stays as it is


def test_the_instructor_report_keeps_the_expected_value(tmp_path: Path) -> None:
    rep, _, _ = wrong_report("basics", "number", "es", tmp_path)
    it = next(c for c in rep["checks"] if c["id"] == "actualizaciones")
    assert (it["reveal"], it["expected"], it["message"]) == ("on_fail_hint", 25, "`actualizaciones` vale -7; se esperaba 25.")
    assert it["hint"].startswith("Los pesos se actualizan")
    assert it["student"] == {"message": "`actualizaciones` vale -7: no es correcto. Revisa el cálculo.",
                             "details": [], "hint": it["hint"]}
    assert "se esperaba 25" in report.to_markdown(rep) and "se esperaba 25" not in report.to_markdown(rep, False)
    rep, _, _ = wrong_report("cnn_params", "same_shape", "en", tmp_path)
    out = next(c for c in rep["checks"] if c["id"] == "salida_ejercicio")
    assert out["expected"] == [61, 61, 3] and out["hint"].startswith("No padding (P = 0)")  # never: instructor only
    assert next(c for c in report.student_view(rep)["checks"] if c["id"] == "salida_ejercicio")["hint"] is None


@pytest.mark.parametrize("ex", EXERCISES)
def test_feedback_shown_as_a_hint_does_not_state_the_answer(ex: str) -> None:
    """`on_fail_hint` shows the rubric's feedback to the student: it must not state a hidden value
    (also written with thousands separators, as feedback writes them: 266 610, 266,610)."""
    spec, rubric, _ = library.load(ex)
    numbers, _ = secrets(spec, rubric)
    numbers |= {f"{int(n):,}".replace(",", sep) for n in numbers if n.isdigit() for sep in (" ", ",", ".", "\u202f")}
    for c in spec.checks:
        item = rubric.checks[c.id]
        if level(item.reveal, c.kind) == "on_fail_hint" and item.feedback:
            for text in (item.feedback.es, item.feedback.en or ""):
                assert leaks(text, numbers) == [], (ex, c.id)


def test_a_hidden_model_check_that_passes_does_not_repeat_the_count(tmp_path: Path) -> None:
    spec, rubric, _ = library.load("mnist_cnn")
    check = next(c for c in spec.checks if c.id == "parametros_modelo")
    passed = _result(check, "params.ok", 203434, [], {"total": 203434, "per_layer": [640, 18464, 0, 184330]})
    rep = report.build(spec, rubric, tmp_path / "nb.ipynb", ExecutionOutcome(status="ok"), score([passed], rubric),
                       "es", {"total": 1.0})
    assert rep["checks"][0]["message"] == "Número de parámetros correcto: 203434."
    shown = report.student_view(rep)["checks"][0]
    assert (shown["message"], shown["found"], shown["expected"]) == ("Número de parámetros correcto.", None, None)


def test_a_report_from_before_reveal_hides_value_checks() -> None:
    """Reports stored before `reveal` (results.sqlite) have no student part: a value check's
    message may state the answer, so it is replaced; other kinds are left as they were."""
    old = {"id": "v", "kind": "value", "status": "fail", "message": "`v` vale 3; se esperaba 4.", "details": ["x"],
           "hint": "h", "expected": 4}
    assert student_check(old, "es") == {**old, "message": "No es correcto. Esta comprobación no muestra el valor "
                                        "esperado: revisa el enunciado.", "details": [], "hint": None,
                                        "expected": None, "reveal": "never"}
    metric = {**old, "kind": "metric"}
    assert student_check(metric) == metric


# ----------------------------------------------------------------------------- the real command

@pytest.mark.slow
@pytest.mark.parametrize("ex", ["basics", "cnn_params"])
def test_grader_check_on_the_blank_statement_gives_no_answer_away(ex: str, tmp_path: Path) -> None:
    spec, rubric, _ = library.load(ex)
    numbers, texts = secrets(spec, rubric)
    assert numbers, ex
    done = subprocess.run([sys.executable, "-m", "grader", "check", str(spec.resolve(spec.statement)), "--exercise", ex,
                           "--json", "--summary", str(tmp_path / "summary.md"), "--junit", str(tmp_path / "j.xml")],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    view = json.loads(done.stdout)
    assert done.returncode == 1, (view["execution"]["message"], done.stderr[-2000:])
    hidden = [c for c in view["checks"] if c["reveal"] != "always"]
    assert hidden and all(c["expected"] is None for c in hidden)
    checks = json.dumps([{k: c[k] for k in ("message", "details", "hint", "expected")} for c in view["checks"]],
                        ensure_ascii=False)
    assert leaks(checks, numbers, texts) == []
    for name in ("summary.md", "j.xml"):  # paths may hold pytest's numbered folders
        text = (tmp_path / name).read_text(encoding="utf-8").replace(str(tmp_path), "<tmp>").replace(str(ROOT), "<root>")
        assert leaks(text, numbers) == [], name
