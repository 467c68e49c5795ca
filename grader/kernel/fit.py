"""The compute budget on ``Model.fit`` (epoch cap, data fraction, time budget) and the log of
every fit call that the ``training`` check reads."""

from __future__ import annotations

import functools
import inspect
import math
import os
import sys
import time
from typing import Any

from .manifest import (
    MAX_FITS,
    ROW_HASH_FITS,
    ROW_HASH_ROWS,
    Fingerprint,
    data_fingerprint,
    row_hashes,
)
from .state import CONFIG, STATE, event


# ---- compute budget on Model.fit
def _subset(data: Any, index: Any) -> Any:
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: _subset(v, index) for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and hasattr(data[0], "shape"):
        return type(data)(_subset(v, index) for v in data)
    if hasattr(data, "iloc"):
        return data.iloc[index]
    np = sys.modules["numpy"]
    if type(data).__module__.startswith("tensorflow"):
        return sys.modules["tensorflow"].gather(data, index)
    return np.asarray(data)[index]


def _rows(data: Any) -> int | None:
    if isinstance(data, dict):
        data = next(iter(data.values()), None)
    elif isinstance(data, (list, tuple)) and data and hasattr(data[0], "shape"):
        data = data[0]
    shape = getattr(data, "shape", None)
    if shape is not None and len(shape) > 0 and shape[0] is not None:
        return int(shape[0])
    return len(data) if isinstance(data, list) else None


def _time_budget_callback(keras: Any, limit: float, requested: int) -> Any:
    class TimeBudget(keras.callbacks.Callback):
        """Stops training cleanly once the exercise's fit time budget is spent."""

        def __init__(self) -> None:
            super().__init__()
            self.start = time.monotonic()
            self.epochs_done = 0  # whole epochs: the one the budget cut short is not one
            self.batches = 0  # batches of the epoch under way
            self.cut_batches = 0  # batches of the epoch the budget cut short (0: cut at an epoch's end)
            self.fired = False

        def _check(self) -> bool:
            if not self.fired and time.monotonic() - self.start > limit:
                self.fired = True
                self.model.stop_training = True
                return True
            return False

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.batches = 0

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.batches += 1
            if self._check():
                self.cut_batches = self.batches

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if not self.cut_batches:
                self.epochs_done += 1
            self._check()

        def on_train_end(self, logs: Any = None) -> None:
            if self.fired:
                extra = {"batches": self.cut_batches} if self.cut_batches else {}
                event("time_budget", budget=round(CONFIG["budget"]["fit_time_budget"]),
                       epochs=self.epochs_done, requested=requested, **extra)

    return TimeBudget()


# Every fit call is logged (plain data, in the manifest): the `training` check reads it in the
# checker. Recorded by the grader's wrapper, not taken from the student's objects afterwards.
_CALLBACK_ATTRS = ("monitor", "patience", "min_delta", "mode", "baseline", "restore_best_weights",
                   "start_from_epoch", "factor", "min_lr", "cooldown", "save_best_only", "verbose")


def _describe_callback(cb: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"type": type(cb).__name__}
    for attr in _CALLBACK_ATTRS:
        value = getattr(cb, attr, None)
        if type(value) in (int, float, str, bool):
            d[attr] = value
    return d


def _fit_record(model: Any, a: dict[str, Any], requested: int | None, callbacks: list[Any],
                fingerprint: Fingerprint | None) -> dict[str, Any]:
    validation = "data" if a.get("validation_data") is not None else (
        "split" if (a.get("validation_split") or 0) > 0 else None)
    batch = a.get("batch_size")
    if batch is None and fingerprint is not None:
        batch = 32  # Keras's default for arrays
    return {
        "model": id(model), "epochs_asked": requested,
        "epochs_allowed": (a.get("epochs", 1) or 1) - (a.get("initial_epoch", 0) or 0)
        if isinstance(a.get("epochs", 1), int) else None,
        "batch_size": batch if type(batch) is int else None, "validation": validation,
        "x": fingerprint, "callbacks": [_describe_callback(cb) for cb in callbacks],
    }


def _trained_rows(a: dict[str, Any]) -> str | None:
    """Which rows of a small table this fit trains on (``row_hashes``): those left after
    ``validation_split``, which Keras takes from the end."""
    if sum(1 for f in STATE.get("fits", []) if f.get("x_rows")) >= ROW_HASH_FITS:
        return None
    x = a.get("x")
    n = _rows(x)
    if not n or n > ROW_HASH_ROWS or isinstance(x, (dict, list, tuple)):
        return None
    split = a.get("validation_split") or 0
    if isinstance(split, float) and 0 < split < 1:
        x = _subset(x, list(range(int(math.ceil(n * (1 - split))))))
    return row_hashes(x)


def _optimizer(model: Any) -> dict[str, Any] | None:
    """The optimizer's class and learning rate, as a report names them (descriptive only)."""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None
    d: dict[str, Any] = {"type": type(opt).__name__}
    try:
        lr = opt.learning_rate
        value = float(lr.numpy() if hasattr(lr, "numpy") else lr)
        if math.isfinite(value):
            d["learning_rate"] = value
    except Exception:  # a schedule, or a backend that will not say
        pass
    return d


def _last_values(history: Any) -> dict[str, float]:
    """Each logged metric's value after the last epoch (``loss``, ``accuracy``, ``val_…``)."""
    logged = getattr(history, "history", None)
    out: dict[str, float] = {}
    if not isinstance(logged, dict):
        return out
    for key, values in list(logged.items())[:16]:
        try:
            value = float(values[-1])
        except Exception:
            continue
        if isinstance(key, str) and math.isfinite(value):
            out[key[:40]] = round(value, 4)
    return out


def _finish_fit_record(record: dict[str, Any], model: Any, history: Any, callbacks: list[Any], timer: Any,
                       elapsed: float) -> None:
    epochs = getattr(history, "epoch", None)
    record["epochs_run"] = len(epochs) if isinstance(epochs, list) else None
    record["optimizer"] = _optimizer(model)
    record["last"] = _last_values(history)
    record["seconds"] = round(elapsed, 3)
    record["time_budget_stopped"] = bool(getattr(timer, "fired", False))
    if getattr(timer, "cut_batches", 0):  # stopped inside an epoch: the last logged epoch is partial
        record["time_budget_batches"] = timer.cut_batches
    for described, cb in zip(record["callbacks"], callbacks):
        stopped = getattr(cb, "stopped_epoch", None)
        if type(stopped) is int:
            described["stopped_epoch"] = stopped
    fits = STATE.setdefault("fits", [])
    if len(fits) < MAX_FITS:  # the grader reads at most this many (grader.pipeline.export.MAX_FITS)
        fits.append(record)


def patch_fit() -> None:

    keras = sys.modules["keras"]
    model_class = keras.Model
    original = model_class.fit
    if getattr(original, "_dl_grader", False):
        return
    signature = inspect.signature(original)

    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        budget = CONFIG.get("budget") or {}
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError:
            return original(self, *args, **kwargs)  # let Keras say what is wrong
        a = bound.arguments
        fingerprint = data_fingerprint(a.get("x"))  # before any subset: what the student passed
        epochs, initial = a.get("epochs", 1), a.get("initial_epoch", 0) or 0
        requested = epochs - initial if isinstance(epochs, int) and isinstance(initial, int) else None
        cap = budget.get("max_epochs")
        if cap and requested is not None and requested > cap:
            a["epochs"] = initial + cap
            event("epoch_cap", requested=requested, applied=cap)
        fraction = budget.get("data_fraction")
        if fraction and fraction < 1 and a.get("x") is not None:
            n = _rows(a["x"])
            if n and n > 1 and not isinstance(a.get("x"), (str, bytes)):
                keep = max(1, int(round(n * fraction)))
                np = sys.modules["numpy"]
                index = np.sort(np.random.default_rng(CONFIG.get("seed", 0)).permutation(n)[:keep])
                for key in ("x", "y", "sample_weight"):
                    if a.get(key) is not None and _rows(a[key]) == n:
                        a[key] = _subset(a[key], index)
                event("data_fraction", used=keep, total=n)
        user_callbacks = list(a.get("callbacks") or [])
        record = _fit_record(self, a, requested, user_callbacks, fingerprint)
        rows = _trained_rows(a)
        if rows:
            record["x_rows"] = rows
        limit = budget.get("fit_time_budget")
        timer = None
        if limit:
            remaining = max(1.0, float(limit) - STATE.get("fit_seconds", 0.0))
            timer = _time_budget_callback(keras, remaining, requested or 0)
            a["callbacks"] = [*user_callbacks, timer]
        t0 = time.monotonic()
        history, before = None, getattr(self, "history", None)
        try:
            history = original(*bound.args, **bound.kwargs)
            return history
        except BaseException as exc:
            record["error"] = type(exc).__name__
            if isinstance(exc, KeyboardInterrupt) and getattr(self, "history", None) is not before:
                history = self.history  # Keras sets it after each epoch: the epochs done before the cut
            raise
        finally:
            elapsed = time.monotonic() - t0
            STATE["fit_seconds"] = STATE.get("fit_seconds", 0.0) + elapsed
            _finish_fit_record(record, self, history, user_callbacks, timer, elapsed)

    fit.__doc__, fit.__name__ = original.__doc__, "fit"
    fit.__wrapped__ = original  # type: ignore[attr-defined]
    fit._dl_grader = True  # type: ignore[attr-defined]
    model_class.fit = fit


def patch_lineage() -> None:
    """A model saved and loaded back is the model that was trained: ``model.save('m.keras')``
    then ``model = load_model('m.keras')`` (or a checkpoint restored with ``load_weights`` into
    a model built again) gives a new object, which inherits the logged fits of the model that
    wrote the file (marked ``inherited``: the file's name)."""
    keras = sys.modules["keras"]
    model_class = keras.Model
    saved: dict[str, int] = STATE.setdefault("saved_models", {})

    def where(filepath: Any) -> str | None:
        try:
            return os.path.abspath(os.fspath(filepath))
        except TypeError:
            return None

    def inherit(model: Any, filepath: Any) -> None:
        path = where(filepath)
        source = saved.get(path) if path else None
        if source is None or source == id(model) or not isinstance(STATE.get("fits"), list):
            return
        fits = STATE["fits"]
        for f in [f for f in fits if f.get("model") == source and not f.get("error")]:
            if len(fits) < MAX_FITS:
                fits.append({**f, "model": id(model), "inherited": os.path.basename(path or "")})

    def remember(model: Any, filepath: Any) -> None:
        path = where(filepath)
        if path:
            saved[path] = id(model)

    def after(original: Any, then: Any, returns_model: bool) -> Any:
        """``original``, then ``then(model, filepath)``: the model is ``self`` of a method, or what
        a loading function returned."""
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            filepath = args[0 if returns_model else 1] if len(args) > (0 if returns_model else 1) else kwargs.get("filepath")
            then(result if returns_model else args[0], filepath)
            return result

        functools.update_wrapper(wrapper, original)
        wrapper._dl_grader = True  # type: ignore[attr-defined]
        return wrapper

    for name, then in (("save", remember), ("save_weights", remember), ("load_weights", inherit)):
        original = getattr(model_class, name, None)
        if original is not None and not getattr(original, "_dl_grader", False):
            setattr(model_class, name, after(original, then, returns_model=False))
    original_load = getattr(keras.models, "load_model", None)
    if original_load is None or getattr(original_load, "_dl_grader", False):
        return
    load_model = after(original_load, inherit, returns_model=True)
    for module in ("keras.models", "keras.saving", "keras.src.saving.saving_api", "keras.src.saving",
                   "keras.src.models"):
        found: Any = sys.modules.get(module)
        if found is not None and getattr(found, "load_model", None) is original_load:
            found.load_model = load_model
