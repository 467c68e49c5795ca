"""Feedback back to students: each student's report as they may see it, packed for the LMS.

What a student gets is the student view of the report (grader.pipeline.reveal: no instructor
section, no hidden check, no expected value the rubric's ``reveal`` keeps back), with the late
deduction and a person's overrides and comments. Targets of ``grader export``:

* ``moodle-feedback`` → ``moodle_feedback.zip``: the zip Moodle's "Upload multiple feedback files
  in a zip" accepts (mod/assign/feedback/file/importziplib.php: each file named
  ``<full name>_<participant number>_assignfeedback_file_<file>``, the name without ``_``; files
  starting with ``.`` or ``~`` are skipped) — one self-contained ``retroalimentacion.html`` (figures
  inlined) per student with a Moodle participant number;
* ``feedback`` → ``feedback/<student>/``: the same page plus ``feedback.md``, a folder per student
  for any other LMS or for e-mail.
"""

from __future__ import annotations

import base64
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from grader.messages import render

FILES = {"moodle-feedback": "moodle_feedback.zip", "feedback": "feedback"}
PAGE = {"es": "retroalimentacion.html", "en": "feedback.html"}


def _reports(out: Path) -> list[tuple[dict[str, Any], dict[str, Any], Path]]:
    """(summary line, report, its folder) of every student of ``out`` (group members included)."""
    lines = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    found = []
    for line in lines:
        folder = out / Path(str(line.get("report") or "")).parent.name
        try:
            report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found.append((line, report, folder))
    return found


def student_page(report: dict[str, Any], folder: Path) -> str:
    """The student's HTML report with its figures inlined (one file the LMS can show alone)."""
    from grader.classroom.gradebook import student_html

    page = student_html(report)

    def inline(match: re.Match[str]) -> str:
        path = (folder / match.group(1)).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}"'

    return re.sub(r'<img src="([^":]+\.png)"', inline, page)


def student_markdown(report: dict[str, Any]) -> str:
    from grader.pipeline.report import to_markdown

    if report.get("absent") or not report.get("checks"):
        return f"# {report.get('title') or report.get('exercise')}\n\n{report.get('execution', {}).get('message', '')}\n"
    return to_markdown(report, instructor=False)


def moodle_name(name: str) -> str:
    """A full name as Moodle writes it in file names: no ``_`` (it splits the name on them)."""
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "", name.replace("_", " ")).strip() or "-"


def export(out: Path, target: str, path: Path, lang: str) -> tuple[int, list[str]]:
    """Write ``target`` at ``path``: (files written, warnings)."""
    rows = _reports(out)
    warnings: list[str] = []
    if target == "moodle-feedback":
        left_out = []
        n = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for line, report, folder in rows:
                sid = str(line.get("student_id") or "")
                if line.get("layout") not in ("moodle", "") or not sid.isdigit():
                    left_out.append(str(line.get("student") or ""))
                    continue
                name = f"{moodle_name(str(line.get('student') or ''))}_{sid}_assignfeedback_file_{PAGE.get(lang, PAGE['es'])}"
                zf.writestr(name, _page_or_text(report, folder))
                n += 1
        if left_out:
            warnings.append(render("export.no_id", {"target": target, "n": len(left_out),
                                                    "names": ", ".join(left_out)}, lang))
        return n, warnings
    n = 0
    for line, report, folder in rows:
        from grader.classroom.grade_class import slug_name

        mine = path / slug_name(f"{line.get('student')}" + (f" ({line['student_id']})" if line.get("student_id") else ""),
                                set())
        mine.mkdir(parents=True, exist_ok=True)
        (mine / PAGE.get(lang, PAGE["es"])).write_text(_page_or_text(report, folder), encoding="utf-8")
        (mine / "feedback.md").write_text(student_markdown(report), encoding="utf-8")
        n += 1
    return n, warnings


def _page_or_text(report: dict[str, Any], folder: Path) -> str:
    if report.get("absent") or not report.get("checks"):
        from html import escape

        title = escape(str(report.get("title") or report.get("exercise") or ""))
        message = escape(str(report.get("execution", {}).get("message", "")))
        extra = escape(str((report.get("override") or {}).get("message", "")))
        return (f'<!doctype html><html lang="{report.get("lang", "es")}"><meta charset="utf-8"><title>{title}</title>'
                f"<h1>{title}</h1><p>{report.get('score', 0)} / {report.get('max_score', 0)}</p><p>{message}</p>"
                f"<p>{extra}</p></html>")
    return student_page(report, folder)
