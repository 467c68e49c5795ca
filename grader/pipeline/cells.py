"""The cells of one notebook, run in order in a kernel that is already up (``grader.pipeline.execute``):
each cell's status, error and hint, the grader's export after it, and what a limit hit, a
dead kernel or a dropped connection makes of the outcome.
"""

from __future__ import annotations

import re
import time
from typing import Any

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from grader.kernel import ENTRY_POINTS
from grader.messages import legacy
from grader.model.outcomes import CellOutcome, ExecutionOutcome
from grader.pipeline.output import BoundedClient
from grader.runtime import limits

EXPORT_TIMEOUT = 120
# what a limit hit becomes: outcome status, and the error recorded on the cell that was running
_LIMIT_STATUS = {"memory": "oom", "processes": "process_limit", "disk": "disk_limit", "output": "output_limit"}
_TIMEOUT_ENAME = "CellTimeoutError"


def kernel_call(name: str, *args: Any) -> nbformat.NotebookNode:
    """A grader-owned transient cell calling one of the kernel package's entry points."""
    if name not in ENTRY_POINTS:
        raise ValueError(f"{name!r} is not an entry point of grader.kernel (ENTRY_POINTS: {', '.join(ENTRY_POINTS)})")
    call = f"__import__('sys').modules['_dl_grader_kernel'].{name}({', '.join(map(repr, args))})"
    return nbformat.v4.new_code_cell(call)


def _error_of(cell: nbformat.NotebookNode) -> tuple[str | None, str | None, str | None]:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            tb = "\n".join(out.get("traceback", []))
            tb = re.sub(r"\x1b\[[0-9;]*m", "", tb)
            return out.get("ename"), out.get("evalue"), tb
    return None, None, None


def _size(mb: float) -> str:
    return f"{mb / 1024:g} GiB" if mb >= 1024 else f"{mb:g} MB"


def _mark_limit(outcome: ExecutionOutcome, verdict: str, lim: limits.Limits, nb: nbformat.NotebookNode) -> None:
    """A limit ended the run: say which, in which cell, and whether it was training."""
    # the cell that was running (or whose output was still arriving) when the limit was hit
    running = next((c for c in reversed(outcome.cells) if c.status not in ("not_run", "skipped")), None)
    outcome.status = _LIMIT_STATUS[verdict]  # type: ignore[assignment]
    limit = {"memory": _size(lim.memory_mb), "processes": str(lim.max_processes),
             "disk": _size(lim.disk_mb), "output": _size(lim.output_mb)}[verdict]
    source = nb.cells[running.index].source if running is not None and running.index < len(nb.cells) else ""
    outcome.limit = {"kind": verdict, "value": limit, "training": ".fit(" in source}
    outcome.detail = f"{verdict} limit ({limit}) reached"
    if running is not None:
        running.status, running.ename, running.evalue = "error", "LimitExceeded", outcome.detail
        outcome.failing_cell = running.index
        outcome.ename, outcome.evalue = "LimitExceeded", outcome.detail


def _mark_dead(outcome: ExecutionOutcome, index: int | None) -> None:
    outcome.status = "dead_kernel"
    outcome.detail = outcome.detail or "the kernel process died"
    if index is not None and outcome.failing_cell is None:
        outcome.failing_cell = index


def _check_connections(client: BoundedClient) -> None:
    """A kernel that sent a message over the output limit (ZMQ dropped it) hit that limit."""
    if client.connection_dropped() and client.watchdog is not None:
        client.watchdog.trip("output")


def _run_cells(client: BoundedClient, nb: nbformat.NotebookNode, outcome: ExecutionOutcome, scratch: int,
               limit_of: Any) -> None:
    code_indices = [i for i, c in enumerate(nb.cells[:scratch]) if c.cell_type == "code"]
    for pos, index in enumerate(code_indices):
        cell = nb.cells[index]
        head = cell.source.strip().splitlines()[0][:80] if cell.source.strip() else ""
        if not cell.source.strip():
            outcome.cells.append(CellOutcome(index=index, status="skipped"))
            continue
        t0 = time.monotonic()
        try:
            client.execute_cell(cell, index)
        except DeadKernelError:
            outcome.cells.append(
                CellOutcome(index=index, status="error", duration=round(time.monotonic() - t0, 3),
                            ename="DeadKernelError", evalue="the kernel died while running this cell",
                            source_head=head)
            )
            _mark_dead(outcome, index)
            outcome.cells += [CellOutcome(index=i, status="not_run") for i in code_indices[pos + 1:]]
            return
        except CellTimeoutError:
            # only raised if the interrupt itself could not be delivered
            cell.outputs.append(nbformat.v4.new_output("error", ename=_TIMEOUT_ENAME, evalue="", traceback=[]))
        _check_connections(client)
        duration = round(time.monotonic() - t0, 3)
        ename, evalue, tb = _error_of(cell)
        status: Any = "ok"
        # a cell that outlived its limit timed out, whether the kernel reported the interrupt
        # (KeyboardInterrupt) or swallowed it (a bare `except:` around the loop)
        # (any error raised once the limit had passed is the interrupt's doing: it can land inside
        # a library and surface as another error, "SystemError: bad argument to internal function")
        if (ename is not None and duration >= limit_of(cell)) or (ename is None and duration >= limit_of(cell) + 1):
            status, ename = "timeout", _TIMEOUT_ENAME
            evalue = f"the cell ran longer than {limit_of(cell):g} s"
        elif ename is not None:
            status = "error"
        known = legacy.hint(ename, evalue, cell.source) if status == "error" else None
        outcome.cells.append(
            CellOutcome(index=index, status=status, duration=duration, ename=ename,
                        evalue=(evalue or "")[:500] if ename else None, traceback=tb, source_head=head,
                        hint={"key": known[0], "params": known[1]} if known else None)
        )
        if status == "timeout" and outcome.timeout_s is None:
            outcome.timeout_s = limit_of(cell)
        if status != "ok":
            if outcome.failing_cell is None:
                outcome.failing_cell, outcome.ename, outcome.evalue = index, ename, evalue
            outcome.status = "timeout" if status == "timeout" and outcome.status == "ok" else (
                outcome.status if outcome.status != "ok" else "error")
        export = kernel_call("export", index)
        export.metadata["dl_grader_timeout"] = EXPORT_TIMEOUT if status != "timeout" else 15
        t1 = time.monotonic()
        try:
            client.execute_cell(export, scratch, store_history=False)
        except DeadKernelError:  # killed after the cell (a limit hit by what it printed) or by itself
            _mark_dead(outcome, index)
            outcome.cells += [CellOutcome(index=i, status="not_run") for i in code_indices[pos + 1:]]
            return
        _check_connections(client)
        e_name, _, _ = _error_of(export)
        stuck = time.monotonic() - t1 >= limit_of(export)
        if status == "timeout" and (e_name is not None or stuck):
            # the kernel ignored the interrupt (e.g. a bare `except:` around the loop):
            # nothing more can run in it
            outcome.cells += [CellOutcome(index=i, status="not_run") for i in code_indices[pos + 1:]]
            return
