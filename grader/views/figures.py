"""Stage 7 — figures: PNG plots next to the report, drawn from what the checker measured.

- a confusion matrix for every ``metric`` check on a classifier (the grader's predictions on
  the grader's data, never the student's);
- the ROC curve, with its AUC, for binary classifiers;
- the training curves of every model artifact whose ``History`` the kernel exported.

Plots are a view: nothing here changes a score. A plot that cannot be drawn is skipped, with
the reason in the report's instructor part.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from grader.messages import render
from grader.pipeline.export import UnsafeJSON, read_history

FOLDER = "figures"
DIGESTS = "digests.json"  # file -> what it shows (content, title, language)


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _confusion(plt: Any, data: dict[str, Any], title: str, lang: str, path: Path) -> None:
    m = np.asarray(data["confusion"])
    labels = data["labels"]
    size = 3 + 0.45 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(render("figure.predicted", lang=lang))
    ax.set_ylabel(render("figure.actual", lang=lang))
    top = m.max() if m.size else 0
    for (i, j), v in np.ndenumerate(m):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                color="white" if top and v > top / 2 else "black")
    ax.set_title(title.replace("`", ""))
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _roc(plt: Any, roc: dict[str, Any], title: str, lang: str, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    ax.plot(roc["fpr"], roc["tpr"], lw=2, label=f"AUC = {roc['auc']:.3f}")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label=render("figure.chance", lang=lang))
    ax.set_xlabel(render("figure.fpr", lang=lang))
    ax.set_ylabel(render("figure.tpr", lang=lang))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    ax.set_title(title.replace("`", ""))
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _history(plt: Any, history: dict[str, list[float]], title: str, lang: str, path: Path) -> None:
    metrics = [k for k in history if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False)
    for ax, key in zip(axes[0], metrics):
        epochs = range(1, len(history[key]) + 1)
        ax.plot(epochs, history[key], label=render("figure.train", lang=lang))
        if f"val_{key}" in history:
            ax.plot(range(1, len(history[f"val_{key}"]) + 1), history[f"val_{key}"],
                    label=render("figure.validation", lang=lang))
        ax.set_xlabel(render("figure.epoch", lang=lang))
        ax.set_title(key)
        ax.legend()
    fig.suptitle(title.replace("`", ""))
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def histories(outcome_artifacts: dict[str, dict[str, Any]], artifacts_dir: Path) -> dict[str, dict[str, list[float]]]:
    """The History of each model artifact, as the kernel exported it (read before cleanup)."""
    out: dict[str, dict[str, list[float]]] = {}
    for name, entry in (outcome_artifacts or {}).items():
        if entry.get("kind") == "model" and entry.get("history"):
            try:  # size, depth and shape checked (grader.pipeline.export): a forged file is no plot
                out[name] = read_history(artifacts_dir / entry["history"])
            except (OSError, UnsafeJSON):
                continue
    return out


def _file(base: str, lang: str) -> str:
    """A figure's file in ``figures/``: the Spanish one unsuffixed, others ``name.<lang>.png``."""
    return f"{base}.png" if lang == "es" else f"{base}.{lang}.png"


def _digests(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / DIGESTS).read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def render_all(report: dict[str, Any], plots: dict[str, dict[str, Any]],
               history: dict[str, dict[str, list[float]]], out_dir: Path,
               also: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Draw every figure into ``out_dir/figures`` and return ``[{kind, check|artifact, file}]``
    for the report's language; ``also``: draw the figures of these languages too (a rescore in
    one of them then draws nothing). A figure already there with the same content, title and
    language (``figures/digests.json``) is not drawn again."""
    if not plots and not history:
        return []
    lang = report["lang"]
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    digests = _digests(folder)
    made: list[dict[str, str]] = []
    jobs: list[tuple[str, str, str, Any, Any]] = []  # kind, owner, base file name, drawer, its data

    seen: set[str] = set()
    for check_id, data in plots.items():
        # two checks on the same model and data (accuracy and AUC) draw one set of plots
        key = json.dumps({k: v for k, v in data.items() if k != "model"}, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        owner = str(data.get("model") or check_id)
        if "confusion" in data:
            jobs.append(("confusion", owner, f"{check_id}_confusion", _confusion, data))
        if "roc" in data:
            jobs.append(("roc", owner, f"{check_id}_roc", _roc, data["roc"]))
    for name, hist in history.items():
        jobs.append(("history", name, f"history_{name}", _history, hist))
    plt: Any = None
    for kind, owner, base, draw, data in jobs:
        for each in dict.fromkeys((lang, *also)):
            title = render(f"figure.title_{kind}", {"owner": owner}, each)
            file = _file(base, each)
            digest = hashlib.sha256(json.dumps([kind, data, title, each], sort_keys=True, default=str)
                                    .encode()).hexdigest()[:24]
            error = None
            if digests.get(file) != digest or not (folder / file).is_file():
                plt = plt or _plt()
                try:
                    draw(plt, data, title, each, folder / file)
                    digests[file] = digest
                except Exception as exc:  # a plot must never cost a report
                    error = f"{type(exc).__name__}: {exc}"[:200]
                    digests.pop(file, None)
                    plt.close("all")
            if each != lang:
                continue
            if error is not None:
                made.append({"kind": kind, "owner": owner, "file": "", "error": error})
            else:
                made.append({"kind": kind, "owner": owner, "file": f"{FOLDER}/{file}", "title": title})
    (folder / DIGESTS).write_text(json.dumps(digests, indent=1, sort_keys=True), encoding="utf-8")
    return made
