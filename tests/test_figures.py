"""Plots next to the report: drawn from the checker's numbers, never able to cost a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from grader.checks.plot_data import figure_data
from grader.views.figures import render_all


def test_binary_classifier_gets_confusion_and_roc() -> None:
    y = np.array([0, 0, 1, 1, 1])
    scores = np.array([[0.1], [0.7], [0.8], [0.4], [0.9]])
    data = figure_data(y, scores, ["R", "M"])
    assert data["confusion"] == [[1, 1], [1, 2]]
    assert data["labels"] == ["R", "M"]
    assert data["roc"]["auc"] == round(5 / 6, 4)
    assert data["roc"]["fpr"][0] == 0.0 and data["roc"]["tpr"][-1] == 1.0


def test_multiclass_gets_a_confusion_matrix_only() -> None:
    y = np.array([0, 1, 2, 2])
    scores = np.eye(3)[[0, 2, 2, 1]]
    data = figure_data(y, scores, [])
    assert data["confusion"] == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]
    assert data["labels"] == ["0", "1", "2"] and "roc" not in data


def test_render_draws_pngs_once_per_model_and_data(tmp_path: Path) -> None:
    data = {"model": "modelo", **figure_data(np.array([0, 1, 1]), np.array([0.2, 0.6, 0.9]), ["R", "M"])}
    made = render_all({"lang": "es"}, {"exactitud": data, "auc": data},
                      {"modelo": {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7], "accuracy": [0.5, 0.8]}}, tmp_path)
    assert [(m["kind"], m["file"]) for m in made] == [
        ("confusion", "figures/exactitud_confusion.png"), ("roc", "figures/exactitud_roc.png"),
        ("history", "figures/history_modelo.png")]
    for m in made:
        assert (tmp_path / m["file"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert made[1]["title"] == "Curva ROC de `modelo` (datos del grader)"


def test_a_plot_that_fails_is_reported_not_raised(tmp_path: Path) -> None:
    made = render_all({"lang": "en"}, {"m": {"confusion": "not a matrix", "labels": []}}, {}, tmp_path)
    assert made[0]["file"] == "" and made[0]["error"]
    assert render_all({"lang": "es"}, {}, {}, tmp_path) == []


def test_a_figure_already_drawn_in_that_language_is_not_drawn_again(tmp_path: Path, monkeypatch: Any) -> None:
    """A class's grading draws both languages (``also``); a rescore in either then draws nothing,
    and a figure whose content changed is drawn again."""
    from grader.views import figures

    data = {"model": "modelo", **figure_data(np.array([0, 1, 1]), np.array([0.2, 0.6, 0.9]), ["R", "M"])}
    made = render_all({"lang": "es"}, {"exactitud": data}, {}, tmp_path, also=("en",))
    assert [m["file"] for m in made] == ["figures/exactitud_confusion.png", "figures/exactitud_roc.png"]
    assert (tmp_path / "figures" / "exactitud_confusion.en.png").is_file()
    drawn: list[str] = []
    for name in ("_confusion", "_roc"):
        real = getattr(figures, name)
        monkeypatch.setattr(figures, name, lambda *a, _real=real, **k: (drawn.append(str(a[-1])), _real(*a, **k)))
    english = render_all({"lang": "en"}, {"exactitud": data}, {}, tmp_path)
    assert drawn == [] and english[0]["file"] == "figures/exactitud_confusion.en.png"
    assert english[0]["title"] != made[0]["title"]
    changed = {**data, "confusion": [[0, 1], [1, 1]]}
    render_all({"lang": "en"}, {"exactitud": changed}, {}, tmp_path)
    assert [Path(p).name for p in drawn] == ["exactitud_confusion.en.png"]
