"""Class outputs: the CSV gradebook (one row per student, one column per check)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any


def write_gradebook(rows: list[tuple[Any, dict[str, Any]]], path: Path) -> Path:
    """``rows``: (batch.Submission, report). Check columns keep the rubric's order; a student
    whose grading crashed has an empty row but for the status, so nobody goes missing."""
    check_ids: list[str] = []
    for _, report in rows:
        for c in report.get("checks", []):
            if c["id"] not in check_ids:
                check_ids.append(c["id"])
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "student_id", "score", "max_score", "status", *check_ids, "file"])
        for sub, report in rows:
            points = {c["id"]: c["points"] for c in report.get("checks", [])}
            writer.writerow([sub.student, sub.student_id, report.get("score"), report.get("max_score"),
                             report.get("execution", {}).get("status", ""),
                             *[points.get(i, "") for i in check_ids], str(sub.path)])
    return path
