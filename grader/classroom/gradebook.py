"""Class outputs, written after a batch from the reports: what instructors upload and look at.

* ``gradebook.csv``: one row per student, one column per check (points), for spreadsheets and
  LMS imports (``student_id`` is Moodle's participant id, Canvas's user id or Gradescope's sid);
* ``junit.xml``: one test case per student and check, for CI systems;
* ``<student>/results.json``: Gradescope's autograder format;
* ``<student>/report.html``: the student's feedback with the plots;
* ``index.html``: the class dashboard — score histogram, pass rate per check, the most common
  failure messages, the slowest submissions and, for exercises scored on hidden test data, a
  leaderboard.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from jinja2 import Environment
from markupsafe import Markup, escape

from grader.messages import fmt, render
from grader.messages import words as catalog_words
from grader.pipeline.reveal import student_check
from grader.views.safetext import csv_cell, json_safe, visible, visible_tree


def write_gradebook(rows: list[tuple[Any, dict[str, Any]]], path: Path) -> Path:
    """``rows``: (batch.Submission, report). Check columns keep the rubric's order; a student
    whose grading crashed has an empty row but for the status, so nobody goes missing."""
    check_ids = _check_ids(rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([csv_cell(h) for h in ["student", "student_id", "score", "max_score", "status", *check_ids,
                                               "submitted_at", "late_points", "file"]])
        for sub, report in rows:
            points = {c["id"]: c["points"] for c in report.get("checks", [])}
            late = next((d["points"] for d in report.get("deductions", []) if d.get("kind") == "late"), "")
            writer.writerow([csv_cell(x) for x in [  # student text never starts a formula (safetext)
                sub.student, sub.student_id, report.get("score"), report.get("max_score"),
                report.get("execution", {}).get("status", ""), *[points.get(i, "") for i in check_ids],
                str(sub.extra.get("submitted_at") or ("LATE" if sub.extra.get("late") else "")), late,
                str(sub.path)]])
    return path


def _check_ids(rows: list[tuple[Any, dict[str, Any]]]) -> list[str]:
    ids: list[str] = []
    for _, report in rows:
        for c in report.get("checks", []):
            if c["id"] not in ids:
                ids.append(c["id"])
    return ids


def write_junit(rows: list[tuple[Any, dict[str, Any], float]], exercise: str, path: Path) -> Path:
    """JUnit XML: a test suite per exercise, a test case per student and check."""
    suites = ET.Element("testsuites", name=f"dl-grader {exercise}")
    suite = ET.SubElement(suites, "testsuite", name=exercise)
    tests = failures = errors = 0
    for sub, report, seconds in rows:
        report = visible_tree(report)  # XML cannot hold control characters (grader.views.safetext)
        label = visible(sub.label)
        checks = report.get("checks", [])
        if not checks:  # nothing could be checked: one error case says why
            case = ET.SubElement(suite, "testcase", classname=label, name="grading", time=f"{seconds:.2f}")
            ET.SubElement(case, "error", message=str(report.get("execution", {}).get("message", ""))[:500])
            tests, errors = tests + 1, errors + 1
            continue
        for c in checks:
            case = ET.SubElement(suite, "testcase", classname=label, name=c["id"],
                                 time=f"{seconds / max(len(checks), 1):.2f}")
            tests += 1
            if c["status"] == "error":
                ET.SubElement(case, "error", message=c["message"][:500]).text = c["message"]
                errors += 1
            elif c["status"] != "pass":
                failure = ET.SubElement(case, "failure", message=c["message"][:500], type=c["status"])
                failure.text = c["message"] + (f"\n{c['hint']}" if c.get("hint") else "")
                failures += 1
            ET.SubElement(case, "system-out").text = f"{fmt(float(c['points']))}/{fmt(float(c['max_points']))}"
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", str(errors))
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
    return path


def gradescope_results(report: dict[str, Any]) -> dict[str, Any]:
    """Gradescope's autograder ``results.json`` for one submission (public checks visible). Students
    read it: each check is shown as its rubric's ``reveal`` allows (grader.pipeline.reveal)."""
    lang = report.get("lang", "es")
    tests = [{"name": c["id"], "score": c["points"], "max_score": c["max_points"],
              "status": "passed" if c["status"] == "pass" else "failed",
              "output": c["message"] + (f"\n{c['hint']}" if c.get("hint") else ""),
              "visibility": "visible" if c.get("public", True) else "after_published"}
             for c in (student_check(c, lang) for c in report.get("checks", []))]
    return {"score": report.get("score", 0), "output": report.get("execution", {}).get("message", ""),
            "tests": tests, "stdout_visibility": "hidden"}


STUDENT_HTML = """<!doctype html>
<html lang="{{ r.lang }}"><head><meta charset="utf-8"><title>{{ r.title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222;padding:0 1rem}
.score{font-size:2.4rem;font-weight:700} table{border-collapse:collapse;width:100%;margin:1rem 0}
td,th{border-bottom:1px solid #ddd;padding:.45rem;text-align:left;vertical-align:top}
.pass{color:#17703a}.fail{color:#b3261e}.missing{color:#8a6d00}.error{color:#7a1fa2}
.hint{color:#555;font-style:italic} .note{background:#fff8e1;padding:.6rem;border-left:4px solid #f2b600}
figure{display:inline-block;margin:.5rem} figure img{max-width:28rem;border:1px solid #ddd}
</style></head><body>
<h1>{{ r.title }}</h1>
<p class="score">{{ r.score|num }} / {{ r.max_score|num }}</p>
<p>{{ r.execution.message|code }}</p>
{% for d in r.get('deductions', []) %}<p class="note">−{{ d.points|num }}: {{ d.message }}</p>{% endfor %}
{% if r.override %}<p class="note">{{ r.override.message }}</p>{% endif %}
{% for n in r.execution.get('isolation_notes', []) %}<p class="note">{{ n }}</p>{% endfor %}
<table><tr><th>{{ w.check }}</th><th>{{ w.result }}</th><th>{{ w.points }}</th><th>{{ w.message }}</th></tr>
{% for c in r.checks if c.public %}<tr><td><code>{{ c.id }}</code></td><td class="{{ c.status }}">{{ status[c.status] }}</td>
<td>{{ c.points|num }} / {{ c.max_points|num }}</td><td>{{ c.message|code }}{% for d in c.details %}<br>• {{ d|code }}{% endfor %}
{% if c.hint %}<br><span class="hint">{{ c.hint|code }}</span>{% endif %}{% if c.override %}<br><strong class="override">{{ c.override.message }}</strong>{% endif %}</td></tr>
{% endfor %}</table>
{% set figs = r.get('figures', [])|selectattr('file')|list %}{% if figs %}<h2>{{ w.figures }}</h2>
{% for f in figs %}<figure><img src="{{ f.file }}" alt="{{ f.title }}"><figcaption>{{ f.title }}</figcaption></figure>{% endfor %}{% endif %}
{% set shown = r.execution.get('adaptations', [])|selectattr('public')|list %}{% if shown %}<h2>{{ w.adaptations }}</h2><ul>
{% for a in shown %}<li>{% if a.cell is not none %}{{ w.cell }} {{ a.where or a.cell }}: {% endif %}{{ a.message }}</li>{% endfor %}</ul>{% endif %}
</body></html>
"""


def _env() -> Environment:
    env = Environment(autoescape=True)
    env.filters["num"] = lambda x: fmt(float(x)) if x is not None else "-"
    env.filters["code"] = _code_spans
    return env


def _code_spans(text: Any) -> Markup:
    """Escape a message, then show its `backticked` parts as code."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(str(text)))))


def _words(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    keys = ("score", "check", "points", "result", "message", "figures", "adaptations", "cell")
    status = {s: render(f"status.{s}", lang=lang) for s in ("pass", "fail", "missing", "error")}
    return {k: render(f"word.{k}", lang=lang) for k in keys}, status


def student_html(report: dict[str, Any]) -> str:
    """The student's page: public checks, each as its rubric's ``reveal`` allows."""
    lang = report.get("lang", "es")
    words, status = _words(lang)
    report = {**report, "checks": [student_check(c, lang) for c in report.get("checks", [])]}  # grader.pipeline.reveal
    report = visible_tree(report)  # student text: no control characters (grader.views.safetext)
    return _env().from_string(STUDENT_HTML).render(r=report, w=words, status=status)


def write_student_html(report: dict[str, Any], out_dir: Path) -> Path:
    path = out_dir / "report.html"
    path.write_text(student_html(report), encoding="utf-8")
    return path


def hidden_checks(exercise: Any) -> set[str]:
    """The exercise's metric and prediction checks measured on data whose labels students never
    have (grader.data.datasets.Dataset.hidden_splits): the only ones a leaderboard may rank."""
    from grader.data import datasets

    out = set()
    for check in getattr(exercise, "checks", []):
        expect = check.expect or {}
        known = datasets.REGISTRY.get(str(expect.get("dataset") or ""))
        if check.kind in ("metric", "predictions") and known is not None and expect.get("split") in known.hidden_splits:
            out.add(check.id)
    return out


def class_summary(rows: list[tuple[Any, dict[str, Any], float]], hidden: set[str] | None = None) -> dict[str, Any]:
    """The numbers behind the dashboard; ``hidden``: the checks measured on hidden labels, the
    only ones ranked in a leaderboard (an accuracy on data the students hold ranks nothing)."""
    graded = [(s, r, t) for s, r, t in rows if r.get("checks")]
    per_check: dict[str, list[bool]] = {}
    messages: Counter[str] = Counter()
    example: dict[str, str] = {}  # one message a student actually read, for each kind of failure
    for _, report, _ in graded:
        for c in report["checks"]:
            per_check.setdefault(c["id"], []).append(c["status"] == "pass")
            if c["status"] != "pass":
                key = c.get("message_key") or c["message"]
                messages[key] += 1
                example.setdefault(key, c["message"])
        status = report["execution"]["status"]
        if status != "ok":
            messages[f"exec.{status}"] += 1
            example.setdefault(f"exec.{status}", report["execution"].get("message", ""))
    board = []
    for sub, report, _ in graded:
        metric = next((c for c in report["checks"] if c["id"] in (hidden or set())
                       and isinstance(c.get("measured"), (int, float))), None)
        if metric is not None:
            split = metric.get("competition") or {}  # a competition: students saw the public part; the private ranks
            board.append({"student": sub.label, "metric": metric["id"], "value": split.get("private", metric["measured"]),
                          "public": split.get("public"), "score": report.get("score")})
    board.sort(key=lambda b: -float(b["value"]))
    return {
        "submissions": len(rows), "graded": len(graded),
        "scores": [float(r["score"]) for _, r, _ in graded],
        "max_score": max((float(r["max_score"]) for _, r, _ in graded), default=0.0),
        "pass_rate": {k: round(sum(v) / len(v), 3) for k, v in per_check.items()},
        "common_failures": [(key, n, example[key]) for key, n in messages.most_common(8)],
        "slowest": sorted(({"student": s.label, "seconds": t} for s, _, t in rows), key=lambda x: -x["seconds"])[:8],
        "leaderboard": board,
    }


DASHBOARD_HTML = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0} td,th{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:left}
.grid{display:flex;flex-wrap:wrap;gap:1rem} img{max-width:32rem;border:1px solid #ddd}
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ s.graded }} / {{ s.submissions }} {{ t.graded }}{% if s.scores %} · {{ t.mean }} {{ mean|num }} / {{ s.max_score|num }}{% endif %}</p>
<div class="grid"><img src="dashboard-scores.png" alt="{{ t.histogram }}"><img src="dashboard-checks.png" alt="{{ t.pass_rate }}"></div>
<h2>{{ t.students }}</h2><table><tr><th>{{ t.student }}</th><th>{{ t.score }}</th><th>{{ t.status }}</th><th>{{ t.seconds }}</th></tr>
{% for row in students %}<tr><td><a href="{{ row.href }}">{{ row.student }}</a></td><td>{{ row.score|num }} / {{ row.max|num }}</td><td>{{ row.status }}</td><td>{{ row.seconds|num }}</td></tr>
{% endfor %}</table>
<h2>{{ t.failures }}</h2><table>{% for key, n, text in s.common_failures %}<tr><td>{{ n }}</td><td>{{ text|code }}<br><small><code>{{ key }}</code></small></td></tr>{% endfor %}</table>
<h2>{{ t.slowest }}</h2><table>{% for x in s.slowest %}<tr><td>{{ x.student }}</td><td>{{ x.seconds|num }} s</td></tr>{% endfor %}</table>
{% if s.similar %}<h2>{{ t.similar }}</h2><table>{% for p in s.similar %}<tr><td><a href="similarity.html#p{{ loop.index }}">{{ p.a }} · {{ p.b }}</a></td><td>{{ (p.similarity * 100)|round|int }} %</td></tr>{% endfor %}</table>{% endif %}
{% if s.leaderboard %}<h2>{{ t.leaderboard }}</h2><table>{% for b in s.leaderboard %}<tr><td>{{ loop.index }}</td><td>{{ b.student }}</td><td>{{ b.metric }}</td><td>{{ '%.4f'|format(b.value) }}</td><td>{% if b.public is not none %}{{ t.public }} {{ '%.4f'|format(b.public) }}{% endif %}</td><td>{{ b.score|num }}</td></tr>{% endfor %}</table>{% endif %}
</body></html>
"""

_DASH_WORDS = ("graded", "mean", "histogram", "pass_rate", "students", "student", "score", "status",
               "seconds", "failures", "slowest", "leaderboard", "similar", "public")  # the catalog's dashboard.* texts


def write_dashboard(rows: list[tuple[Any, dict[str, Any], float]], out: Path, title: str, lang: str,
                    hrefs: dict[str, str], hidden: set[str] | None = None,
                    similar: list[dict[str, Any]] | None = None) -> Path:
    s = class_summary(rows, hidden)
    s["similar"] = [{k: p[k] for k in ("a", "b", "similarity")} for p in (similar or [])][:20]
    words = catalog_words("dashboard", _DASH_WORDS, lang)
    _dashboard_plots(s, out, words)
    s_shown = visible_tree(s)  # student text: no control characters (grader.views.safetext)
    students = [{"student": visible(sub.label), "href": hrefs.get(sub.label, ""), "score": r.get("score"),
                 "max": r.get("max_score"), "status": visible(str(r.get("execution", {}).get("status", ""))),
                 "seconds": t}
                for sub, r, t in rows]
    mean = sum(s["scores"]) / len(s["scores"]) if s["scores"] else 0.0
    text = _env().from_string(DASHBOARD_HTML).render(s=s_shown, t=words, title=title, lang=lang, students=students,
                                                      mean=mean)
    path = out / "index.html"
    path.write_text(text, encoding="utf-8")
    (out / "dashboard.json").write_text(json_safe(json.dumps(s, indent=2, ensure_ascii=False)), encoding="utf-8")
    return path


def _dashboard_plots(s: dict[str, Any], out: Path, words: dict[str, str]) -> None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.4))
    top = s["max_score"] or 10
    ax.hist(s["scores"], bins=[top * i / 10 for i in range(11)], color="#3b6fb6", edgecolor="white")
    ax.set_title(words["histogram"])
    ax.set_xlim(0, top)
    fig.tight_layout()
    fig.savefig(out / "dashboard-scores.png", dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.35 * max(len(s["pass_rate"]), 1)))
    names = list(s["pass_rate"])
    ax.barh(names, [s["pass_rate"][n] * 100 for n in names], color="#17703a")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.set_title(words["pass_rate"])
    fig.tight_layout()
    fig.savefig(out / "dashboard-checks.png", dpi=110)
    plt.close(fig)
