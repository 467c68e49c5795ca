"""NumPy < 2, pandas < 2, scikit-learn < 1 and TensorFlow 1 spellings under today's versions
(see ``compat`` for the rules). Each patch runs once, right after its library is imported."""

# ruff: noqa: BLE001  (everything here must survive whatever the student's code did)
from __future__ import annotations

import functools
import importlib
import inspect
import sys
from typing import Any

from .compat import enabled, used

_NUMPY_ALIASES = {"float": float, "int": int, "bool": bool, "object": object, "str": str, "long": int,
                  "complex": complex, "unicode": str}
# NumPy 2 removed these names of things it still has
_NUMPY_RENAMED = {"NaN": "nan", "NAN": "nan", "Inf": "inf", "Infinity": "inf", "infty": "inf", "PINF": "inf",
                  "float_": "float64", "complex_": "complex128", "cfloat": "complex128", "longfloat": "longdouble",
                  "singlecomplex": "complex64", "clongfloat": "clongdouble", "longcomplex": "clongdouble",
                  "unicode_": "str_", "string_": "bytes_", "Inf_": "inf"}


def patch_numpy() -> None:
    if not enabled():
        return
    np = sys.modules.get("numpy")
    if np is None or getattr(np, "_dl_grader_compat", False):
        return
    module_getattr = np.__dict__.get("__getattr__")

    functions = _numpy_functions(np)

    def __getattr__(name: str) -> Any:
        if name in _NUMPY_ALIASES:
            used("numpy_alias")
            return _NUMPY_ALIASES[name]
        if name in _NUMPY_RENAMED and name not in np.__dict__:
            used("numpy_removed_names")
            return getattr(np, _NUMPY_RENAMED[name])
        if name == "NINF":
            used("numpy_removed_names")
            return -np.inf
        if name in ("NZERO", "PZERO"):
            used("numpy_removed_names")
            return -0.0 if name == "NZERO" else 0.0
        if name in functions:
            used("numpy_removed_functions")
            return functions[name]
        if module_getattr is not None:
            return module_getattr(name)
        raise AttributeError(f"module 'numpy' has no attribute {name!r}")

    setattr(np, "__getattr__", __getattr__)  # noqa: B010  (a module's own attribute hook)
    setattr(np, "_dl_grader_compat", True)  # noqa: B010


def _numpy_functions(np: Any) -> dict[str, Any]:
    def asscalar(a: Any) -> Any:
        return np.asarray(a).item()

    def in1d(ar1: Any, ar2: Any, assume_unique: bool = False, invert: bool = False, **kwargs: Any) -> Any:
        return np.isin(np.asarray(ar1).ravel(), ar2, assume_unique=assume_unique, invert=invert, **kwargs)

    found = {"asscalar": asscalar, "in1d": in1d}
    for old, new in (("product", "prod"), ("cumproduct", "cumprod"), ("alltrue", "all"), ("sometrue", "any"),
                     ("trapz", "trapezoid")):
        if hasattr(np, new):
            found[old] = getattr(np, new)
    return found


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
                used("fillna_method")
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
            used("frame_append")
            if isinstance(other, dict):
                other = pd.DataFrame([other])
            elif isinstance(other, list) and other and isinstance(other[0], dict):
                other = pd.DataFrame(other)
            elif isinstance(other, pd.Series):
                other = other.to_frame().T
            frames = [self, *other] if isinstance(other, list) else [self, other]
            return pd.concat(frames, ignore_index=ignore_index, sort=sort)

        pd.DataFrame.append = append
    _pandas_removed(pd)


def _pandas_removed(pd: Any) -> None:
    if not hasattr(pd.Series, "append"):
        def series_append(self: Any, to_append: Any, ignore_index: bool = False, **kwargs: Any) -> Any:
            used("series_append")
            others = list(to_append) if isinstance(to_append, (list, tuple)) else [to_append]
            return pd.concat([self, *others], ignore_index=ignore_index)

        pd.Series.append = series_append
    for cls in (pd.DataFrame, pd.Series):
        if not hasattr(cls, "iteritems"):
            def iteritems(self: Any) -> Any:
                used("pandas_iteritems")
                return self.items()

            cls.iteritems = iteritems
        if not hasattr(cls, "mad"):
            def mad(self: Any, axis: Any = None, skipna: bool = True, **kwargs: Any) -> Any:
                used("pandas_mad")
                axis = 0 if axis is None else axis
                centred = (self - self.mean(axis=axis, skipna=skipna)) if self.ndim == 1 else \
                    self.sub(self.mean(axis=axis, skipna=skipna), axis=1 - self._get_axis_number(axis))
                return centred.abs().mean(axis=axis, skipna=skipna)

            cls.mad = mad
    if not hasattr(pd.DataFrame, "as_matrix"):
        def as_matrix(self: Any, columns: Any = None) -> Any:
            used("pandas_as_matrix")
            return (self if columns is None else self[list(columns)]).to_numpy()

        pd.DataFrame.as_matrix = as_matrix
    drop = pd.DataFrame.drop
    if not getattr(drop, "_dl_grader_compat", False):
        @functools.wraps(drop)
        def drop_compat(self: Any, labels: Any = None, *args: Any, **kwargs: Any) -> Any:
            if (labels is None and kwargs.get("axis") is not None
                    and (kwargs.get("columns") is not None or kwargs.get("index") is not None)):
                kwargs.pop("axis")  # pandas < 3 ignored axis when columns= or index= named the labels
                used("pandas_drop_axis")
            return drop(self, labels, *args, **kwargs)

        drop_compat._dl_grader_compat = True  # type: ignore[attr-defined]
        pd.DataFrame.drop = drop_compat
    read_csv = pd.read_csv
    if ("error_bad_lines" not in inspect.signature(read_csv).parameters
            and not getattr(read_csv, "_dl_grader_compat", False)):
        @functools.wraps(read_csv)
        def read(*args: Any, **kwargs: Any) -> Any:
            if "error_bad_lines" in kwargs or "warn_bad_lines" in kwargs:
                error = kwargs.pop("error_bad_lines", None)
                warn = kwargs.pop("warn_bad_lines", None)
                if "on_bad_lines" not in kwargs:
                    kwargs["on_bad_lines"] = "error" if error in (None, True) else ("warn" if warn else "skip")
                used("read_csv_bad_lines")
            return read_csv(*args, **kwargs)

        read._dl_grader_compat = True  # type: ignore[attr-defined]
        pd.read_csv = read


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
            used("onehot_sparse")
        original(self, *args, **kwargs)

    __init__._dl_grader = True  # type: ignore[attr-defined]
    cls.__init__ = __init__


def patch_sklearn_metrics() -> None:
    if not enabled():
        return
    metrics: Any = sys.modules.get("sklearn.metrics")
    if metrics is None or getattr(metrics, "_dl_grader_compat", False):
        return
    metrics._dl_grader_compat = True
    original = metrics.mean_squared_error
    if "squared" not in inspect.signature(original).parameters and hasattr(metrics, "root_mean_squared_error"):
        rmse = metrics.root_mean_squared_error

        @functools.wraps(original)
        def mean_squared_error(*args: Any, squared: bool = True, **kwargs: Any) -> Any:
            if squared:
                return original(*args, **kwargs)
            used("mse_squared")
            return rmse(*args, **kwargs)

        metrics.mean_squared_error = mean_squared_error
    for old, display in (("plot_confusion_matrix", "ConfusionMatrixDisplay"), ("plot_roc_curve", "RocCurveDisplay"),
                         ("plot_precision_recall_curve", "PrecisionRecallDisplay")):
        if hasattr(metrics, old) or not hasattr(metrics, display):
            continue

        def plot(estimator: Any, X: Any, y: Any, *args: Any, _display: str = display, **kwargs: Any) -> Any:  # noqa: N803
            used("sklearn_plot_metrics")
            return getattr(metrics, _display).from_estimator(estimator, X, y, *args, **kwargs)

        plot.__name__ = old
        setattr(metrics, old, plot)


def patch_sklearn_imputer() -> None:
    if not enabled():
        return
    preprocessing: Any = sys.modules.get("sklearn.preprocessing")
    if preprocessing is None or hasattr(preprocessing, "Imputer"):
        return

    def Imputer(missing_values: Any = "NaN", strategy: str = "mean", axis: int = 0, **kwargs: Any) -> Any:  # noqa: N802
        if axis != 0:  # along rows: no equivalent today, the cell fails as it did
            raise TypeError("Imputer(axis=1) has no equivalent in sklearn.impute.SimpleImputer")
        simple_imputer = importlib.import_module("sklearn.impute").SimpleImputer  # the student's library, not ours
        used("sklearn_imputer")
        np = sys.modules["numpy"]
        missing = np.nan if isinstance(missing_values, str) and missing_values.lower() == "nan" else missing_values
        kwargs.pop("verbose", None), kwargs.pop("copy", None)
        return simple_imputer(missing_values=missing, strategy=strategy, **kwargs)

    preprocessing.Imputer = Imputer


def patch_tensorflow() -> None:
    """TensorFlow 1 names with the same meaning in TensorFlow 2 (eager): seeds, logging, random
    ops, casts. Graph-mode idioms (``tf.Session``, ``tf.placeholder``) have none: no rule."""
    if not enabled():
        return
    tf: Any = sys.modules.get("tensorflow")
    if tf is None or getattr(tf, "_dl_grader_compat", False):
        return
    tf._dl_grader_compat = True

    def rule(name: str, fn: Any) -> Any:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            used(name)
            return fn(*args, **kwargs)

        return call

    names: dict[str, Any] = {
        "set_random_seed": rule("tf_set_random_seed", tf.random.set_seed),
        "random_normal": rule("tf_random_ops", tf.random.normal),
        "random_uniform": rule("tf_random_ops", tf.random.uniform),
        "truncated_normal": rule("tf_random_ops", tf.random.truncated_normal),
        "enable_eager_execution": rule("tf_eager", lambda *a, **k: None),
        "to_float": rule("tf_to_dtype", lambda x, name=None: tf.cast(x, tf.float32, name=name)),
        "to_int32": rule("tf_to_dtype", lambda x, name=None: tf.cast(x, tf.int32, name=name)),
        "to_int64": rule("tf_to_dtype", lambda x, name=None: tf.cast(x, tf.int64, name=name)),
    }
    for name, fn in names.items():
        if not hasattr(tf, name):
            setattr(tf, name, fn)
    if not hasattr(tf, "logging"):
        tf.logging = _Logging(tf)


class _Logging:
    """``tf.logging``: TensorFlow 1's module, kept as ``tf.compat.v1.logging`` (looked up on
    first use: loading TensorFlow 1's API costs time no other notebook should pay)."""

    def __init__(self, tf: Any) -> None:
        self._tf = tf

    def __getattr__(self, name: str) -> Any:
        used("tf_logging")
        return getattr(self._tf.compat.v1.logging, name)


def patch_matplotlib_axes() -> None:
    """Matplotlib < 3.8 took ``ax.plot(x, y, axes=ax)`` (the line's own Axes, set again as a
    property); today the keyword collides with the one ``plot`` passes itself."""
    if not enabled():
        return
    module: Any = sys.modules.get("matplotlib.axes")
    axes_cls = getattr(module, "Axes", None)
    if axes_cls is None or getattr(axes_cls.plot, "_dl_grader_compat", False):
        return
    original = axes_cls.plot

    @functools.wraps(original)
    def plot(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("axes", None) is self:
            kwargs.pop("axes")
            used("plot_axes_kwarg")
        return original(self, *args, **kwargs)

    plot._dl_grader_compat = True  # type: ignore[attr-defined]
    axes_cls.plot = plot


def patch_matplotlib_style() -> None:
    """Matplotlib 3.6 renamed its seaborn style sheets ``seaborn-v0_8-*`` (3.8 removed the old
    names): the same sheets under the names tutorials use."""
    if not enabled():
        return
    style: Any = sys.modules.get("matplotlib.style")
    if style is None or getattr(style.use, "_dl_grader_compat", False):
        return
    original = style.use

    def rename(name: Any) -> Any:
        if isinstance(name, str) and name.startswith("seaborn") and not name.startswith("seaborn-v0_8"):
            available = getattr(style, "available", [])
            new = name.replace("seaborn", "seaborn-v0_8", 1)
            if name not in available and new in available:
                used("seaborn_style")
                return new
        return name

    @functools.wraps(original)
    def use(name: Any) -> Any:
        return original([rename(n) for n in name] if isinstance(name, list) else rename(name))

    use._dl_grader_compat = True  # type: ignore[attr-defined]
    style.use = use
    core: Any = sys.modules.get("matplotlib.style.core")
    if core is not None and getattr(core, "use", None) is original:
        core.use = use
