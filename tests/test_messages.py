"""The message catalog: both languages, matching placeholders, and rendering."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from grader.messages import CATALOG, LANGS, fmt, render

ROOT = Path(__file__).resolve().parents[1]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_catalog_is_not_empty() -> None:
    assert len(CATALOG) > 50
    assert LANGS == ("es", "en")


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_entry_has_both_languages(key: str) -> None:
    entry = CATALOG[key]
    assert set(entry) == {"es", "en"}, key
    assert entry["es"].strip() and entry["en"].strip(), key


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_entry_placeholders_match(key: str) -> None:
    entry = CATALOG[key]
    assert _fields(entry["es"]) == _fields(entry["en"]), key


def test_placeholder_helper_sees_fields() -> None:
    assert _fields(CATALOG["structure.attr"]["es"]) == {"pos", "layer", "attr", "found", "expected"}


def test_unknown_key_renders_as_key() -> None:
    assert render("no.such.key") == "no.such.key"
    assert render("no.such.key", {"a": 1}, "en") == "no.such.key"


def test_render_spanish_default_and_english() -> None:
    params = {"name": "n", "found": 3, "expected": 4}
    assert render("value.wrong", params) == "`n` vale 3; se esperaba 4."
    assert render("value.wrong", params, "en") == "`n` is 3; expected 4."


def test_render_unknown_language_falls_back_to_spanish() -> None:
    assert render("status.pass", lang="fr") == "correcto"


def test_render_missing_param_keeps_placeholder() -> None:
    assert render("value.wrong", {"name": "n"}, "en") == "`n` is {found}; expected {expected}."


def test_render_formats_values() -> None:
    params = {"name": "s", "found": [61, 61, 3]}
    assert render("value.ok", params) == "`s` = (61, 61, 3): correcto."
    params = {"metric_key": "metric.name.accuracy", "data": "iris (all, 150)", "found": 0.966666, "expected": 0.9}
    assert render("metric.ok", params, "en") == (
        "Accuracy computed by the grader on iris (all, 150): 0.9667; at least 0.9 was asked.")
    assert render("metric.ok", params, "es") == (
        "La exactitud (accuracy) calculada por el grader sobre iris (all, 150): 0.9667; se pedía al menos 0.9.")


def test_render_with_what_key() -> None:
    params = {"what_key": "params.what.total", "found": 20, "expected": 19}
    assert render("params.wrong", params) == "Total del modelo: 20 parámetros; se esperaban 19."
    assert render("params.wrong", params, "en") == "Model total: 20 parameters; expected 19."


def test_render_with_what_key_using_params() -> None:
    params = {"what_key": "params.what.layer", "pos": 2, "layer": "Dense",
              "found": [None, 4], "expected": [None, 3]}
    assert render("shapes.wrong", params) == "Capa 2 (Dense): forma (None, 4); se esperaba (None, 3)."
    assert render("shapes.wrong", params, "en") == (
        "Layer 2 (Dense): shape (None, 4); expected (None, 3).")
    assert "what_key" in params  # the caller's dict is not modified


def test_fmt() -> None:
    assert fmt((61, 61, 3)) == "(61, 61, 3)"
    assert fmt([61, 61, 3]) == "(61, 61, 3)"
    assert fmt([None, 3]) == "(None, 3)"
    assert fmt((5,)) == "(5,)"
    assert fmt([]) == "()"
    assert fmt([[1, 2], [3]]) == "((1, 2), (3,))"
    assert fmt(None) == "None"
    assert fmt(0.123456) == "0.1235"
    assert fmt(2.0) == "2"
    assert fmt(147) == "147"
    assert fmt("relu") == "relu"


def test_terminal_table_keeps_square_brackets_from_student_code() -> None:
    """rich would read `[b]` as markup and drop it; the summary must show it verbatim."""
    from rich.console import Console

    from grader.pipeline.report import print_summary

    report = {"lang": "es", "title": "t", "notebook": "n", "score": 0, "max_score": 1,
              "checks": [{"id": "a", "status": "fail", "public": True, "points": 0, "max_points": 1,
                          "message": "usa np.array([b])", "details": ["[i] detalle"], "hint": "mira [bold]"}],
              "execution": {"message": "celda [x]", "hints": [{"cell": 1, "message": "usa [b]"}], "adaptations": []}}
    console = Console(width=120, record=True)
    print_summary(report, console)
    text = console.export_text()
    for fragment in ("np.array([b])", "[i] detalle", "mira [bold]", "celda [x]", "usa [b]"):
        assert fragment in text


def test_the_fit_log_in_a_training_message_speaks_the_reader_s_language() -> None:
    from grader.checks.training import _summary
    from grader.model.outcomes import ExecutionOutcome

    fits = [{"cell": 5, "epochs_run": 10, "epochs_asked": 10, "batch_size": 32, "seconds": 1.5}]
    # cell 5 of the file is the student's third code cell (markdown cells are not counted)
    outcome = ExecutionOutcome(status="ok", code=[{"index": 5, "number": 3, "count": None, "head": "model.fit(x)"}])
    key = next(k for k, v in CATALOG.items() if "{fits}" in v["es"])
    english = render(key, {"fits": _summary(fits, outcome)}, "en")
    spanish = render(key, {"fits": _summary(fits, outcome)}, "es")
    assert "code cell 3: 10/10 epochs" in english and "celda" not in english and "épocas" not in english
    assert "celda de código 3: 10/10 épocas" in spanish


# ------------------------------------------------------------------ one catalog, never mixed
_KEY = re.compile(r"[a-z_]+\.[a-z0-9_]+(\.[a-z0-9_]+)*")
_SPANISH = re.compile(r"[ñáéíóú¿¡]|\b(el|los|las|una|para|celda|épocas|calificando|entrega|esperado)\b", re.I)
_ENGLISH = re.compile(r"\b(the|with|and|of|is|was|grading|cell|expected|found)\b", re.I)


def _prose(text: str) -> str:
    """A catalog text without its placeholders and code spans (names, not words of a language)."""
    return re.sub(r"\{[^}]*\}|`[^`]*`|\bdel\b", "", text)


def test_every_message_key_the_code_names_is_in_the_catalog() -> None:
    """A string in grader/ shaped like a key of one of the catalog's sections is a key: it must
    exist (prefixes completed in code, ending in "_", and file names are left out)."""
    sections = {key.split(".")[0] for key in CATALOG}
    used: dict[str, str] = {}
    for path in sorted((ROOT / "grader").rglob("*.py")):
        if "messages" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _KEY.fullmatch(node.value):
                file_name = node.value.rpartition(".")[2] in ("json", "csv", "html", "md", "png", "xml", "ipynb", "py")
                if node.value.split(".")[0] in sections and not node.value.endswith("_") and not file_name:
                    used[node.value] = str(path.relative_to(ROOT))
    assert len(used) > 100
    missing = {k: where for k, where in used.items() if k not in CATALOG}
    assert not missing, missing


def test_no_english_text_is_spanish_and_no_spanish_text_is_english() -> None:
    leaks = [f"en {k}: {v['en']}" for k, v in CATALOG.items() if _SPANISH.search(_prose(v["en"]))]
    leaks += [f"es {k}: {v['es']}" for k, v in CATALOG.items() if _ENGLISH.search(_prose(v["es"]))]
    assert not leaks, leaks


def test_the_language_detectors_see_a_leak() -> None:
    assert _SPANISH.search(_prose("logged by the grader: celda 5: 10/10 épocas"))
    assert _ENGLISH.search(_prose("calificando: the grader"))
    assert not _SPANISH.search(_prose("use `del` on {celda}"))


def test_no_key_is_written_in_two_files_of_the_catalog() -> None:
    from grader.messages import PARTS
    from grader.messages.legacy_texts import TEXTS as LEGACY

    assert any(part is LEGACY for part in PARTS)
    keys = [k for part in PARTS for k in part]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
