"""Value objects passed between the pipeline stages.

Every stage returns one of these instead of raising: an execution that timed out is an
``ExecutionOutcome`` with ``status="timeout"``, a check whose model is missing is a
``CheckResult`` with ``status="missing"``. They are plain dataclasses that serialise to JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ExecStatus = Literal[
    "ok",  # every cell ran without error
    "error",  # at least one cell raised; the others ran
    "timeout",  # a cell or the whole notebook ran out of time
    "dead_kernel",  # the kernel process died (os._exit, segfault, killed)
    "oom",  # the kernel was killed for using too much memory
    "process_limit",  # it started too many processes or threads (a fork bomb)
    "disk_limit",  # it wrote more to disk than allowed
    "output_limit",  # it printed more than allowed
    "invalid_notebook",  # the file could not be read as a notebook
    "kernel_failed",  # the kernel could not be started
]

CheckStatus = Literal["pass", "fail", "missing", "error"]


@dataclass
class CellOutcome:
    index: int  # position in the student's notebook (0-based, all cells counted)
    status: Literal["ok", "error", "timeout", "skipped", "not_run"]
    duration: float = 0.0
    ename: str | None = None
    evalue: str | None = None
    traceback: str | None = None  # instructor-only
    source_head: str = ""
    # a known cause of this error, e.g. a Keras 1/2 API removed in Keras 3 (grader.messages.legacy):
    # {"key": message key, "params": {...}}
    hint: dict[str, Any] | None = None


@dataclass
class ExecutionOutcome:
    status: ExecStatus
    cells: list[CellOutcome] = field(default_factory=list)
    duration: float = 0.0
    failing_cell: int | None = None  # index of the first cell that did not finish cleanly
    ename: str | None = None
    evalue: str | None = None
    output_tail: str = ""  # bounded; instructor-only
    device: dict[str, Any] = field(default_factory=dict)
    isolation: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    versions: dict[str, str] = field(default_factory=dict)
    artifacts_dir: str | None = None
    # what the kernel exported: name -> {"status": "ok"|"absent"|"unsupported", "file",
    # "type", "found_as", "cell"} (see grader.kernel.manifest.Entry)
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    detail: str | None = None  # a human reason for non-ok statuses (instructor-facing)
    timeout_s: float | None = None  # the limit that was hit, when status is "timeout"
    # what the grader adapted so the notebook could run offline and within budget: epoch
    # caps, skipped !pip / drive.mount, dataset paths answered locally (grader.kernel events)
    adaptations: list[dict[str, Any]] = field(default_factory=list)
    # one record per Model.fit call, logged by the grader's wrapper in the kernel: epochs asked
    # and run, batch size, validation, callbacks (and whether they stopped training), seconds,
    # and a fingerprint of x (rows + which values are zero) that the `training` check reads
    fits: list[dict[str, Any]] = field(default_factory=list)
    budget: dict[str, Any] = field(default_factory=dict)  # the compute budget in force
    profile: str = "full"
    # why the file could not be read (intake): {"key": "notebook.*", "params": {...}}
    problem: dict[str, Any] | None = None
    # resource limits in force and the peaks measured: {"limits": {...}, "peaks": {...}}
    resources: dict[str, Any] = field(default_factory=dict)
    # the limit that ended the run: {"kind": "memory"|..., "value": "8 GiB", "training": bool}
    limit: dict[str, Any] | None = None
    # the kernel: {"started_ahead": a batch's warm kernel, "startup_s": start + prelude + imports}
    kernel: dict[str, Any] = field(default_factory=dict)
    # why the kernel's manifest.json was not used (forged: malformed, too large or deep, too
    # many events or fits); every declared artifact is then "tampered" with this reason
    artifacts_problem: str | None = None

    # the notebook's own code, read (never run) before it ran: per code cell, its number, execution
    # count and first line, and where it assigns and deletes names (grader.pipeline.codemap)
    code: list[dict[str, Any]] = field(default_factory=list)

    def code_cell(self, index: int | None) -> dict[str, Any] | None:
        return next((c for c in self.code if c.get("index") == index), None)

    def cell_label(self, index: int | None) -> str:
        """Cell ``index`` as its student finds it: code-cell number, the execution count their
        file shows, and its first line — ``4 ([7] `import seaborn as sns`)``. Outcomes stored
        before the code map name the position, as they did."""
        record = self.code_cell(index)
        if record is None:
            return "?" if index is None else str(index)
        count = f"[{record['count']}] " if record.get("count") else ""
        first = f"`{record['head']}`" if record.get("head") else ""
        inside = f"{count}{first}".strip()
        return f"{record['number']} ({inside})" if inside else str(record["number"])

    @property
    def failed_cells(self) -> list[CellOutcome]:
        return [c for c in self.cells if c.status in ("error", "timeout")]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExecutionOutcome:
        data = dict(data)
        data["cells"] = [CellOutcome(**c) for c in data.get("cells", [])]
        return cls(**data)


def fit_stopped_early(fit: dict[str, Any], callback_type: str | None = None) -> bool:
    """Whether a callback (of ``callback_type``, when given) ended this logged ``Model.fit``
    before its allowed epochs: the grader's epoch cap or time budget does not count."""
    cbs = [cb for cb in fit.get("callbacks") or [] if isinstance(cb, dict)
           and (callback_type is None or cb.get("type") == callback_type)]
    run, allowed = fit.get("epochs_run"), fit.get("epochs_allowed")
    return (any((cb.get("stopped_epoch") or 0) > 0 for cb in cbs) and not fit.get("time_budget_stopped")
            and isinstance(run, int) and isinstance(allowed, int) and run < allowed)


@dataclass
class CheckResult:
    id: str
    kind: str
    status: CheckStatus
    message: str  # message catalog key
    params: dict[str, Any] = field(default_factory=dict)  # fills the message template
    expected: Any = None
    found: Any = None
    measured: float | None = None  # metric value, used by rubric bands
    fraction: float | None = None  # share of sub-items right, used by proportional credit
    details: list[dict[str, Any]] = field(default_factory=list)  # more messages (key + params)
    public: bool = True
    # what the report plots for this check (grader/views/figures.py): a confusion matrix, a ROC curve
    plot: dict[str, Any] | None = None
    # predictions scored on hidden labels: 1/0 per row (right/wrong), in the dataset's order, for a
    # competition's public/private split (grader.pipeline.score.competition); never shown to students
    rows: list[int] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(**data)


@dataclass
class ScoredCheck:
    result: CheckResult
    points: float
    max_points: float
    # the rubric's `requires` that did not pass: this check's points are withheld
    withheld_by: list[str] = field(default_factory=list)
