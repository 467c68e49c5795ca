"""Causes of a low metric read from the fit log and the code (grader.checks.causes), and the
messages they give in each language (issue 17: an untrained model is told it is untrained; a
capped profile says the cap may have decided)."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from grader.checks import causes
from grader.checks.context import CheckContext
from grader.messages import render
from grader.model.outcomes import CellOutcome, ExecutionOutcome
from grader.pipeline import codemap, library

SPEC, _, _ = library.load("mnist_mlp")  # full: 10 epochs per fit, 240 s; ci: 2 epochs
MODEL_ID = 1234


def _ctx(sources: list[str], fits: list[dict[str, Any]], statuses: dict[int, str] | None = None,
         profile: str | None = None) -> CheckContext:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    code = codemap.build(nb)
    out = ExecutionOutcome(status="ok", code=code, fits=fits, artifacts={
        "model": {"status": "ok", "kind": "model", "found_as": "model", "object_id": MODEL_ID, "file": "m.keras"}})
    for rec in code:
        status = (statuses or {}).get(rec["number"], "ok")
        out.cells.append(CellOutcome(index=rec["index"], status=status,  # type: ignore[arg-type]
                                     ename="ValueError" if status == "error" else None))
        if status != "ok" and out.failing_cell is None:
            out.failing_cell = rec["index"]
    return CheckContext(SPEC.with_profile(profile), out, None)


BUILD = "model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)])"
FIT = "model.fit(x, y, epochs=5)"


def _fit(**kw: Any) -> dict[str, Any]:
    return {"model": MODEL_ID, "epochs_asked": 5, "epochs_allowed": 5, "epochs_run": 5, "cell": 1, **kw}


def test_a_trained_model_has_no_cause() -> None:
    assert causes.untrained(_ctx([BUILD, FIT], [_fit()]), "model") is None


def test_no_fit_anywhere() -> None:
    key, params = causes.untrained(_ctx([BUILD], []), "model") or ("", {})
    assert (key, params) == ("metric.cause.no_fit", {})
    assert "model.fit(...)" in render(key, {"name": "model"}, "en")


def test_fit_raised() -> None:
    reason = causes.untrained(_ctx([BUILD, FIT], [_fit(error="ValueError", epochs_run=None)], {2: "error"}), "model")
    assert reason == ("metric.cause.fit_failed", {"cell": "2 (`model.fit(x, y, epochs=5)`)", "error": "ValueError"})


def test_the_cell_that_calls_fit_failed_before_it() -> None:
    src = "model.compile(loss='nope')\nhistory = model.fit(x, y)"
    reason = causes.untrained(_ctx([BUILD, src], [], {2: "error"}), "model")
    assert reason == ("metric.cause.fit_cell_failed", {"cell": "2 (`model.compile(loss='nope')`)", "ename": "ValueError"})


def test_the_cell_that_calls_fit_failed_because_an_earlier_one_had() -> None:
    """Mintflavor's iris notebook: the training CSV is missing, so `trainX` never exists and the
    `fit` cell fails on a NameError: the cause named is the missing file's cell."""
    ctx = _ctx(["import pandas as pd\ntrainX = pd.read_csv('iris_train.csv')", BUILD, "model.fit(trainX, y, epochs=5)"],
               [], {1: "error", 3: "error"})
    cells = {c.index: c for c in ctx.outcome.cells}
    first, fit_cell = (cells[rec["index"]] for rec in (ctx.outcome.code[0], ctx.outcome.code[2]))
    first.ename, first.evalue = "FileNotFoundError", "[Errno 2] No such file or directory: 'iris_train.csv'"
    fit_cell.ename, fit_cell.evalue = "NameError", "name 'trainX' is not defined"
    key, params = causes.untrained(ctx, "model") or ("", {})
    assert key == "metric.cause.fit_cell_failed_root"
    assert (params["cell"], params["ename"], params["root_cell"], params["root_ename"]) == (
        "3 (`model.fit(trainX, y, epochs=5)`)", "NameError", "1 (`import pandas as pd`)", "FileNotFoundError")
    for lang in ("es", "en"):
        text = render(key, dict(params), lang)
        assert "{" not in text and "iris_train.csv" in text


def test_the_cell_that_calls_fit_never_ran() -> None:
    ctx = _ctx(["while True: pass", BUILD, FIT], [], {1: "timeout", 2: "not_run", 3: "not_run"})
    key, params = causes.untrained(ctx, "model") or ("", {})
    assert key == "metric.cause.fit_not_run"
    assert params == {"cell": "3 (`model.fit(x, y, epochs=5)`)", "stopped": "1 (`while True: pass`)"}


def test_fits_of_another_model() -> None:
    reason = causes.untrained(_ctx([BUILD, "model_d.fit(x, y)"], [_fit(model=999), _fit(model=999)]), "model")
    assert reason == ("metric.cause.fit_other_model", {"n_other": 2})


def test_training_the_fit_log_cannot_see_claims_nothing() -> None:
    loop = "for xb, yb in data:\n    opt.apply_gradients(zip(g, model.trainable_weights))"
    assert causes.untrained(_ctx([BUILD, loop], []), "model") is None


def test_an_old_manifest_without_object_ids_claims_nothing() -> None:
    ctx = _ctx([BUILD], [])
    del ctx.outcome.artifacts["model"]["object_id"]
    assert causes.untrained(ctx, "model") is None


@pytest.mark.parametrize(("asked", "allowed", "profile", "cut"), [
    (10, 2, "ci", True),      # ci cut 10 epochs to 2; the full profile runs all 10
    (50, 2, "ci", True),      # the full profile would also cap 50, but at 10
    (2, 2, "ci", False),      # asked for 2: the cap did not touch it
])
def test_capped_profile(asked: int, allowed: int, profile: str | None, cut: bool) -> None:
    ctx = _ctx([BUILD, FIT], [_fit(epochs_asked=asked, epochs_allowed=allowed, epochs_run=allowed)], profile=profile)
    reason = causes.capped(ctx, "model")
    assert (reason is not None) == cut
    if reason is not None:
        es, en = (render(reason[0], reason[1], lang) for lang in ("es", "en"))
        assert f"{allowed} épocas por `fit` (el notebook pedía {asked})" in es and "hasta 10 épocas por `fit`" in es
        assert f"{allowed} epochs per `fit` (the notebook asked for {asked})" in en and "`ci` profile" in en
        assert "todas las filas" in es and "240 s" in en


def test_the_full_profile_s_own_cap_is_said_as_the_grader_s_limit() -> None:
    """issue 17: a notebook that asked for 50 epochs ran 10 under the full profile and was told
    only to "check the number of epochs"; the grader's own limit is now named."""
    ctx = _ctx([BUILD, FIT], [_fit(epochs_asked=50, epochs_allowed=10, epochs_run=10)])
    key, params = causes.capped(ctx, "model") or ("", {})
    assert (key, params["allowed"], params["asked"]) == ("metric.capped_full", 10, 50)
    assert render(key, params) == ("El grader limitó este `fit` (celda de código 2 (`model.fit(x, y, epochs=5)`)) "
                                   "a 10 épocas; el notebook pedía 50. Con todas sus épocas el resultado podría ser otro.")
    assert causes.capped(_ctx([BUILD, FIT], [_fit()]), "model") is None  # 5 asked, 5 run
    stopped = _ctx([BUILD, FIT], [_fit(time_budget_stopped=True, epochs_run=3)])
    key, params = causes.capped(stopped, "model") or ("", {})
    assert "tras 3 época(s), al agotar los 240 s" in render(key, params)


def test_a_budget_cut_inside_an_epoch_counts_whole_epochs_and_batches() -> None:
    """The time budget stopped the fit during its third epoch: "after 3 epoch(s)" overstated it
    (a reviewer found "1 epoch" said of one batch); now the whole epochs and the batches."""
    stopped = _ctx([BUILD, FIT], [_fit(time_budget_stopped=True, epochs_run=3, time_budget_batches=7)])
    key, params = causes.capped(stopped, "model") or ("", {})
    assert (key, params["epochs"], params["batches"]) == ("metric.capped_full_time_partial", 2, 7)
    assert "tras 2 época(s) completa(s) y 7 lote(s) de la siguiente" in render(key, params, "es")
    assert "after 2 whole epoch(s) and 7 batch(es) of the next" in render(key, params, "en")


@pytest.mark.parametrize(("before", "key"), [(0.0, "metric.cause.budget_stopped"),
                                             (590.0, "metric.cause.budget_stopped_others")])
def test_a_fit_the_time_budget_stopped_is_not_told_it_underfits(before: float, key: str) -> None:
    """A reviewer found "the model does not even learn its training data: check the optimizer,
    the loss …" said of a fit that got 1 s of the 240 s budget, after earlier fits spent it."""
    fits = [_fit(model=99, seconds=before, cell=0),
            _fit(time_budget_stopped=True, epochs_run=1, seconds=1.0, last={"loss": 2.3, "accuracy": 0.09})]
    got, params = causes.low(_ctx([BUILD, FIT], fits), "model", "accuracy", 0.96, 0.1)
    assert got == key and params["budget"] == "240"
    es = render(got, params, "es")
    assert "no se sabe si el modelo aprende" in es and "optimizador" not in es
    assert ("590 s" in es) == (key.endswith("_others"))


@pytest.mark.parametrize(("last", "key"), [
    ({"loss": 2.1, "accuracy": 0.41}, "metric.cause.underfit"),       # it does not learn its own data
    ({"loss": 0.05, "acc": 0.99}, "metric.cause.no_generalize"),       # Keras 2 key, learnt
    ({"loss": 0.3, "accuracy": 0.962}, "metric.cause.no_overfit"),    # 0.962 vs 0.93 measured: no overfitting
    ({"loss": 0.3}, "metric.cause.trained"),                           # no accuracy logged
])
def test_a_low_metric_says_what_the_last_fit_logged(last: dict[str, float], key: str) -> None:
    """issue 17: "check preprocessing, the loss and the epochs" was said whatever happened; the
    cause now comes from the model's own last fit: its epochs, optimizer and training metric.
    A training metric barely above what the grader measures is not overfitting: "fewer epochs,
    Dropout" would lower both, so the model is told it lacks capacity or training."""
    fit = _fit(optimizer={"type": "Adadelta", "learning_rate": 0.001}, last=last)
    got, params = causes.low(_ctx([BUILD, FIT], [fit]), "model", "accuracy", 0.96, 0.93)
    assert got == key
    assert (params["epochs"], params["optimizer"]) == (5, "Adadelta(learning_rate=0.001)")
    for lang in ("es", "en"):
        text = render("metric.low", {"metric_key": "metric.name.accuracy", "data_key": "metric.data_split",
                                     "dataset": "mnist", "split_key": "metric.split_test", "n": 10000, "found": 0.5,
                                     "expected": 0.96, "cause_key": key, **params}, lang)
        assert "{" not in text and "Adadelta(learning_rate=0.001)" in text
        assert ("celda de código 2" in text) if lang == "es" else ("code cell 2" in text)
    assert causes.low(_ctx([BUILD], []), "model", "accuracy", 0.96) == ("metric.cause.general", {})


def test_quick_profile_names_the_fraction_of_rows() -> None:
    ctx = _ctx([BUILD, FIT], [_fit(epochs_asked=5, epochs_allowed=1, epochs_run=1)], profile="quick")
    key, params = causes.capped(ctx, "model") or ("", {})
    assert "el 20 % de las filas de entrenamiento" in render(key, params, "es")


@pytest.mark.parametrize("key", ["metric.cause.no_fit", "metric.cause.zero_epochs", "metric.cause.fit_failed",
                                 "metric.cause.fit_cell_failed", "metric.cause.fit_not_run",
                                 "metric.cause.fit_other_model"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_an_untrained_metric_message_renders_whole(key: str, lang: str) -> None:
    params = {"metric_key": "metric.name.accuracy", "data_key": "metric.data_split", "dataset": "mnist",
              "split_key": "metric.split_test", "n": 10000, "found": 0.098, "expected": 0.97, "name": "model",
              "cause_key": key, "cell": "3 (`model.fit(x, y)`)", "stopped": "1 (`import x`)", "ename": "ValueError",
              "error": "ValueError", "n_other": 2}
    for message in ("metric.untrained", "metric.untrained.hidden"):
        text = render(message, dict(params), lang)
        assert "{" not in text and "}" not in text
        assert ("entren" in text) if lang == "es" else ("train" in text and "entren" not in text)
    assert "0.97" not in render("metric.untrained.hidden", dict(params), lang)


def test_a_zero_epoch_fit_of_the_model_itself_is_not_another_model_s_fit() -> None:
    """issue 17: `model.fit(..., epochs=0)` was told "the notebook's 1 fit trained another model"."""
    ctx = _ctx([BUILD, FIT], [_fit(epochs_run=0)])
    assert causes.untrained(ctx, "model") == ("metric.cause.zero_epochs", {"cell": "2 (`model.fit(x, y, epochs=5)`)"})


@pytest.mark.parametrize(("split", "hit"), [("test", True), ("train", False)])
def test_a_metric_on_rows_the_model_trained_on_is_found(split: str, hit: bool) -> None:
    """A fit on the very test images the metric is computed on is found by its fingerprint,
    whatever the student did to them (divided by 16 here); a fit on the training rows is not."""
    from grader.data.datasets import load
    from grader.kernel.manifest import data_fingerprint

    splits = load("optdigits", None)
    x, _ = splits[split]
    ctx = _ctx([BUILD, FIT], [_fit(x=data_fingerprint(x / 16.0))])
    reason = causes.trained_on_evaluated(ctx, "model", splits, "test")
    assert (reason is not None) == hit
    if reason is not None:
        assert reason == ("metric.trained_on_evaluated", {"cell": "2 (`model.fit(x, y, epochs=5)`)",
                                                           "rows": len(x)})
        params = {"metric_key": "metric.name.accuracy", "dataset": "optdigits", "split_key": "metric.split_test",
                  "n": len(x), "data_key": "metric.data_split", "found": 1.0, **reason[1]}
        es = render(reason[0], dict(params), "es")
        assert "no cuenta" in es and f"esas mismas {len(x)} filas" in es and "deja los de prueba" in es
        assert "does not count" in render(reason[0], dict(params), "en")


def _sonar_split(**kw: Any) -> tuple[Any, Any, Any]:
    """Sonar's rows, and the indices of the training part of a split made as a student makes it."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    from grader.data.datasets import load

    x, y = load("sonar", None)["all"]
    train, _ = train_test_split(np.arange(len(y)), **kw)
    return x, y, train


def _held_out(x: Any, y: Any) -> tuple[Any, Any]:
    import numpy as np
    from sklearn.model_selection import train_test_split

    from grader.checks.metrics import Holdout, holdout_rows

    _, idx = train_test_split(np.arange(len(y)), test_size=0.3, random_state=42, stratify=y)
    return holdout_rows(x, y, Holdout(test_size=0.3, random_state=42, stratify=True)), idx


def test_the_student_s_own_split_is_seen_row_by_row() -> None:
    """Issue 17: a Sonar notebook that trained on its own 80/20 split (float32, as a DataFrame's
    .values) is found to have trained on exactly the grader's held-out rows that its split put in
    training; the grader's own split (random_state=42) shares none."""
    from grader.kernel.manifest import row_hashes

    x, y, train = _sonar_split(test_size=0.2, random_state=7)
    assert len({row.tobytes() for row in x}) == len(x)  # no two Sonar rows alike: indices are the truth
    (held_x, _), held_idx = _held_out(x, y)
    ctx = _ctx([BUILD, FIT], [_fit(x_rows=row_hashes(x[train].astype("float32")))])
    mask, cell = causes.seen_rows(ctx, "model", held_x) or (None, "")
    assert mask is not None and int(mask.sum()) == len(set(train) & set(held_idx)) > 40
    assert cell == "2 (`model.fit(x, y, epochs=5)`)"

    _, _, train = _sonar_split(test_size=0.3, random_state=42, stratify=y)
    assert causes.seen_rows(_ctx([BUILD, FIT], [_fit(x_rows=row_hashes(x[train]))]), "model", held_x) is None


def test_rows_the_log_cannot_read_claim_nothing() -> None:
    """A scaled copy is other numbers, a failed fit trained on nothing, an old log has no rows."""
    from grader.kernel.manifest import row_hashes

    x, y, train = _sonar_split(test_size=0.2, random_state=7)
    (held_x, _), _ = _held_out(x, y)
    scaled = (x[train] - x.mean(0)) / x.std(0)
    for fit in (_fit(x_rows=row_hashes(scaled)), _fit(x_rows=row_hashes(x[train]), error="ValueError"), _fit()):
        assert causes.seen_rows(_ctx([BUILD, FIT], [fit]), "model", held_x) is None
    assert row_hashes(x[:5].tolist()) is None and row_hashes(x.reshape(len(x), 6, 10)) is None
    assert row_hashes(x, limit=100) is None  # more rows than the log records


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_held_out_messages_render_whole(lang: str) -> None:
    params = {"metric_key": "metric.name.accuracy", "dataset": "sonar", "n": 5, "total": 63, "seen": 58,
              "cell": "4 (`model.fit(X_train, y_train)`)", "test_size": 0.3, "random_state": 42, "min": 20,
              "expected": 0.7, "found": 0.91, "data_key": "metric.data_holdout_unseen"}
    for key in ("metric.trained_on_holdout", "metric.ok"):
        text = render(key, dict(params), lang)
        assert "{" not in text and "58" in text and "63" in text, text


def test_the_exported_fit_keeps_only_well_formed_rows() -> None:
    from grader.pipeline.export import _clean_fit

    assert _clean_fit({"x_rows": "0a1b2c" * 3, "epochs_run": 1})["x_rows"] == "0a1b2c" * 3
    for bad in ("0a1b2", "ZZZZZZ", "0a1b2c" * 2001, 7):
        assert "x_rows" not in _clean_fit({"x_rows": bad, "epochs_run": 1})


def test_the_statement_s_split_under_the_other_class_coding_is_the_one_measured() -> None:
    """LabelEncoder codes M=0: the student's `train_test_split(..., stratify=y)` with the
    statement's arguments then holds out other rows than the grader's. Those are the rows the
    model never saw, so they are measured (and the swapped classes are told as such)."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    from grader.checks.metrics import Holdout, _held_out
    from grader.kernel.manifest import row_hashes

    x, y, _ = _sonar_split(test_size=0.2, random_state=7)
    train, held = train_test_split(np.arange(len(y)), test_size=0.3, random_state=42, stratify=1 - y)
    ctx = _ctx([BUILD, FIT], [_fit(x_rows=row_hashes(x[train]))])
    holdout = Holdout(test_size=0.3, random_state=42, stratify=True)
    got_x, got_y, overlap = _held_out(ctx, "model", x, y, holdout)
    assert overlap is None
    assert sorted(map(bytes, got_x)) == sorted(map(bytes, x[held])) and sorted(got_y) == sorted(y[held])
    # the grader's own rows would have overlapped: that is what the other coding explains
    assert causes.seen_rows(ctx, "model", _held_out(_ctx([BUILD], []), "model", x, y, holdout)[0]) is not None


class _Oracle:
    """A stand-in for a Keras model that knows every Sonar row's class (accuracy 1 wherever)."""

    def __init__(self, x: Any, y: Any) -> None:
        self.labels = {row.astype("float32").tobytes(): float(label) for row, label in zip(x, y)}

    def predict(self, x: Any, batch_size: int = 32, verbose: int = 0) -> Any:
        import numpy as np

        return np.array([[self.labels[row.astype("float32").tobytes()]] for row in x])


@pytest.mark.parametrize("limit", [None, 50])
def test_the_metric_is_measured_on_the_held_out_rows_the_model_never_saw(limit: int | None) -> None:
    """Half of Sonar in the student's training part: about half of the grader's 63 held-out rows
    were seen, the rest (over 20) are measured, and the message says how many of each."""
    from grader.checks import ArtifactCheck
    from grader.checks.metrics import check_metric
    from grader.kernel.manifest import row_hashes

    sonar, _, _ = library.load("sonar_roc")
    x, y, train = _sonar_split(test_size=0.5, random_state=3)
    (_, _), held = _held_out(x, y)
    ctx = _ctx([BUILD, FIT], [_fit(x_rows=row_hashes(x[train]))])
    ctx = CheckContext(sonar, ctx.outcome, None)
    ctx._models["model"] = _Oracle(x, y)
    spec = next(c for c in sonar.checks if c.id == "exactitud")
    expect = {**spec.expect, **({"limit": limit} if limit else {})}
    result = check_metric(ArtifactCheck(**{**spec.model_dump(), "expect": expect}), ctx)
    rows = held[:limit] if limit else held
    seen = len(set(train) & set(rows.tolist()))
    assert 0 < seen and len(rows) - seen >= causes.MIN_UNSEEN
    assert (result.status, result.message, result.found) == ("pass", "metric.ok", 1.0)
    assert (result.params["data_key"], result.params["seen"], result.params["n"]) == (
        "metric.data_holdout_unseen", seen, len(rows) - seen)
    text = render(result.message, result.params, "es")
    assert f"las {len(rows) - seen} filas de prueba de sonar con las que el modelo no se entrenó" in text


def test_a_training_check_says_why_no_fit_finished() -> None:
    """issue 17: "train the model with model.fit(...)" was said to notebooks whose fit cell had
    failed or run out of time; the training check now gives the fit log's cause."""
    from grader.checks import run_check
    from grader.model.spec import CheckSpec

    check = CheckSpec(id="t", kind="training", expect={"min_fits": 1})
    timed_out = _ctx([BUILD, FIT], [_fit(error="KeyboardInterrupt", epochs_run=None)], {2: "timeout"})
    timed_out.outcome.timeout_s = 60
    r = run_check(check, timed_out)
    assert (r.status, r.message, r.params["cause_key"]) == ("fail", "training.no_fit_because",
                                                            "training.cause.fit_timeout")
    es = render(r.message, r.params)
    assert "superó el tiempo máximo de una celda (60 s)" in es and "KeyboardInterrupt" not in es
    assert "Entrena el modelo con" not in es
    r = run_check(check, _ctx([BUILD, "model.compile(loss='x')\nmodel.fit(x, y)"], [], {2: "error"}))
    assert render(r.message, r.params, "en") == (
        "The grader logged no finished training (`fit`); at least 1 was expected. Code cell 2 "
        "(`model.compile(loss='x')`), which calls `fit`, failed (ValueError) before training. Fix that error.")
    r = run_check(check, _ctx([BUILD], []))  # no fit anywhere: the plain advice is the true one
    assert r.message == "training.no_fit"


def test_a_data_sequence_is_never_drawn_from_to_fingerprint_it() -> None:
    """A keras Sequence (ImageDataGenerator.flow) has a length and batches but no shape:
    np.asarray would draw every batch into memory (an 8 GiB stop on a real notebook)."""
    import numpy as np

    from grader.kernel.manifest import data_fingerprint

    drawn: list[int] = []

    class Batches:
        def __len__(self) -> int:
            return 600

        def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
            drawn.append(i)
            return np.ones((100, 784)), np.zeros(100)

    assert data_fingerprint(Batches()) is None and drawn == []
    assert data_fingerprint(np.ones((40, 3)))["rows"] == 40  # type: ignore[index]
