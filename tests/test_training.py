"""The grader's log of `Model.fit` calls, recorded in a real kernel, and the `training` check
that reads it in the checker: early stopping that really stopped, batch sizes, validation, and
training on the test images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.checks import run_check
from grader.checks.context import CheckContext
from grader.messages import render
from grader.model.spec import CheckSpec
from tests.conftest import SHARED_DATA
from tests.test_adapt import run

pytestmark = [pytest.mark.kernel,
              pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"needs the shared datasets at {SHARED_DATA}")]

SETUP = (
    "import numpy as np\nfrom sklearn.datasets import load_iris\nfrom tensorflow import keras\n"
    "iris = load_iris()\nX = iris.data / 8.0\nY = keras.utils.to_categorical(iris.target, 3)\n"
    "def red():\n"
    "    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
    "    m.compile(optimizer=keras.optimizers.SGD(0.001), loss='categorical_crossentropy', metrics=['accuracy'])\n"
    "    return m\n"
)


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One kernel, several fits: the log the checks below read."""
    outcome, _ = run(tmp_path_factory.mktemp("fits"), [
        SETUP,
        # a learning rate this small never improves val_accuracy by min_delta: stops after patience
        "es = keras.callbacks.EarlyStopping(monitor='val_accuracy', patience=3, min_delta=0.0001)\n"
        "modelo = red()\n"
        "h = modelo.fit(X, Y, epochs=4000, batch_size=20, validation_split=0.3, callbacks=[es], verbose=0)\n"
        "epoca = int(es.stopped_epoch)",
        # the cap (max_epochs 50) stops this one, not the callback: patience far too high
        "lenta = red()\n"
        "lenta.fit(X, Y, epochs=4000, batch_size=150, validation_data=(X, Y), verbose=0,\n"
        "          callbacks=[keras.callbacks.EarlyStopping(monitor='val_accuracy', patience=1000)])",
        # training on the MNIST test images
        "(xtr, ytr), (xte, yte) = keras.datasets.mnist.load_data()\n"
        "m2 = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation='softmax')])\n"
        "m2.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "m2.fit(xte / 255.0, yte, epochs=1, batch_size=500, verbose=0)",
    ], data=["iris", "mnist"], values=["epoca"], budget={"max_epochs": 50})
    return outcome


def check(outcome: Any, **expect: Any) -> Any:
    spec = CheckSpec(id="entrenamiento", kind="training", expect=expect)
    return run_check(spec, CheckContext(None, outcome, None, SHARED_DATA))  # type: ignore[arg-type]


def test_every_fit_is_logged_with_what_the_grader_saw(logged: Any) -> None:
    fits = logged.fits
    assert [f["cell"] for f in fits] == [1, 2, 3]
    first, second, third = fits
    assert first["epochs_asked"] == 4000 and first["epochs_allowed"] == 50  # the budget cap
    assert 3 < first["epochs_run"] < 50
    assert first["callbacks"][0]["type"] == "EarlyStopping"
    assert first["callbacks"][0]["stopped_epoch"] == first["epochs_run"] - 1
    assert first["validation"] == "split" and first["batch_size"] == 20
    assert second["epochs_run"] == 50 and second["validation"] == "data" and second["batch_size"] == 150
    assert third["x"]["rows"] == 10000 and third["x"]["features"] == 784
    assert logged.artifacts["epoca"]["value"] == first["callbacks"][0]["stopped_epoch"]


def test_the_report_lists_every_fit_for_the_instructor(logged: Any) -> None:
    from grader.pipeline.report import training_summary

    first, second, third = training_summary(logged.fits)
    assert (first["cell"], first["epochs_asked"], first["epochs_allowed"]) == (1, 4000, 50)
    assert first["stopped_by_callback"] and first["epochs_run"] < 50
    assert not second["stopped_by_callback"] and second["epochs_run"] == 50  # the cap stopped it
    assert third["epochs_run"] == 1 and third["batch_size"] == 500 and third["validation"] is None
    assert all(f["seconds"] > 0 and not f["time_budget_stopped"] for f in (first, second, third))
    assert "x" not in first and "callbacks" not in first  # no fingerprints in the report


def test_early_stopping_that_stopped_passes(logged: Any) -> None:
    r = check(logged, callback={"type": "EarlyStopping", "monitor": "val_accuracy", "patience": 3,
                                "min_delta": 0.0001}, stopped_early=True, validation=True)
    assert r.status == "pass", r


def test_wrong_patience_names_the_setting(logged: Any) -> None:
    r = check(logged, callback={"type": "EarlyStopping", "patience": 30})
    assert (r.status, r.message) == ("fail", "training.callback_setting")
    assert "patience=1000" in render(r.message, r.params, "es") and "patience=30" in render(r.message, r.params, "es")


def test_every_failed_condition_is_said_not_only_the_first(logged: Any) -> None:
    """issue 17: a wrong callback hid a wrong batch size; fixing the callback alone still failed."""
    r = check(logged, callback={"type": "EarlyStopping", "patience": 30}, batch_sizes=[1])
    assert (r.status, r.message) == ("fail", "training.callback_setting")
    assert [d["message"] for d in r.details] == ["training.batch_missing_one"]
    assert "batch_size" in render(r.details[0]["message"], r.details[0]["params"], "es")


def test_a_callback_stopped_by_the_epoch_cap_did_not_stop_early(logged: Any) -> None:
    r = check(logged, callback={"type": "EarlyStopping", "patience": 1000}, stopped_early=True)
    assert (r.status, r.message) == ("fail", "training.not_stopped_cap")
    assert r.params["allowed"] == 50 and r.params["asked"] == 4000


def test_missing_callback_and_batch_size(logged: Any) -> None:
    r = check(logged, callback={"type": "ReduceLROnPlateau"})
    assert (r.status, r.message, r.params["used"]) == ("fail", "training.no_callback", "EarlyStopping")
    assert check(logged, batch_sizes=[20, 150]).status == "pass"
    r = check(logged, batch_sizes=[1, 150])
    assert (r.status, r.message, r.params["missing"]) == ("fail", "training.batch_missing", "1")


def test_one_batch_size_asked_is_not_told_to_compare_sizes(logged: Any) -> None:
    """A reviewer found "the statement asks to compare these batch sizes: train once with each"
    said where early_stopping asks for batch_size=20 alone."""
    r = check(logged, batch_sizes=[7])
    assert (r.status, r.message, r.params["missing"]) == ("fail", "training.batch_missing_one", "7")
    es, en = (render(r.message, r.params, lang) for lang in ("es", "en"))
    assert "comparar" not in es and "compare" not in en and "`batch_size=7`" in es


def test_training_on_the_test_images_is_caught_and_train_is_not(logged: Any) -> None:
    r = check(logged, not_trained_on={"dataset": "mnist", "split": "test"})
    # the fourth code cell, named as the student sees it: its number and its first line
    assert (r.status, r.message) == ("fail", "training.on_split")
    assert r.params["cell"].startswith("4 (`(xtr, ytr), (xte, yte) = keras.datasets.mnist")
    assert "celda de código 4 (" in render(r.message, r.params, "es")
    assert check(logged, not_trained_on={"dataset": "mnist", "split": "train"}).status == "pass"


def test_no_fit_at_all(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, ["x = 1"], data=["iris"], values=["x"])
    r = check(outcome, min_fits=1)
    assert (r.status, r.message) == ("fail", "training.no_fit")


def test_reported_stopped_epoch_must_be_what_the_grader_logged(logged: Any) -> None:
    es = {"type": "EarlyStopping", "patience": 3}
    assert check(logged, callback=es, stopped_early=True, reported_epoch="epoca").status == "pass"
    logged.artifacts["otra"] = {"status": "ok", "kind": "value", "value": 4000, "type": "int"}
    r = check(logged, callback=es, reported_epoch="otra")
    assert (r.status, r.message, r.params["found"]) == ("fail", "training.reported_epoch", 4000)
    assert r.params["logged"] == logged.fits[0]["callbacks"][0]["stopped_epoch"]


def test_a_fit_of_zero_epochs_is_not_training(logged: Any) -> None:
    import copy

    zero = copy.copy(logged)
    zero.fits = [{**f, "epochs_run": 0, "epochs_asked": 0} for f in logged.fits]
    r = check(zero, min_fits=1)
    assert (r.status, r.message) == ("fail", "training.zero_epochs")
    assert "0/0" in render(r.message, r.params, "es") and "epochs=10" in render(r.message, r.params, "en")
    assert check(logged, min_fits=1).status == "pass"


def test_a_model_saved_and_loaded_back_keeps_its_training(tmp_path: Path) -> None:
    """`model.save` then `load_model` (or `load_weights` into a model built again) gives a new
    object: it inherits the fits of the model that wrote the file; a model never trained does not."""
    outcome, _ = run(tmp_path, [
        SETUP,
        "modelo = red()\nmodelo.fit(X, Y, epochs=2, batch_size=50, verbose=0)\nmodelo.save('red.keras')\n"
        "modelo.save_weights('red.weights.h5')\nantes = id(modelo)",
        "modelo = keras.models.load_model('red.keras')\ncargado = id(modelo)\n"
        "otra = red()\notra.load_weights('red.weights.h5')\notra_id = id(otra)\nsin_entrenar = id(red())",
    ], data=["iris"], values=["antes", "cargado", "otra_id", "sin_entrenar"])
    ids = {k: outcome.artifacts[k]["value"] for k in ("antes", "cargado", "otra_id", "sin_entrenar")}
    by_model = {f["model"]: f for f in outcome.fits}
    assert by_model[ids["antes"]]["epochs_run"] == 2 and "inherited" not in by_model[ids["antes"]]
    assert by_model[ids["cargado"]]["inherited"] == "red.keras" and by_model[ids["cargado"]]["epochs_run"] == 2
    assert by_model[ids["otra_id"]]["inherited"] == "red.weights.h5"
    assert ids["sin_entrenar"] not in by_model
