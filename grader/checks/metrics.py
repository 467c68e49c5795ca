"""Check kind ``metric``: the checker evaluates the saved model on data the grader holds.

Printed accuracies earn nothing: the number comes from running the student's saved model
(loaded in safe mode) on the dataset split named in the spec, after the preprocessing the
statement asks the student to apply.

``expect``: dataset, split (all | train | test), metric (accuracy | auc | precision | recall
| f1), min (the pass threshold), preprocess ({divide: 255, reshape: [28, 28, 1]}),
limit (evaluate on the first N rows; for quick profiles), holdout ({test_size: 0.3,
random_state: 42, stratify: true}: the rows the statement tells students to hold out with
``sklearn.model_selection.train_test_split``, recomputed here on the grader's own copy).

When the model's input has the same number of features as the data but another shape (a
student who flattened MNIST to 784 columns), the data is reshaped to the model's input.
A binary model whose metric passes only with the classes swapped gets a message saying so.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from grader.checks import ArtifactCheck, Expect, causes, register
from grader.checks.context import CheckContext
from grader.model.outcomes import CheckResult

METRICS = ("accuracy", "auc", "precision", "recall", "f1")


# a model that fails on the data divided as the statement says but does clearly well on raw
# values was trained without dividing, even when its raw score is still under the threshold
NOT_NORMALIZED_RAW = 0.5
NOT_NORMALIZED_GAP = 0.3

def known_dataset(name: str) -> str:
    from grader.data.datasets import REGISTRY

    if name not in REGISTRY:
        raise ValueError(f"dataset '{name}' is not one of: {', '.join(sorted(REGISTRY))}")
    return name


class Holdout(BaseModel):
    """The rows the statement tells students to hold out with ``train_test_split``."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    test_size: float = Field(0.25, gt=0, lt=1)
    random_state: int | None = None
    stratify: bool = False


class Preprocess(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    divide: float | None = None
    reshape: list[int] | None = None


class MetricExpect(Expect):
    dataset: str
    min: float
    split: Literal["all", "test", "train"] = "test"
    metric: Literal["accuracy", "auc", "precision", "recall", "f1"] = "accuracy"
    preprocess: Preprocess = Preprocess()
    limit: int | None = Field(None, gt=0)
    holdout: Holdout | None = None

    _dataset = field_validator("dataset")(known_dataset)


def holdout_rows(x: np.ndarray, y: np.ndarray, holdout: Holdout) -> tuple[np.ndarray, np.ndarray]:
    """The test part of the split the statement prescribes (same call a student makes)."""
    from sklearn.model_selection import train_test_split

    _, x_test, _, y_test = train_test_split(
        x, y, test_size=holdout.test_size, random_state=holdout.random_state,
        stratify=y if holdout.stratify else None)
    return x_test, y_test


def _held_out(ctx: CheckContext, name: str, x: np.ndarray, y: np.ndarray, holdout: Holdout
              ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, str] | None]:
    """The statement's held-out rows, and which of them the graded model trained on (its own
    split may have put some in training: ``causes.seen_rows``). A binary split stratified on the
    other class coding (LabelEncoder's M=0) holds out other rows: when the model trained on none
    of those, they are the rows the student held out as asked, and they are the ones measured."""
    held_x, held_y = holdout_rows(x, y, holdout)
    overlap = causes.seen_rows(ctx, name, held_x)
    if overlap is not None and holdout.stratify and set(np.unique(y).tolist()) == {0, 1}:
        other_x, other_y = holdout_rows(x, 1 - y, holdout)
        if causes.seen_rows(ctx, name, other_x) is None:
            return other_x, 1 - other_y, None
    return held_x, held_y, overlap


def prepare(x: np.ndarray, pre: Preprocess, model: Any) -> np.ndarray:
    """The statement's preprocessing, then the model's input layout."""
    if pre.divide is not None and pre.divide != 1:
        x = x / pre.divide
    if pre.reshape is not None:
        x = x.reshape((len(x), *pre.reshape))
    return fit_to_model(x, model)


def fit_to_model(x: np.ndarray, model: Any) -> np.ndarray:
    """Reshape ``x`` to the model's input when only the layout differs (784 vs 28×28)."""
    try:
        shape = tuple(model.inputs[0].shape[1:])
    except Exception:
        return x
    if None in shape or shape == x.shape[1:]:
        return x
    if int(np.prod(shape)) == int(np.prod(x.shape[1:])):
        return x.reshape((len(x), *shape))
    return x


def predict_scores(model: Any, x: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(x, batch_size=512, verbose=0))


def compute(metric: str, y: np.ndarray, scores: np.ndarray) -> float:
    from sklearn import metrics as skm

    binary = scores.ndim == 1 or scores.shape[-1] == 1
    if binary:
        prob = scores.reshape(-1)
        pred = (prob >= 0.5).astype(int)
    else:
        prob = scores
        pred = scores.argmax(axis=-1)
    if metric == "accuracy":
        return float(skm.accuracy_score(y, pred))
    if metric == "auc":
        if binary:
            return float(skm.roc_auc_score(y, prob))
        probs = prob / np.clip(prob.sum(axis=1, keepdims=True), 1e-12, None)
        return float(skm.roc_auc_score(y, probs, multi_class="ovr"))
    average = "binary" if binary else "macro"
    fn = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[metric]
    return float(fn(y, pred, average=average, zero_division=0))


def _positive_name(dataset: str) -> str:
    from grader.data.datasets import REGISTRY

    names = REGISTRY[dataset].class_names
    return names[1] if len(names) == 2 else "1"


@register("metric", needs="model", expect=MetricExpect)
def check_metric(check: ArtifactCheck, ctx: CheckContext) -> CheckResult:
    from grader.data.datasets import load

    exp = MetricExpect.of(check)
    model, _ = ctx.model(check.artifact)
    split, metric = exp.split, exp.metric
    splits = load(exp.dataset, ctx.data_dir)
    x, y = splits[split]
    overlap = None
    if exp.holdout is not None:
        x, y, overlap = _held_out(ctx, check.artifact, x, y, exp.holdout)
    if exp.limit:
        x, y = x[: exp.limit], y[: exp.limit]
        if overlap is not None:  # the first rows only: what the model saw of them
            overlap = (overlap[0][: exp.limit], overlap[1]) if overlap[0][: exp.limit].any() else None
    total = len(y)
    if overlap is not None:
        unseen = ~overlap[0]
        x, y = x[unseen], y[unseen]
    pre = exp.preprocess
    raw = x.astype("float32")
    x = prepare(raw, pre, model)
    expected = check.expect["min"]  # as the spec wrote it (0.9, not 0.9000000001)
    params: dict[str, Any] = {"metric_key": f"metric.name.{metric}", "expected": expected, "dataset": exp.dataset,
                              "split_key": f"metric.split_{split}", "n": len(y)}
    if exp.holdout is not None:
        params.update(data_key="metric.data_holdout", test_size=exp.holdout.test_size,
                      random_state=exp.holdout.random_state)
    else:
        params["data_key"] = "metric.data_split"
    if overlap is not None:
        params.update(data_key="metric.data_holdout_unseen", total=total, seen=total - len(y), cell=overlap[1])
        if len(y) < causes.MIN_UNSEEN or len(set(y.tolist())) < 2:  # too few left to measure anything
            return CheckResult(id=check.id, kind=check.kind, status="fail", message="metric.trained_on_holdout",
                               params={**params, "min": causes.MIN_UNSEEN}, expected=expected, found=None,
                               measured=0.0)
    try:
        scores = predict_scores(model, x)
        value = compute(metric, y, scores)
    except Exception as exc:
        first = str(exc).strip().splitlines()
        return CheckResult(id=check.id, kind=check.kind, status="fail", message="metric.eval_failed",
                           params={**params, "error": f"{type(exc).__name__}: {first[0][:200] if first else ''}",
                                   "input_shape": [None, *x.shape[1:]]},
                           expected=expected, found=None, measured=0.0)
    ok = value >= exp.min
    message = "metric.ok" if ok else "metric.low"
    # a measure on rows the model trained on earns nothing, whatever it is
    seen = (causes.trained_on_evaluated(ctx, check.artifact, splits, split)
            if split == "test" and exp.holdout is None else None)
    if seen is not None:
        ok, message = False, seen[0]
        params.update(seen[1])
    if not ok and message == "metric.low" and (scores.ndim == 1 or scores.shape[-1] == 1) and metric in (
            "accuracy", "auc"):
        swapped = compute(metric, 1 - y, scores)
        if swapped >= exp.min:
            message = "metric.swapped"
            params["swapped"] = round(swapped, 4)
            params["positive"] = _positive_name(exp.dataset)
    if not ok and message == "metric.low" and pre.divide is not None:  # (not after trained_on_evaluated)
        # trained on raw pixels? then it does well on the data as it was before dividing
        raw_value = compute(metric, y, predict_scores(model, prepare(raw, pre.model_copy(update={"divide": 1}),
                                                                     model)))
        if raw_value >= exp.min or (raw_value >= NOT_NORMALIZED_RAW
                                              and raw_value - value >= NOT_NORMALIZED_GAP):
            message = "metric.not_normalized"
            params.update(raw=round(raw_value, 4), divide=check.expect["preprocess"]["divide"])
    details: list[dict[str, Any]] = []
    if not ok and message == "metric.low":  # a cause the grader saw, rather than a guess
        cause = causes.untrained(ctx, check.artifact)
        if cause is not None:
            message = "metric.untrained"
        else:
            cause = causes.low(ctx, check.artifact, metric, exp.min, value)
        params.update(cause_key=cause[0], name=check.artifact, **cause[1])
        cut = causes.capped(ctx, check.artifact)
        if cut is not None:
            details.append({"message": cut[0], "params": cut[1]})
    try:
        from grader.checks.plot_data import figure_data
        from grader.data.datasets import REGISTRY

        plot = {"model": check.artifact, **figure_data(y, scores, list(REGISTRY[exp.dataset].class_names))}
    except Exception:  # a plot is a view; it never costs a result
        plot = None
    return CheckResult(id=check.id, kind=check.kind, status="pass" if ok else "fail",
                       message=message,
                       params={**params, "found": round(value, 4)},
                       expected=expected, found=round(value, 4), plot=plot, details=details,
                       measured=0.0 if seen is not None else value)  # no rubric band for seen rows
