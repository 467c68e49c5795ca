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

from typing import Any

import numpy as np

from grader.checks import register
from grader.checks.context import CheckContext
from grader.model.outcomes import CheckResult
from grader.model.spec import CheckSpec

METRICS = ("accuracy", "auc", "precision", "recall", "f1")


# a model that fails on the data divided as the statement says but does clearly well on raw
# values was trained without dividing, even when its raw score is still under the threshold
NOT_NORMALIZED_RAW = 0.5
NOT_NORMALIZED_GAP = 0.3

def _validate(expect: dict[str, Any]) -> str | None:
    from grader.data.datasets import REGISTRY

    if expect.get("dataset") not in REGISTRY:
        return f"dataset '{expect.get('dataset')}' is not one of: {', '.join(sorted(REGISTRY))}"
    if expect.get("metric", "accuracy") not in METRICS:
        return f"metric '{expect.get('metric')}' is not one of: {', '.join(METRICS)}"
    if not isinstance(expect.get("min"), (int, float)):
        return "min (the pass threshold) must be a number"
    bad = set(expect.get("preprocess", {})) - {"divide", "reshape"}
    if bad:
        return f"preprocess: unknown step(s) {', '.join(sorted(bad))}; allowed: divide, reshape"
    holdout = expect.get("holdout")
    if holdout is not None:
        if not isinstance(holdout, dict) or set(holdout) - {"test_size", "random_state", "stratify"}:
            return "holdout: a mapping with test_size, random_state and stratify"
        if not 0 < float(holdout.get("test_size", 0.25)) < 1:
            return "holdout.test_size must be between 0 and 1"
    return None


def holdout_rows(x: np.ndarray, y: np.ndarray, holdout: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The test part of the split the statement prescribes (same call a student makes)."""
    from sklearn.model_selection import train_test_split

    _, x_test, _, y_test = train_test_split(
        x, y, test_size=float(holdout.get("test_size", 0.25)),
        random_state=holdout.get("random_state"),
        stratify=y if holdout.get("stratify") else None)
    return x_test, y_test


def prepare(x: np.ndarray, pre: dict[str, Any], model: Any) -> np.ndarray:
    """The statement's preprocessing, then the model's input layout."""
    if "divide" in pre and float(pre["divide"]) != 1:
        x = x / float(pre["divide"])
    if "reshape" in pre:
        x = x.reshape((len(x), *pre["reshape"]))
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


@register("metric", needs="model", allowed={"dataset", "split", "metric", "min", "preprocess", "limit", "holdout"},
          required={"dataset", "min"}, validate=_validate)
def check_metric(check: CheckSpec, ctx: CheckContext) -> CheckResult:
    from grader.data.datasets import load

    exp = check.expect
    model, _ = ctx.model(check.artifact)  # type: ignore[arg-type]
    split = exp.get("split", "test")
    metric = exp.get("metric", "accuracy")
    x, y = load(exp["dataset"], ctx.data_dir)[split]
    if exp.get("holdout"):
        x, y = holdout_rows(x, y, exp["holdout"])
    if exp.get("limit"):
        x, y = x[: exp["limit"]], y[: exp["limit"]]
    pre = exp.get("preprocess", {})
    raw = x.astype("float32")
    x = prepare(raw, pre, model)
    params: dict[str, Any] = {"metric_key": f"metric.name.{metric}", "expected": exp["min"], "dataset": exp["dataset"],
                              "split_key": f"metric.split_{split}", "n": len(y)}
    if exp.get("holdout"):
        params.update(data_key="metric.data_holdout", test_size=float(exp["holdout"].get("test_size", 0.25)),
                      random_state=exp["holdout"].get("random_state"))
    else:
        params["data_key"] = "metric.data_split"
    try:
        scores = predict_scores(model, x)
        value = compute(metric, y, scores)
    except Exception as exc:
        first = str(exc).strip().splitlines()
        return CheckResult(id=check.id, kind=check.kind, status="fail", message="metric.eval_failed",
                           params={**params, "error": f"{type(exc).__name__}: {first[0][:200] if first else ''}",
                                   "input_shape": [None, *x.shape[1:]]},
                           expected=exp["min"], found=None, measured=0.0)
    ok = value >= float(exp["min"])
    message = "metric.ok" if ok else "metric.low"
    if not ok and (scores.ndim == 1 or scores.shape[-1] == 1) and metric in ("accuracy", "auc"):
        swapped = compute(metric, 1 - y, scores)
        if swapped >= float(exp["min"]):
            message = "metric.swapped"
            params["swapped"] = round(swapped, 4)
            params["positive"] = _positive_name(exp["dataset"])
    if not ok and message == "metric.low" and "divide" in pre:
        # trained on raw pixels? then it does well on the data as it was before dividing
        raw_value = compute(metric, y, predict_scores(model, prepare(raw, {**pre, "divide": 1}, model)))
        if raw_value >= float(exp["min"]) or (raw_value >= NOT_NORMALIZED_RAW
                                              and raw_value - value >= NOT_NORMALIZED_GAP):
            message = "metric.not_normalized"
            params.update(raw=round(raw_value, 4), divide=pre["divide"])
    try:
        from grader.checks.plot_data import figure_data
        from grader.data.datasets import REGISTRY

        plot = {"model": check.artifact, **figure_data(y, scores, list(REGISTRY[exp["dataset"]].class_names))}
    except Exception:  # a plot is a view; it never costs a result
        plot = None
    return CheckResult(id=check.id, kind=check.kind, status="pass" if ok else "fail",
                       message=message,
                       params={**params, "found": round(value, 4)},
                       expected=exp["min"], found=round(value, 4), measured=value, plot=plot)
