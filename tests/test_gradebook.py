"""Class outputs from reports: gradebook CSV, JUnit XML, Gradescope results.json, HTML pages."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from grader.classroom import gradebook
from grader.classroom.batch import Submission


def _report(score: float, statuses: dict[str, str], measured: float | None = None, status: str = "ok") -> dict[str, Any]:
    checks = []
    for cid, st in statuses.items():
        pts = 5.0 if st == "pass" else 0.0
        checks.append({"id": cid, "kind": "predictions" if cid == "prediccion" else "value", "status": st,
                       "public": cid != "oculta", "points": pts, "max_points": 5.0,
                       "message": f"{cid}: {st} <b>", "message_key": f"k.{st}", "details": [],
                       "hint": "revisa X" if st != "pass" else None,
                       "measured": measured if cid == "prediccion" else None})
    return {"title": "Titanic", "lang": "es", "score": score, "max_score": 10.0, "checks": checks,
            "execution": {"status": status, "message": "El notebook se ejecutó completo.", "adaptations": []},
            "figures": [{"kind": "confusion", "file": "figures/a.png", "title": "Matriz"}]}


ROWS = [
    (Submission("Ana", Path("a.ipynb"), "1"), _report(10, {"prediccion": "pass", "oculta": "pass"}, 0.79), 30.0),
    (Submission("Luis", Path("l.ipynb"), "2"), _report(5, {"prediccion": "fail", "oculta": "pass"}, 0.62), 95.5),
    (Submission("Eva", Path("e.ipynb"), "3"), {"score": 0.0, "max_score": 0.0, "checks": [],
                                                "execution": {"status": "grader_error", "message": "boom"}}, 0.0),
]


def test_gradebook_has_a_row_per_student_and_a_column_per_check(tmp_path: Path) -> None:
    gradebook.write_gradebook([(s, r) for s, r, _ in ROWS], tmp_path / "g.csv")
    rows = list(csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8")))
    assert [(r["student"], r["student_id"], r["score"], r["prediccion"]) for r in rows] == [
        ("Ana", "1", "10", "5.0"), ("Luis", "2", "5", "0.0"), ("Eva", "3", "0.0", "")]
    assert rows[2]["status"] == "grader_error"


def test_junit_counts_failures_and_errors(tmp_path: Path) -> None:
    gradebook.write_junit(ROWS, "titanic", tmp_path / "j.xml")
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "1", "1")
    failing = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failing] == [("Luis (2)", "prediccion")]
    assert "revisa X" in (failing[0].find("failure").text or "")  # type: ignore[union-attr]


def test_gradescope_results_follow_the_autograder_format() -> None:
    out = gradebook.gradescope_results(ROWS[1][1])
    assert out["score"] == 5 and out["stdout_visibility"] == "hidden"
    assert [(t["name"], t["status"], t["visibility"]) for t in out["tests"]] == [
        ("prediccion", "failed", "visible"), ("oculta", "passed", "after_published")]
    assert all(set(t) == {"name", "score", "max_score", "status", "output", "visibility"} for t in out["tests"])
    json.dumps(out)


def test_the_student_page_shows_public_checks_and_plots_escaped(tmp_path: Path) -> None:
    page = gradebook.write_student_html(ROWS[1][1], tmp_path).read_text()
    assert "prediccion: fail &lt;b&gt;" in page and "oculta" not in page
    assert '<img src="figures/a.png"' in page and "5 / 10" in page


def test_the_dashboard_ranks_the_hidden_metric_and_counts_failures(tmp_path: Path) -> None:
    summary = gradebook.class_summary(ROWS, hidden={"prediccion"})
    assert summary["graded"] == 2 and summary["submissions"] == 3
    assert [b["student"] for b in summary["leaderboard"]] == ["Ana (1)", "Luis (2)"]
    assert gradebook.class_summary(ROWS)["leaderboard"] == []  # a metric on data students hold ranks nobody
    assert summary["pass_rate"] == {"prediccion": 0.5, "oculta": 1.0}
    assert summary["slowest"][0] == {"student": "Luis (2)", "seconds": 95.5}
    assert summary["common_failures"] == [("k.fail", 1, "prediccion: fail <b>")]
    page = gradebook.write_dashboard(ROWS, tmp_path, "Titanic", "es", {"Ana (1)": "Ana_1/report.html"},
                                     {"prediccion"}).read_text()
    assert (tmp_path / "dashboard-scores.png").stat().st_size > 1000
    assert (tmp_path / "dashboard-checks.png").stat().st_size > 1000
    assert 'href="Ana_1/report.html"' in page and "Tabla de posiciones" in page


def test_only_metrics_on_hidden_labels_make_a_leaderboard() -> None:
    from grader.pipeline import library

    hidden = {ex: gradebook.hidden_checks(library.load(ex)[0]) for ex in ("titanic", "spirals", "iris", "mnist_mlp")}
    assert hidden == {"titanic": {"prediccion_test"}, "spirals": {"exactitud"}, "iris": set(), "mnist_mlp": set()}
