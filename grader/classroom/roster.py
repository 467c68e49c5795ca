"""Everyone in the class gets a row: the students a download or a roster names who handed in no
notebook, every member of a group submission, and when each one handed in (for the rubric's
late policy).

* ``read_roster``: the class list as the LMS gives it — Moodle's grading worksheet (participant
  number, name, e-mail, last modified (submission)), Canvas's gradebook export (Student, ID) or a
  plain CSV (``student, student_id, email, submitted_at``);
* ``complete``: the roster's students without a submission get a ``missing`` row; those with one
  get the roster's e-mail and submission time;
* ``absent_report``: the report of a row with nothing to run (``no_notebook``, ``empty``,
  ``missing``): no points, and what was found instead;
* ``members``: the other members of a Gradescope group submission, each with the group's result;
* ``apply_late``: the rubric's late policy on a report (grader.pipeline.score.late_penalty),
  applied after the store so that a new due date needs no re-execution.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from grader.classroom.batch import Submission
from grader.messages import fmt, render
from grader.model.errors import UsageError
from grader.views.safetext import json_safe

ABSENT = ("no_notebook", "empty", "missing")


@dataclass
class Person:
    name: str
    sid: str  # Moodle's participant number, Canvas's user id, or the CSV's id
    layout: str  # moodle | canvas | files
    email: str = ""
    submitted_at: str = ""  # ISO 8601 (without an offset when the LMS gives local time)


# --------------------------------------------------------------------------- reading the class list
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m: i + 1 for i, m in enumerate(
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split())})
_MONTHS.update({"setiembre": 9, **{m[:3]: i for m, i in list(_MONTHS.items())}})
_DATE = re.compile(r"(?P<day>\d{1,2})\s+(?:de\s+)?(?P<month>[A-Za-zé]+)\.?\s+(?:de\s+)?(?P<year>\d{4}),?\s+"
                   r"(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?")


def moodle_time(text: str) -> str:
    """Moodle's "Friday, 3 March 2023, 10:15 AM" / "viernes, 3 de marzo de 2023, 10:15" as
    ISO 8601 local time; "" when it says no time ("-")."""
    found = _DATE.search(text or "")
    if not found or found["month"].lower() not in _MONTHS:
        return ""
    hour = int(found["hour"]) % 12 if found["ampm"] else int(found["hour"])
    if found["ampm"] and found["ampm"][0].lower() == "p":
        hour += 12
    return datetime(int(found["year"]), _MONTHS[found["month"].lower()], int(found["day"]), hour,
                    int(found["minute"])).isoformat()


def read_roster(path: Path, lang: str = "es") -> list[Person]:
    """The class list in ``path``: a Moodle grading worksheet, a Canvas gradebook export or a
    plain CSV with a ``student`` column; a clear error for anything else."""
    from grader.classroom import lms

    if not path.is_file():
        raise UsageError(render("cli.no_such_file", {"path": str(path)}, lang))
    data = path.read_bytes()
    text, _ = lms._decode(data.removeprefix(b"\xef\xbb\xbf"))
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise UsageError(render("roster.unknown", {"path": str(path)}, lang))
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]

    def col(*names: str) -> int | None:
        return next((i for i, h in enumerate(header) if h in names), None)

    def cell(row: list[str], i: int | None) -> str:
        return row[i].strip() if i is not None and i < len(row) else ""

    worksheet = lms.WORKSHEET.values()
    ident = col(*(w["id"] for w in worksheet))
    if ident is not None:  # Moodle's grading worksheet
        name = col(*(w["name"] for w in worksheet))
        mail = next((i for i, h in enumerate(lower) if "mail" in h or "correo" in h), None)
        when = next((i for i, h in enumerate(lower) if ("submission" in h or "entrega" in h) and
                     ("modified" in h or "modificación" in h)), None)
        out = []
        for row in rows[1:]:
            number = re.search(r"(\d+)\s*$", cell(row, ident))
            if number:
                out.append(Person(cell(row, name) or number.group(1), number.group(1), "moodle", cell(row, mail),
                                  moodle_time(cell(row, when))))
        return out
    if len(header) >= 2 and "student" in lower[0] and lower[1] == "id":  # Canvas's gradebook export
        return [Person(cell(row, 0), cell(row, 1), "canvas") for row in rows[1:]
                if cell(row, 1).isdigit() and "points possible" not in cell(row, 0).lower()]
    student = col("student", "estudiante", "name", "nombre")
    if student is None:
        raise UsageError(render("roster.unknown", {"path": str(path)}, lang))
    sid, mail, when = col("student_id", "id"), col("email", "e-mail", "correo"), col("submitted_at", "entregado")
    return [Person(cell(row, student), cell(row, sid), "files", cell(row, mail), cell(row, when))
            for row in rows[1:] if cell(row, student)]


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def complete(subs: list[Submission], people: list[Person], roster: Path) -> list[Submission]:
    """``subs`` with the roster's e-mail and submission time, plus a ``missing`` row for each
    student of the roster who handed in nothing."""
    out = list(subs)
    by_id = {(s.layout, s.student_id): i for i, s in enumerate(out) if s.student_id}
    by_name = {_key(s.student): i for i, s in enumerate(out)}
    for person in people:
        i = by_id.get((person.layout, person.sid)) if person.sid else None
        if i is None:
            i = by_name.get(_key(person.name))
        if i is None:
            out.append(Submission(student=person.name, path=roster, student_id=person.sid,
                                  layout=person.layout if person.layout != "files" else "files", kind="missing",
                                  extra={"email": person.email}))
            continue
        extra = dict(out[i].extra)
        if person.email and not extra.get("email"):
            extra["email"] = person.email
        if person.submitted_at and not extra.get("submitted_at"):
            extra["submitted_at"] = person.submitted_at
        out[i] = replace(out[i], extra=extra)
    return sorted(out, key=lambda s: (s.student.lower(), s.student_id))


def members(sub: Submission) -> list[Submission]:
    """The other members of a group submission, each a row of their own with the group's notebook."""
    return [Submission(student=str(m.get("name") or m.get("sid") or "?"), path=sub.path,
                       student_id=str(m.get("sid") or m.get("email") or ""), layout=sub.layout, kind=sub.kind,
                       extra={**sub.extra, "email": str(m.get("email") or ""), "members": [],
                              "group_of": sub.label})
            for m in sub.extra.get("members") or []]


# --------------------------------------------------------------------------- reports
def absent_report(sub: Submission, exercise: Any, max_score: float, lang: str) -> dict[str, Any]:
    """The report of a row with nothing to grade: 0 points, and what the download held instead."""
    files = sub.extra.get("files") or []
    shown = ", ".join(files[:6]) + (f" (+{len(files) - 6})" if len(files) > 6 else "")
    return {"absent": True, "score": 0.0, "max_score": max_score, "exercise": exercise.id,
            "title": exercise.title.get(lang), "lang": lang, "checks": [], "deductions": [],
            "notebook": str(sub.path), "submission_sha256": None,
            "execution": {"status": sub.kind,
                          "message": render(f"roster.{sub.kind}", {"files": shown, "roster": sub.path.name}, lang)},
            "created": datetime.now().astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")}


def write_absent(report: dict[str, Any], out_dir: Path) -> None:
    """report.json and report.md of a row with nothing to grade."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json_safe(json.dumps(report, indent=2, ensure_ascii=False)),
                                         encoding="utf-8")
    (out_dir / "report.md").write_text(f"# {report.get('title') or report['exercise']} — 0 / "
                                       f"{fmt(float(report['max_score']))}\n\n{report['execution']['message']}\n",
                                       encoding="utf-8")


def submitted(sub: Submission) -> datetime | None:
    raw = sub.extra.get("submitted_at")
    if isinstance(raw, datetime):
        return raw
    try:
        return datetime.fromisoformat(str(raw).strip().replace(" ", "T", 1)) if raw else None
    except ValueError:
        return None


def _duration(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = (("d", days), ("h", hours), ("min", minutes))
    return " ".join(f"{n} {u}" for u, n in units if n) or "< 1 min"


def apply_late(report: dict[str, Any], sub: Submission, rubric: Any, lang: str) -> dict[str, Any]:
    """``report`` with the rubric's late policy applied (a copy), or ``report`` itself when the
    policy takes nothing off. The deduction says how late, by which rule, and how many points."""
    from grader.pipeline.score import late_penalty

    policy = getattr(rubric, "late", None)
    if policy is None or report.get("crashed") or report.get("absent"):
        return report
    earned = float(report.get("score") or 0.0)
    late = late_penalty(policy, submitted(sub), bool(sub.extra.get("late")), float(report.get("max_score") or 0),
                        earned)
    if late is None:
        return report
    params = {"points": late.points, "percent": late.percent, "penalty": policy.penalty_percent,
              "cap": policy.max_percent, "due": policy.due.isoformat(timespec="minutes"),
              "unit": {"es": "día" if late.per == "day" else "hora", "en": late.per},
              "late": _duration(late.late_by_s or 0)}
    key = "score.late" if late.late_by_s is not None else "score.late_flag"
    deduction = {"kind": "late", "points": late.points, "percent": late.percent, "units": late.units,
                 "late_by_s": late.late_by_s, "message": render(key, params, lang)}
    out = dict(report)
    out["deductions"] = [d for d in report.get("deductions", []) if d.get("kind") != "late"] + [deduction]
    out["score"] = round(earned - late.points, 2)
    out["score_before_late"] = earned
    return out
