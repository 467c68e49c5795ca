"""The whole pipeline for one submission: spec → provision → execute → check → score → report.

``grade_one`` never raises for anything the notebook does; the report it returns always
exists and always has a score.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.data.datasets import DatasetMissing, Located, user_data_dir
from grader.messages import LANGS, render
from grader.model.spec import ExerciseSpec, Rubric
from grader.pipeline import check, execute, provision, report, rescore, score
from grader.pipeline.warm import WarmKernel
from grader.runtime import limits, sandbox, tamper
from grader.views import figures


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
    profile: str | None = None  # "full" (default), "ci", "quick" … as the spec defines
    sandbox: str = "auto"  # grader.runtime.sandbox level: auto | bwrap | namespace | none
    memory_mb: int | None = None  # replaces the spec's memory limit when set
    gpu_memory_mb: int | None = None  # GPU memory per submission (several share one GPU)
    gpu_index: int | None = None  # which GPU this submission's kernel sees (batch.worker_gpu)
    compat: str | None = None  # adapt | hint: replaces the spec's compat when set
    evidence: bool = False  # hand back what a rescore needs (report["evidence"]; the store keeps it)
    fetch: bool = False  # prepare() downloads a dataset found nowhere locally (the CLI's default)


def fit_budget(spec: ExerciseSpec) -> dict[str, Any]:
    b = spec.budget
    return {k: v for k, v in (("max_epochs", b.max_epochs), ("fit_time_budget", b.fit_time_budget),
                              ("data_fraction", b.data_fraction)) if v is not None}


def kernel_limits(spec: ExerciseSpec, opts: GradeOptions) -> limits.Limits:
    b = spec.budget
    return limits.Limits(memory_mb=opts.memory_mb or b.memory_mb, max_processes=b.max_processes,
                         disk_mb=b.disk_mb, output_mb=b.output_mb,
                         gpu_memory_mb=opts.gpu_memory_mb or b.gpu_memory_mb)


def run_options(spec: ExerciseSpec, opts: GradeOptions, kernel_data: dict[str, Any] | None = None
                ) -> execute.RunOptions:
    return execute.RunOptions(
        seed=opts.seed,
        device=opts.device,
        cell_timeout=opts.cell_timeout or spec.budget.cell_timeout,
        notebook_timeout=spec.budget.notebook_timeout,
        startup_timeout=spec.budget.startup_timeout,
        isolate_network=opts.isolate_network,
        sandbox=opts.sandbox,
        limits=kernel_limits(spec, opts),
        extra_env={"CUDA_VISIBLE_DEVICES": str(opts.gpu_index)} if opts.gpu_index is not None and opts.device != "cpu"
        else {},
        artifacts=[a.model_dump() for a in spec.artifacts],
        kernel_data=kernel_data or {},
        budget=fit_budget(spec),
        lang=opts.lang,
        compat=opts.compat or spec.compat,
    )


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
        outcome.budget = {"cell_timeout": opts.cell_timeout or spec.budget.cell_timeout,
                          "notebook_timeout": spec.budget.notebook_timeout, **fit_budget(spec)}
        outcome.profile = spec.profile
        t1 = time.monotonic()
        confinement: dict[str, Any] = {}
        results = check.check(spec, outcome, ws.artifacts, opts.data_dir, confinement=confinement)
        if confinement:
            outcome.isolation["checker"] = confinement
        t2 = time.monotonic()
        scored = score.score(results, rubric)
        timings = {"execute": round(t1 - t0, 3), "check": round(t2 - t1, 3), "total": round(t2 - t0, 3)}
        rep = report.build(spec, rubric, notebook, outcome, scored, opts.lang, timings)
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
        return rep
    finally:
        if not opts.keep_workdir:
            ws.cleanup()
