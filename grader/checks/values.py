"""Check kind ``value``: a plain value exported from the student's namespace.

``expect`` may hold:
  equals:        a number, string, bool or a (nested) list — compared element by element
  tolerance:     absolute tolerance for numbers (default 0 for ints, 1e-6 for floats)
  rel_tolerance: relative tolerance for numbers
  one_of:        a list of accepted values (strings compared case-insensitively, trimmed)
  shape:         for arrays: the expected shape (null = any size on that axis)
  type:          int | number | str | bool | sequence | array
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, model_validator

from grader.checks import ArtifactCheck, Expect, register
from grader.checks.context import CheckContext
from grader.model.outcomes import CheckResult, CheckStatus


class ValueExpect(Expect):
    equals: Any = None
    tolerance: float | None = Field(None, ge=0)  # default: 0 for an int, 1e-6 otherwise
    rel_tolerance: float = Field(0.0, ge=0)
    one_of: list[Any] | None = None
    shape: list[int | None] | None = None
    type: Literal["array", "bool", "int", "number", "sequence", "str"] | None = None

    @model_validator(mode="after")
    def _something(self) -> ValueExpect:
        if not {"equals", "one_of", "shape", "type"} & self.model_fields_set:
            raise ValueError("give at least one of: equals, one_of, shape, type")
        return self

    def absolute_tolerance(self) -> float:
        if self.tolerance is not None:
            return self.tolerance
        return 0.0 if isinstance(self.equals, int) and not isinstance(self.equals, bool) else 1e-6


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _type_name(x: Any) -> str:
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int"
    if isinstance(x, float):
        return "float"
    if isinstance(x, str):
        return "str"
    if isinstance(x, list):
        return "sequence"
    return type(x).__name__


def _close(found: Any, expected: Any, tol: float, rel: float) -> bool:
    if _is_number(found) and _is_number(expected):
        if isinstance(found, float) and not math.isfinite(found):
            return False
        return abs(found - expected) <= max(tol, rel * abs(expected))
    if isinstance(found, str) and isinstance(expected, str):
        return found.strip() == expected.strip()
    return type(found) is type(expected) and found == expected


@register("value", needs="value", expect=ValueExpect)
def check_value(check: ArtifactCheck, ctx: CheckContext) -> CheckResult:
    name = check.artifact
    typed = ValueExpect.of(check)
    exp = check.expect  # which keys the spec gave, as it wrote them (an answer is compared as written)
    raw = ctx.value(name)
    is_array = ctx.value_type(name) == "ndarray"
    found = raw.tolist() if is_array else raw
    tol, rel = typed.absolute_tolerance(), typed.rel_tolerance

    def result(status: CheckStatus, message: str, expected: Any, shown: Any = None, **params: Any) -> CheckResult:
        if shown is None:  # a big array is shown (and stored in the report) by its shape
            shown = found if not is_array or raw.size <= 64 else f"array {tuple(raw.shape)}"
        return CheckResult(id=check.id, kind="value", status=status,
                           message=message, expected=expected, found=shown,
                           params={"name": name, "found": _short(shown), "expected": _short(expected), **params})

    want_type = typed.type
    if want_type:
        ok = {
            "int": isinstance(found, int) and not isinstance(found, bool) or (is_array and raw.ndim == 0 and raw.dtype.kind in "iu"),
            "number": _is_number(found),
            "str": isinstance(found, str),
            "bool": isinstance(found, bool),
            "sequence": isinstance(found, list),
            "array": is_array,
        }[want_type]
        if not ok:
            return result("fail", "value.wrong_type", exp.get("equals", want_type),
                          found_type=_type_name(found) if not is_array else "ndarray", expected_type=want_type)

    if "shape" in exp:
        shape = list(raw.shape) if is_array else _shape_of(found)
        want = exp["shape"]
        if shape is None or len(shape) != len(want) or any(w is not None and w != s for s, w in zip(shape, want)):
            return result("fail", "value.wrong_shape", want, shape)

    if "one_of" in exp:
        options = exp["one_of"]
        if not any(_close(_norm_text(found), _norm_text(o), tol, rel) for o in options):
            return result("fail", "value.not_in_set", options)

    if "equals" in exp:
        want = exp["equals"]
        if isinstance(want, list):
            if not isinstance(found, list):
                return result("fail", "value.wrong_type", want, found_type=_type_name(found), expected_type="sequence")
            flat_f, flat_w = _flatten(found), _flatten(want)
            if len(found) != len(want) or len(flat_f) != len(flat_w):
                return result("fail", "value.wrong_length", want, found_len=len(found), expected_len=len(want))
            diffs = [i for i, (f, w) in enumerate(zip(flat_f, flat_w)) if not _close(f, w, tol, rel)]
            if diffs:
                if len(flat_w) > 10:
                    numeric = [abs(flat_f[i] - flat_w[i]) for i in diffs if _is_number(flat_f[i]) and _is_number(flat_w[i])]
                    return result("fail", "value.elements_differ", want, n_diff=len(diffs), n=len(flat_w),
                                  max_diff=max(numeric) if numeric else "?", tolerance=tol)
                return result("fail", "value.wrong", want)
        elif not _close(found, want, tol, rel):
            if not (_is_number(want) and not _is_number(found)):
                return result("fail", "value.wrong", want)
            return result("fail", "value.wrong_type", want, found_type=_type_name(found), expected_type="number")
    expected = exp.get("equals", exp.get("one_of", exp.get("shape", want_type)))
    return result("pass", "value.ok", expected)


def _norm_text(v: Any) -> Any:
    return v.strip().lower() if isinstance(v, str) else v


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, list):
        return [y for item in x for y in _flatten(item)]
    return [x]


def _shape_of(x: Any) -> list[int] | None:
    if not isinstance(x, list):
        return []
    if not x:
        return [0]
    inner = [_shape_of(v) for v in x]
    if any(s != inner[0] for s in inner) or inner[0] is None:
        return None
    return [len(x), *inner[0]]


def _short(x: Any, limit: int = 12) -> Any:
    """Keep long lists readable in messages."""
    if isinstance(x, list) and len(x) > limit:
        return [*x[:limit], "…"]
    if isinstance(x, str) and len(x) > 200:
        return x[:200] + "…"
    return x
