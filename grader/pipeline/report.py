"""Stage 7 — report: a versioned JSON report per submission, plus Markdown and a terminal view.

Student-facing text is rendered from the message catalog in the chosen language. Tracebacks
and the raw output tail go under ``instructor`` only, never into the student's summary.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from pathlib import Path
from typing import Any

from jinja2 import Environment

from grader import __version__
from grader.messages import CATALOG, fmt, render
from grader.model.outcomes import ExecutionOutcome, ScoredCheck, fit_stopped_early
from grader.model.spec import ExerciseSpec, Rubric
from grader.pipeline.reveal import level, student_check, student_part
from grader.pipeline.score import compat_charge, competition
from grader.views.safetext import json_safe, visible_tree

REPORT_VERSION = 1

# the key under which grade_one hands a batch the evidence to store (grader.pipeline.rescore)
EVIDENCE = "evidence"


def execution_message(outcome: ExecutionOutcome, lang: str) -> str:
    key = f"exec.{outcome.status}"
    cell = outcome.failing_cell
    if outcome.status == "timeout" and cell is None:
        cell = next((c.index for c in outcome.cells if c.status == "timeout"), None)
    if outcome.status == "timeout" and cell is not None and any(
            c.index > cell and c.status in ("ok", "error") for c in outcome.cells):
        key = "exec.timeout_cell"  # the cell was interrupted and the others still ran
    timed_out = [c.index for c in outcome.cells if c.status == "timeout"]
    cells = ""
    if key == "exec.timeout_cell" and len(timed_out) > 1:  # every cell the limit cut, not the first alone
        key, cells = "exec.timeout_cells", "; ".join(outcome.cell_label(i) for i in timed_out)
    detail = outcome.detail or (outcome.evalue or "")
    if outcome.status == "invalid_notebook" and outcome.problem:
        detail = render(outcome.problem["key"], outcome.problem.get("params"), lang)
    limit = outcome.limit or {}
    during = render("limit.during_training", lang=lang) if limit.get("training") else ""
    return render(key, {"cell": outcome.cell_label(cell), "cells": cells, "ename": outcome.ename, "evalue": (outcome.evalue or "")[:200],
                        "detail": detail, "limit": limit.get("value", outcome.timeout_s),
                        "during": during}, lang)


def isolation_notes(outcome: ExecutionOutcome, lang: str) -> list[str]:
    """What was weaker than full isolation, in the reader's language."""
    return [render(f"isolation.{w}", lang=lang) for w in outcome.isolation.get("warnings", [])]


def adaptations(outcome: ExecutionOutcome, lang: str) -> list[dict[str, Any]]:
    """What the grader adapted for this notebook (skipped !pip, capped epochs …), rendered."""
    out = []
    for event in outcome.adaptations:
        kind = str(event.get("kind", ""))
        params = {k: v for k, v in event.items() if k not in ("kind", "cell")}
        cell = event.get("cell")
        key = f"adapt.{kind}"
        if kind == "time_budget" and params.get("batches"):  # cut inside an epoch
            key = "adapt.time_budget_partial"
        if kind == "compat":  # the words a rule needs, in the reader's language
            note = f"adapt.compat_note.{params.get('rule')}"
            params["note"] = render(note, lang=lang) if note in CATALOG else ""
            key = "adapt.compat" if params.get("new") else "adapt.compat_dropped"
            if f"adapt.compat_as.{params.get('rule')}" in CATALOG:  # a rule whose old code still exists
                key = f"adapt.compat_as.{params.get('rule')}"
        out.append({"kind": kind, "cell": cell, "public": kind != "internal",
                    "where": outcome.cell_label(cell) if isinstance(cell, int) else None,
                    "message": render(key, params, lang)})
    return out


def cell_hints(outcome: ExecutionOutcome, lang: str) -> list[dict[str, Any]]:
    """Known causes of failed cells (e.g. a Keras 2 API removed in Keras 3), rendered."""
    return [{"cell": c.index, "where": outcome.cell_label(c.index), "key": c.hint["key"],
             "message": render(c.hint["key"], c.hint.get("params"), lang)}
            for c in outcome.cells if c.hint]


def training_summary(fits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every ``Model.fit`` the grader logged in the kernel, for the instructor: cell, epochs asked /
    allowed / run, batch size, validation, seconds, and whether a callback or the grader's budget
    stopped it."""
    keep = ("cell", "epochs_asked", "epochs_allowed", "epochs_run", "batch_size", "validation", "seconds",
            "time_budget_stopped")
    return [{**{k: f.get(k) for k in keep}, "stopped_by_callback": fit_stopped_early(f)} for f in fits]


def build(spec: ExerciseSpec, rubric: Rubric, notebook: Path, outcome: ExecutionOutcome,
          scored: list[ScoredCheck], lang: str, timings: dict[str, float],
          digest: str | None = None) -> dict[str, Any]:
    """The report of one grading (``digest``: the submission's SHA-256 when known, else read
    from ``notebook``)."""
    checks = []
    for s in scored:
        r = s.result
        item = rubric.checks[r.id]
        hint = item.feedback.get(lang) if item.feedback and r.status != "pass" else None
        withheld = ([render("score.withheld", {"checks": ", ".join(f"`{c}`" for c in s.withheld_by)}, lang)]
                    if s.withheld_by else [])
        reveal = level(item.reveal, r.kind)
        check = {
            "id": r.id, "kind": r.kind, "status": r.status, "public": r.public,
            "points": s.points, "max_points": s.max_points,
            "expected": r.expected, "found": r.found, "measured": r.measured,
            "message": render(r.message, r.params, lang),
            "details": [render(d["message"], d.get("params"), lang) for d in r.details] + withheld,
            "hint": hint,
            "message_key": r.message,
            "plot": r.plot,
            "reveal": reveal,
        }
        if reveal != "always":  # what student_view shows instead: nothing that states the expected value
            check["student"] = student_part(r, reveal, hint, withheld, lang)
        if r.rows is not None:  # per-row right/wrong on hidden labels: the instructor's, never a student's
            check["rows"] = r.rows
            if rubric.competition is not None and rubric.competition.check == r.id:
                check["competition"] = competition(r.rows, rubric.competition.public_fraction, rubric.competition.seed)
        checks.append(check)
    earned = round(sum(s.points for s in scored), 2)
    charged, rules = compat_charge(outcome.adaptations, rubric, earned)
    deductions = [{"kind": "compat", "points": charged, "rules": rules,
                   "message": render("score.compat_charge", {"points": charged, "n": len(rules),
                                                             "rules": ", ".join(rules)}, lang)}] if charged else []
    if digest is None:
        try:
            digest = hashlib.sha256(notebook.read_bytes()).hexdigest()
        except OSError:
            digest = None
    return {
        "report_version": REPORT_VERSION,
        "grader_version": __version__,
        "exercise": spec.id,
        "title": spec.title.get(lang),
        "notebook": str(notebook),
        "submission_sha256": digest,
        "lang": lang,
        "score": round(earned - charged, 2),
        "max_score": round(sum(s.max_points for s in scored), 2),
        "checks": checks,
        "deductions": deductions,
        "execution": {
            "status": outcome.status,
            "message": execution_message(outcome, lang),
            "hints": cell_hints(outcome, lang),
            "adaptations": adaptations(outcome, lang),
            "profile": outcome.profile,
            "budget": outcome.budget,
            "failing_cell": outcome.failing_cell,
            "duration_s": outcome.duration,
            "cells": [{k: v for k, v in c.__dict__.items() if k != "traceback"} for c in outcome.cells],
            "device": outcome.device,
            "isolation": outcome.isolation,
            "isolation_notes": isolation_notes(outcome, lang),
            "artifacts_problem": render("artifact.manifest_forged", {"error": outcome.artifacts_problem}, lang)
            if outcome.artifacts_problem else None,
            "resources": outcome.resources,
            "kernel": outcome.kernel,
            "training": training_summary(outcome.fits),
            "limit": outcome.limit,
            "seed": outcome.seed,
            "versions": {**outcome.versions, "grader": __version__, "platform": platform.platform()},
        },
        "instructor": {
            "tracebacks": [{"cell": c.index, "traceback": c.traceback} for c in outcome.cells if c.traceback],
            "output_tail": outcome.output_tail,
            "detail": outcome.detail,
            "artifacts": outcome.artifacts,
        },
        "timings_s": timings,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


MARKDOWN = """\
# {{ r.title }} — {{ w.score }}: {{ r.score|num }} / {{ r.max_score|num }}

{{ r.execution.message }}
{% for h in r.execution.hints %}
> **{{ w.hint }} ({{ w.cell|lower }} {{ h.where or h.cell }}):** {{ h.message }}
{% endfor %}
| {{ w.check }} | {{ w.result }} | {{ w.points }} | {{ w.message }} |
|---|---|---:|---|
{% for c in r.checks if c.public or instructor -%}
| `{{ c.id }}` | {{ status[c.status] }} | {{ c.points|num }} / {{ c.max_points|num }} | {{ c.message|cell }}{% for d in c.details %}<br>• {{ d|cell }}{% endfor %}{% if c.hint %}<br>*{{ w.hint }}:* {{ c.hint|cell }}{% endif %}{% if c.override %}<br>**{{ c.override.message|cell }}**{% endif %} |
{% endfor %}
{%- for d in r.get('deductions', []) %}
> **−{{ d.points|num }}:** {{ d.message }}
{% endfor %}
{%- if r.override %}
> **{{ r.override.message }}**
{% endif %}
{% set shown = r.execution.adaptations|selectattr('public')|list if not instructor else r.execution.adaptations %}
{%- if shown %}
### {{ w.adaptations }}
{% for a in shown %}
- {% if a.cell is not none %}{{ w.cell }} {{ a.where or a.cell }}: {% endif %}{{ a.message }}
{%- endfor %}
{% endif %}
{%- set figs = r.get('figures', [])|selectattr('file')|list %}
{%- if figs %}
### {{ w.figures }}
{% for f in figs %}
![{{ f.title }}]({{ f.file }})
{% endfor %}
{% endif %}
{%- if r.execution.artifacts_problem %}
> {{ r.execution.artifacts_problem }}
{% endif %}
{%- if r.execution.isolation_notes %}
> **{{ w.isolation }}:** {{ r.execution.isolation_notes|join(' ') }}
{% endif %}
{{ w.device }}: {{ r.execution.device.get('used', '?') }} · seed {{ r.execution.seed }} · {{ r.execution.duration_s }} s{% if r.execution.profile != 'full' %} · {{ w.profile }}: {{ r.execution.profile }}{% endif %}{% if instructor and r.execution.get('node') %} · {{ w.node }}: {{ r.execution.node.host }}{% endif %}
{% if instructor and (r.instructor.tracebacks or r.instructor.output_tail) %}
## {{ w.instructor }}
{% for t in r.instructor.tracebacks %}
Cell {{ t.cell }}:
```
{{ t.traceback }}
```
{% endfor %}
{% if r.instructor.output_tail %}
Output (head and tail):
```
{{ r.instructor.output_tail }}
```
{% endif %}{% endif %}
"""


def _words(lang: str) -> dict[str, str]:
    keys = ("score", "check", "points", "result", "message", "hint", "device", "instructor", "adaptations",
            "cell", "profile", "figures", "isolation", "node")
    return {k: render(f"word.{k}", lang=lang) for k in keys}


def to_markdown(report: dict[str, Any], instructor: bool = True) -> str:
    env = Environment(autoescape=False, keep_trailing_newline=True)
    env.filters["num"] = lambda x: fmt(float(x)) if x is not None else "-"
    env.filters["cell"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    lang = report["lang"]
    status = {s: render(f"status.{s}", lang=lang) for s in ("pass", "fail", "missing", "error")}
    if not instructor:  # the student's copy: hidden checks never state the expected value
        report = {**report, "checks": [student_check(c, lang) for c in report["checks"]]}
    report = visible_tree(report)  # student text: no terminal escapes, no bidi overrides (grader.views.safetext)
    return env.from_string(MARKDOWN).render(r=report, w=_words(lang), status=status, instructor=instructor)


def crashed(notebook: Path, exc: BaseException) -> dict[str, Any]:
    """No score and the reason, for a submission whose grading process itself failed (a pool
    worker or a Dask worker died, the grader broke)."""
    return {"crashed": True, "score": 0.0, "max_score": 0.0, "exercise": "", "checks": [],
            "notebook": str(notebook), "submission_sha256": None,
            "execution": {"status": "grader_error", "message": f"{type(exc).__name__}: {exc}"[:300]}}


def write(report: dict[str, Any], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.json"
    tmp = path.with_suffix(".tmp")
    report = {k: v for k, v in report.items() if k != EVIDENCE}  # kept in the store, not beside the report
    tmp.write_text(json_safe(json.dumps(report, indent=2, ensure_ascii=False, default=str)), encoding="utf-8")
    tmp.replace(path)
    (out_dir / "report.md").write_text(to_markdown(report), encoding="utf-8")
    return path


def print_summary(report: dict[str, Any], console: Any, public_only: bool = False) -> None:
    """A rich table for the terminal."""
    from rich.table import Table

    report = visible_tree(report)  # student text: no terminal escapes, no bidi overrides (grader.views.safetext)
    lang = report["lang"]
    w = _words(lang)
    colours = {"pass": "green", "fail": "red", "missing": "yellow", "error": "magenta"}
    from rich.text import Text

    table = Table(title=Text(f"{report['title']} — {report['notebook']}"), show_lines=False, expand=False)
    table.add_column(w["check"])
    table.add_column(w["result"])
    table.add_column(w["points"], justify="right")
    table.add_column(w["message"], overflow="fold", max_width=90)
    from rich.markup import escape

    for c in report["checks"]:
        if public_only and not c["public"]:
            continue
        if public_only:  # the student's table: hidden checks never state the expected value
            c = student_check(c, lang)
        text = c["message"] + "".join(f"\n• {d}" for d in c["details"])
        if c["hint"]:
            text += f"\n→ {c['hint']}"
        text = escape(text)  # student code such as `np.array([b])` is not rich markup
        st = c["status"]
        table.add_row(c["id"], f"[{colours[st]}]{render('status.' + st, lang=lang)}[/]",
                      f"{fmt(float(c['points']))}/{fmt(float(c['max_points']))}", text)
    console.print(table)
    console.print(report["execution"]["message"], markup=False)
    for note in report["execution"].get("isolation_notes", []):
        console.print(f"[yellow]{w['isolation']}:[/] {escape(note)}")
    for h in report["execution"].get("hints", []):
        console.print(f"[yellow]→ {w['cell']} {escape(str(h.get('where') or h['cell']))}:[/] {escape(h['message'])}")
    shown = [a for a in report["execution"].get("adaptations", []) if a["public"]]
    if shown:
        console.print(f"[cyan]{w['adaptations']}:[/]")
        for a in shown:
            where = f"{w['cell']} {a.get('where') or a['cell']}: " if a["cell"] is not None else ""
            console.print(f"  • {where}{a['message']}", markup=False)
    console.print(f"[bold]{w['score']}: {fmt(float(report['score']))} / {fmt(float(report['max_score']))}[/]")


def student_view(report: dict[str, Any]) -> dict[str, Any]:
    """What a student may see: public checks only, each as its rubric's ``reveal`` allows (no
    expected value of a hidden check), no instructor part, the public score."""
    public = [student_check(c, report.get("lang", "es")) for c in report["checks"] if c["public"]]
    view = {k: v for k, v in report.items() if k not in ("instructor", "checks")}
    view["checks"] = public
    charged = sum(d["points"] for d in report.get("deductions", []))
    view["public_score"] = round(max(0.0, sum(c["points"] for c in public) - charged), 2)
    view["public_max_score"] = round(sum(c["max_points"] for c in public), 2)
    return view


SUMMARY = """\
## {{ r.title }}: {{ r.public_score|num }} / {{ r.public_max_score|num }}{% if min_score is not none %} ({{ w.threshold }} {{ min_score|num }}: {{ verdict }}){% endif %}

{{ r.execution.message }}

| {{ w.check }} | {{ w.result }} | {{ w.points }} | {{ w.message }} |
|---|---|---:|---|
{% for c in r.checks -%}
| `{{ c.id }}` | {{ status[c.status] }} | {{ c.points|num }} / {{ c.max_points|num }} | {{ c.message|cell }}{% if c.hint %}<br>*{{ w.hint }}:* {{ c.hint|cell }}{% endif %}{% if c.override %}<br>**{{ c.override.message|cell }}**{% endif %} |
{% endfor %}
"""


def to_summary(view: dict[str, Any], min_score: float | None = None) -> str:
    """Markdown for a CI job summary (GitHub's $GITHUB_STEP_SUMMARY): the public checks."""
    env = Environment(autoescape=False, keep_trailing_newline=True)
    env.filters["num"] = lambda x: fmt(float(x)) if x is not None else "-"
    env.filters["cell"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    view = visible_tree(view)  # student text: no terminal escapes, no bidi overrides (grader.views.safetext)
    lang = view["lang"]
    words = _words(lang)
    words["threshold"] = render("word.threshold", lang=lang)
    status = {s: render(f"status.{s}", lang=lang) for s in ("pass", "fail", "missing", "error")}
    verdict = ""
    if min_score is not None:
        verdict = render("status.pass" if view["public_score"] >= min_score else "status.fail", lang=lang)
    return env.from_string(SUMMARY).render(r=view, w=words, status=status, min_score=min_score, verdict=verdict)
