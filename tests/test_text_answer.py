"""The `text_answer` kind: free text screened for length and for the ideas asked about."""

from __future__ import annotations

from typing import Any

from grader.checks import expect_problem, run_check
from grader.checks.context import CheckContext
from grader.checks.text import fold
from grader.messages import render
from grader.model.outcomes import ExecutionOutcome
from grader.model.spec import CheckSpec

IDEAS = [["sobreajust", "overfit"], ["generaliz", "prueba", "test"]]


def grade(answer: Any, **expect: Any) -> Any:
    manifest = {"explicacion": {"status": "ok", "kind": "value", "value": answer, "type": type(answer).__name__}}
    check = CheckSpec(id="explicacion", kind="text_answer", artifact="explicacion",
                      expect={"min_words": 12, "keywords": IDEAS, **expect})
    return run_check(check, CheckContext(None, ExecutionOutcome(status="ok", artifacts=manifest), None))  # type: ignore[arg-type]


GOOD = ("Con Dropout la exactitud de entrenamiento baja un poco pero la de PRUEBA queda igual o mejor: "
        "la red sufre menos Sobreajuste porque no puede depender de unas pocas neuronas.")


def test_answer_with_every_idea_passes_provisionally() -> None:
    r = grade(GOOD)
    assert (r.status, r.fraction) == ("pass", 1.0)
    assert "provisional" in render(r.message, r.params, "es").lower()


def test_accents_and_case_do_not_matter() -> None:
    assert fold("GENERALIZACIÓN Años") == "generalizacion anos"
    assert grade(GOOD.replace("PRUEBA", "generalización")).status == "pass"


def test_missing_idea_is_named() -> None:
    r = grade("La exactitud de entrenamiento baja un poco con dropout y la red tarda algo más en entrenar bien.")
    assert (r.status, r.message, r.fraction) == ("fail", "text.missing_idea", 0.0)
    assert "sobreajust, overfit" in render(r.message, r.params, "es")


def test_too_short_and_not_text() -> None:
    r = grade("Hay sobreajuste en prueba.")
    assert (r.status, r.message, r.params["found"]) == ("fail", "text.too_short", 4)
    r = grade(None)
    assert (r.status, r.message) == ("fail", "text.not_text")


def test_spec_errors_are_named() -> None:
    assert expect_problem("text_answer", {"keywords": [["a"], []]}) is not None
    assert expect_problem("text_answer", {"min_words": 0}) is not None
    assert expect_problem("text_answer", {"min_words": 5, "keywords": IDEAS}) is None


LABELLED = [{"idea": {"es": "el sobreajuste", "en": "overfitting"}, "stems": ["sobreajust", "overfit"]},
            ["generaliz", "prueba", "test"]]


def test_a_missing_idea_is_named_by_its_label_in_the_students_language() -> None:
    r = grade("La exactitud de entrenamiento baja un poco con dropout y en prueba la red queda igual de bien.",
              keywords=LABELLED)
    assert (r.status, r.fraction) == ("fail", 0.5)
    assert render(r.message, r.params, "es") == (
        "A `explicacion` le falta hablar de: el sobreajuste. Completa la explicación (tu profesor la leerá).")
    assert render(r.message, r.params, "en") == (
        "`explicacion` does not talk about: overfitting. Complete the explanation (your instructor will read it).")
    assert r.expected == [["sobreajust", "overfit"], ["generaliz", "prueba", "test"]]


def test_labelled_ideas_are_validated() -> None:
    assert expect_problem("text_answer", {"keywords": LABELLED}) is None
    assert "stems" in str(expect_problem("text_answer", {"keywords": [{"idea": "x"}]}))
    assert "stems" in str(expect_problem("text_answer", {"keywords": [{"stems": ["a"], "ideas": "x"}]}))
    assert "{es: ..., en: ...}" in str(expect_problem("text_answer", {"keywords": [{"stems": ["a"], "idea": {"fr": "x"}}]}))
    assert expect_problem("text_answer", {"keywords": [{"stems": []}]}) is not None
