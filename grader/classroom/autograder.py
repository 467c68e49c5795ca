"""Gradescope's ``results.json`` for a submission graded by an autograder that ``grader gradescope``
built (grader.authoring.gradescope): ``run_autograder`` grades the submission with ``grader grade``
and runs this module on the graded folder.

``results.json``: the score, ``execution_time``, every check as a test with its visibility (a
check the spec hides is ``after_published``), the report's message as ``output`` (Markdown), and
a ``leaderboard`` with the metrics measured on labels students never have.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def results(out: Path, started: float, log: Path | None = None) -> dict[str, Any]:
    """Gradescope's results.json for the one submission graded into ``out``."""
    from grader.classroom import gradebook
    from grader.pipeline import library

    elapsed = round(time.time() - started, 1)
    try:
        lines = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        line = lines[0]
        report = json.loads((out / Path(line["report"]).parent.name / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexError, KeyError):
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log is not None and log.is_file() else ""
        return {"score": 0.0, "execution_time": elapsed, "output_format": "text",
                "output": "The grader could not grade this submission (the course staff sees why in the autograder "
                          "log).\nEl grader no pudo calificar esta entrega (el equipo docente ve el motivo).",
                "stdout_visibility": "hidden", "extra_data": {"log_tail": tail}, "tests": []}
    out_json = gradebook.gradescope_results(report)
    out_json["execution_time"] = elapsed
    out_json["output_format"] = "md"
    for i, test in enumerate(out_json["tests"], 1):
        test["number"] = str(i)
    for d in report.get("deductions", []):
        out_json["output"] += f"\n\n−{d.get('points')}: {d.get('message')}"
    try:
        hidden = gradebook.hidden_checks(library.load(str(report.get("exercise")))[0]) if report.get("exercise") else set()
    except Exception:
        hidden = set()
    board = [{"name": c["id"], "value": c["measured"], "order": "desc"} for c in report.get("checks", [])
             if c["id"] in hidden and isinstance(c.get("measured"), (int, float))]
    if board:
        out_json["leaderboard"] = board
    return out_json



if __name__ == "__main__":  # run_autograder: results.json from the graded folder
    work, target, started = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    log = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results(work, started, log), indent=2, ensure_ascii=False), encoding="utf-8")
