"""The plan of one submission's run: the spec (with its profile) and the GradeOptions resolved,
once, into the execute stage's ``RunOptions`` — limits, budget, sandbox, language, compat.
The outcome records what was in force (``RunOptions.in_force``), so nothing resolves it again."""

from __future__ import annotations

from typing import Any

from grader.model.options import GradeOptions
from grader.model.spec import ExerciseSpec
from grader.pipeline import execute
from grader.runtime import limits


def fit_budget(spec: ExerciseSpec) -> dict[str, Any]:
    b = spec.budget
    return {k: v for k, v in (("max_epochs", b.max_epochs), ("fit_time_budget", b.fit_time_budget),
                              ("data_fraction", b.data_fraction)) if v is not None}


def kernel_artifacts(spec: ExerciseSpec) -> list[dict[str, Any]]:
    """The declared artifacts as the kernel reads them; a discovered model also carries the
    input and output its ``output_shapes`` check asks for (its role: grader.kernel.save) and
    whether a check grades it as trained."""
    out = []
    for artifact in spec.artifacts:
        entry = artifact.model_dump()
        if artifact.kind == "model" and artifact.discover:
            shapes = next((c.expect for c in spec.checks if c.kind == "output_shapes"
                           and c.artifact == artifact.name), None)
            if shapes:
                entry["shapes"] = {k: shapes[k] for k in ("input", "output") if shapes.get(k) is not None}
            # graded as a trained network: an untrained model under its name gives way to a trained one
            entry["trained"] = any(c.kind in ("metric", "training") and c.artifact == artifact.name for c in spec.checks)
        out.append(entry)
    return out


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
        artifacts=kernel_artifacts(spec),
        kernel_data=kernel_data or {},
        budget=fit_budget(spec),
        lang=opts.lang,
        compat=opts.compat or spec.compat,
        profile=spec.profile,
    )
