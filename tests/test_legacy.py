"""Hints for removed Keras 1/2 APIs: real Keras 3 errors in, the right message key out.

The ``kernel`` tests run every snippet in ONE subprocess of this interpreter (importing
TensorFlow takes seconds) and feed the real exception class name and message to ``hint``. The
other tests use error texts copied from such runs, so they stay fast and keep working if the
installed Keras changes its wording (the kernel tests are the ones that notice that).
"""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
import textwrap

import pytest

from grader.messages.legacy import RULES, hint
from grader.messages.legacy_texts import TEXTS as MESSAGES

# ---------------------------------------------------------------------------------- helpers

SEQ = "import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
FIT = SEQ + "m.compile(optimizer='sgd', loss='mse')\nx, y = np.zeros((4, 3)), np.zeros((4, 2))\n"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_renders(key: str, params: dict[str, str]) -> None:
    """Both languages render with exactly these parameters and leave no braces behind."""
    for lang in ("es", "en"):
        template = MESSAGES[key][lang]
        assert _fields(template) == set(params), (key, lang, params)
        text = template.format(**params)
        assert "{" not in text and "}" not in text, text


# ------------------------------------------------------------------------- real snippets

# name -> (cell source, expected key or None, expected params (a subset))
CASES: dict[str, tuple[str, str | None, dict[str, str]]] = {
    # NumPy 2: one-element arrays are not numbers any more
    "numpy_scalar_format": ("import numpy as np\ny = np.array([[3], [1]])\nt = 'clase %d' % y[0]",
                            "legacy.numpy_scalar", {}),
    "numpy_scalar_int": ("import numpy as np\nn = int(np.array([3]))", "legacy.numpy_scalar", {}),
    # np_utils
    "np_utils_from": ("from keras.utils import np_utils\ny = np_utils.to_categorical([0, 1], 2)",
                      "legacy.np_utils", {"args": "[0, 1], 2"}),
    "np_utils_module": ("from keras.utils.np_utils import to_categorical", "legacy.np_utils", {}),
    "np_utils_tf": ("from tensorflow.keras.utils import np_utils", "legacy.np_utils", {}),
    "np_utils_attr": ("import keras\nkeras.utils.np_utils.to_categorical([1], 2)",
                      "legacy.np_utils", {"args": "[1], 2"}),
    "np_utils_name": ("y_train = np_utils.to_categorical(y_train, 10)", "legacy.np_utils",
                      {"args": "y_train, 10"}),
    # scikit-learn wrappers
    "wrapper_keras": ("from keras.wrappers.scikit_learn import KerasClassifier",
                      "legacy.sklearn_wrapper",
                      {"module": "keras.wrappers.scikit_learn", "builtin": "SKLearnClassifier"}),
    "wrapper_tf": ("from tensorflow.keras.wrappers.scikit_learn import KerasRegressor",
                   "legacy.sklearn_wrapper",
                   {"module": "tensorflow.keras.wrappers.scikit_learn", "wrapper": "KerasRegressor",
                    "builtin": "SKLearnRegressor"}),
    "wrapper_tf_name": ("from tensorflow.keras.wrappers import KerasClassifier",
                        "legacy.sklearn_wrapper", {"wrapper": "KerasClassifier"}),
    "wrapper_tf_attr": ("import tensorflow as tf\nclf = tf.keras.wrappers.scikit_learn.KerasClassifier",
                        "legacy.sklearn_wrapper", {"module": "tensorflow.keras.wrappers.scikit_learn"}),
    # layer module paths
    "layers_core": ("from keras.layers.core import Dense, Dropout, Flatten", "legacy.layers_module",
                    {"module": "keras.layers.core", "pkg": "keras",
                     "names": "Dense, Dropout, Flatten"}),
    "layers_conv": ("from keras.layers.convolutional import Conv2D, MaxPooling2D",
                    "legacy.layers_module",
                    {"module": "keras.layers.convolutional", "names": "Conv2D, MaxPooling2D"}),
    "layers_core_tf_multiline": (
        "from tensorflow.keras.layers.core import (\n    Dense,\n    Activation,\n)",
        "legacy.layers_module",
        {"module": "tensorflow.keras.layers.core", "pkg": "tensorflow.keras",
         "names": "Dense, Activation"}),
    "layers_core_tf_attr": ("import tensorflow as tf\nd = tf.keras.layers.core.Dense(2)",
                            "legacy.layers_module",
                            {"module": "tensorflow.keras.layers.core", "names": "Dense"}),
    "layers_recurrent": ("from keras.layers.recurrent import LSTM", "legacy.layers_module",
                         {"module": "keras.layers.recurrent", "names": "LSTM"}),
    # Keras 1 merge
    "merge_function": ("from keras.layers import merge", "legacy.merge_layer", {"name": "merge"}),
    "merge_layer": ("from keras.layers import Merge", "legacy.merge_layer", {"name": "Merge"}),
    "merge_module": ("from keras.layers.merge import concatenate", "legacy.merge_layer",
                     {"name": "merge", "pkg": "keras"}),
    # other removed modules and functions
    "vis_utils": ("from keras.utils.vis_utils import plot_model", "legacy.vis_utils",
                  {"pkg": "keras"}),
    "image_data_generator": ("from keras.preprocessing.image import ImageDataGenerator",
                             "legacy.image_data_generator", {}),
    "image_dim_ordering": ("from keras import backend as K\nK.set_image_dim_ordering('th')",
                           "legacy.image_dim_ordering",
                           {"example": 'keras.config.set_image_data_format("channels_first")'}),
    "image_dim_ordering_tf": ("from tensorflow.keras import backend as K\nK.set_image_dim_ordering('tf')",
                              "legacy.image_dim_ordering",
                              {"example": 'keras.config.set_image_data_format("channels_last")'}),
    "optimizers_legacy": ("import keras\nopt = keras.optimizers.legacy.Adam(learning_rate=0.1)",
                          "legacy.optimizers_legacy", {"optimizer": "Adam"}),
    "optimizers_legacy_tf": ("from tensorflow.keras.optimizers.legacy import SGD\n"
                             "opt = SGD(learning_rate=0.01)",
                             "legacy.optimizers_legacy", {"optimizer": "SGD"}),
    # model methods
    "predict_classes": (SEQ + "clases = m.predict_classes(np.zeros((1, 3)))",
                        "legacy.predict_classes", {"model": "m"}),
    "predict_classes_functional": (
        "import keras\ni = keras.Input((3,))\nmodel = keras.Model(i, keras.layers.Dense(2)(i))\n"
        "x_test = np.zeros((1, 3))\ny_pred = model.predict_classes(x_test)",
        "legacy.predict_classes", {"model": "model", "x": "x_test"}),
    "predict_proba": (SEQ + "x_test = np.zeros((1, 3))\np = m.predict_proba(x_test)",
                      "legacy.predict_proba", {"model": "m", "x": "x_test"}),
    "fit_generator": (FIT + "m.fit_generator(gen, steps_per_epoch=10)", "legacy.generator_method",
                      {"method": "fit_generator", "new": "fit", "arg": "gen"}),
    "evaluate_generator": (FIT + "m.evaluate_generator(test_gen)", "legacy.generator_method",
                           {"method": "evaluate_generator", "new": "evaluate", "arg": "test_gen"}),
    "predict_generator": (SEQ + "m.predict_generator(None)", "legacy.generator_method",
                          {"method": "predict_generator", "new": "predict"}),
    "fit_nb_epoch": (FIT + "m.fit(x, y, nb_epoch=2, verbose=0)", "legacy.fit_epochs",
                     {"model": "m", "value": "2"}),
    "fit_nb_epoch_unbuilt": ("import keras\nnet = keras.Sequential([keras.layers.Dense(2)])\n"
                             "net.compile('sgd', 'mse')\nepocas = 2\n"
                             "net.fit(np.zeros((4, 3)), np.zeros((4, 2)), nb_epoch=epocas)",
                             "legacy.fit_epochs", {"model": "net", "value": "epocas"}),
    "fit_samples_per_epoch": (FIT + "m.fit(x, y, samples_per_epoch=4, nb_epoch=1)",
                              "legacy.fit_samples",
                              {"old": "samples_per_epoch", "new": "steps_per_epoch"}),
    "fit_nb_val_samples": (FIT + "m.fit(x, y, epochs=1, nb_val_samples=2)", "legacy.fit_samples",
                           {"old": "nb_val_samples", "new": "validation_steps"}),
    # optimizers
    "sgd_lr": ("import keras\nopt = keras.optimizers.SGD(lr=0.1, momentum=0.9)",
               "legacy.optimizer_lr", {"optimizer": "SGD", "value": "0.1"}),
    "rmsprop_lr_tf": ("import tensorflow as tf\nfrom tensorflow.keras.optimizers import RMSprop\n"
                      "opt = RMSprop(lr=1e-3)",
                      "legacy.optimizer_lr", {"optimizer": "RMSprop", "value": "0.001"}),
    "compile_adam_lr": (SEQ + "m.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss='mse')",
                        "legacy.optimizer_lr", {"optimizer": "Adam", "value": "0.01"}),
    "sgd_lr_decay": ("import keras\n"
                     "sgd = keras.optimizers.SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)",
                     "legacy.optimizer_lr_decay",
                     {"optimizer": "SGD", "value": "0.01", "decay": "1e-6"}),
    "optimizer_lr_attr": ("import keras\nopt = keras.optimizers.Adam()\nprint(opt.lr)",
                          "legacy.optimizer_lr_attr", {"optimizer": "Adam", "var": "opt"}),
    "model_optimizer_lr_attr": (FIT + "print(float(m.optimizer.lr))", "legacy.optimizer_lr_attr",
                                {"optimizer": "SGD", "var": "m.optimizer"}),
    # layer arguments
    "dense_init": ("import keras\nkeras.Sequential([keras.layers.Dense(10, input_dim=3, init='uniform')])",
                   "legacy.layer_kwarg",
                   {"layer": "Dense", "old": "init", "new": "kernel_initializer",
                    "example": "Dense(..., kernel_initializer='uniform')"}),
    "dense_output_dim": ("import keras\ncapa = keras.layers.Dense(output_dim=10, activation='relu')",
                         "legacy.layer_kwarg",
                         {"layer": "Dense", "old": "output_dim", "new": "units",
                          "example": "Dense(..., units=10)"}),
    "dense_w_regularizer": ("import keras\nkeras.layers.Dense(10, W_regularizer=keras.regularizers.l2(0.01))",
                            "legacy.layer_kwarg",
                            {"old": "W_regularizer", "new": "kernel_regularizer",
                             "example": "Dense(..., kernel_regularizer=...)"}),
    "conv_border_mode": ("import keras\nkeras.layers.Conv2D(32, (3, 3), border_mode='same')",
                         "legacy.layer_kwarg",
                         {"layer": "Conv2D", "old": "border_mode", "new": "padding",
                          "example": "Conv2D(..., padding='same')"}),
    "conv_subsample": ("import keras\nkeras.layers.Conv2D(32, (3, 3), subsample=(2, 2))",
                       "legacy.layer_kwarg",
                       {"old": "subsample", "new": "strides", "example": "Conv2D(..., strides=(2, 2))"}),
    "conv_dim_ordering": ("import keras\nkeras.layers.Conv2D(32, (3, 3), dim_ordering='th')",
                          "legacy.layer_kwarg",
                          {"old": "dim_ordering", "example": 'Conv2D(..., data_format="channels_first")'}),
    "maxpool_border_mode": ("import keras\nkeras.layers.MaxPooling2D(pool_size=(2, 2), border_mode='valid')",
                            "legacy.layer_kwarg", {"layer": "MaxPooling2D", "new": "padding"}),
    "conv_nb_filter": ("import keras\nkeras.layers.Conv2D(nb_filter=32, nb_row=3, nb_col=3)",
                       "legacy.layer_kwarg",
                       {"old": "nb_filter", "new": "filters", "example": "Conv2D(..., filters=32)"}),
    "dropout_p": ("import keras\nkeras.layers.Dropout(p=0.5)", "legacy.layer_kwarg",
                  {"old": "p", "new": "rate", "example": "Dropout(..., rate=0.5)"}),
    "lstm_dropout_w": ("import keras\nkeras.layers.LSTM(10, dropout_W=0.2)", "legacy.layer_kwarg",
                       {"layer": "LSTM", "old": "dropout_W", "new": "dropout"}),
    "model_input_output": ("import keras\ni = keras.Input((3,))\n"
                           "keras.Model(input=i, output=keras.layers.Dense(2)(i))",
                           "legacy.layer_kwarg",
                           {"layer": "Model", "old": "input", "new": "inputs",
                            "example": "Model(..., inputs=...)"}),
    # Keras 1 convolution signature
    "conv_keras1_border_mode": (
        "import keras\nkeras.layers.Convolution2D(32, 3, 3, border_mode='same')",
        "legacy.conv_keras1",
        {"layer": "Convolution2D", "filters": "32", "rows": "3", "cols": "3"}),
    "conv_keras1_negative": (
        "import keras\nmodel = keras.Sequential([keras.Input((8, 8, 1)),\n"
        "    keras.layers.Convolution2D(32, 3, 3, activation='relu'),\n"
        "    keras.layers.MaxPooling2D((2, 2)),\n"
        "    keras.layers.Convolution2D(64, 3, 3, activation='relu')])",
        "legacy.conv_keras1", {"filters": "32"}),
    "conv_keras1_negative_tf": (
        "import tensorflow as tf\nL = tf.keras.layers\nmodel = tf.keras.Sequential([\n"
        "    tf.keras.Input((8, 8, 1)), L.Conv2D(16, 3, 3), L.Conv2D(16, 3, 3)])",
        "legacy.conv_keras1", {"layer": "Conv2D", "filters": "16"}),
    # ------------------------------------------------------------ unrelated errors: no hint
    "other_model_attr": (SEQ + "m.foo()", None, {}),
    "model_lr_attr": (SEQ + "m.lr", None, {}),
    "other_layer_kwarg": ("import keras\nkeras.layers.Dense(10, foo=1)", None, {}),
    "lr_on_a_layer": ("import keras\nkeras.layers.Dense(10, lr=0.1)", None, {}),
    "other_optimizer_kwarg": ("import keras\nkeras.optimizers.SGD(foo=1)", None, {}),
    "other_import_name": ("from keras.utils import nothing_here", None, {}),
    "other_module": ("import keras.nothing_here", None, {}),
    "other_name": ("print(nombre_que_no_existe)", None, {}),
    "other_fit_kwarg": (FIT + "m.fit(x, y, foo=1)", None, {}),
    "dense_without_units": ("import keras\nkeras.layers.Dense(activation='relu')", None, {}),
    "dropout_without_rate": ("p = 0.5\nimport keras\nkeras.layers.Dropout()", None, {}),
    "sklearn_predict_proba": ("from sklearn.svm import LinearSVC\nLinearSVC().predict_proba", None, {}),
    "small_image_modern_conv": (
        "import keras\nkeras.Sequential([keras.Input((2, 2, 1)), keras.layers.Conv2D(8, (3, 3))])",
        None, {}),
    "small_image_strided_conv": (
        "import keras\nkeras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(8, 3, 2),\n"
        "    keras.layers.Conv2D(8, 3, 2)])", None, {}),
    "other_conv_kwarg": ("import keras\nkeras.layers.Convolution2D(32, 3, 3, foo=1)", None, {}),
}

# Snippets that run fine on Keras 3 although their Keras 2 meaning is gone: no error to hint at.
SILENT = {
    "decay_is_ignored": "import keras\nkeras.optimizers.Adam(learning_rate=0.1, decay=1e-6)",
    "conv_keras1_runs": "import keras\nkeras.layers.Convolution2D(32, 3, 3)",
}

RUNNER = textwrap.dedent("""
    import json, sys, warnings
    import numpy as np
    warnings.simplefilter("ignore")
    snippets = json.load(sys.stdin)
    out = {}
    for name, src in snippets.items():
        try:
            exec(compile(src, name, "exec"), {"np": np, "__name__": "__snippet__"})
            out[name] = None
        except Exception as e:  # what a Jupyter kernel reports: class name and str()
            out[name] = [type(e).__name__, str(e)]
    print("@@LEGACY@@" + json.dumps(out))
""")


@pytest.fixture(scope="module")
def real_errors() -> dict[str, list[str] | None]:
    """Run every snippet once, in a fresh interpreter, and collect (ename, evalue) per snippet."""
    snippets = {name: src for name, (src, _, _) in CASES.items()} | SILENT
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow",
               CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(snippets), env=env,
                          capture_output=True, text=True, timeout=300)
    marker = [line for line in proc.stdout.splitlines() if line.startswith("@@LEGACY@@")]
    assert proc.returncode == 0 and marker, proc.stderr[-3000:]
    result: dict[str, list[str] | None] = json.loads(marker[-1][len("@@LEGACY@@"):])
    return result


@pytest.mark.kernel
@pytest.mark.parametrize("name", sorted(CASES))
def test_real_error(real_errors: dict[str, list[str] | None], name: str) -> None:
    source, key, expected = CASES[name]
    error = real_errors[name]
    assert error is not None, f"{name}: the snippet did not fail on this Keras"
    ename, evalue = error
    got = hint(ename, evalue, source)
    if key is None:
        assert got is None, (ename, evalue, got)
        return
    assert got is not None, (ename, evalue)
    assert got[0] == key, (ename, evalue, got)
    assert expected.items() <= got[1].items(), (ename, evalue, got)
    _check_renders(*got)


@pytest.mark.kernel
@pytest.mark.parametrize("name", sorted(SILENT))
def test_silent_on_keras3(real_errors: dict[str, list[str] | None], name: str) -> None:
    assert real_errors[name] is None, real_errors[name]


def test_every_rule_has_a_real_case() -> None:
    covered = {key for _, key, _ in CASES.values()}
    assert {r.key for r in RULES} <= covered


# ------------------------------------------------- recorded texts (Keras 3.15, TF 2.21)

RECORDED: list[tuple[str, str, str, str | None]] = [
    ("ImportError", "cannot import name 'np_utils' from 'keras.utils' "
     "(/venv/lib/python3.11/site-packages/keras/utils/__init__.py)",
     "from keras.utils import np_utils", "legacy.np_utils"),
    ("ModuleNotFoundError", "No module named 'keras.wrappers.scikit_learn'",
     "from keras.wrappers.scikit_learn import KerasClassifier", "legacy.sklearn_wrapper"),
    ("AttributeError", "'Sequential' object has no attribute 'predict_classes'",
     "model.predict_classes(X_test)", "legacy.predict_classes"),
    ("TypeError", "JAXTrainer.fit() got an unexpected keyword argument 'nb_epoch'",
     "model.fit(X, Y, nb_epoch=150, batch_size=10)", "legacy.fit_epochs"),
    ("TypeError", "TorchTrainer.fit() got an unexpected keyword argument 'nb_epoch'",
     "model.fit(X, Y, nb_epoch=150)", "legacy.fit_epochs"),
    ("ValueError", "Argument(s) not recognized: {'lr': 0.1}", "sgd = SGD(lr=0.1)",
     "legacy.optimizer_lr"),
    ("ValueError", "Argument(s) not recognized: {'clipvalue_x': 1, 'lr': 0.1}", "opt = Adam(lr=0.1)",
     "legacy.optimizer_lr"),
    # the report keeps the first 500 characters of a message: a cut dict still matches
    ("ValueError", "Unrecognized keyword arguments passed to Dense: {'init': 'uniform', "
     "'W_regularizer': <keras.src.regularizers.regularizers.L2 object at 0x7f03",
     "Dense(12, init='uniform', W_regularizer=l2(0.01))", "legacy.layer_kwarg"),
    ("TypeError", "'Sequential' object has no attribute 'fit_generator'",
     "model.fit_generator(g)", None),
    ("AttributeError", "This 'SVC' has no attribute 'predict_proba'", "SVC().predict_proba(x)",
     None),
    ("AttributeError", "'LinearSVC' object has no attribute 'predict_proba'",
     "clf.predict_proba(x)", None),
    ("AttributeError", "'MiModelo' object has no attribute 'predict_proba'",
     "class MiModelo(keras.Model):\n    pass\nMiModelo().predict_proba(x)", "legacy.predict_proba"),
    ("AttributeError", "'Tensor' object has no attribute 'lr'", "t.lr", None),
    ("ValueError", "Argument(s) not recognized: {'foo': 1}", "SGD(foo=1, lr_x=2)", None),
    ("ValueError", "could not convert string to float: 'lr'", "float('lr')", None),
    ("ModuleNotFoundError", "No module named 'keras'", "import keras", None),
    ("NameError", "name 'KerasClassifier' is not defined", "KerasClassifier(build_fn=f)", None),
    ("TypeError", "Dense.__init__() missing 1 required positional argument: 'units'",
     "Dense(output_dims=10)", None),
    ("ValueError", "Computed output size would be zero or negative. Received `inputs shape="
     "(None, 1, 1, 32)`", "Conv2D(64, 3, 1)", None),
]


@pytest.mark.parametrize(("ename", "evalue", "source", "key"), RECORDED)
def test_recorded_error(ename: str, evalue: str, source: str, key: str | None) -> None:
    got = hint(ename, evalue, source)
    assert (got[0] if got else None) == key, got
    if got is not None:
        _check_renders(*got)


@pytest.mark.parametrize(("ename", "evalue"), [(None, None), ("ValueError", None), (None, "x"),
                                               ("", "")])
def test_no_error_no_hint(ename: str | None, evalue: str | None) -> None:
    assert hint(ename, evalue, "model.predict_classes(x)") is None


def test_source_is_optional() -> None:
    got = hint("AttributeError", "'Sequential' object has no attribute 'predict_classes'")
    assert got == ("legacy.predict_classes", {"model": "model", "x": "x"})
    _check_renders(*got)


def test_decay_without_lr_source_gives_plain_lr_hint() -> None:
    got = hint("ValueError", "Argument(s) not recognized: {'lr': 0.01}", "Adam(lr=0.01)")
    assert got == ("legacy.optimizer_lr", {"optimizer": "Adam", "value": "0.01"})


# ------------------------------------------------------------------------------- catalog


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_message_has_both_languages(key: str) -> None:
    assert key.startswith("legacy.")
    entry = MESSAGES[key]
    assert set(entry) == {"es", "en"}
    assert entry["es"].strip() and entry["en"].strip()
    assert _fields(entry["es"]) == _fields(entry["en"])
    assert any(lib in entry["es"] and lib in entry["en"] for lib in ("Keras 3", "NumPy 2"))  # names what changed


def test_rules_and_messages_match() -> None:
    assert {r.key for r in RULES} == set(MESSAGES)
