"""Hints for notebook cells that fail because they use a Keras 1/2 API removed in Keras 3 (and
for NumPy 2's refusal to read a one-element array as a number, which no compat rule can adapt).

Many course notebooks were written for Keras 1 or 2. When one of their cells fails, the raw
error (``No module named 'keras.utils.np_utils'``) does not tell the student what to write
instead. :func:`hint` looks at the failed cell's exception class name and message, as the
kernel reported them, and returns a message key (``grader.messages.legacy_texts``) with its parameters.

Rules are matched against the *real* texts that Keras 3.15 / TensorFlow 2.21 raise (they were
collected by running each snippet; ``tests/test_legacy.py`` runs them again). The cell source is
only used to disambiguate (``Dense(output_dim=10)`` fails with "missing argument 'units'") and to
quote the student's own names in the example. An error that no rule recognizes gives ``None``.

The rules are a table: each one names the exception classes it applies to, a regular expression
searched in the error message (or in the dotted name that an import or attribute lookup did not
find), an optional regular expression that the source must contain, and a small function that
builds the message parameters (or returns ``None`` to pass).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Params = dict[str, str]
Extract = Callable[[re.Match[str], str], Params | None]


# ------------------------------------------------------------------------------ rule table

Subject = Literal["evalue", "missing"]
MISSING = frozenset({"ModuleNotFoundError", "ImportError", "AttributeError", "NameError"})
PKG = r"(?P<pkg>(?:tensorflow\.)?keras)"  # a "missing" subject always starts like this


@dataclass(frozen=True)
class Rule:
    """One removed API: where to look, what to look for, and how to fill the message."""

    key: str
    enames: frozenset[str]
    pattern: re.Pattern[str]
    extract: Extract
    on: Subject = "evalue"  # the error message, or the dotted name that was not found
    source: re.Pattern[str] | None = None  # the cell source must contain this too


RULES: list[Rule] = []


def rule(
    key: str, enames: str | frozenset[str], pattern: str, *, on: Subject = "evalue",
    source: str | None = None,
) -> Callable[[Extract], Extract]:
    """Register the decorated parameter builder as a rule (rules are tried in order)."""

    def register(extract: Extract) -> Extract:
        names = frozenset({enames}) if isinstance(enames, str) else enames
        src = re.compile(source) if source is not None else None
        RULES.append(Rule(key, names, re.compile(pattern, re.S), extract, on, src))
        return extract

    return register


# Keras 1 keyword arguments renamed in Keras 2, and the layers they belong to (None: any).
LAYER_KWARGS: dict[str, tuple[str, frozenset[str] | None]] = {
    "output_dim": ("units", None),
    "init": ("kernel_initializer", None),
    "inner_init": ("recurrent_initializer", None),
    "border_mode": ("padding", None),
    "subsample": ("strides", None),
    "subsample_length": ("strides", None),
    "dim_ordering": ("data_format", None),
    "W_regularizer": ("kernel_regularizer", None),
    "b_regularizer": ("bias_regularizer", None),
    "U_regularizer": ("recurrent_regularizer", None),
    "W_constraint": ("kernel_constraint", None),
    "b_constraint": ("bias_constraint", None),
    "U_constraint": ("recurrent_constraint", None),
    "bias": ("use_bias", None),
    "dropout_W": ("dropout", None),
    "dropout_U": ("recurrent_dropout", None),
    "nb_filter": ("filters", None),
    "nb_row": ("kernel_size", None),
    "nb_col": ("kernel_size", None),
    "filter_length": ("kernel_size", None),
    "pool_length": ("pool_size", None),
    "p": ("rate", frozenset({"Dropout", "SpatialDropout1D", "SpatialDropout2D"})),
    "input": ("inputs", frozenset({"Model", "Functional"})),
    "output": ("outputs", frozenset({"Model", "Functional"})),
}
DIM_ORDERING = {"th": '"channels_first"', "tf": '"channels_last"'}
OPTIMIZERS = frozenset({
    "SGD", "RMSprop", "Adam", "AdamW", "Adadelta", "Adagrad", "Adamax", "Adafactor", "Nadam",
    "Ftrl", "Lion", "Lamb", "Muon", "LossScaleOptimizer",
})
KERAS_MODELS = frozenset({"Sequential", "Functional", "Model"})
LAYER_SUBMODULES = {  # Keras 2 module -> a layer it held, for the example
    "core": "Dense", "convolutional": "Conv2D", "pooling": "MaxPooling2D",
    "recurrent": "LSTM", "embeddings": "Embedding", "normalization": "BatchNormalization",
    "advanced_activations": "LeakyReLU", "wrappers": "TimeDistributed", "noise": "GaussianNoise",
    "convolutional_recurrent": "ConvLSTM2D",
}
_SIMPLE_VALUE = re.compile(r"'[^'{}]*'|\"[^\"{}]*\"|[-+\w.]+|\([-+\w., ]*\)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _search(pattern: str, source: str, default: str, group: int = 1) -> str:
    """The first capture of ``pattern`` in the source, stripped, or ``default``."""
    m = re.search(pattern, source, re.M)
    found = m.group(group).strip() if m is not None and m.group(group) else ""
    return found or default


def _simple(value: str, default: str = "...") -> str:
    """A literal short enough to quote in an example (no objects, no braces), else ``default``."""
    value = value.strip()
    return value if _SIMPLE_VALUE.fullmatch(value) else default


def _call_kwarg(callee: str, kwarg: str) -> str:
    """Regex: a call ``callee(...)`` with ``kwarg=`` among its arguments; group 1 is the value."""
    return rf"\b{callee}\((?:[^()]|\([^()]*\))*?\b{kwarg}\s*=(?!=)\s*(\([^()]*\)|[^,()]+)"


def _model_var(source: str, method: str) -> str:
    return _search(rf"([\w.\[\]]+)\.{method}\(", source, "model")


def _first_arg(source: str, method: str, default: str) -> str:
    return _search(rf"\.{method}\(\s*([^(),]+?)\s*[,)]", source, default)


def _missing(ename: str, evalue: str) -> str | None:
    """The dotted name an import, attribute lookup or name lookup did not find, normalized so
    that it starts with ``keras.`` or ``tensorflow.keras.`` (or is a bare name)."""
    if ename not in MISSING:
        return None
    m = (
        re.match(r"No module named '(?P<mod>[\w.]+)'", evalue)
        or re.match(r"cannot import name '(?P<name>\w+)' from '(?P<mod>[\w.]+)'", evalue)
        or re.match(r"module '(?P<mod>[\w.]+)' has no attribute '(?P<name>\w+)'", evalue)
        or re.match(r"name '(?P<name>\w+)' is not defined", evalue)
    )
    if m is None:
        return None
    path = ".".join(part for part in (m.groupdict().get("mod"), m.groupdict().get("name")) if part)
    return re.sub(r"^(?:keras\._tf_keras\.|tensorflow\.python\.|keras\.api\._v2\.)(?=keras\.)",
                  "tensorflow.", path)


# ------------------------------------------------------------------ modules and functions


@rule("legacy.optimizers_legacy", frozenset({"ImportError", "ModuleNotFoundError", "AttributeError"}),
      r"\bkeras\.optimizers\.legacy\b")
def _optimizers_legacy(m: re.Match[str], source: str) -> Params:
    name = _search(r"optimizers\.legacy(?:\.|\s+import\s+\(?\s*)(\w+)", source, "Adam")
    return {"optimizer": name if name in OPTIMIZERS else "Adam"}


@rule("legacy.np_utils", MISSING, rf"^(?:{PKG}\.utils\.)?np_utils(?:\.|$)", on="missing")
def _np_utils(m: re.Match[str], source: str) -> Params:
    args = _search(r"to_categorical\(((?:[^()]|\([^()]*\))*)\)", source, "y, num_classes")
    return {"args": args if "{" not in args and "}" not in args else "y, num_classes"}


@rule("legacy.sklearn_wrapper", MISSING,
      rf"^{PKG}\.wrappers\.(?:scikit_learn|KerasClassifier|KerasRegressor)(?:\.|$)", on="missing")
def _sklearn_wrapper(m: re.Match[str], source: str) -> Params:
    regressor = "KerasRegressor" in source or m.group(0).endswith("KerasRegressor")
    return {
        "module": f"{m.group('pkg')}.wrappers.scikit_learn",
        "wrapper": "KerasRegressor" if regressor else "KerasClassifier",
        "builtin": "SKLearnRegressor" if regressor else "SKLearnClassifier",
    }


@rule("legacy.merge_layer", MISSING, rf"^{PKG}\.layers\.(?P<name>merge|Merge)(?:\.|$)",
      on="missing")
def _merge_layer(m: re.Match[str], source: str) -> Params:
    return {"name": m.group("name"), "pkg": m.group("pkg")}


@rule("legacy.layers_module", MISSING,
      rf"^{PKG}\.layers\.(?P<sub>{'|'.join(LAYER_SUBMODULES)})(?:\.|$)", on="missing")
def _layers_module(m: re.Match[str], source: str) -> Params:
    sub = m.group("sub")
    imported = re.search(rf"^\s*from\s+[\w.]*layers\.{sub}\s+import\s+(?:\(([^()]*)\)|([\w ,]+))",
                         source, re.M)
    names = " ".join((imported.group(1) or imported.group(2)).split()).strip(", ") if imported else ""
    names = names or _search(rf"layers\.{sub}\.(\w+)", source, LAYER_SUBMODULES[sub])
    pkg = m.group("pkg")
    return {"module": f"{pkg}.layers.{sub}", "pkg": pkg, "names": names}


@rule("legacy.vis_utils", MISSING, rf"^{PKG}\.utils\.vis_utils(?:\.|$)", on="missing")
def _vis_utils(m: re.Match[str], source: str) -> Params:
    return {"pkg": m.group("pkg")}


@rule("legacy.image_data_generator", MISSING,
      r"^keras\.preprocessing\.image\.ImageDataGenerator$", on="missing")
def _image_data_generator(m: re.Match[str], source: str) -> Params:
    return {}


@rule("legacy.image_dim_ordering", MISSING,
      rf"^{PKG}\.backend\.(?P<name>(?:set_)?image_dim_ordering)$", on="missing")
def _image_dim_ordering(m: re.Match[str], source: str) -> Params:
    name = m.group("name")
    if name.startswith("set_"):
        order = _search(r"set_image_dim_ordering\(\s*['\"](th|tf)['\"]", source, "th")
        example = f"keras.config.set_image_data_format({DIM_ORDERING[order]})"
    else:
        example = "keras.config.image_data_format()"
    return {"name": f"keras.backend.{name}", "example": example}


# ------------------------------------------------------------------------ model methods


@rule("legacy.predict_classes", "AttributeError",
      r"^'\w+' object has no attribute 'predict_classes'$")
def _predict_classes(m: re.Match[str], source: str) -> Params:
    return {"model": _model_var(source, "predict_classes"),
            "x": _first_arg(source, "predict_classes", "x")}


@rule("legacy.predict_proba", "AttributeError",
      r"^'(?P<cls>\w+)' object has no attribute 'predict_proba'$")
def _predict_proba(m: re.Match[str], source: str) -> Params | None:
    cls = m.group("cls")  # scikit-learn estimators (LinearSVC) fail the same way: not ours
    subclass = re.search(rf"\bclass\s+{cls}\s*\([^)]*\bModel\b", source)
    if cls not in KERAS_MODELS and subclass is None:
        return None
    return {"model": _model_var(source, "predict_proba"),
            "x": _first_arg(source, "predict_proba", "x")}


@rule("legacy.generator_method", "AttributeError",
      r"^'\w+' object has no attribute '(?P<method>(?P<new>fit|evaluate|predict)_generator)'$")
def _generator_method(m: re.Match[str], source: str) -> Params:
    method = m.group("method")
    return {"model": _model_var(source, method), "method": method, "new": m.group("new"),
            "arg": _first_arg(source, method, "gen")}


@rule("legacy.fit_epochs", "TypeError",
      r"\bfit\(\) got an unexpected keyword argument 'nb_epoch'$")
def _fit_epochs(m: re.Match[str], source: str) -> Params:
    value = _simple(_search(r"\bnb_epoch\s*=\s*([^,()]+)", source, "10"), "10")
    return {"model": _model_var(source, "fit(?:_generator)?"), "value": value}


@rule("legacy.fit_samples", "TypeError",
      r"\bfit\(\) got an unexpected keyword argument '(?P<old>samples_per_epoch|nb_val_samples)'$")
def _fit_samples(m: re.Match[str], source: str) -> Params:
    old = m.group("old")
    new = "steps_per_epoch" if old == "samples_per_epoch" else "validation_steps"
    return {"model": _model_var(source, "fit(?:_generator)?"), "old": old, "new": new}


# --------------------------------------------------------------------------- optimizers

_LR = r"^Argument\(s\) not recognized: \{(?:.*, )?'lr': (?P<value>[^,}]+)"


def _optimizer_lr_params(m: re.Match[str], source: str) -> Params:
    name = _search(r"\b(\w+)\((?:[^()]|\([^()]*\))*?\blr\s*=", source, "Adam")
    value = _NUMBER.fullmatch(m.group("value").strip())
    return {"optimizer": name if name in OPTIMIZERS else "Adam",
            "value": value.group(0) if value else "0.001"}


@rule("legacy.optimizer_lr_decay", "ValueError", _LR, source=r"\bdecay\s*=")
def _optimizer_lr_decay(m: re.Match[str], source: str) -> Params:
    decay = _search(rf"\bdecay\s*=\s*({_NUMBER.pattern})", source, "1e-6")
    return {**_optimizer_lr_params(m, source), "decay": decay}


rule("legacy.optimizer_lr", "ValueError", _LR)(_optimizer_lr_params)


@rule("legacy.optimizer_lr_attr", "AttributeError", r"^'(?P<cls>\w+)' object has no attribute 'lr'$")
def _optimizer_lr_attr(m: re.Match[str], source: str) -> Params | None:
    if m.group("cls") not in OPTIMIZERS:
        return None
    return {"optimizer": m.group("cls"),
            "var": _search(r"([\w.\[\]]+)\.lr\b", source, "model.optimizer")}


# ------------------------------------------------------------------------ layer arguments

# The kernel's message may be cut short (the report keeps 500 characters): no closing brace.
_UNRECOGNIZED = r"^Unrecognized keyword arguments passed to (?P<layer>\w+): \{(?P<kwargs>.*)"


def _legacy_kwargs(layer: str, kwargs: str) -> list[tuple[str, str, str]]:
    """(old, new, value) for each Keras 1 keyword in an "Unrecognized keyword arguments" dict."""
    found = []
    for km in re.finditer(r"(?:^|, )'(\w+)': ((?:[^,'()<{}]|'[^']*'|\([^()]*\)|<[^<>]*>)*)", kwargs):
        old, value = km.group(1), km.group(2)
        if old in LAYER_KWARGS:
            new, layers = LAYER_KWARGS[old]
            if layers is None or layer in layers:
                found.append((old, new, value))
    return found


def _kwarg_params(layer: str, old: str, new: str, value: str) -> Params:
    if old == "dim_ordering":
        value = DIM_ORDERING.get(value.strip().strip("'\""), "...")
    return {"layer": layer, "old": old, "new": new,
            "example": f"{layer}(..., {new}={_simple(value)})"}


_CONV_KERAS1 = (r"\b(?P<layer>Convolution2D|Conv2D)\(\s*(?P<filters>\w+)\s*,\s*(?P<rows>\d+)\s*,"
                r"\s*(?P<cols>\d+)\s*[,)]")


@rule("legacy.conv_keras1", "ValueError",
      r"^Computed output size would be zero or negative"
      r"|^Unrecognized keyword arguments passed to (?P<layer>Conv2D|Convolution2D): "
      r"\{(?P<kwargs>.*)",
      source=_CONV_KERAS1)
def _conv_keras1(m: re.Match[str], source: str) -> Params | None:
    if m.group("layer") and not _legacy_kwargs(m.group("layer"), m.group("kwargs")):
        return None  # some other bad keyword: not evidence of Keras 1 code
    for c in re.finditer(_CONV_KERAS1, source):
        # Keras 1 wrote (filters, rows, cols); Keras 3 code may pass (filters, kernel, strides),
        # so a bare Conv2D only counts with a square kernel bigger than the stride it now gets.
        if c.group("layer") == "Convolution2D" or c.group("rows") == c.group("cols") != "1":
            return {k: c.group(k) for k in ("layer", "filters", "rows", "cols")}
    return None


@rule("legacy.layer_kwarg", "ValueError", _UNRECOGNIZED)
def _layer_kwarg(m: re.Match[str], source: str) -> Params | None:
    found = _legacy_kwargs(m.group("layer"), m.group("kwargs"))
    return _kwarg_params(m.group("layer"), *found[0]) if found else None


@rule("legacy.layer_kwarg", "TypeError",
      r"^(?P<layer>\w+)\.__init__\(\) missing \d+ required positional arguments?: '(?P<arg>\w+)'")
def _layer_kwarg_positional(m: re.Match[str], source: str) -> Params | None:
    """``Dense(output_dim=10)`` fails on the missing ``units``, not on ``output_dim``."""
    layer, arg = m.group("layer"), m.group("arg")
    for old, (new, layers) in LAYER_KWARGS.items():
        if new != arg or (layers is not None and layer not in layers):
            continue
        used = re.search(_call_kwarg(r"[\w.]*" + layer, old), source)
        if used is not None:
            return _kwarg_params(layer, old, new, used.group(1))
    return None


@rule("legacy.numpy_scalar", "TypeError",
      r"^only 0-dimensional arrays can be converted to Python scalars$"
      r"|^%[a-z] format: an? (?:real number|integer) is required, not numpy\.ndarray$")
def _numpy_scalar(m: re.Match[str], source: str) -> Params:
    """NumPy < 2.? turned a one-element array (``y[i]`` of a column ``(n, 1)``) into a number in
    ``int(a)``, ``float(a)`` and ``'%d' % a``; NumPy 2 refuses: no rule can adapt that (the
    conversion happens inside NumPy), so the student is told what to write."""
    return {}


# ------------------------------------------------------------------------------ entry point


def hint(ename: str | None, evalue: str | None, source: str = "") -> tuple[str, Params] | None:
    """The message key and parameters for a cell that failed on a removed Keras 1/2 API.

    ``ename`` and ``evalue`` are the exception class name and message as the kernel reported
    them; ``source`` is the failed cell's code. Returns ``None`` when no rule recognizes the
    error (the report then shows the error as it is).
    """
    if not ename or evalue is None:
        return None
    ename = ename.rsplit(".", 1)[-1]
    evalue, source = evalue.strip(), source or ""
    missing = _missing(ename, evalue)
    for r in RULES:
        subject = evalue if r.on == "evalue" else missing
        if ename not in r.enames or subject is None:
            continue
        m = r.pattern.search(subject)
        if m is None or (r.source is not None and r.source.search(source) is None):
            continue
        params = r.extract(m, source)
        if params is not None:
            return r.key, params
    return None
