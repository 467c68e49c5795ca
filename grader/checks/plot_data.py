"""What a check measures for the report's plots (``grader.views.figures`` draws them): the
confusion matrix and, for a binary classifier, the ROC curve of the grader's own predictions."""

from __future__ import annotations

from typing import Any

import numpy as np


def figure_data(y: np.ndarray, scores: np.ndarray, labels: list[str]) -> dict[str, Any]:
    """What the checker hands to the report for a classifier: small and plain."""
    from sklearn import metrics as skm

    binary = scores.ndim == 1 or scores.shape[-1] == 1
    pred = (scores.reshape(-1) >= 0.5).astype(int) if binary else scores.argmax(axis=-1)
    n = 2 if binary else scores.shape[-1]
    data: dict[str, Any] = {
        "confusion": skm.confusion_matrix(y, pred, labels=list(range(n))).tolist(),
        "labels": list(labels) if len(labels) == n else [str(i) for i in range(n)],
    }
    if binary and len(set(y.tolist())) == 2:
        fpr, tpr, _ = skm.roc_curve(y, scores.reshape(-1))
        keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), 200)).astype(int))
        data["roc"] = {"fpr": [round(float(v), 4) for v in fpr[keep]],
                       "tpr": [round(float(v), 4) for v in tpr[keep]],
                       "auc": round(float(skm.auc(fpr, tpr)), 4)}
    return data
