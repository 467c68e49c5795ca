"""Check kind ``metric``: the checker evaluates the saved model on data the grader holds.

Printed accuracies earn nothing: the number comes from running the student's saved model
(loaded in safe mode) on the dataset split named in the spec, after the preprocessing the
statement asks the student to apply.

``expect``: dataset, split (all | train | test), metric (accuracy | auc | precision | recall
| f1), min (the pass threshold), preprocess ({divide: 255, reshape: [28, 28, 1]}),
limit (evaluate on the first N rows; for quick profiles).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.checks import register
from grader.checks.context import CheckContext
from grader.outcomes import CheckResult
from grader.spec import CheckSpec

METRICS = ("accuracy", "auc", "precision", "recall", "f1")


def _validate(expect: dict[str, Any]) -> str | None:
    from grader.datasets import REGISTRY

    if expect.get("dataset") not in REGISTRY:
        return f"dataset '{expect.get('dataset')}' is not one of: {', '.join(sorted(REGISTRY))}"
    if expect.get("metric", "accuracy") not in METRICS:
        return f"metric '{expect.get('metric')}' is not one of: {', '.join(METRICS)}"
    if not isinstance(expect.get("min"), (int, float)):
        return "min (the pass threshold) must be a number"
    bad = set(expect.get("preprocess", {})) - {"divide", "reshape"}
    if bad:
        return f"preprocess: unknown step(s) {', '.join(sorted(bad))}; allowed: divide, reshape"
    return None


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


@register("metric", needs="model", allowed={"dataset", "split", "metric", "min", "preprocess", "limit"},
          required={"dataset", "min"}, validate=_validate)
def check_metric(check: CheckSpec, ctx: CheckContext) -> CheckResult:
    from grader.datasets import load

    exp = check.expect
    model, _ = ctx.model(check.artifact)  # type: ignore[arg-type]
    split = exp.get("split", "test")
    metric = exp.get("metric", "accuracy")
    x, y = load(exp["dataset"], ctx.data_dir)[split]
    if exp.get("limit"):
        x, y = x[: exp["limit"]], y[: exp["limit"]]
    pre = exp.get("preprocess", {})
    x = x.astype("float32")
    if "divide" in pre:
        x = x / float(pre["divide"])
    if "reshape" in pre:
        x = x.reshape((len(x), *pre["reshape"]))
    data = f"{exp['dataset']} ({split}, {len(y)})"
    params: dict[str, Any] = {"metric": metric, "data": data, "expected": exp["min"]}
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
    return CheckResult(id=check.id, kind=check.kind, status="pass" if ok else "fail",
                       message="metric.ok" if ok else "metric.low",
                       params={**params, "found": round(value, 4)},
                       expected=exp["min"], found=round(value, 4), measured=value)
