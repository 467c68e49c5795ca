"""Check kind ``value``, through a real CheckContext built from an exported manifest.

The manifest entries have the shape ``grader.kernel.save._export_value`` writes: plain
values as JSON (tuples become lists, ``type`` keeps the original type name) and arrays as
``.npy`` files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

# Import every check module so that the kind registry is complete whichever test module is
# collected first: grader.checks.kinds() only loads the kinds when REGISTRY is empty, so importing
# one kind module alone leaves it partial (test_spec.py::test_registry_is_complete_...).
import grader.checks.execution  # noqa: F401
import grader.checks.metrics  # noqa: F401
import grader.checks.model  # noqa: F401
import grader.checks.values  # noqa: F401
from grader.checks import run_check
from grader.checks.context import CheckContext
from grader.checks.values import check_value
from grader.messages import render
from grader.model.outcomes import CellOutcome, CheckResult, ExecutionOutcome
from grader.model.spec import CheckSpec, ExerciseSpec

SPEC = ExerciseSpec(schema_version=1, id="t", title={"es": "t"}, statement="s.ipynb",
                    reference="r.ipynb", artifacts=[{"name": "x"}], checks=[])


def _entry(value: Any, type_name: str | None = None) -> dict[str, Any]:
    return {"status": "ok", "kind": "value", "found_as": "x", "cell": 0, "value": value,
            "type": type_name or type(value).__name__}


def _ctx(entry: dict[str, Any] | None, artifacts_dir: Path | None = None,
         outcome: ExecutionOutcome | None = None) -> CheckContext:
    outcome = outcome or ExecutionOutcome(status="ok")
    if entry is not None:
        outcome.artifacts = {"x": entry}
    return CheckContext(SPEC, outcome, artifacts_dir)


def _check(entry: dict[str, Any], artifacts_dir: Path | None = None, **expect: Any) -> CheckResult:
    check = CheckSpec(id="c", kind="value", artifact="x", expect=expect)
    return check_value(check, _ctx(entry, artifacts_dir))


# ----------------------------------------------------------------------------- ints
def test_int_equal_passes() -> None:
    r = _check(_entry(147), equals=147, type="int")
    assert (r.status, r.message) == ("pass", "value.ok")
    assert r.id == "c" and r.kind == "value"
    assert r.found == 147 and r.expected == 147
    assert render(r.message, r.params) == "`x` = 147: correcto."
    assert render(r.message, r.params, "en") == "`x` = 147: correct."


def test_int_wrong_value() -> None:
    r = _check(_entry(148), equals=147, type="int")
    assert (r.status, r.message) == ("fail", "value.wrong")
    assert r.params == {"name": "x", "found": 148, "expected": 147}
    assert render(r.message, r.params) == "`x` vale 148; se esperaba 147."
    assert render(r.message, r.params, "en") == "`x` is 148; expected 147."


def test_int_equals_has_zero_default_tolerance() -> None:
    assert _check(_entry(147.0), equals=147).status == "pass"
    r = _check(_entry(147.0000001), equals=147)
    assert (r.status, r.message) == ("fail", "value.wrong")


# ----------------------------------------------------------------------------- sequences
def test_tuple_exported_as_list_matches_list() -> None:
    r = _check(_entry([61, 61, 3], "tuple"), equals=[61, 61, 3])
    assert (r.status, r.message) == ("pass", "value.ok")
    assert render(r.message, r.params) == "`x` = (61, 61, 3): correcto."


def test_sequence_with_wrong_element() -> None:
    r = _check(_entry([61, 61, 6], "tuple"), equals=[61, 61, 3])
    assert (r.status, r.message) == ("fail", "value.wrong")
    assert render(r.message, r.params) == "`x` vale (61, 61, 6); se esperaba (61, 61, 3)."


def test_sequence_wrong_length() -> None:
    r = _check(_entry([61, 61], "tuple"), equals=[61, 61, 3])
    assert (r.status, r.message) == ("fail", "value.wrong_length")
    assert r.params["found_len"] == 2 and r.params["expected_len"] == 3
    assert render(r.message, r.params) == (
        "`x` tiene 2 elementos ((61, 61)); se esperaban 3 ((61, 61, 3))."
    )


def test_scalar_where_sequence_expected() -> None:
    r = _check(_entry(61), equals=[61, 61, 3])
    assert (r.status, r.message) == ("fail", "value.wrong_type")
    assert r.params["found_type"] == "int" and r.params["expected_type"] == "sequence"


def test_long_sequence_reports_element_differences() -> None:
    want = list(range(12))
    found = [*range(10), 100, 111]
    r = _check(_entry(found, "list"), equals=want)
    assert (r.status, r.message) == ("fail", "value.elements_differ")
    assert r.params["n_diff"] == 2 and r.params["n"] == 12 and r.params["max_diff"] == 100


# ----------------------------------------------------------------------------- floats
def test_float_within_explicit_tolerance() -> None:
    assert _check(_entry(320.0005), equals=320, tolerance=0.001).status == "pass"
    r = _check(_entry(320.01), equals=320, tolerance=0.001)
    assert (r.status, r.message) == ("fail", "value.wrong")


def test_float_default_tolerance() -> None:
    assert _check(_entry(0.1 + 0.2), equals=0.3).status == "pass"
    assert _check(_entry(0.3001), equals=0.3).status == "fail"


def test_relative_tolerance() -> None:
    assert _check(_entry(1005.0), equals=1000.0, rel_tolerance=0.01).status == "pass"
    assert _check(_entry(1011.0), equals=1000.0, rel_tolerance=0.01).status == "fail"


def test_non_finite_float_never_matches() -> None:
    r = _check(_entry(float("inf")), equals=320, tolerance=1e9)
    assert r.status == "fail"


# ----------------------------------------------------------------------------- one_of
def test_one_of_strings_case_insensitive_and_trimmed() -> None:
    r = _check(_entry("  ReLU "), one_of=["relu", "sigmoid"])
    assert (r.status, r.message) == ("pass", "value.ok")
    assert _check(_entry("SIGMOID"), one_of=["relu", "Sigmoid"]).status == "pass"


def test_one_of_rejects_other_string() -> None:
    r = _check(_entry("tanh"), one_of=["relu", "sigmoid"])
    assert (r.status, r.message) == ("fail", "value.not_in_set")
    assert render(r.message, r.params) == "`x` vale tanh; se esperaba uno de: (relu, sigmoid)."


def test_one_of_numbers() -> None:
    assert _check(_entry(2), one_of=[1, 2, 3]).status == "pass"
    assert _check(_entry(4), one_of=[1, 2, 3]).status == "fail"


# ----------------------------------------------------------------------------- arrays
def _npy(tmp_path: Path, array: np.ndarray) -> dict[str, Any]:
    np.save(tmp_path / "x.npy", array, allow_pickle=False)
    return {"status": "ok", "kind": "value", "found_as": "x", "cell": 0, "file": "x.npy",
            "type": "ndarray", "shape": list(array.shape)}


def test_array_shape_matches(tmp_path: Path) -> None:
    entry = _npy(tmp_path, np.zeros((5, 28, 28), dtype="float32"))
    r = _check(entry, tmp_path, shape=[None, 28, 28], type="array")
    assert (r.status, r.message) == ("pass", "value.ok")
    assert r.expected == [None, 28, 28]


def test_array_wrong_shape(tmp_path: Path) -> None:
    entry = _npy(tmp_path, np.zeros((5, 28, 28), dtype="float32"))
    r = _check(entry, tmp_path, shape=[None, 784])
    assert (r.status, r.message) == ("fail", "value.wrong_shape")
    assert r.found == [5, 28, 28]
    assert render(r.message, r.params) == "`x` tiene forma (5, 28, 28); se esperaba (None, 784)."


def test_array_wrong_size_on_fixed_axis(tmp_path: Path) -> None:
    entry = _npy(tmp_path, np.zeros((3, 4)))
    assert _check(entry, tmp_path, shape=[3, 5]).message == "value.wrong_shape"
    assert _check(entry, tmp_path, shape=[3, 4]).status == "pass"


def test_array_values_compared_to_list(tmp_path: Path) -> None:
    entry = _npy(tmp_path, np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert _check(entry, tmp_path, equals=[[1, 2], [3, 4]]).status == "pass"
    assert _check(entry, tmp_path, equals=[[1, 2], [3, 5]]).status == "fail"


def test_zero_dim_int_array_counts_as_int(tmp_path: Path) -> None:
    entry = _npy(tmp_path, np.array(147, dtype="int64"))
    assert _check(entry, tmp_path, equals=147, type="int").status == "pass"


def test_nested_list_shape() -> None:
    assert _check(_entry([[1, 2, 3], [4, 5, 6]], "list"), shape=[2, 3]).status == "pass"
    r = _check(_entry([[1, 2, 3], [4, 5]], "list"), shape=[2, 3])
    assert r.message == "value.wrong_shape"


# ----------------------------------------------------------------------------- types
def test_string_where_int_expected() -> None:
    r = _check(_entry("147"), equals=147, type="int")
    assert (r.status, r.message) == ("fail", "value.wrong_type")
    assert r.params["found_type"] == "str" and r.params["expected_type"] == "int"
    assert render(r.message, r.params) == "`x` es de tipo str (147); se esperaba int."


def test_string_where_number_expected_without_type() -> None:
    r = _check(_entry("147"), equals=147)
    assert (r.status, r.message) == ("fail", "value.wrong_type")
    assert r.params["found_type"] == "str" and r.params["expected_type"] == "number"


def test_bool_is_not_an_int() -> None:
    r = _check(_entry(True), type="int")
    assert (r.status, r.message) == ("fail", "value.wrong_type")
    assert r.params["found_type"] == "bool"
    r = _check(_entry(True), equals=1)
    assert r.status == "fail"
    assert r.params["found_type"] == "bool"


def test_bool_is_not_a_number() -> None:
    assert _check(_entry(False), type="number").status == "fail"
    assert _check(_entry(False), type="bool").status == "pass"


def test_float_is_not_an_int() -> None:
    r = _check(_entry(147.0), equals=147, type="int")
    assert (r.status, r.message) == ("fail", "value.wrong_type")
    assert r.params["found_type"] == "float"


# ----------------------------------------------------------------------------- via run_check
def test_run_check_absent_value_is_missing() -> None:
    check = CheckSpec(id="c", kind="value", artifact="x", expect={"equals": 1})
    r = run_check(check, _ctx({"status": "absent", "kind": "value"}))
    assert (r.status, r.message) == ("missing", "artifact.absent")
    assert render(r.message, r.params, "en") == (
        "Variable `x` was not found. Define it with exactly that name in your notebook."
    )


def test_run_check_absent_after_failed_cell() -> None:
    outcome = ExecutionOutcome(status="error", cells=[
        CellOutcome(index=0, status="ok"),
        CellOutcome(index=3, status="error", ename="NameError", evalue="name 'y' is not defined"),
    ])
    check = CheckSpec(id="c", kind="value", artifact="x", expect={"equals": 1})
    r = run_check(check, _ctx(None, outcome=outcome))
    assert (r.status, r.message) == ("missing", "artifact.absent_after_error")
    # without a code map (an outcome stored before it) the first failed cell is named, by position
    assert r.params == {"name": "x", "cell": "3", "ename": "NameError",
                        "evalue": "name 'y' is not defined"}


def test_run_check_reports_alias_and_public_flag() -> None:
    check = CheckSpec(id="c", kind="value", artifact="x", expect={"equals": 1}, public=False)
    entry = {**_entry(1), "found_as": "x_alias"}
    r = run_check(check, _ctx(entry))
    assert r.status == "pass"
    assert r.public is False
    assert r.details == [{"message": "artifact.found_as",
                          "params": {"name": "x", "found_as": "x_alias"}}]


@pytest.mark.parametrize("status", ["unsupported", "export_error"])
def test_run_check_unsupported_value(status: str) -> None:
    check = CheckSpec(id="c", kind="value", artifact="x", expect={"equals": 1})
    entry = {"status": status, "kind": "value", "type": "builtins.set", "error": "nope"}
    r = run_check(check, _ctx(entry))
    assert (r.status, r.message) == ("missing", "artifact.unsupported")
    assert r.params["expected_kind_key"] == "value.expected"
    assert r.params["type"] == "builtins.set"
    assert render(r.message, r.params, "en") == (
        "`x` has type `builtins.set`, but the grader only accepts a plain value (a number, a string, "
        "a tuple, a list or a NumPy array). Convert it before storing it in `x`.")
