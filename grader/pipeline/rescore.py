"""Score and report again from what a grading produced, without running the notebook.

Execution and checking produce *evidence*: the execution outcome (cells, artifacts' manifest,
fits, events, resources), the check results as message keys with their parameters, and the
training histories the figures draw. None of it depends on the rubric or the language, so
the store keeps it apart from the report (``grader.classroom.store``) and a new language or a
changed point value is a rescore: score (``grader.pipeline.score``), report and figures again,
in well under a second per submission.

What a rescore cannot change: anything the checks measured against the spec's expectations.
A changed *spec* (a threshold, a check) is a new exercise: its submissions are graded again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.model.outcomes import CheckResult, ExecutionOutcome
from grader.model.spec import ExerciseSpec, Rubric
from grader.pipeline import report, score
from grader.views import figures

EVIDENCE_VERSION = 1


def evidence(outcome: ExecutionOutcome, results: list[CheckResult], histories: dict[str, Any],
             timings: dict[str, float], notebook: Path, digest: str | None) -> dict[str, Any]:
    """What a grading produced that the rubric and the language do not decide (plain JSON)."""
    return {"version": EVIDENCE_VERSION, "outcome": outcome.to_json(),
            "results": [r.__dict__ | {"params": dict(r.params)} for r in results],
            "histories": histories, "timings": timings, "notebook": str(notebook), "sha256": digest}


def usable(data: Any) -> bool:
    return isinstance(data, dict) and data.get("version") == EVIDENCE_VERSION and "outcome" in data


def rebuild(spec: ExerciseSpec, rubric: Rubric, data: dict[str, Any], lang: str,
            out_dir: Path | None = None) -> dict[str, Any]:
    """The report a grading with ``rubric`` in ``lang`` would have written, from its evidence;
    with ``out_dir``, its files too (report.json, report.md, figures)."""
    outcome = ExecutionOutcome.from_json(data["outcome"])
    results = [CheckResult.from_json(r) for r in data["results"]]
    for r in results:  # graded before a low metric carried its cause (stop 28)
        if r.message == "metric.low" and "cause_key" not in r.params:
            r.params = {**r.params, "cause_key": "metric.cause.general"}
    spec = spec.with_profile(outcome.profile)
    scored = score.score(results, rubric)
    rep = report.build(spec, rubric, Path(data["notebook"]), outcome, scored, lang, dict(data.get("timings") or {}),
                       digest=data.get("sha256"))
    if data.get("node"):  # where it was graded (grader.cluster): the run's fact, kept by a rescore
        rep["execution"]["node"] = data["node"]
    if out_dir is not None:
        plots = {c["id"]: c["plot"] for c in rep["checks"] if c.get("plot") and c["public"]}
        rep["figures"] = figures.render_all(rep, plots, data.get("histories") or {}, out_dir)
        report.write(rep, out_dir)
    return rep
