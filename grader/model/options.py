"""The options a submission is graded with, as the command line, a batch or a test gives them.

``grader.pipeline.grade.run_options`` resolves them once, with the spec's profile and the
workspace, into the execute stage's ``RunOptions``; the outcome records what was in force."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
