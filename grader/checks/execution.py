"""Check kind ``ran_cleanly``: which cells failed, and why."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from grader.checks import Expect, register
from grader.checks.context import CheckContext
from grader.model.outcomes import CheckResult
from grader.model.spec import CheckSpec


class RanCleanlyExpect(Expect):
    max_failed_cells: int = Field(0, ge=0)


@register("ran_cleanly", needs=None, expect=RanCleanlyExpect)
def check_ran_cleanly(check: CheckSpec, ctx: CheckContext) -> CheckResult:
    out = ctx.outcome
    allowed = RanCleanlyExpect.of(check).max_failed_cells
    failed = out.failed_cells
    not_run = [c for c in out.cells if c.status == "not_run"]
    broken = out.status in ("invalid_notebook", "kernel_failed", "dead_kernel", "oom", "process_limit",
                            "disk_limit", "output_limit") or (
        out.status == "timeout" and not failed
    )
    found: list[dict[str, Any]] = [{"cell": c.index, "status": c.status, "ename": c.ename} for c in failed]
    if broken and not failed:
        found.append({"cell": out.failing_cell, "status": out.status, "ename": out.detail})
    ok = len(found) <= allowed and not not_run and not broken
    if out.status in ("invalid_notebook", "kernel_failed"):  # nothing ran: the execution summary says why
        return CheckResult(id=check.id, kind=check.kind, status="fail", message="ran.not_run",
                           params={}, expected={"max_failed_cells": allowed}, found=found)
    cells = "; ".join(
        f"{out.cell_label(f['cell'])}: {f['ename'] or f['status']}" if f["cell"] is not None else str(f["ename"])
        for f in found
    )
    return CheckResult(
        id=check.id, kind=check.kind, status="pass" if ok else "fail",
        message="ran.ok" if ok else "ran.failed",
        params={"n": max(len(found), 1) if not ok else 0, "cells": cells or out.status},
        expected={"max_failed_cells": allowed}, found=found,
    )
