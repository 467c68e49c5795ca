"""Code written for older Keras, TensorFlow 1, NumPy, pandas and scikit-learn, run as its author
meant it.

Tutorials and course notebooks still use names that Keras 3, TensorFlow 2, NumPy 2, pandas 3
and recent scikit-learn removed (``from keras.utils import np_utils``, ``SGD(lr=0.01)``,
``model.predict_classes(x)``, ``tf.set_random_seed``, ``np.float``, ``fillna(method='ffill')``
…). With ``compat: adapt`` (the default; the spec or ``--compat hint`` turns it off) each such
use runs with today's spelling of the same thing and is recorded as an event that names both
spellings, which the report shows as feedback. A rule only renames: it never changes what a
model computes (``decay`` becomes the schedule Keras 2 applied, ``predict_classes`` the rule
Keras 2 used); where the old meaning cannot be had exactly, there is no rule and the cell fails
with its hint as before.

This module holds the rule table, the old module paths, and the switch; ``compat_keras`` and
``compat_libs`` patch the libraries once they are imported. Each rule has a test cell in
``tests/test_compat.py`` that fails without it and runs with it.
"""

# ruff: noqa: BLE001  (everything here must survive whatever the student's code did)
from __future__ import annotations

import importlib
import sys
from importlib.abc import Loader, MetaPathFinder
from typing import Any

from .state import CONFIG, event

# id -> (old spelling, today's spelling: code only, "" when nothing replaces it), as the report shows
# them; what needs words is said in the reader's language (grader.messages: adapt.compat_note.<id>)
RULES: dict[str, tuple[str, str]] = {
    # Keras 1/2 → 3
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
    "predict_classes": ("model.predict_classes(x)", "np.argmax(model.predict(x), axis=-1)"),
    "predict_proba": ("model.predict_proba(x)", "model.predict(x)"),
    "generator_method": ("fit_generator / evaluate_generator / predict_generator", "fit / evaluate / predict"),
    "checkpoint_h5": ("ModelCheckpoint('best.hdf5')", "ModelCheckpoint('best.keras')"),
    "convolution_rows_cols": ("Convolution2D(32, 3, 3)", "Conv2D(32, (3, 3))"),
    "merge_function": ("merge([a, b], mode='concat' / 'sum' / 'mul' …)", "concatenate([a, b]) / add / multiply …"),
    "batchnorm_mode": ("BatchNormalization(mode=0)", "BatchNormalization()"),
    "to_categorical_nb_classes": ("to_categorical(y, nb_classes=n)", "to_categorical(y, num_classes=n)"),
    "to_categorical_dtype": ("to_categorical(y, n, dtype='float32')", "to_categorical(y, n).astype('float32')"),
    "optimizer_epsilon_none": ("Adam(epsilon=None)", "Adam()"),
    "steps_float": ("fit(steps_per_epoch=len(x) / 32)", "fit(steps_per_epoch=math.ceil(len(x) / 32))"),
    "history_acc": ("history.history['acc'] / ['val_acc']", "history.history['accuracy'] / ['val_accuracy']"),
    "image_data_generator": ("keras.preprocessing.image.ImageDataGenerator",
                             "tf.keras.preprocessing.image.ImageDataGenerator"),
    "text_preprocessing": ("keras.preprocessing.text.Tokenizer", "tf.keras.preprocessing.text.Tokenizer"),
    "image_dim_ordering": ("K.set_image_dim_ordering('th') / K.image_dim_ordering()",
                           "K.set_image_data_format('channels_first') / K.image_data_format()"),
    "constraints_lowercase": ("keras.constraints.maxnorm(3) / nonneg / unitnorm / min_max_norm",
                              "keras.constraints.MaxNorm(3) / NonNeg / UnitNorm / MinMaxNorm"),
    "sklearn_wrapper": ("keras.wrappers.scikit_learn.KerasClassifier(build_fn=…)",
                        "keras.wrappers.SKLearnClassifier(model=…, fit_kwargs=…)"),
    # Matplotlib < 3.8
    "seaborn_style": ("plt.style.use('seaborn-whitegrid')", "plt.style.use('seaborn-v0_8-whitegrid')"),
    "plot_axes_kwarg": ("ax.plot(x, y, axes=ax)", "ax.plot(x, y)"),
    # IPython < 7
    "magic_space": ("% matplotlib inline", "%matplotlib inline"),
    # TensorFlow 1 → 2 (only what has the same meaning in TensorFlow 2)
    "tf_set_random_seed": ("tf.set_random_seed(s)", "tf.random.set_seed(s)"),
    "tf_logging": ("tf.logging.set_verbosity(…)", "tf.get_logger().setLevel(…)"),
    "tf_random_ops": ("tf.random_normal / random_uniform / truncated_normal", "tf.random.normal / uniform / truncated_normal"),
    "tf_eager": ("tf.enable_eager_execution()", ""),
    "tf_activation": ("Dense(…, activation=tf.nn.softmax)", "Dense(…, activation='softmax')"),
    "tf_to_dtype": ("tf.to_float(x) / tf.to_int32(x)", "tf.cast(x, tf.float32) / tf.cast(x, tf.int32)"),
    # NumPy < 2
    "numpy_alias": ("np.float, np.int, np.bool, np.object, np.str", "float, int, bool, object, str"),
    "numpy_removed_names": ("np.NaN, np.Inf, np.float_, np.unicode_, np.string_ …", "np.nan, np.inf, np.float64, np.str_, np.bytes_ …"),
    "numpy_removed_functions": ("np.asscalar, np.product, np.cumproduct, np.alltrue, np.sometrue, np.trapz, np.in1d",
                                "x.item(), np.prod, np.cumprod, np.all, np.any, np.trapezoid, np.isin(…).ravel()"),
    # pandas < 2
    "fillna_method": ("fillna(method='ffill' / 'bfill')", "ffill() / bfill()"),
    "frame_append": ("DataFrame.append(other)", "pandas.concat([frame, other])"),
    "series_append": ("Series.append(other)", "pandas.concat([series, other])"),
    "pandas_iteritems": ("DataFrame.iteritems() / Series.iteritems()", "items()"),
    "pandas_as_matrix": ("DataFrame.as_matrix()", "DataFrame.to_numpy()"),
    "pandas_mad": ("DataFrame.mad() / Series.mad()", "(x - x.mean()).abs().mean()"),
    "pandas_drop_axis": ("df.drop(columns='c', axis=1)", "df.drop(columns='c')"),
    "read_csv_bad_lines": ("read_csv(error_bad_lines=False, warn_bad_lines=…)", "read_csv(on_bad_lines='skip' / 'warn')"),
    # scikit-learn < 1
    "onehot_sparse": ("OneHotEncoder(sparse=…)", "OneHotEncoder(sparse_output=…)"),
    "sklearn_model_selection": ("sklearn.cross_validation / grid_search / learning_curve", "sklearn.model_selection"),
    "sklearn_joblib": ("sklearn.externals.joblib", "joblib"),
    "sklearn_imputer": ("sklearn.preprocessing.Imputer(strategy=…)", "sklearn.impute.SimpleImputer(strategy=…)"),
    "sklearn_plot_metrics": ("plot_confusion_matrix(est, X, y) / plot_roc_curve(est, X, y)",
                             "ConfusionMatrixDisplay.from_estimator / RocCurveDisplay.from_estimator"),
    "mse_squared": ("mean_squared_error(y, p, squared=False)", "root_mean_squared_error(y, p)"),
}

_LAYER_MODULES = ("core", "convolutional", "pooling", "recurrent", "embeddings", "normalization",
                  "advanced_activations", "noise", "merge", "wrappers", "local", "convolutional_recurrent")
# removed module -> (rule, today's module)
_MODULES = {
    "keras.utils.np_utils": ("np_utils", "keras.utils"),
    "keras.utils.vis_utils": ("vis_utils", "keras.utils"),
    "keras.preprocessing.text": ("text_preprocessing", "keras.src.legacy.preprocessing.text"),
    "keras.wrappers.scikit_learn": ("sklearn_wrapper", "keras.wrappers"),
    "sklearn.cross_validation": ("sklearn_model_selection", "sklearn.model_selection"),
    "sklearn.grid_search": ("sklearn_model_selection", "sklearn.model_selection"),
    "sklearn.learning_curve": ("sklearn_model_selection", "sklearn.model_selection"),
    "sklearn.externals.joblib": ("sklearn_joblib", "joblib"),
}


def enabled() -> bool:
    return CONFIG.get("compat", "adapt") == "adapt"


def used(rule: str, old: str | None = None, new: str | None = None) -> None:
    """Report ``rule`` as applied, in the words of its example or, where given, of this use."""
    example_old, example_new = RULES[rule]
    event("compat", rule=rule, old=old or example_old, new=new or example_new)


def install() -> None:
    """Before the first cell: old module paths, and the libraries already imported."""
    sys.meta_path.append(_OldModules())
    if "numpy" in sys.modules:
        from .compat_libs import patch_numpy

        patch_numpy()


# ---------------------------------------------------------------- module paths
class _OldModules(MetaPathFinder, Loader):
    """Modules that were removed, served by today's ones (asked only after the real finders fail)."""

    def _target(self, fullname: str) -> tuple[str, str] | None:
        name = fullname.removeprefix("tensorflow.") if fullname.startswith("tensorflow.keras.") else fullname
        if name in _MODULES:
            return _MODULES[name]
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
        if rule == "sklearn_wrapper":
            from .compat_wrappers import sklearn_wrappers

            module.__dict__.update(sklearn_wrappers(today))
        used(rule)
