"""Code written for older Keras, NumPy, pandas and scikit-learn, run as its author meant it.

Tutorials and course notebooks still use names that Keras 3, NumPy 2, pandas 3 and recent
scikit-learn removed (``from keras.utils import np_utils``, ``SGD(lr=0.01)``,
``model.predict_classes(x)``, ``np.float``, ``fillna(method='ffill')`` …). With ``compat:
adapt`` (the default; the spec or ``--compat hint`` turns it off) each such use runs with
today's spelling of the same thing and is recorded as an event that names both spellings, which
the report shows as feedback. A rule only renames: it never changes what a model computes
(``decay`` becomes the schedule Keras 2 applied, ``predict_classes`` the rule Keras 2 used).

Each rule is in ``RULES`` (its id, the old and the new spelling) and has a test cell in
``tests/test_compat.py`` that fails without it and runs with it.
"""

# ruff: noqa: BLE001  (everything here must survive whatever the student's code did)
from __future__ import annotations

import functools
import importlib
import inspect
import sys
from importlib.abc import Loader, MetaPathFinder
from typing import Any

from .state import CONFIG, event

# id -> (old spelling, today's spelling), as the report shows them
RULES: dict[str, tuple[str, str]] = {
    "np_utils": ("keras.utils.np_utils.to_categorical", "keras.utils.to_categorical"),
    "layers_module": ("keras.layers.core / convolutional / pooling …", "keras.layers"),
    "vis_utils": ("keras.utils.vis_utils.plot_model", "keras.utils.plot_model"),
    "optimizer_lowercase": ("keras.optimizers.rmsprop(…)", "keras.optimizers.RMSprop(…)"),
    "optimizer_lr": ("SGD(lr=…)", "SGD(learning_rate=…)"),
    "optimizer_decay": ("SGD(decay=d)", "learning_rate=InverseTimeDecay(lr, 1, d)"),
    "optimizer_lr_attr": ("optimizer.lr", "optimizer.learning_rate"),
    "layer_kwarg": ("Dense(output_dim=…), init=, border_mode=, subsample=, p= …", "units=, kernel_initializer=, padding=, strides=, rate= …"),
    "dim_ordering": ("dim_ordering='tf' / 'th'", "data_format='channels_last' / 'channels_first'"),
    "model_io": ("Model(input=…, output=…)", "Model(inputs=…, outputs=…)"),
    "fit_epochs": ("fit(nb_epoch=…)", "fit(epochs=…)"),
    "predict_classes": ("model.predict_classes(x)", "argmax of model.predict(x) (> 0.5 for one output)"),
    "predict_proba": ("model.predict_proba(x)", "model.predict(x)"),
    "generator_method": ("fit_generator / evaluate_generator / predict_generator", "fit / evaluate / predict"),
    "checkpoint_h5": ("ModelCheckpoint('best.hdf5')", "ModelCheckpoint('best.keras') (weights: 'best.weights.h5')"),
    "numpy_alias": ("np.float, np.int, np.bool, np.object, np.str", "float, int, bool, object, str"),
    "fillna_method": ("fillna(method='ffill' / 'bfill')", "ffill() / bfill()"),
    "frame_append": ("DataFrame.append(other)", "pandas.concat([frame, other])"),
    "onehot_sparse": ("OneHotEncoder(sparse=…)", "OneHotEncoder(sparse_output=…)"),
}

_LAYER_MODULES = ("core", "convolutional", "pooling", "recurrent", "embeddings", "normalization",
                  "advanced_activations", "noise", "merge", "wrappers", "local", "convolutional_recurrent")
# old keyword -> today's keyword, for any layer whose constructor has the new one and not the old
_LAYER_KWARGS = {
    "output_dim": "units", "init": "kernel_initializer", "inner_init": "recurrent_initializer",
    "border_mode": "padding", "subsample": "strides", "subsample_length": "strides",
    "W_regularizer": "kernel_regularizer", "b_regularizer": "bias_regularizer",
    "U_regularizer": "recurrent_regularizer", "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint", "U_constraint": "recurrent_constraint", "bias": "use_bias",
    "dropout_W": "dropout", "dropout_U": "recurrent_dropout", "nb_filter": "filters",
    "filter_length": "kernel_size", "pool_length": "pool_size", "p": "rate",
}
_DIM_ORDERING = {"tf": "channels_last", "th": "channels_first"}
_NUMPY_ALIASES = {"float": float, "int": int, "bool": bool, "object": object, "str": str, "long": int,
                  "complex": complex, "unicode": str}


def enabled() -> bool:
    return CONFIG.get("compat", "adapt") == "adapt"


def _used(rule: str) -> None:
    old, new = RULES[rule]
    event("compat", rule=rule, old=old, new=new)


def install() -> None:
    """Before the first cell: old module paths, and the libraries already imported."""
    sys.meta_path.append(_OldModules())
    if "numpy" in sys.modules:
        patch_numpy()


# ---------------------------------------------------------------- module paths
class _OldModules(MetaPathFinder, Loader):
    """Modules Keras removed, served by today's ones (asked only after the real finders fail)."""

    def _target(self, fullname: str) -> tuple[str, str] | None:
        name = fullname.removeprefix("tensorflow.")
        if name == "keras.utils.np_utils":
            return "np_utils", "keras.utils"
        if name == "keras.utils.vis_utils":
            return "vis_utils", "keras.utils"
        head, _, tail = name.rpartition(".")
        if head == "keras.layers" and tail in _LAYER_MODULES:
            return "layers_module", "keras.layers"
        return None

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if not enabled() or self._target(fullname) is None:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(fullname, self)

    def create_module(self, spec: Any) -> Any:
        return None

    def exec_module(self, module: Any) -> None:
        found = self._target(module.__name__)
        assert found is not None
        rule, source = found
        today = importlib.import_module(source)
        module.__dict__.update({k: v for k, v in vars(today).items() if not k.startswith("__")})
        if rule == "np_utils":
            module.normalize = getattr(today, "normalize", None)
        _used(rule)


# ---------------------------------------------------------------- Keras
def patch_keras() -> None:
    """After Keras is imported (and after the grader's own ``fit`` wrapper)."""
    if not enabled():
        return
    keras = sys.modules["keras"]
    for step in (_optimizers, _layers, _models, _checkpoint):
        try:
            step(keras)
        except Exception as exc:
            event("internal", detail=f"compat {step.__name__}: {exc!r}"[:300])


def _optimizers(keras: Any) -> None:
    optimizers = keras.optimizers
    base = optimizers.Optimizer
    for name in ("SGD", "RMSprop", "Adam", "Adagrad", "Adadelta", "Adamax", "Nadam", "AdamW", "Ftrl"):
        cls = getattr(optimizers, name, None)
        if cls is None or getattr(cls.__init__, "_dl_grader", False):
            continue
        cls.__init__ = _optimizer_init(keras, cls.__init__)
        lower = name.lower()
        if not hasattr(optimizers, lower):
            setattr(optimizers, lower, _lowercase(cls))
    if not hasattr(base, "lr"):
        def get_lr(self: Any) -> Any:
            _used("optimizer_lr_attr")
            return self.learning_rate

        def set_lr(self: Any, value: Any) -> None:
            _used("optimizer_lr_attr")
            self.learning_rate = value

        base.lr = property(get_lr, set_lr)


def _optimizer_init(keras: Any, original: Any) -> Any:
    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if "lr" in kwargs and "learning_rate" not in kwargs:
            kwargs["learning_rate"] = kwargs.pop("lr")
            _used("optimizer_lr")
        decay = kwargs.pop("decay", None)
        if decay:
            # Keras 2's decay: lr / (1 + decay * iterations), which is this schedule exactly
            rate = kwargs.get("learning_rate", args[0] if args else 0.01)
            kwargs["learning_rate"] = keras.optimizers.schedules.InverseTimeDecay(
                initial_learning_rate=rate, decay_steps=1, decay_rate=decay)
            args = args[1:]
            _used("optimizer_decay")
        original(self, *args, **kwargs)

    __init__._dl_grader = True  # type: ignore[attr-defined]
    return __init__


def _lowercase(cls: Any) -> Any:
    def make(*args: Any, **kwargs: Any) -> Any:
        _used("optimizer_lowercase")
        return cls(*args, **kwargs)

    make.__name__ = cls.__name__.lower()
    return make


def _layers(keras: Any) -> None:
    layer_base = keras.layers.Layer
    for name in dir(keras.layers):
        cls: Any = getattr(keras.layers, name, None)
        if (not isinstance(cls, type) or not issubclass(cls, layer_base) or cls is layer_base
                or "__init__" not in cls.__dict__ or getattr(cls.__dict__["__init__"], "_dl_grader", False)):
            continue
        setattr(cls, "__init__", _layer_init(cls.__dict__["__init__"]))  # noqa: B010


def _named_like(original: Any) -> Any:
    """``functools.wraps`` without ``__wrapped__``: Keras reads a layer's constructor arguments
    with both ``inspect.signature`` (which follows ``__wrapped__``) and ``getfullargspec`` (which
    does not), so the wrapper must show one signature to both."""
    def name(wrapper: Any) -> Any:
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(wrapper, attr, getattr(original, attr, None))
        return wrapper

    return name


def _layer_init(original: Any) -> Any:
    try:
        params = set(inspect.signature(original).parameters)
    except (TypeError, ValueError):
        return original

    @_named_like(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        for old, new in _LAYER_KWARGS.items():
            if old in kwargs and old not in params and new in params and new not in kwargs:
                kwargs[new] = kwargs.pop(old)
                _used("layer_kwarg")
        for old in ("nb_row", "nb_col"):
            if old in kwargs and "kernel_size" in params and old not in params:
                rows, cols = kwargs.pop("nb_row", None), kwargs.pop("nb_col", None)
                kwargs.setdefault("kernel_size", (rows, cols) if rows and cols else rows or cols)
                _used("layer_kwarg")
        ordering = kwargs.pop("dim_ordering", None) if "dim_ordering" not in params else None
        if ordering is not None:
            if "data_format" in params:
                kwargs["data_format"] = _DIM_ORDERING.get(ordering, ordering)
            _used("dim_ordering")
        original(self, *args, **kwargs)

    __init__._dl_grader = True  # type: ignore[attr-defined]
    return __init__


def _model_io(kwargs: dict[str, Any]) -> None:
    for old, new in (("input", "inputs"), ("output", "outputs")):
        if old in kwargs and new not in kwargs:
            kwargs[new] = kwargs.pop(old)
            _used("model_io")


def _models(keras: Any) -> None:
    model = keras.Model
    # Model(input=, output=): Model.__new__ picks the functional class from the keyword names, and
    # the functional class's own constructor runs next: all three get today's names
    functional = importlib.import_module("keras.src.models.functional").Functional
    for cls in (model, functional):
        original = cls.__dict__.get("__init__")
        if original is None or getattr(original, "_dl_grader", False):
            continue

        def __init__(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            _model_io(kwargs)
            _original(self, *args, **kwargs)

        __init__ = _named_like(original)(__init__)
        __init__._dl_grader = True  # type: ignore[attr-defined]
        setattr(cls, "__init__", __init__)  # noqa: B010
    original_new = model.__dict__.get("__new__")
    if original_new is not None and not getattr(original_new, "_dl_grader", False):
        new_fn = original_new.__func__ if isinstance(original_new, staticmethod) else original_new

        def __new__(cls: Any, *args: Any, **kwargs: Any) -> Any:
            _model_io(kwargs)
            return new_fn(cls, *args, **kwargs)

        __new__._dl_grader = True  # type: ignore[attr-defined]
        model.__new__ = __new__
    fit = model.fit

    @functools.wraps(fit)
    def fit_compat(self: Any, *args: Any, **kwargs: Any) -> Any:
        if "nb_epoch" in kwargs and "epochs" not in kwargs:
            kwargs["epochs"] = kwargs.pop("nb_epoch")
            _used("fit_epochs")
        return fit(self, *args, **kwargs)

    if not getattr(fit, "_dl_grader_compat", False):
        fit_compat._dl_grader_compat = True  # type: ignore[attr-defined]
        fit_compat._dl_grader = True  # type: ignore[attr-defined]
        model.fit = fit_compat

    def predict_classes(self: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        _used("predict_classes")
        np = sys.modules["numpy"]
        proba = np.asarray(self.predict(x, *args, **kwargs))
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        _used("predict_proba")
        return self.predict(x, *args, **kwargs)

    def generator(name: str) -> Any:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            _used("generator_method")
            kwargs.pop("workers", None), kwargs.pop("use_multiprocessing", None), kwargs.pop("max_queue_size", None)
            if "nb_epoch" in kwargs and "epochs" not in kwargs:
                kwargs["epochs"] = kwargs.pop("nb_epoch")
            return getattr(self, name)(*args, **kwargs)

        return method

    for name, fn in (("predict_classes", predict_classes), ("predict_proba", predict_proba),
                     ("fit_generator", generator("fit")), ("evaluate_generator", generator("evaluate")),
                     ("predict_generator", generator("predict"))):
        if not hasattr(model, name):
            setattr(model, name, fn)


def _checkpoint(keras: Any) -> None:
    cls = keras.callbacks.ModelCheckpoint
    original = cls.__init__
    if getattr(original, "_dl_grader", False):
        return

    @functools.wraps(original)
    def __init__(self: Any, filepath: Any, *args: Any, **kwargs: Any) -> None:
        text = str(filepath)
        weights = bool(kwargs.get("save_weights_only", False))
        if text.endswith((".h5", ".hdf5")) and not text.endswith(".weights.h5"):
            stem = text.rsplit(".", 1)[0]
            filepath = stem + (".weights.h5" if weights else ".keras")
            _used("checkpoint_h5")
        original(self, filepath, *args, **kwargs)

    __init__._dl_grader = True  # type: ignore[attr-defined]
    cls.__init__ = __init__


# ---------------------------------------------------------------- NumPy, pandas, scikit-learn
def patch_numpy() -> None:
    if not enabled():
        return
    np = sys.modules.get("numpy")
    if np is None or getattr(np, "_dl_grader_compat", False):
        return
    module_getattr = np.__dict__.get("__getattr__")

    def __getattr__(name: str) -> Any:
        if name in _NUMPY_ALIASES:
            _used("numpy_alias")
            return _NUMPY_ALIASES[name]
        if module_getattr is not None:
            return module_getattr(name)
        raise AttributeError(f"module 'numpy' has no attribute {name!r}")

    setattr(np, "__getattr__", __getattr__)  # noqa: B010  (a module's own attribute hook)
    setattr(np, "_dl_grader_compat", True)  # noqa: B010


def patch_pandas() -> None:
    if not enabled():
        return
    pd = sys.modules.get("pandas")
    if pd is None or getattr(pd, "_dl_grader_compat", False):
        return
    setattr(pd, "_dl_grader_compat", True)  # noqa: B010
    for cls in (pd.DataFrame, pd.Series):
        fillna = cls.fillna

        def fill(self: Any, value: Any = None, *args: Any, _fillna: Any = fillna, **kwargs: Any) -> Any:
            method = kwargs.pop("method", None)
            if method in ("ffill", "pad", "bfill", "backfill") and value is None:
                _used("fillna_method")
                forward = method in ("ffill", "pad")
                kept = {k: kwargs[k] for k in ("axis", "inplace", "limit") if k in kwargs}
                return self.ffill(**kept) if forward else self.bfill(**kept)
            if method is not None:
                kwargs["method"] = method
            return _fillna(self, value, *args, **kwargs)

        functools.update_wrapper(fill, fillna)
        cls.fillna = fill
    if not hasattr(pd.DataFrame, "append"):
        def append(self: Any, other: Any, ignore_index: bool = False, sort: bool = False, **kwargs: Any) -> Any:
            _used("frame_append")
            if isinstance(other, dict):
                other = pd.DataFrame([other])
            elif isinstance(other, list) and other and isinstance(other[0], dict):
                other = pd.DataFrame(other)
            elif isinstance(other, pd.Series):
                other = other.to_frame().T
            frames = [self, *other] if isinstance(other, list) else [self, other]
            return pd.concat(frames, ignore_index=ignore_index, sort=sort)

        pd.DataFrame.append = append


def patch_sklearn_preprocessing() -> None:
    if not enabled():
        return
    module = sys.modules.get("sklearn.preprocessing")
    cls = getattr(module, "OneHotEncoder", None)
    if cls is None or getattr(cls.__init__, "_dl_grader", False):
        return
    original = cls.__init__
    if "sparse" in inspect.signature(original).parameters:
        return

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if "sparse" in kwargs and "sparse_output" not in kwargs:
            kwargs["sparse_output"] = kwargs.pop("sparse")
            _used("onehot_sparse")
        original(self, *args, **kwargs)

    __init__._dl_grader = True  # type: ignore[attr-defined]
    cls.__init__ = __init__
