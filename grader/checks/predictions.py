"""Check kind ``predictions``: the student's own predictions, scored on labels only the grader has.

Some exercises (Titanic) hand the student a test file without labels and ask for one
prediction per row. The kernel exports those predictions as a plain value; the checker reads
the hidden labels from the dataset registry and computes the metric itself. Nothing in the
artifact is ever read as a label: a ``Survived`` column is the student's prediction.

``expect``: dataset (one whose splits hold row ids and labels: titanic), split (test | train,
default test), metric (accuracy | precision | recall | f1, default accuracy), min (the pass
threshold; rubric bands may give partial credit below it).

Forms accepted, as students produce them (``n`` = rows of the split's file, in file order):

* a 1-D array or list of ``n`` predictions, or shape ``(n, 1)``;
* a Kaggle submission exported as an ``(n, 2)`` array whose first (or second) column holds
  the split's ``PassengerId``; rows are put in file order when the ids are a permutation;
* 0/1 integers, booleans, ``"0"``/``"1"``/``"True"``/``"False"`` strings (a DataFrame with
  mixed column types is exported as text), or probabilities in [0, 1] (threshold 0.5);
* two columns of class probabilities per row (a two-unit softmax output): the larger wins.

Anything else fails with a message that says what shape and order are expected, what was
found, and how to produce it.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import field_validator, model_validator

from grader.checks import ArtifactCheck, Expect, register
from grader.checks.context import CheckContext
from grader.checks.metrics import compute
from grader.model.outcomes import CheckResult

METRICS = ("accuracy", "precision", "recall", "f1")
# datasets whose splits are (row ids, labels), and the file each split comes from
SOURCES: dict[str, dict[str, str]] = {
    "titanic": {"test": "test.csv", "train": "train.csv"},
}
_TRUE = {"true", "verdadero", "yes", "si", "sí"}
_FALSE = {"false", "falso", "no"}


class Unusable(Exception):
    """The artifact cannot be read as predictions: a message key and its parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class PredictionsExpect(Expect):
    dataset: str
    min: float
    split: Literal["test", "train"] = "test"
    metric: Literal["accuracy", "precision", "recall", "f1"] = "accuracy"

    @field_validator("dataset")
    @classmethod
    def _dataset(cls, v: str) -> str:
        if v not in SOURCES:
            raise ValueError(f"dataset '{v}' has no per-row ids and hidden labels; "
                             f"predictions can be scored on: {', '.join(sorted(SOURCES))}")
        return v

    @field_validator("min", mode="before")
    @classmethod
    def _min(cls, v: Any) -> Any:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
            raise ValueError("min (the pass threshold) must be a number between 0 and 1")
        return v

    @model_validator(mode="after")
    def _split(self) -> PredictionsExpect:
        if self.split not in SOURCES[self.dataset]:
            raise ValueError(f"split '{self.split}' is not one of: {', '.join(SOURCES[self.dataset])}")
        return self


# ----------------------------------------------------------------------------- reading
MAX_MISSING = 0.02  # NaN predictions up to this share of the rows are counted as misses
MISSING = -1
def _numbers(arr: np.ndarray) -> np.ndarray:
    """The array as float64: booleans → 0/1, text → numbers, or ``Unusable``."""
    if arr.dtype.kind == "b":
        return arr.astype("float64")
    if arr.dtype.kind in "iuf":
        return arr.astype("float64")
    if arr.dtype.kind in "USO":
        flat = [str(v).strip() for v in arr.reshape(-1)]
        out = np.empty(len(flat), dtype="float64")
        bad: list[str] = []
        for i, text in enumerate(flat):
            low = text.lower()
            if low in _TRUE:
                out[i] = 1.0
            elif low in _FALSE:
                out[i] = 0.0
            else:
                try:
                    out[i] = float(text)
                except ValueError:
                    out[i] = np.nan
                    if text not in bad:
                        bad.append(text)
        if bad:
            parsed = out[np.isfinite(out)]
            raise Unusable("predictions.bad_values", examples=_examples([repr(b) for b in bad]),
                           min=round(float(parsed.min()), 4) if parsed.size else "—",
                           max=round(float(parsed.max()), 4) if parsed.size else "—")
        return out.reshape(arr.shape)
    raise Unusable("predictions.not_array", found_type=f"array of {arr.dtype}", found="…")


def _as_array(raw: Any, type_name: str) -> np.ndarray:
    if raw is None:
        raise Unusable("predictions.none")
    if type_name != "ndarray" and not isinstance(raw, list):
        shown = raw if not isinstance(raw, (dict, str)) or len(str(raw)) < 80 else str(raw)[:80] + "…"
        raise Unusable("predictions.not_array", found_type=type_name, found=shown)
    try:
        arr = np.asarray(raw)
    except ValueError:  # a ragged list
        raise Unusable("predictions.wrong_shape", found="?") from None
    return _numbers(arr)


def _id_like(col: np.ndarray) -> bool:
    """Whole numbers, not all 0/1: a column of row ids rather than predictions."""
    return bool(np.all(np.isfinite(col)) and np.all(col == np.round(col)) and col.max(initial=0) > 1)


def _examples(values: list[Any], k: int = 3) -> str:
    """A few values for a message, as text ("1044, 1045, …")."""
    if not values:
        return "—"
    shown = [str(v) for v in values[:k]]
    return ", ".join(shown) + (", …" if len(values) > k else "")


def _by_id(ids_col: np.ndarray, preds: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, bool]:
    """Predictions in the order of ``ids`` (the file's), and whether they had to be reordered."""
    found = ids_col.astype("int64")
    if len(found) == len(ids) and np.array_equal(found, ids):
        return preds, False
    wanted = set(ids.tolist())
    counts: dict[int, int] = {}
    for v in found.tolist():
        counts[v] = counts.get(v, 0) + 1
    missing = [i for i in ids.tolist() if i not in counts]
    extra = [v for v, c in counts.items() if v not in wanted] + [v for v, c in counts.items() if c > 1 and v in wanted]
    if missing or extra:
        raise Unusable("predictions.ids_mismatch", missing=len(missing), missing_examples=_examples(sorted(missing)),
                       extra=len(extra), extra_examples=_examples(sorted(extra)))
    row = {v: i for i, v in enumerate(found.tolist())}
    return preds[[row[i] for i in ids.tolist()]], True


def read_predictions(raw: Any, type_name: str, ids: np.ndarray, other_n: int | None = None
                     ) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The student's predictions as a 0/1 vector in file order, plus notes for the report.

    ``ids`` are the split's row ids in file order; ``other_n`` the other split's size (a
    student who predicted the training file gets a message saying so).
    """
    n = len(ids)
    notes: list[dict[str, Any]] = []
    arr = _as_array(raw, type_name)
    shape = list(arr.shape)

    def wrong_length(found_len: int) -> Unusable:
        if other_n is not None and found_len == other_n and found_len != n:
            return Unusable("predictions.other_split", found_len=found_len)
        return Unusable("predictions.wrong_length", found_len=found_len)

    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 1:
        if len(arr) != n:
            raise wrong_length(len(arr))
        preds = arr
    elif arr.ndim == 2 and arr.shape[1] == 2:
        first, second = arr[:, 0], arr[:, 1]
        if _id_like(first) and not _id_like(second):
            preds, moved = _by_id(first, second, ids)
        elif _id_like(second) and not _id_like(first):
            preds, moved = _by_id(second, first, ids)
            notes.append({"message": "predictions.id_column", "params": {"column": 2}})
        elif (len(arr) == n and np.all(np.isfinite(arr)) and arr.min() >= 0 and arr.max() <= 1
              and np.allclose(arr.sum(axis=1), 1, atol=1e-3)):
            notes.append({"message": "predictions.argmax", "params": {}})
            return arr.argmax(axis=1).astype("int64"), notes
        elif len(arr) != n:
            raise wrong_length(len(arr))
        else:
            raise Unusable("predictions.wrong_shape", found=shape)
        if moved:
            notes.append({"message": "predictions.reordered", "params": {}})
    else:
        raise Unusable("predictions.wrong_shape", found=shape)

    finite = np.isfinite(preds)
    nan = np.isnan(preds)
    few = max(1, int(MAX_MISSING * len(preds)))
    if 0 < nan.sum() <= few and finite[~nan].all() and preds[~nan].min() >= 0 and preds[~nan].max() <= 1:
        # a passenger or two whose features were NaN: counted as misses, and said so
        notes.append({"message": "predictions.nan_counted_wrong", "params": {"n_nan": int(nan.sum())}})
        if not np.isin(preds[~nan], (0.0, 1.0)).all():
            notes.append({"message": "predictions.thresholded", "params": {}})
        out = (np.nan_to_num(preds, nan=0.0) >= 0.5).astype("int64")
        out[nan] = MISSING
        return out, notes
    if not finite.all() or preds.min() < 0 or preds.max() > 1:
        odd = preds[~finite | (preds < 0) | (preds > 1)]
        shown = [int(v) if float(v).is_integer() else round(float(v), 4) for v in odd]
        ok = preds[finite]
        raise Unusable("predictions.bad_values", examples=_examples(shown),
                       min=round(float(ok.min()), 4) if ok.size else "—",
                       max=round(float(ok.max()), 4) if ok.size else "—")
    if not np.isin(preds, (0.0, 1.0)).all():
        notes.append({"message": "predictions.thresholded", "params": {}})
    out = (preds >= 0.5).astype("int64")
    return out, notes


# ----------------------------------------------------------------------------- the check
def _positive_name(dataset: str) -> str:
    from grader.data.datasets import REGISTRY

    names = REGISTRY[dataset].class_names
    return names[1] if len(names) == 2 else "1"


@register("predictions", needs="value", expect=PredictionsExpect)
def check_predictions(check: ArtifactCheck, ctx: CheckContext) -> CheckResult:
    from grader.data.datasets import load

    name = check.artifact
    exp = PredictionsExpect.of(check)
    dataset, split, metric, want = exp.dataset, exp.split, exp.metric, exp.min
    splits = load(dataset, ctx.data_dir)
    ids, labels = splits[split]  # the labels come from the grader's copy, never the artifact
    other = next((s for s in SOURCES[dataset] if s != split), None)
    files = SOURCES[dataset]
    shown = ctx.found_as(name) or name
    params: dict[str, Any] = {
        "name": shown, "metric_key": f"metric.name.{metric}", "n": len(ids), "expected_len": len(ids),
        "file": files[split], "other_file": files.get(other, "") if other else "",
        "expected": want,
    }
    expected = {"shape": [len(ids)], "values": [0, 1], "order": files[split]}
    try:
        preds, notes = read_predictions(ctx.value(name), ctx.value_type(name), ids,
                                        len(splits[other][0]) if other else None)
    except Unusable as bad:
        found = {k: v for k, v in bad.params.items() if k in ("found", "found_len", "examples", "found_type")}
        return CheckResult(id=check.id, kind=check.kind, status="fail", message=bad.key,
                           params={**params, **bad.params}, expected=expected,
                           found=found or None, measured=None)

    missing = preds == MISSING
    if missing.any():  # a miss whatever the label (read_predictions: a few NaN rows)
        preds = np.where(missing, 1 - np.asarray(labels, dtype="int64"), preds)
    value = compute(metric, labels, preds.astype("float64"))
    ok = value >= want
    message = "predictions.ok" if ok else "predictions.low"
    if not ok and metric == "accuracy":
        swapped = compute(metric, labels, 1.0 - preds)
        if swapped >= want:
            message = "predictions.swapped"
            params.update(swapped=round(swapped, 4), positive=_positive_name(dataset))
    if len(np.unique(preds)) == 1:
        notes.append({"message": "predictions.constant", "params": {"value": int(preds[0])}})
    for note in notes:
        note["params"] = {**params, **note["params"]}
    try:
        from grader.checks.plot_data import figure_data
        from grader.data.datasets import REGISTRY

        plot = figure_data(labels, preds.astype("float64"), list(REGISTRY[dataset].class_names))
        plot.pop("roc", None)  # hard 0/1 predictions: a ROC curve would say nothing
        plot["model"] = shown
    except Exception:
        plot = None
    return CheckResult(id=check.id, kind=check.kind, status="pass" if ok else "fail", message=message,
                       params={**params, "found": round(value, 4)}, expected=want,
                       found=round(value, 4), measured=value, details=notes, plot=plot,
                       rows=[int(r) for r in (preds.astype("float64") == np.asarray(labels, dtype="float64"))])
