"""Keras 1/2 spellings under Keras 3 (see ``compat`` for the rules): optimizers, layer and
model arguments, removed model methods, checkpoints, the Keras 1 ``Convolution2D(32, 3, 3)``
and ``merge``, ``to_categorical(nb_classes=)``, history keys, the legacy preprocessing classes,
the backend's image ordering, and the scikit-learn wrappers."""

# ruff: noqa: BLE001  (everything here must survive whatever the student's code did)
from __future__ import annotations

import functools
import importlib
import inspect
import math
import numbers
import os
import sys
from typing import Any

from .compat import enabled, used
from .state import event

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
# Keras 1's merge modes -> the function of keras.layers that computes the same
_MERGE_MODES = {"sum": "add", "mul": "multiply", "concat": "concatenate", "ave": "average", "max": "maximum",
                "dot": "dot"}


def patch_keras() -> None:
    """After Keras is imported (and after the grader's own ``fit`` wrapper)."""
    if not enabled():
        return
    keras = sys.modules["keras"]
    for step in (_optimizers, _layers, _models, _checkpoint, _convolution, _merge, _utils, _history,
                 _preprocessing, _backend, _constraints):
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
            used("optimizer_lr_attr")
            return self.learning_rate

        def set_lr(self: Any, value: Any) -> None:
            used("optimizer_lr_attr")
            self.learning_rate = value

        base.lr = property(get_lr, set_lr)


def _optimizer_init(keras: Any, original: Any) -> Any:
    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if "lr" in kwargs and "learning_rate" not in kwargs:
            kwargs["learning_rate"] = kwargs.pop("lr")
            used("optimizer_lr")
        if "epsilon" in kwargs and kwargs["epsilon"] is None:
            # Keras 2: epsilon=None meant the backend's fuzz factor, 1e-7, today's default
            kwargs.pop("epsilon")
            used("optimizer_epsilon_none")
        decay = kwargs.pop("decay", None)
        if decay:
            # Keras 2's decay: lr / (1 + decay * iterations), which is this schedule exactly
            rate = kwargs.get("learning_rate", args[0] if args else 0.01)
            kwargs["learning_rate"] = keras.optimizers.schedules.InverseTimeDecay(
                initial_learning_rate=rate, decay_steps=1, decay_rate=decay)
            args = args[1:]
            used("optimizer_decay")
        original(self, *args, **kwargs)

    __init__._dl_grader = True  # type: ignore[attr-defined]
    return __init__


def _lowercase(cls: Any) -> Any:
    def make(*args: Any, **kwargs: Any) -> Any:
        used("optimizer_lowercase")
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
                used("layer_kwarg")
        for old in ("nb_row", "nb_col"):
            if old in kwargs and "kernel_size" in params and old not in params:
                rows, cols = kwargs.pop("nb_row", None), kwargs.pop("nb_col", None)
                kwargs.setdefault("kernel_size", (rows, cols) if rows and cols else rows or cols)
                used("layer_kwarg")
        if kwargs.get("mode", None) == 0 and "mode" not in params and "momentum" in params:
            kwargs.pop("mode")  # BatchNormalization(mode=0): Keras 1's feature-wise default, today's only mode
            used("batchnorm_mode")
        if "activation" in params:
            if "activation" in kwargs:
                kwargs["activation"] = _keras_activation(kwargs["activation"])
            elif args and type(self).__name__ == "Activation":
                args = (_keras_activation(args[0]), *args[1:])
        ordering = kwargs.pop("dim_ordering", None) if "dim_ordering" not in params else None
        if ordering is not None:
            if "data_format" in params:
                kwargs["data_format"] = _DIM_ORDERING.get(ordering, ordering)
            used("dim_ordering")
        original(self, *args, **kwargs)

    __init__._dl_grader = True  # type: ignore[attr-defined]
    return __init__


# TensorFlow's functions that Keras saves under a name it cannot load back (``tf.nn.softmax`` is
# ``softmax_v2``): the Keras activation that computes the same, and how students write them.
# ``tf.nn.relu``, ``tf.nn.sigmoid``, ``tf.nn.tanh`` … are saved as 'relu', 'sigmoid', 'tanh' and
# load back safely: they are left as written.
_TF_ACTIVATIONS = {"softmax_v2": ("softmax", "tf.nn.softmax"), "log_softmax_v2": ("log_softmax", "tf.nn.log_softmax"),
                   "swish": ("silu", "tf.nn.silu"), "exp": ("exponential", "tf.math.exp")}


def _keras_activation(value: Any) -> Any:
    """``Dense(10, activation=tf.nn.softmax)``: Keras 3 runs TensorFlow's function but saves it
    under a name it cannot load back safely; the same activation under its Keras name can."""
    if isinstance(value, str) or not callable(value):
        return value
    module, name = str(getattr(value, "__module__", "") or ""), str(getattr(value, "__name__", "") or "")
    if not module.startswith("tensorflow") or name not in _TF_ACTIVATIONS:
        return value
    keras_name, written = _TF_ACTIVATIONS[name]
    used("tf_activation", f"activation={written}", f"activation='{keras_name}'")
    return keras_name


def _model_io(kwargs: dict[str, Any]) -> None:
    for old, new in (("input", "inputs"), ("output", "outputs")):
        if old in kwargs and new not in kwargs:
            kwargs[new] = kwargs.pop(old)
            used("model_io")


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
            used("fit_epochs")
        _whole_steps(kwargs)
        return fit(self, *args, **kwargs)

    if not getattr(fit, "_dl_grader_compat", False):
        fit_compat._dl_grader_compat = True  # type: ignore[attr-defined]
        fit_compat._dl_grader = True  # type: ignore[attr-defined]
        model.fit = fit_compat

    def predict_classes(self: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        used("predict_classes")
        np = sys.modules["numpy"]
        proba = np.asarray(self.predict(x, *args, **kwargs))
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        used("predict_proba")
        return self.predict(x, *args, **kwargs)

    def generator(name: str) -> Any:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            used("generator_method")
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


def _whole_steps(kwargs: dict[str, Any]) -> None:
    """``steps_per_epoch=len(x) / 32``: Keras 2 counted steps up to the float (``while done <
    steps``), so a float ran ``ceil`` steps; Keras 3 wants an int."""
    for key in ("steps_per_epoch", "validation_steps"):
        value: Any = kwargs.get(key)
        if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):  # NumPy's floats too
            kwargs[key] = int(math.ceil(float(value)))
            used("steps_float")


def _checkpoint(keras: Any) -> None:
    cls = keras.callbacks.ModelCheckpoint
    original = cls.__init__
    if getattr(original, "_dl_grader", False):
        return

    @functools.wraps(original)
    def __init__(self: Any, filepath: Any, *args: Any, **kwargs: Any) -> None:
        text = str(filepath)
        weights = bool(kwargs.get("save_weights_only", False))
        # Keras 3 takes `.keras` or `.h5` for a whole model, `.weights.h5` for weights alone:
        # only the names it refuses are renamed
        if (weights and text.endswith((".h5", ".hdf5")) and not text.endswith(".weights.h5")) or (
                not weights and text.endswith(".hdf5")):
            stem = text.rsplit(".", 1)[0]
            filepath = stem + (".weights.h5" if weights else ".keras")
            _RENAMED[os.path.abspath(text)] = os.path.abspath(filepath)
            used("checkpoint_h5")
        original(self, filepath, *args, **kwargs)

    __init__._dl_grader = True  # type: ignore[attr-defined]
    cls.__init__ = __init__
    # the notebook reads its checkpoint back under the name it gave: the file the rename wrote
    load_weights = keras.Model.load_weights
    if not getattr(load_weights, "_dl_grader_renamed", False):
        @functools.wraps(load_weights)
        def load_renamed_weights(self: Any, filepath: Any, *args: Any, **kwargs: Any) -> Any:
            return load_weights(self, _written(filepath), *args, **kwargs)

        load_renamed_weights._dl_grader_renamed = True  # type: ignore[attr-defined]
        keras.Model.load_weights = load_renamed_weights
    for module in (keras.models, keras.saving):
        load_model = getattr(module, "load_model", None)
        if load_model is None or getattr(load_model, "_dl_grader_renamed", False):
            continue

        def load_renamed(filepath: Any, *args: Any, _load: Any = load_model, **kwargs: Any) -> Any:
            return _load(_written(filepath), *args, **kwargs)

        functools.update_wrapper(load_renamed, load_model)
        load_renamed._dl_grader_renamed = True  # type: ignore[attr-defined]
        module.load_model = load_renamed


_RENAMED: dict[str, str] = {}  # a checkpoint path the notebook wrote -> the one it was saved under


def _written(filepath: Any) -> Any:
    """``filepath``, or the file a renamed ``ModelCheckpoint`` wrote in its place."""
    if not isinstance(filepath, (str, os.PathLike)):
        return filepath
    full = os.path.abspath(os.fspath(filepath))
    renamed = _RENAMED.get(full)
    if renamed is not None and not os.path.exists(full) and os.path.exists(renamed):
        return renamed
    return filepath


def _convolution(keras: Any) -> None:
    """Keras 1's ``Convolution2D(nb_filter, nb_row, nb_col)`` (and 3D): the kernel's rows and
    columns as positional arguments. Under today's name ``Conv2D`` the third number is the
    stride, so only the Keras 1 names are adapted."""
    for name, dims in (("Convolution2D", 2), ("Convolution3D", 3)):
        cls = getattr(keras.layers, name, None)
        if cls is None or getattr(cls, "_dl_grader", False):
            continue

        def make(*args: Any, _cls: Any = cls, _dims: int = dims, **kwargs: Any) -> Any:
            sizes = args[1:1 + _dims]
            if (len(args) == 1 + _dims and all(isinstance(s, int) for s in sizes)
                    and "kernel_size" not in kwargs):
                used("convolution_rows_cols")
                return _cls(args[0], tuple(sizes), **kwargs)
            return _cls(*args, **kwargs)

        make.__name__ = make.__qualname__ = name
        make._dl_grader = True  # type: ignore[attr-defined]
        setattr(keras.layers, name, make)


def _merge(keras: Any) -> None:
    layers = keras.layers
    if hasattr(layers, "merge"):
        return

    def merge(inputs: Any, mode: str = "sum", concat_axis: int = -1, dot_axes: Any = -1, name: Any = None,
              **kwargs: Any) -> Any:
        if not isinstance(mode, str) or mode not in _MERGE_MODES or kwargs:
            raise ValueError(f"merge(mode={mode!r}) has no Keras 3 equivalent here; use keras.layers."
                             "add / multiply / concatenate / average / maximum / dot")
        used("merge_function")
        target = getattr(layers, _MERGE_MODES[mode])
        extra: dict[str, Any] = {"axis": concat_axis} if mode == "concat" else (
            {"axes": dot_axes} if mode == "dot" else {})
        return target(list(inputs), name=name, **extra) if name else target(list(inputs), **extra)

    layers.merge = merge


def _utils(keras: Any) -> None:
    utils = keras.utils
    original = utils.to_categorical
    if getattr(original, "_dl_grader", False):
        return

    @functools.wraps(original)
    def to_categorical(*args: Any, **kwargs: Any) -> Any:
        if "nb_classes" in kwargs and "num_classes" not in kwargs:
            kwargs["num_classes"] = kwargs.pop("nb_classes")
            used("to_categorical_nb_classes")
        if "dtype" in kwargs:  # Keras 2: the one-hot matrix in that dtype (float32 by default)
            dtype = kwargs.pop("dtype")
            used("to_categorical_dtype")
            return original(*args, **kwargs).astype(dtype)
        return original(*args, **kwargs)

    to_categorical._dl_grader = True  # type: ignore[attr-defined]
    utils.to_categorical = to_categorical
    if "np_utils" not in vars(utils) and "__getattr__" not in vars(utils):
        # keras.utils.np_utils.to_categorical(…) without importing np_utils: the first access imports
        # the module compat serves (which records the rule, in the cell that reached it), as
        # `from keras.utils import np_utils` does
        def __getattr__(name: str) -> Any:
            if name == "np_utils":
                return importlib.import_module("keras.utils.np_utils")
            raise AttributeError(f"module 'keras.utils' has no attribute {name!r}")

        utils.__getattr__ = __getattr__
    for module in ("keras.utils.numerical_utils", "keras.src.utils.numerical_utils"):
        found: Any = sys.modules.get(module)
        if found is not None and getattr(found, "to_categorical", None) is original:
            found.to_categorical = to_categorical


def _constraints(keras: Any) -> None:
    constraints = keras.constraints
    for old, new in (("maxnorm", "MaxNorm"), ("nonneg", "NonNeg"), ("unitnorm", "UnitNorm"),
                     ("min_max_norm", "MinMaxNorm"), ("max_norm", "MaxNorm"), ("non_neg", "NonNeg"),
                     ("unit_norm", "UnitNorm")):
        cls = getattr(constraints, new, None)
        if cls is None or hasattr(constraints, old):
            continue

        def make(*args: Any, _cls: Any = cls, **kwargs: Any) -> Any:
            used("constraints_lowercase")
            return _cls(*args, **kwargs)

        make.__name__ = make.__qualname__ = old
        setattr(constraints, old, make)


class _Metrics(dict):  # type: ignore[type-arg]
    """``History.history``: Keras 2.2 named the accuracy ``acc``; today's name is found under it
    (and the other way round), the dict stays what Keras wrote."""

    _OTHER = {"acc": "accuracy", "val_acc": "val_accuracy", "accuracy": "acc", "val_accuracy": "val_acc"}

    def __missing__(self, key: Any) -> Any:
        other = self._OTHER.get(key) if isinstance(key, str) else None
        if other is not None and dict.__contains__(self, other):
            used("history_acc")
            return dict.__getitem__(self, other)
        raise KeyError(key)


def _history(keras: Any) -> None:
    cls = keras.callbacks.History
    if getattr(cls, "_dl_grader", False):
        return

    def get(self: Any) -> Any:
        return self.__dict__.get("_dl_grader_history")

    def put(self: Any, value: Any) -> None:
        self.__dict__["_dl_grader_history"] = _Metrics(value) if isinstance(value, dict) else value

    cls.history = property(get, put)
    cls._dl_grader = True


def _preprocessing(keras: Any) -> None:
    image: Any = importlib.import_module("keras.preprocessing.image")
    if hasattr(image, "ImageDataGenerator"):
        return
    legacy = importlib.import_module("keras.src.legacy.preprocessing.image").ImageDataGenerator

    class ImageDataGenerator(legacy):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            used("image_data_generator")
            super().__init__(*args, **kwargs)

    ImageDataGenerator.__module__ = "keras.preprocessing.image"
    image.ImageDataGenerator = ImageDataGenerator


def _backend(keras: Any) -> None:
    backend = keras.backend
    if hasattr(backend, "set_image_dim_ordering"):
        return
    ordering = {"th": "channels_first", "tf": "channels_last"}

    def set_image_dim_ordering(value: str) -> None:
        if value not in ordering:
            raise ValueError(f"unknown dim ordering {value!r}: 'th' or 'tf'")
        used("image_dim_ordering")
        backend.set_image_data_format(ordering[value])

    def image_dim_ordering() -> str:
        used("image_dim_ordering")
        return "th" if backend.image_data_format() == "channels_first" else "tf"

    backend.set_image_dim_ordering = set_image_dim_ordering
    backend.image_dim_ordering = image_dim_ordering
