"""A person's word over the grader's: points and comments per check, kept with who, when and why.

An override is a row of the store's ``overrides`` table (append-only: its history is the list of
rows) for one submission (the student's label and the SHA-256 of the bytes graded) and one check
— or ``*``, the whole score, for a submission without checks (a timeout, a missing notebook).
``points`` empty is a comment that leaves the grader's points. Regrade requests are rows too
(``kind = "request"``): the student's words, answered by the override that follows.

Overrides are applied after the store, like the late policy (grader.classroom.roster): ``grader
rescore`` and the review page (grader.classroom.review) change grades without running a notebook.
``overrides.csv`` in the class folder holds the current ones and everything that needs a human;
edited in a spreadsheet and given back to ``grader rescore``, its changed rows become new
overrides (who: ``--who``, why: "overrides.csv").
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.messages import fmt, render
from grader.views.safetext import csv_cell

SCHEMA = """
CREATE TABLE IF NOT EXISTS overrides (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exercise TEXT NOT NULL,
    student TEXT NOT NULL,
    submission_sha256 TEXT NOT NULL,
    check_id TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'override',
    points REAL,
    comment TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL DEFAULT '',
    why TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS overrides_submission ON overrides (exercise, student, submission_sha256);
"""
WHOLE = "*"
CSV_COLUMNS = ["student", "check", "needs", "grader_points", "max_points", "points", "comment", "who", "why", "at"]


@dataclass
class Override:
    exercise: str
    student: str
    sha: str
    check: str
    points: float | None
    comment: str = ""
    who: str = ""
    why: str = ""
    at: str = ""
    kind: str = "override"  # override | request


def _db(store: Any) -> sqlite3.Connection:
    db: sqlite3.Connection = store.db
    db.executescript(SCHEMA)
    return db


def add(store: Any, o: Override) -> None:
    at = o.at or time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _db(store).execute(
        "INSERT INTO overrides (exercise, student, submission_sha256, check_id, kind, points, comment, who, why, at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        (o.exercise, o.student, o.sha, o.check, o.kind, o.points, o.comment, o.who, o.why, at))


def history(store: Any, exercise: str, student: str, sha: str) -> list[Override]:
    rows = _db(store).execute(
        "SELECT exercise, student, submission_sha256, check_id, points, comment, who, why, at, kind FROM overrides "
        "WHERE exercise = ? AND student = ? AND submission_sha256 = ? ORDER BY id", (exercise, student, sha))
    return [Override(*r) for r in rows]


def current(store: Any, exercise: str, student: str, sha: str) -> dict[str, Override]:
    """The override in force for each check: the latest one."""
    out: dict[str, Override] = {}
    for o in history(store, exercise, student, sha):
        if o.kind == "override":
            out[o.check] = o
    return out


def apply(report: dict[str, Any], overrides: dict[str, Override], lang: str) -> dict[str, Any]:
    """``report`` with the overrides in force (a copy), or ``report`` itself when there are none.
    Each overridden check keeps the grader's points beside the person's, and says who and why."""
    if not overrides:
        return report
    out = dict(report)
    checks = []
    for c in report.get("checks", []):
        o = overrides.get(c["id"])
        if o is None:
            checks.append(c)
            continue
        c = dict(c)
        c["override"] = {"grader_points": c["points"], "points": o.points, "comment": o.comment, "who": o.who,
                         "why": o.why, "at": o.at,
                         "message": render("override.check", {"who": o.who or "?", "comment": o.comment or "-",
                                                              "points": fmt(o.points) if o.points is not None
                                                              else fmt(c["points"])}, lang)}
        if o.points is not None:
            c["points"] = round(min(max(float(o.points), 0.0), float(c["max_points"])), 2)
        checks.append(c)
    out["checks"] = checks
    charged = sum(float(d.get("points") or 0) for d in report.get("deductions", []))
    total = round(sum(float(c["points"]) for c in checks) - charged, 2)
    whole = overrides.get(WHOLE)
    if whole is not None:
        if whole.points is not None:
            total = round(min(max(float(whole.points), 0.0), float(report.get("max_score") or 0)), 2)
        out["override"] = {"grader_score": report.get("score"), "points": whole.points, "comment": whole.comment,
                           "who": whole.who, "why": whole.why, "at": whole.at,
                           "message": render("override.whole", {"who": whole.who or "?", "comment": whole.comment or "-",
                                                                "points": fmt(total)}, lang)}
    if checks or whole is not None:
        out["score"] = max(total, 0.0)
    return out


def unadjusted(report: dict[str, Any]) -> dict[str, Any]:
    """A report as the grader scored it, before overrides and the late policy (for a report
    kept from an earlier run that had them applied)."""
    out = dict(report)
    out["checks"] = []
    for c in report.get("checks", []):
        c = dict(c)
        if "override" in c:
            c["points"] = c.pop("override")["grader_points"]
        out["checks"].append(c)
    score = report.get("score")
    if "override" in out:
        score = out.pop("override").get("grader_score", score)
    elif "score_before_late" in out:
        score = out["score_before_late"]
    out.pop("score_before_late", None)
    out["deductions"] = [d for d in report.get("deductions", []) if d.get("kind") != "late"]
    out["score"] = score
    return out


def needs_review(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(check, why) of what a person should look at: provisional text answers, a notebook that
    did not run to the end, a submission without a notebook."""
    out = []
    for c in report.get("checks", []):
        if c.get("kind") == "text_answer":
            out.append((c["id"], "text"))
    status = str(report.get("execution", {}).get("status") or "")
    if status not in ("ok", ""):
        out.append((WHOLE, status))
    return out


# --------------------------------------------------------------------------- overrides.csv
def _written(path: Path) -> Path:
    return path.with_name(f".{path.name}.written.json")


def write_csv(path: Path, rows: list[tuple[Any, dict[str, Any]]], store: Any, exercise: str) -> None:
    """One row per check in force or needing a person, for every student (``rows``: submission,
    report); beside it, what each row said, so that only rows a person changes are read back."""
    said: dict[str, list[Any]] = {}
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for sub, report in rows:
            sha = str(report.get("submission_sha256") or "")
            in_force = current(store, exercise, sub.label, sha)
            needs = dict(needs_review(report))
            points = {c["id"]: c for c in report.get("checks", [])}
            for check in dict.fromkeys([*needs, *in_force]):
                o = in_force.get(check)
                c = points.get(check, {})
                grader_points = (c.get("override") or {}).get("grader_points", c.get("points")) if c else \
                    (report.get("override") or {}).get("grader_score", report.get("score"))
                writer.writerow([csv_cell(str(x)) for x in [
                    sub.label, check, needs.get(check, ""), "" if grader_points is None else grader_points,
                    c.get("max_points", report.get("max_score", "")),
                    "" if o is None or o.points is None else o.points, o.comment if o else "",
                    o.who if o else "", o.why if o else "", o.at if o else ""]])
                said[f"{sub.label}\t{check}"] = [None if o is None else o.points, o.comment if o else ""]
    _written(path).write_text(json.dumps(said, ensure_ascii=False), encoding="utf-8")


def read_csv(path: Path, store: Any, exercise: str, shas: dict[str, str], who: str) -> int:
    """The rows of an edited ``overrides.csv`` whose points or comment differ from what the file
    said when it was written (and from what is in force) become new overrides; how many."""
    if not path.is_file():
        return 0
    try:
        said = json.loads(_written(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        said = {}
    added = 0
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            student, check = (row.get("student") or "").lstrip("'"), (row.get("check") or "").strip()
            if student not in shas or not check:
                continue
            raw = (row.get("points") or "").strip().replace(",", ".")
            try:
                points = float(raw) if raw else None
            except ValueError:
                continue
            comment = (row.get("comment") or "").strip()
            if said.get(f"{student}\t{check}") == [points, comment]:
                continue  # as written: not a person's change
            o = current(store, exercise, student, shas[student]).get(check)
            if points is None and not comment and o is None:
                continue
            if o is not None and o.points == points and o.comment == comment:
                continue
            add(store, Override(exercise, student, shas[student], check, points, comment,
                                who=(row.get("who") or "").strip() or who, why="overrides.csv"))
            added += 1
    return added


def adjust(report: dict[str, Any], sub: Any, rubric: Any, store: Any, lang: str) -> dict[str, Any]:
    """What people and the rubric's policies change after the store, in this order: the
    overrides in force for this submission, then the late policy (on the overridden score)."""
    from grader.classroom import roster

    exercise = str(report.get("exercise") or "")
    sha = str(report.get("submission_sha256") or "")
    label = str(sub.extra.get("group_of") or sub.label)
    out = apply(report, current(store, exercise, label, sha), lang)
    return roster.apply_late(out, sub, rubric, lang)
