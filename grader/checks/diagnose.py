"""Why an artifact is missing, from the notebook's own code (``ExecutionOutcome.code``, read by
grader.pipeline.codemap) and what each cell did when it ran.

The first failed cell is rarely the reason: in real notebooks most variables reported missing
after an error were never assigned at all, under any accepted name. So the reason is found where
the name is assigned: nowhere; in a cell that failed, timed out or never ran; in a cell that ran
but deleted it later, assigned it only inside a function, or inside a branch that did not reach
the line. Every reason names the cells as the student sees them (``cell_label``).
"""

from __future__ import annotations

import re
from typing import Any

from grader.model.outcomes import ExecutionOutcome

Reason = tuple[str, dict[str, Any]]

_UNDEFINED = re.compile(r"name '([^\W\d]\w*)' is not defined")
_OUTER = ("top", "branch", "code")  # scopes whose names exist after the cell, with global:F


def _outer(scope: str) -> bool:
    return scope in _OUTER or scope.startswith("global:")


def root_failure(outcome: ExecutionOutcome, index: int | None) -> dict[str, Any] | None:
    """The earlier failed cell behind cell ``index``'s ``NameError``: the name it lacked is
    assigned (outside functions) in an earlier cell, and the last such cell failed too; followed
    back while that one failed with a NameError of the same kind. ``{"root_cell", "root_ename",
    "root_evalue"}``, or None when the error is the cell's own (a typo, a name never assigned)."""
    ran = {c.index: c for c in outcome.cells}
    root = None
    for _ in range(20):
        cell = ran.get(index) if index is not None else None
        found = _UNDEFINED.search(cell.evalue or "") if cell is not None and cell.ename == "NameError" else None
        if cell is None or found is None:
            break
        earlier = [rec for rec in outcome.code if rec["index"] < cell.index
                   and _outer((rec.get("assigns") or {}).get(found.group(1), ""))]
        before = ran.get(earlier[-1]["index"]) if earlier else None
        if before is None or before.status != "error":
            break
        root = {"root_cell": outcome.cell_label(before.index), "root_ename": before.ename or "error",
                "root_evalue": (before.evalue or "")[:120]}
        index = before.index
    return root


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
    # only an assignment outside functions and classes would have left the name behind
    outer = [(rec, name, scope) for rec, name, scope in sites if _outer(scope)]
    for rec, name, _ in reversed(outer):  # the last assignment is the one that should have held
        cell = ran.get(rec["index"])
        label = outcome.cell_label(rec["index"])
        status = cell.status if cell is not None else "not_run"
        if status == "error" and cell is not None and cell.ename == "DeadKernelError":
            return "artifact.absent_dead_kernel", {"cell": label, "detail": outcome.detail or ""}
        if status == "error" and cell is not None and cell.ename == "LimitExceeded" and outcome.limit:
            kind = str(outcome.limit.get("kind", ""))  # the grader stopped the run here (grader.pipeline.cells)
            return "artifact.absent_limit", {"assigned": name, "cell": label, "limit_what_key": f"limit.what.{kind}",
                                             "value": str(outcome.limit.get("value", ""))}
        if status == "error" and cell is not None:
            params = {"assigned": name, "cell": label, "ename": cell.ename, "evalue": (cell.evalue or "")[:120]}
            root = root_failure(outcome, rec["index"])
            if root is not None:  # it failed only because an earlier cell had: that one is to fix
                return "artifact.assigned_in_failed_cell_root", {**params, **root}
            return "artifact.assigned_in_failed_cell", params
        if status == "timeout":
            return "artifact.absent_timeout", {"cell": label, "limit": outcome.timeout_s}
        if status == "not_run":
            return "artifact.assigned_not_run", {"assigned": name, "cell": label,
                                                  "stopped": outcome.cell_label(outcome.failing_cell)}
    # every cell that assigns it ran without error
    held = outer
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
    owner = scope.split(":", 1)[1]
    params = {"assigned": name, "cell": outcome.cell_label(rec["index"]), "owner": owner}
    if name not in ((rec.get("returns") or {}).get(owner) or []):
        return "artifact.local_only", params
    # it is returned: the student's fix is to keep the result under the exercise's name
    stored = [(later, target) for later in outcome.code if later["index"] >= rec["index"]
              for target, func in (later.get("results") or {}).items() if func == owner]
    if stored:
        later, target = stored[-1]
        return "artifact.returned_as", {**params, "bound": target, "bound_cell": outcome.cell_label(later["index"])}
    return "artifact.returned_not_kept", params
