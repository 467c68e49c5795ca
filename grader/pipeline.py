"""The whole pipeline for one submission: spec → provision → execute → check → score → report.

``grade_one`` never raises for anything the notebook does; the report it returns always
exists and always has a score.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import checker, execute, provision, report, score
from grader.spec import ExerciseSpec, Rubric


@dataclass
class GradeOptions:
    lang: str = "es"
    device: str = "cpu"
    seed: int = 0
    data_dir: Path | None = None
    out_dir: Path | None = None
    keep_workdir: bool = False
    isolate_network: bool = True
    cell_timeout: float | None = None  # overrides the spec's budget when set


def run_options(spec: ExerciseSpec, opts: GradeOptions) -> execute.RunOptions:
    return execute.RunOptions(
        seed=opts.seed,
        device=opts.device,
        cell_timeout=opts.cell_timeout or spec.budget.cell_timeout,
        notebook_timeout=spec.budget.notebook_timeout,
        startup_timeout=spec.budget.startup_timeout,
        isolate_network=opts.isolate_network,
        artifacts=[a.model_dump() for a in spec.artifacts],
    )


def grade_one(spec: ExerciseSpec, rubric: Rubric, notebook: Path, opts: GradeOptions) -> dict[str, Any]:
    t0 = time.monotonic()
    ws = provision.provision(spec)
    try:
        outcome, executed = execute.execute(notebook, ws.workdir, ws.artifacts, run_options(spec, opts))
        t1 = time.monotonic()
        results = checker.check(spec, outcome, ws.artifacts, opts.data_dir)
        t2 = time.monotonic()
        scored = score.score(results, rubric)
        timings = {"execute": round(t1 - t0, 3), "check": round(t2 - t1, 3), "total": round(t2 - t0, 3)}
        rep = report.build(spec, rubric, notebook, outcome, scored, opts.lang, timings)
        if opts.out_dir is not None:
            report.write(rep, opts.out_dir)
            if executed is not None:
                import nbformat

                nbformat.write(executed, opts.out_dir / "executed.ipynb")
        return rep
    finally:
        if not opts.keep_workdir:
            ws.cleanup()
