"""The whole pipeline for one submission: spec → provision → execute → check → score → report.

``grade_one`` never raises for anything the notebook does; the report it returns always
exists and always has a score.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.data.datasets import DatasetMissing, Located, user_data_dir
from grader.messages import LANGS, render
from grader.model.options import GradeOptions
from grader.model.spec import ExerciseSpec, Rubric
from grader.pipeline import check, execute, provision, report, rescore, score
from grader.pipeline.plan import run_options
from grader.pipeline.warm import WarmKernel
from grader.runtime import sandbox, tamper
from grader.views import figures


def prepare(spec: ExerciseSpec, opts: GradeOptions) -> ExerciseSpec:
    """Fail fast, before any notebook runs: the profile exists, every dataset is here (or, with
    ``opts.fetch``, downloaded and verified now) and unchanged, and so is the grader's
    installation (``grader.runtime.tamper``)."""
    spec = spec.with_profile(opts.profile)
    located = provision.locate_all(spec, opts.data_dir, _first_use(opts) if opts.fetch else None)
    tamper.verify(located)  # changed datasets or grader files stop everything here
    try:
        sandbox.choose(opts.sandbox if opts.isolate_network else "none")
    except sandbox.SandboxUnavailable as exc:
        from grader.model.errors import UsageError

        raise UsageError(str(exc)) from None
    return spec


def _first_use(opts: GradeOptions) -> Callable[[str, DatasetMissing], Located]:
    def fetch(name: str, missing: DatasetMissing) -> Located:
        from grader.data.fetch import on_first_use

        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

        log(render("data.first_use", {"name": name, "folder": str(user_data_dir())}, opts.lang))
        return on_first_use(name, missing, log)
    return fetch


def grade_one(spec: ExerciseSpec, rubric: Rubric, notebook: Path, opts: GradeOptions,
              warm: WarmKernel | None = None) -> dict[str, Any]:
    """Grade one notebook (in ``warm``, a kernel a batch started ahead for it, when given).
    Raises only for the instructor's setup (``DatasetMissing``, a bad profile name) — check
    those once before a batch with ``prepare``."""
    t0 = time.monotonic()
    spec = spec.with_profile(opts.profile)
    check.warm_up()  # the checker imports Keras while the notebook runs
    ws = warm.workspace if warm is not None else provision.provision(spec, opts.data_dir)
    try:
        ran = warm.execute(notebook) if warm is not None else None
        if ran is None and warm is not None:  # it did not come up, or this is not a notebook
            ws.cleanup()
            ws = provision.provision(spec, opts.data_dir)
        outcome, executed = ran or execute.execute(notebook, ws.workdir, ws.artifacts,
                                                   run_options(spec, opts, ws.kernel_data))
        t1 = time.monotonic()
        confinement: dict[str, Any] = {}
        results = check.check(spec, outcome, ws.artifacts, opts.data_dir, confinement=confinement)
        if confinement:
            outcome.isolation["checker"] = confinement
        t2 = time.monotonic()
        scored = score.score(results, rubric)
        timings = {"execute": round(t1 - t0, 3), "check": round(t2 - t1, 3), "total": round(t2 - t0, 3)}
        rep = report.build(spec, rubric, notebook, outcome, scored, opts.lang, timings)
        rep["execution"]["node"] = {"host": socket.gethostname()}  # where it ran (a cluster adds its worker)
        histories = figures.histories(outcome.artifacts, ws.artifacts)
        if opts.out_dir is not None:
            plots = {c["id"]: c["plot"] for c in rep["checks"] if c.get("plot") and c["public"]}
            # a class's grading also draws the other language's figures: a rescore in it draws nothing
            also = tuple(other for other in LANGS if other != opts.lang) if opts.evidence else ()
            rep["figures"] = figures.render_all(rep, plots, histories, opts.out_dir, also=also)
            report.write(rep, opts.out_dir)
            if executed is not None:
                import nbformat

                nbformat.write(executed, opts.out_dir / "executed.ipynb")
        if opts.evidence:
            rep[report.EVIDENCE] = rescore.evidence(outcome, results, histories, timings, notebook,
                                                    rep.get("submission_sha256"))
            rep[report.EVIDENCE]["node"] = rep["execution"]["node"]
        return rep
    finally:
        if not opts.keep_workdir:
            ws.cleanup()
