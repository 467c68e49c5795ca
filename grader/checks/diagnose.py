"""Why an artifact is missing, from the notebook's own code (``ExecutionOutcome.code``, read by
grader.pipeline.codemap) and what each cell did when it ran.

The first failed cell is rarely the reason: in real notebooks most variables reported missing
after an error were never assigned at all, under any accepted name. So the reason is found where
the name is assigned: nowhere; in a cell that failed, timed out or never ran; in a cell that ran
but deleted it later, assigned it only inside a function, or inside a branch that did not reach
the line. Every reason names the cells as the student sees them (``cell_label``).
"""

from __future__ import annotations

from typing import Any

from grader.model.outcomes import ExecutionOutcome

Reason = tuple[str, dict[str, Any]]


def _sites(outcome: ExecutionOutcome, names: list[str]) -> list[tuple[dict[str, Any], str, str]]:
    """(cell record, name as written, scope) of every assignment of one of ``names``, in order."""
    return [(rec, name, rec["assigns"][name]) for rec in outcome.code for name in names
            if name in (rec.get("assigns") or {})]


def _subject(name: str, assigned: str) -> dict[str, str]:
    """How the message names the assignment: plainly, or under the alias the notebook used."""
    if assigned == name:
        return {"es": "se asigna", "en": "it is assigned"}
    return {"es": f"se asigna como `{assigned}`", "en": f"it is assigned as `{assigned}`"}


def absent(outcome: ExecutionOutcome, names: list[str]) -> Reason | None:
    """(message key, params) saying why none of ``names`` (an artifact's name, then its aliases)
    reached the grader; None when the code map cannot tell. Params naming the assignment carry
    ``subject``, the words for it in both languages."""
    reason = _absent(outcome, names)
    if reason is not None and "assigned" in reason[1]:
        reason[1]["subject"] = _subject(names[0], reason[1]["assigned"])
    return reason


def _absent(outcome: ExecutionOutcome, names: list[str]) -> Reason | None:
    """None also for an assignment that ran and should have worked: the code cannot tell."""
    if not outcome.code:
        return None
    every = _sites(outcome, names)
    # an alias bound to code (an import, a def) is not the answer: the kernel skips it too
    sites = [(rec, n, scope) for rec, n, scope in every if scope != "code" or n == names[0]]
    if not sites and every:
        rec, alias, _ = every[-1]
        return "artifact.alias_is_code", {"alias": alias, "cell": outcome.cell_label(rec["index"])}
    if not sites:
        others = [f"`{n}`" for n in names[1:]]
        return ("artifact.never_assigned_aliases", {"aliases": ", ".join(others)}) if others else (
            "artifact.never_assigned", {})
    ran = {c.index: c for c in outcome.cells}
    for rec, name, _ in reversed(sites):  # the last assignment is the one that should have held
        cell = ran.get(rec["index"])
        label = outcome.cell_label(rec["index"])
        status = cell.status if cell is not None else "not_run"
        if status == "error" and cell is not None and cell.ename == "DeadKernelError":
            return "artifact.absent_dead_kernel", {"cell": label, "detail": outcome.detail or ""}
        if status == "error" and cell is not None:
            return "artifact.assigned_in_failed_cell", {"assigned": name, "cell": label, "ename": cell.ename,
                                                        "evalue": (cell.evalue or "")[:120]}
        if status == "timeout":
            return "artifact.absent_timeout", {"cell": label, "limit": outcome.timeout_s}
        if status == "not_run":
            return "artifact.assigned_not_run", {"assigned": name, "cell": label,
                                                  "stopped": outcome.cell_label(outcome.failing_cell)}
    # every cell that assigns it ran without error
    held = [(rec, name, scope) for rec, name, scope in sites if scope in ("top", "branch", "code")
            or scope.startswith("global:")]
    if held:
        last, name, scope = held[-1]
        deleted = next((rec for rec in outcome.code if rec["index"] >= last["index"]
                        and name in (rec.get("deletes") or {})), None)
        if deleted is not None:
            return "artifact.deleted", {"assigned": name, "cell": outcome.cell_label(last["index"]),
                                        "deleted_in": outcome.cell_label(deleted["index"])}
        if scope.startswith("global:") and all(s != "top" for _, n, s in sites if n == name):
            owner = scope.split(":", 1)[1]
            called = [rec for rec in outcome.code if owner in (rec.get("calls") or [])
                      and ran.get(rec["index"]) is not None]
            key = "artifact.function_did_not_assign" if called else "artifact.function_not_called"
            return key, {"assigned": name, "cell": outcome.cell_label(last["index"]), "owner": owner}
        if all(s == "branch" for _, n, s in sites if n == name):
            return "artifact.branch_not_taken", {"assigned": name, "cell": outcome.cell_label(last["index"])}
        return None
    rec, name, scope = sites[-1]  # only inside functions or classes
    return "artifact.local_only", {"assigned": name, "cell": outcome.cell_label(rec["index"]),
                                   "owner": scope.split(":", 1)[1]}
