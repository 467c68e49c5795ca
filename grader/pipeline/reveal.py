"""What a student may see of a check: the rubric's ``reveal`` (never | on_fail_hint | always).

An expected value is often the answer itself (``iteraciones = 47``, the 266 610 parameters of
a counting exercise). The instructor's report always keeps it; every student-facing rendering
(``grader check`` and its ``--json``, ``--junit`` and ``--summary``, the in-notebook ``check()``,
and ``report.html`` / Gradescope's ``results.json`` from ``grader grade``) goes through
:func:`student_check`, which for a hidden check replaces the message and details with variants
that never state what was expected (a model check's pass message does not repeat the count or
shape it found), drops ``expected`` (and, but for values and text the student wrote, ``found``),
and keeps the rubric's feedback only under ``on_fail_hint``.

* ``always``: the student sees the expected value and, when the check does not pass, the
  rubric's feedback (what every check did before ``reveal`` existed);
* ``on_fail_hint``: no expected value; when the check fails, the rubric's feedback as a hint
  (so the feedback itself must not state the answer);
* ``never``: no expected value and no feedback: pass or fail, and what the student's notebook
  holds.

The default is ``never`` for ``value`` and ``text_answer`` checks (their expected value or
keywords are the answer) and ``always`` for the other kinds (thresholds, structures the
statement describes). A rubric says otherwise per check.
"""

from __future__ import annotations

import string
from typing import Any

from grader.messages import CATALOG, render

LEVELS = ("never", "on_fail_hint", "always")
HIDDEN_BY_DEFAULT = frozenset({"value", "text_answer"})
# message parameters that state (or narrow down) what was expected
SECRET_PARAMS = frozenset({"expected", "expected_len", "summary_expected", "expected_setting", "missing",
                           "max_diff", "n_diff"})


def default_reveal(kind: str | None) -> str:
    return "never" if kind in HIDDEN_BY_DEFAULT else "always"


def level(reveal: str | None, kind: str | None) -> str:
    """The rubric's ``reveal`` for a check, or its kind's default."""
    return reveal or default_reveal(kind)


def _fields(key: str) -> set[str]:
    names: set[str] = set()
    for template in CATALOG.get(key, {}).values():
        names |= {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return names


def student_key(key: str, status: str) -> str:
    """The message key to show a student for a hidden check: its ``.hidden`` variant, else a
    generic pass / fail when the message would state the expected value, else the key itself."""
    if f"{key}.hidden" in CATALOG:
        return f"{key}.hidden"
    if _fields(key) & SECRET_PARAMS:
        return "reveal.pass" if status == "pass" else "reveal.fail"
    return key


def render_hidden(key: str, params: dict[str, Any] | None, status: str, lang: str) -> str:
    """A message rendered without anything that states the expected value."""
    shown = {k: v for k, v in (params or {}).items() if k not in SECRET_PARAMS}
    return render(student_key(key, status), shown, lang)


def student_part(result: Any, reveal: str, feedback: str | None, extra_details: list[str], lang: str) -> dict[str, Any]:
    """What the student sees of a hidden check (``reveal`` not ``always``): stored in the
    instructor's report under ``student`` and swapped in by :func:`student_check`."""
    return {
        "message": render_hidden(result.message, result.params, result.status, lang),
        "details": [render_hidden(d["message"], d.get("params"), result.status, lang) for d in result.details]
        + extra_details,
        "hint": feedback if reveal == "on_fail_hint" and result.status == "fail" else None,
    }


def _without_hidden_rows(check: dict[str, Any]) -> dict[str, Any]:
    """No per-row right/wrong on hidden labels (it would give the labels away) and, of a
    competition, only the public part."""
    if "rows" not in check and "competition" not in check:
        return check
    out = {k: v for k, v in check.items() if k != "rows"}
    if isinstance(out.get("competition"), dict):
        out["competition"] = {k: v for k, v in out["competition"].items() if k in ("public", "n_public")}
    return out


def student_check(check: dict[str, Any], lang: str = "es") -> dict[str, Any]:
    """A report's check as a student may see it. Idempotent: a check already shown to a
    student (no ``student`` part, ``expected`` dropped) comes back unchanged."""
    reveal = check.get("reveal")
    check = _without_hidden_rows(check)
    if level(reveal, check.get("kind")) == "always":
        return {k: v for k, v in check.items() if k != "student"}
    out = {k: v for k, v in check.items() if k != "student"}
    out["expected"] = None
    if check.get("kind") not in HIDDEN_BY_DEFAULT:  # what the grader found in a model that passes is the answer
        out["found"] = None
    shown = check.get("student")
    if shown is not None:
        out.update(message=shown["message"], details=list(shown["details"]), hint=shown["hint"])
    elif reveal is None:  # a report from before `reveal`: its messages may state the expected value
        out.update(message=render("reveal.pass" if check.get("status") == "pass" else "reveal.fail", lang=lang),
                   details=[], hint=None, reveal=default_reveal(check.get("kind")))
    return out
