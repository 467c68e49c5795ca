"""What a graded class leaves in its output folder, written from the reports: the summary
lines, the gradebook, JUnit, Gradescope's results, the student pages and the dashboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def class_outputs(done: list[tuple[Any, dict[str, Any], float]], out: Path, exercise: Any, lang: str) -> None:
    """Gradebook, JUnit, Gradescope results and HTML pages (grader.classroom.gradebook)."""
    from grader.classroom import feedback, gradebook, similarity
    from grader.views.safetext import json_safe

    rows = [(job.submission, report, seconds) for job, report, seconds in done]
    gradebook.write_gradebook([(s, r) for s, r, _ in rows], out / "gradebook.csv")
    gradebook.write_junit(rows, exercise.id, out / "junit.xml")
    hrefs = {}
    for job, report, _ in done:
        if report.get("checks") and job.out_dir.is_dir():
            (job.out_dir / "results.json").write_text(
                json_safe(json.dumps(gradebook.gradescope_results(report), indent=2, ensure_ascii=False)),
                encoding="utf-8")
            gradebook.write_student_html(report, job.out_dir)
            # the student's copy: report.md keeps the instructor's section, feedback.md does not
            (job.out_dir / "feedback.md").write_text(feedback.student_markdown(report), encoding="utf-8")
            hrefs[job.submission.label] = f"{job.out_dir.name}/report.html"
    similar = similarity_pairs(done, exercise)
    similarity.write(similar, out, lang)
    gradebook.write_dashboard(rows, out, exercise.title.get(lang) or exercise.id, lang, hrefs,
                              gradebook.hidden_checks(exercise), similar)


def similarity_pairs(done: list[tuple[Any, dict[str, Any], float]], exercise: Any) -> list[dict[str, Any]]:
    """The class's unusually alike pairs (grader.classroom.similarity); never a reason to fail the class."""
    from grader.classroom import similarity

    subs = [(job.submission.label, job.submission.path) for job, _, _ in done
            if job.submission.kind == "notebook" and not job.submission.extra.get("group_of")
            and job.submission.path.is_file()]
    try:
        statement = exercise.resolve(exercise.statement) if getattr(exercise, "statement", None) else None
        return similarity.pairs(subs, statement)
    except Exception:  # a notebook the tokeniser cannot read costs the report, not the class
        return []


def result_line(job: Any, report: dict[str, Any], seconds: float, from_store: bool,
                settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """One line of ``summary.json``; ``key``/``run_key`` and ``settings`` (seed, device,
    profile) let ``grader rescore`` find the stored evidence again."""
    return {"student": job.submission.student, "student_id": job.submission.student_id,
            "notebook": str(job.submission.path), "report": str(job.out_dir / "report.json"),
            "score": report.get("score"), "max_score": report.get("max_score"),
            "execution": report.get("execution", {}).get("status"), "seconds": seconds, "cached": from_store,
            # who the student is for the LMS (grader.classroom.lms): the download's layout and, from
            # Gradescope's metadata, the e-mail
            "layout": job.submission.layout, "email": str(job.submission.extra.get("email") or ""),
            # what was handed in (grader.classroom.roster), when, and whether the LMS called it late
            "kind": job.submission.kind, "submitted_at": str(job.submission.extra.get("submitted_at") or ""),
            "late": bool(job.submission.extra.get("late")),
            "late_points": next((d["points"] for d in report.get("deductions", []) if d.get("kind") == "late"), 0.0),
            "group_of": str(job.submission.extra.get("group_of") or ""),
            **({"files": list(job.submission.extra.get("files") or [])} if job.submission.kind != "notebook" else {}),
            "node": str((report.get("execution") or {}).get("node", {}).get("host") or ""),
            "key": job.key, "run_key": getattr(job, "run", "") or None, **(settings or {})}


def restore(report: dict[str, Any], out_dir: Path) -> None:
    """Write a stored report's files again when its folder is gone (a new --out)."""
    if report and not (out_dir / "report.json").is_file():
        from grader.pipeline.report import write

        write(report, out_dir)


def write_crashed(report: dict[str, Any], out_dir: Path, lang: str) -> None:
    """The folder of a submission whose grading process failed (its worker died, the grader broke):
    report.json and a report.md that say why, so the instructor finds the reason where the
    report would be."""
    from grader.messages import render
    from grader.views.safetext import json_safe

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json_safe(json.dumps(report, indent=2, ensure_ascii=False, default=str)),
                                         encoding="utf-8")
    message = (report.get("execution") or {}).get("message") or ""
    (out_dir / "report.md").write_text(render("report.crashed", {"notebook": report.get("notebook", ""),
                                                                 "message": message}, lang) + "\n", encoding="utf-8")
