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
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any


def over_daily_limit(metadata: Path | None, rubric: Any, now: datetime | None = None) -> dict[str, Any] | None:
    """The previous results to keep when the rubric's competition allows ``daily_limit`` scored
    submissions a day and Gradescope's ``submission_metadata.json`` shows that many today
    (``previous_submissions``, each with its ``submission_time`` and ``results``)."""
    limit = getattr(getattr(rubric, "competition", None), "daily_limit", None)
    if not limit or metadata is None or not metadata.is_file():
        return None
    try:
        previous = json.loads(metadata.read_text(encoding="utf-8")).get("previous_submissions") or []
    except (OSError, ValueError):
        return None
    sign = -1 if rubric.competition.utc_offset.startswith("-") else 1
    hours, minutes = (int(x) for x in rubric.competition.utc_offset[1:].split(":"))
    zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    today = (now or datetime.now(timezone.utc)).astimezone(zone).date()
    scored = []
    for p in previous:
        try:
            when = datetime.fromisoformat(str(p.get("submission_time")).replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is not None and when.astimezone(zone).date() == today and not (
                (p.get("results") or {}).get("extra_data") or {}).get("over_daily_limit"):
            scored.append(p)
    if len(scored) < limit:
        return None
    last = dict(scored[-1].get("results") or {"score": scored[-1].get("score", 0.0), "tests": []})
    last["output"] = (f"Daily limit reached ({limit} scored submissions a day): this one is not scored; your "
                      f"previous result stays.\nLímite diario alcanzado ({limit} entregas calificadas por día): esta "
                      f"no se califica; queda tu resultado anterior.\n\n" + str(last.get("output") or ""))
    last["extra_data"] = {**(last.get("extra_data") or {}), "over_daily_limit": True}
    return last


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
    # students see a competition's public part only (its private part ranks at the end)
    board = [{"name": c["id"], "value": (c.get("competition") or {}).get("public", c["measured"]), "order": "desc"}
             for c in report.get("checks", []) if c["id"] in hidden and isinstance(c.get("measured"), (int, float))]
    if board:
        out_json["leaderboard"] = board
    return out_json



def main(argv: list[str]) -> int:
    """``limit RUBRIC METADATA RESULTS``: write the kept results and exit 0 when today's limit is
    reached (run_autograder then grades nothing), else exit 1; ``WORK RESULTS STARTED [LOG]``:
    results.json from the graded folder."""
    if argv[0] == "limit":
        from grader.pipeline.spec import load_rubric

        kept = over_daily_limit(Path(argv[2]), load_rubric(Path(argv[1])))
        if kept is None:
            return 1
        Path(argv[3]).parent.mkdir(parents=True, exist_ok=True)
        Path(argv[3]).write_text(json.dumps(kept, indent=2, ensure_ascii=False), encoding="utf-8")
        return 0
    work, target, started = Path(argv[0]), Path(argv[1]), float(argv[2])
    log = Path(argv[3]) if len(argv) > 3 else None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results(work, started, log), indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":  # run_autograder
    sys.exit(main(sys.argv[1:]))
