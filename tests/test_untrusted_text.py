"""Student-controlled text (names, exception messages, outputs) reaches no CSV as a formula and no
terminal, Markdown, HTML or JUnit file as raw control characters (grader.views.safetext)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import nbformat
import pytest
from nbformat import v4

from grader.classroom import gradebook
from grader.classroom.batch import Submission
from grader.pipeline import report
from grader.views.safetext import csv_cell, json_safe, visible, visible_tree

ROOT = Path(__file__).resolve().parents[1]
# C0 but newline and tab, DEL, C1, bidi overrides and isolates, lone surrogates
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
EVIL = "boom \x1b[2J\x1b]0;pwned\x07 \u202etxt.exe\u202c \x9b31m \x00 \x7f \u2066x\u2069 \ud800 end"


def test_visible_escapes_what_a_terminal_or_xml_would_act_on() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("x\u202ey") == "xU+202Ey" and visible("\u2066\u2069") == "U+2066U+2069"
    assert visible("línea\n\tcon tab, ñ, 日本, emoji 🎉") == "línea\n\tcon tab, ñ, 日本, emoji 🎉"
    assert visible("\r\x00\x7f\x85\x9b") == "\\x0d\\x00\\x7f\\x85\\x9b"
    assert not RAW.search(visible(EVIL))
    assert visible_tree({"a": [EVIL, 1.5, None], "b": (EVIL,)}) == {"a": [visible(EVIL), 1.5, None], "b": (visible(EVIL),)}
    assert json.loads(json_safe(json.dumps({"x": EVIL}, ensure_ascii=False))) == {"x": EVIL}  # lossless
    assert not RAW.search(json_safe(json.dumps({"x": EVIL}, ensure_ascii=False)))


@pytest.mark.parametrize("text, cell", [
    ('=HYPERLINK("http://evil","clic")', '\'=HYPERLINK("http://evil","clic")'), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "\\x0d=1"), ("Ana", "Ana"), ("-1.5", "'-1.5"),
])
def test_csv_text_cells_never_start_a_formula(text: str, cell: str) -> None:
    assert csv_cell(text) == cell


def test_csv_numbers_stay_numbers() -> None:
    assert csv_cell(-1.5) == -1.5 and csv_cell(0) == 0 and csv_cell(None) is None


def _report(message: str) -> dict[str, Any]:
    return {"title": "Básicos", "lang": "es", "score": -1.5, "max_score": 10.0, "exercise": "basics",
            "notebook": "x.ipynb",
            "checks": [{"id": "c1", "kind": "value", "status": "fail", "public": True, "points": -1.5,
                        "max_points": 5.0, "message": message, "message_key": "k", "details": [message],
                        "hint": message, "reveal": "always"}],
            "execution": {"status": "error", "message": message, "adaptations": [], "hints": [], "device": {},
                          "seed": 0, "duration_s": 1, "profile": "full", "isolation_notes": []},
            "instructor": {"tracebacks": [{"cell": 1, "traceback": message}], "output_tail": message}}


def test_class_outputs_hold_no_formula_and_no_control_character(tmp_path: Path) -> None:
    name = '=HYPERLINK("http://evil","clic")' + EVIL
    rows = [(Submission(name, Path(f"{name}.ipynb"), "@1"), _report(EVIL), 1.0)]
    gradebook.write_gradebook([(s, r) for s, r, _ in rows], tmp_path / "g.csv")
    text = (tmp_path / "g.csv").read_text(encoding="utf-8")
    assert not RAW.search(text)
    row = next(csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8")))
    assert row["student"].startswith("'=HYPERLINK") and row["student_id"] == "'@1"
    assert row["score"] == "-1.5" and row["c1"] == "-1.5"  # numbers stay numbers
    gradebook.write_junit(rows, "basics", tmp_path / "j.xml")
    assert not RAW.search((tmp_path / "j.xml").read_text(encoding="utf-8"))
    ET.parse(tmp_path / "j.xml")  # well-formed XML
    gradebook.write_student_html(rows[0][1], tmp_path)
    gradebook.write_dashboard(rows, tmp_path, "Básicos", "es", {})
    for page in ("report.html", "index.html"):
        assert not RAW.search((tmp_path / page).read_text(encoding="utf-8")), page
    path = report.write(rows[0][1], tmp_path / "r")
    assert not RAW.search((tmp_path / "r" / "report.md").read_text(encoding="utf-8"))
    assert json.loads(path.read_text(encoding="utf-8"))["execution"]["message"] == EVIL  # JSON keeps the data
    assert not RAW.search(report.to_summary(report.student_view(rows[0][1])))


def test_the_terminal_table_holds_no_control_character() -> None:
    from rich.console import Console

    console = Console(record=True, width=120, force_terminal=False, highlight=False)
    report.print_summary({**_report(EVIL), "notebook": "[bold]" + EVIL}, console)
    shown = console.export_text()
    assert "\\x1b[2J" in shown and "U+202E" in shown and "[bold]" in shown
    assert not RAW.search(shown)


@pytest.mark.slow
def test_a_batch_with_a_formula_name_and_an_escape_raising_notebook(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    name = '=HYPERLINK("evil.example";"clic")\x1b[2J\u202e'  # a file name may hold escapes too
    source = 'raise ValueError("pantalla \\x1b[2J\\x1b]0;pwned\\x07 y \\u202etxt.exe\\u202c fin")'
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell("x = 1"), v4.new_code_cell(source)]),
                   subs / f"{name}.ipynb")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "basics", str(subs / f"{name}.ipynb"),
                           "--out", str(out), "--workers", "1", "--no-warm"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not RAW.search(done.stdout) and not RAW.search(done.stderr)  # the terminal table and lines
    assert "\\x1b[2J" in done.stdout  # the exception message, made visible
    rows = list(csv.DictReader(open(out / "gradebook.csv", encoding="utf-8")))
    assert rows[0]["student"] == "'" + '=HYPERLINK("evil.example";"clic")\\x1b[2JU+202E'
    folder = next(p for p in out.iterdir() if p.is_dir())
    rep = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert "\x1b[2J" in rep["execution"]["message"]  # the data is kept as it was …
    for path in (out / "gradebook.csv", out / "junit.xml", folder / "report.md", folder / "report.html",
                 out / "index.html"):
        text = path.read_text(encoding="utf-8")
        assert not RAW.search(text), path  # … but no file meant to be read shows it raw
    assert "\\x1b[2J" in (folder / "report.md").read_text(encoding="utf-8")
    assert "U+202E" in (folder / "report.md").read_text(encoding="utf-8")
    ET.parse(out / "junit.xml")
