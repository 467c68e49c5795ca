"""Code written for older Keras, NumPy, pandas and scikit-learn runs in a real kernel with
today's names (``compat: adapt``), computes what its author meant, and is reported; with
``compat: hint`` the same cells fail as they always did. Every rule has a cell here that fails
without it and runs with it (the two kernels are started once for the whole module)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

from grader.kernel.compat import RULES
from grader.messages import CATALOG, render
from grader.model.outcomes import ExecutionOutcome
from grader.pipeline import report
from grader.pipeline.execute import RunOptions, execute

MODEL = ("import keras, numpy as np\n"
         "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation='softmax')])\n")
# one cell per rule; each checks that the adapted code computes what the old API computed
CELLS: dict[str, str] = {
    "np_utils": "from keras.utils import np_utils\nimport numpy as np, keras\n"
                "assert np_utils.to_categorical([0, 2], 3).tolist() == [[1, 0, 0], [0, 0, 1]]\n"
                "assert keras.utils.np_utils.to_categorical([1], 2).tolist() == [[0, 1]]  # as an attribute too",
    "layers_module": "from keras.layers.core import Dense, Dropout\nfrom keras.layers.convolutional import Conv2D\n"
                     "from keras.layers.pooling import MaxPooling2D\nimport keras\n"
                     "assert Dense is keras.layers.Dense and Conv2D is keras.layers.Conv2D",
    "vis_utils": "from keras.utils.vis_utils import plot_model\nimport keras\nassert plot_model is keras.utils.plot_model",
    "optimizer_lowercase": "import keras\no = keras.optimizers.rmsprop()\nassert type(o).__name__ == 'RMSprop'",
    "optimizer_lr": "import keras\no = keras.optimizers.SGD(lr=0.25)\nassert abs(float(o.learning_rate) - 0.25) < 1e-7",
    "optimizer_decay": "import keras\no = keras.optimizers.SGD(lr=0.1, decay=0.01)\n"
                       "s = o._learning_rate\n"  # the schedule; Keras 2: lr / (1 + decay * iterations)
                       "assert abs(float(s(0)) - 0.1) < 1e-7 and abs(float(s(100)) - 0.1 / (1 + 0.01 * 100)) < 1e-7",
    "optimizer_lr_attr": "import keras\no = keras.optimizers.Adam(learning_rate=0.003)\n"
                         "assert abs(float(o.lr.numpy()) - 0.003) < 1e-7",
    "layer_kwarg": "import keras\nd = keras.layers.Dense(output_dim=7, init='zeros')\n"
                   "c = keras.layers.Conv2D(nb_filter=4, kernel_size=3, border_mode='same', subsample=(2, 2))\n"
                   "p = keras.layers.Dropout(p=0.3)\n"
                   "assert d.units == 7 and type(d.kernel_initializer).__name__ == 'Zeros'\n"
                   "assert c.filters == 4 and c.padding == 'same' and c.strides == (2, 2) and p.rate == 0.3",
    "dim_ordering": "import keras\nl = keras.layers.MaxPooling2D(pool_size=(2, 2), dim_ordering='th')\n"
                    "assert l.data_format == 'channels_first'",
    "model_io": "import keras, numpy as np\ni = keras.Input((3,))\no = keras.layers.Dense(2)(i)\n"
                "m = keras.Model(input=i, output=o)\nassert m.predict(np.zeros((2, 3)), verbose=0).shape == (2, 2)",
    "fit_epochs": MODEL + "m.compile('sgd', 'sparse_categorical_crossentropy')\n"
                          "h = m.fit(np.zeros((4, 3)), np.zeros(4), nb_epoch=3, verbose=0)\nassert len(h.epoch) == 3",
    "predict_classes": MODEL + "x = np.random.default_rng(0).normal(size=(5, 3))\n"
                               "assert (m.predict_classes(x, verbose=0) == m.predict(x, verbose=0).argmax(-1)).all()",
    "predict_proba": MODEL + "x = np.ones((2, 3))\nassert (m.predict_proba(x, verbose=0) == m.predict(x, verbose=0)).all()",
    "generator_method": MODEL + "m.compile('sgd', 'sparse_categorical_crossentropy')\n"
                                "batches = ((np.zeros((2, 3)), np.zeros(2)) for _ in range(10))\n"
                                "h = m.fit_generator(batches, steps_per_epoch=2, nb_epoch=2, verbose=0)\n"
                                "assert len(h.epoch) == 2",
    "checkpoint_h5": MODEL + "c = keras.callbacks.ModelCheckpoint('mejor.hdf5')\n"
                     "w = keras.callbacks.ModelCheckpoint('pesos.h5', save_weights_only=True)\n"
                     "assert c.filepath == 'mejor.keras' and w.filepath == 'pesos.weights.h5'\n"
                     # read back under the names the notebook gave them (pablomateo's notebook, issue 17)
                     "m.compile('sgd', 'sparse_categorical_crossentropy')\n"
                     "m.fit(np.ones((4, 3)), np.zeros(4), epochs=1, verbose=0, callbacks=[c, w])\n"
                     "m.load_weights('pesos.h5')\n"
                     "assert keras.models.load_model('mejor.hdf5').count_params() == m.count_params()",
    "to_categorical_dtype": "import keras\nm = keras.utils.to_categorical([0, 2], 3, dtype='int32')\n"
                            "assert m.dtype.name == 'int32' and m.tolist() == [[1, 0, 0], [0, 0, 1]]",
    "optimizer_epsilon_none": MODEL + "m.compile(keras.optimizers.Adam(epsilon=None), 'sparse_categorical_crossentropy')\n"
                                      "m.fit(np.ones((4, 3)), np.zeros(4), epochs=1, verbose=0)\n"
                                      "assert abs(m.optimizer.epsilon - 1e-7) < 1e-12",
    "steps_float": MODEL + "m.compile('sgd', 'sparse_categorical_crossentropy')\n"
                           "h = m.fit(np.zeros((8, 3)), np.zeros(8), batch_size=3, steps_per_epoch=8 / 3, epochs=2, verbose=0)\n"
                           "assert len(h.epoch) == 2",
    "plot_axes_kwarg": "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(2, 1)\n"
                       "line, = ax[0].plot([1, 2], [3, 4], color='r', label='v', axes=ax[0])\n"
                       "assert line.axes is ax[0] and list(line.get_ydata()) == [3, 4]\nplt.close(fig)",
    "pandas_drop_axis": "import pandas as pd\nd = pd.DataFrame({'a': [1], 'b': [2], 'c': [3]})\n"
                        "d.drop(columns='a', axis=1, inplace=True)\ne = d.drop(columns=['b'], axis=0)\n"
                        "assert list(d.columns) == ['b', 'c'] and list(e.columns) == ['c']",
    "magic_space": "% matplotlib inline\nimport matplotlib\nassert 'inline' in matplotlib.get_backend()\n"
                   "time = 3\nt = ('%d'\n% time)  # inside brackets: the modulo, not a magic\nassert t == '3'",
    "tf_activation": "import keras, numpy as np, tensorflow as tf\n"
                     "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation=tf.nn.relu),\n"
                     "                      keras.layers.Activation(tf.nn.tanh), keras.layers.Dense(2, activation=tf.nn.softmax)])\n"
                     "x = np.random.default_rng(0).normal(size=(5, 3))\nm.save('tf_act.keras')\n"
                     "again = keras.models.load_model('tf_act.keras', safe_mode=True)\n"
                     "assert np.allclose(again.predict(x, verbose=0), m.predict(x, verbose=0))\n"
                     "assert m.layers[-1].activation is keras.activations.softmax\n"
                     "assert m.layers[0].activation is tf.nn.relu  # saved as 'relu', loads back: left as written",
    "numpy_alias": "import numpy as np\nassert np.zeros(2, dtype=np.float).dtype == np.float64 and np.int is int",
    "fillna_method": "import pandas as pd\ns = pd.DataFrame({'a': [1.0, None, 3.0, None]}).fillna(method='ffill')\n"
                     "assert s['a'].tolist() == [1.0, 1.0, 3.0, 3.0]",
    "frame_append": "import pandas as pd\nd = pd.DataFrame({'a': [1]}).append({'a': 2}, ignore_index=True)\n"
                    "assert d['a'].tolist() == [1, 2]",
    "onehot_sparse": "from sklearn.preprocessing import OneHotEncoder\n"
                     "out = OneHotEncoder(sparse=False).fit_transform([[1], [2], [1]])\n"
                     "assert out.tolist() == [[1, 0], [0, 1], [1, 0]]",
    # Keras 1: the kernel's rows and columns as positional arguments (under Conv2D the third is the stride)
    "convolution_rows_cols": "from keras.layers import Convolution2D\nc = Convolution2D(8, 3, 3, activation='relu')\n"
                             "assert c.kernel_size == (3, 3) and c.strides == (1, 1) and type(c).__name__ == 'Conv2D'",
    "merge_function": "import keras, numpy as np\nfrom keras.layers import merge\n"
                      "a, b = keras.Input((2,)), keras.Input((3,))\n"
                      "m = keras.Model([a, b], merge([a, b], mode='concat'))\n"
                      "s = keras.Model([a], merge([a, a], mode='sum'))\n"
                      "out = m.predict([np.ones((1, 2)), np.full((1, 3), 2.0)], verbose=0)\n"
                      "assert out.tolist() == [[1, 1, 2, 2, 2]] and s.predict(np.ones((1, 2)), verbose=0).tolist() == [[2, 2]]",
    "batchnorm_mode": "import keras\nb = keras.layers.BatchNormalization(mode=0, momentum=0.9)\nassert b.momentum == 0.9",
    "to_categorical_nb_classes": "from keras.utils import to_categorical\n"
                                 "assert to_categorical([1], nb_classes=3).tolist() == [[0, 1, 0]]",
    "history_acc": MODEL + "m.compile('sgd', 'sparse_categorical_crossentropy', metrics=['accuracy'])\n"
                           "h = m.fit(np.zeros((4, 3)), np.zeros(4), epochs=2, verbose=0, validation_split=0.5)\n"
                           "assert h.history['acc'] == h.history['accuracy'] and len(h.history['val_acc']) == 2",
    "image_data_generator": "import numpy as np\nfrom keras.preprocessing.image import ImageDataGenerator\n"
                            "g = ImageDataGenerator(rescale=1 / 255.0)\n"
                            "x, y = next(iter(g.flow(np.full((4, 2, 2, 1), 255.0), np.arange(4), batch_size=4, shuffle=False)))\n"
                            "assert float(x.max()) == 1.0 and y.tolist() == [0, 1, 2, 3]",
    "text_preprocessing": "from keras.preprocessing.text import Tokenizer\nt = Tokenizer()\n"
                          "t.fit_on_texts(['hola mundo', 'hola'])\nassert t.word_index == {'hola': 1, 'mundo': 2}",
    "image_dim_ordering": "from keras import backend as K\nK.set_image_dim_ordering('th')\n"
                          "ok = K.image_data_format() == 'channels_first' and K.image_dim_ordering() == 'th'\n"
                          "K.set_image_data_format('channels_last')\nassert ok",
    "constraints_lowercase": "import keras\nfrom keras.constraints import maxnorm\n"
                             "d = keras.layers.Dense(3, kernel_constraint=maxnorm(3))\n"
                             "assert type(d.kernel_constraint).__name__ == 'MaxNorm' and d.kernel_constraint.max_value == 3",
    # the sonar tutorial's shape: one sigmoid unit, 0/1 labels, cross_val_score cloning the wrapper
    "sklearn_wrapper": "import keras, numpy as np\nfrom keras.wrappers.scikit_learn import KerasClassifier\n"
                       "from sklearn.model_selection import cross_val_score\n"
                       "def build(units=4):\n"
                       "    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, activation='relu'),\n"
                       "                          keras.layers.Dense(1, activation='sigmoid')])\n"
                       "    m.compile('adam', 'binary_crossentropy', metrics=['accuracy'])\n"
                       "    return m\n"
                       "clf = KerasClassifier(build_fn=build, units=5, epochs=2, batch_size=4, verbose=0)\n"
                       "x, y = np.random.default_rng(0).normal(size=(8, 3)), np.array(['M', 'R'] * 4)\n"
                       "clf.fit(x, y)\nassert set(clf.predict(x)) <= {'M', 'R'} and clf.model_.layers[0].units == 5\n"
                       "assert len(clf.history_.history['loss']) == 2\n"
                       "assert len(cross_val_score(clf, x, y, cv=2)) == 2",
    "seaborn_style": "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
                     "plt.style.use('seaborn-whitegrid')\nassert plt.rcParams['axes.grid']\nplt.style.use('default')",
    # TensorFlow 1
    "tf_set_random_seed": "import tensorflow as tf\ntf.set_random_seed(3)\na = tf.random.uniform((2,)).numpy()\n"
                          "tf.random.set_seed(3)\nassert (tf.random.uniform((2,)).numpy() == a).all()",
    "tf_logging": "import tensorflow as tf\ntf.logging.set_verbosity(tf.logging.ERROR)\nassert tf.get_logger().level == 40",
    "tf_random_ops": "import tensorflow as tf\nassert tuple(tf.random_normal((3, 2)).shape) == (3, 2)",
    "tf_eager": "import tensorflow as tf\ntf.enable_eager_execution()\nassert tf.executing_eagerly()",
    "tf_to_dtype": "import tensorflow as tf\nassert tf.to_float(tf.constant([1, 2])).dtype == tf.float32",
    # NumPy < 2
    "numpy_removed_names": "import numpy as np\n"
                           "assert np.isnan(np.NaN) and np.Inf == np.inf and np.float_ is np.float64 and np.NINF == -np.inf",
    "numpy_removed_functions": "import numpy as np\nassert np.asscalar(np.array([5])) == 5 and np.product([2, 3]) == 6\n"
                               "assert np.alltrue([True, True]) and np.in1d([[1, 2]], [2]).tolist() == [False, True]",
    # pandas < 2
    "series_append": "import pandas as pd\ns = pd.Series([1]).append(pd.Series([2]), ignore_index=True)\n"
                     "assert s.tolist() == [1, 2]",
    "pandas_iteritems": "import pandas as pd\nassert [k for k, _ in pd.DataFrame({'a': [1], 'b': [2]}).iteritems()] == ['a', 'b']",
    "pandas_as_matrix": "import pandas as pd\n"
                        "assert pd.DataFrame({'a': [1, 2], 'b': [3, 4]}).as_matrix(columns=['b']).tolist() == [[3], [4]]",
    "pandas_mad": "import pandas as pd\nassert pd.Series([1.0, 2.0, 3.0, 6.0]).mad() == 1.5\n"
                  "assert pd.DataFrame({'a': [1.0, 3.0], 'b': [0.0, 4.0]}).mad().tolist() == [1.0, 2.0]",
    "read_csv_bad_lines": "import io, pandas as pd\n"
                          "d = pd.read_csv(io.StringIO('a,b\\n1,2\\n3,4,5\\n6,7\\n'), error_bad_lines=False)\n"
                          "assert d['a'].tolist() == [1, 6]",
    # scikit-learn < 1
    "sklearn_model_selection": "from sklearn.cross_validation import train_test_split\n"
                               "a, b = train_test_split(list(range(10)), test_size=0.3, random_state=0)\nassert len(b) == 3",
    "sklearn_joblib": "from sklearn.externals import joblib\nimport joblib as today\nassert joblib.dump is today.dump",
    "sklearn_imputer": "import numpy as np\nfrom sklearn.preprocessing import Imputer\n"
                       "out = Imputer(missing_values='NaN', strategy='mean', axis=0).fit_transform([[1.0], [np.nan], [3.0]])\n"
                       "assert out.tolist() == [[1.0], [2.0], [3.0]]",
    "sklearn_plot_metrics": "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n"
                            "from sklearn.metrics import plot_confusion_matrix\n"
                            "x, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])\n"
                            "d = plot_confusion_matrix(LogisticRegression().fit(x, y), x, y)\n"
                            "assert d.confusion_matrix.tolist() == [[2, 0], [0, 2]]",
    "mse_squared": "from sklearn.metrics import mean_squared_error\n"
                   "assert mean_squared_error([0, 0], [3, 4], squared=False) == 12.5 ** 0.5",
}


def _run(tmp_path: Path, compat: str) -> Any:
    work, artifacts = tmp_path / compat / "work", tmp_path / compat / "artifacts"
    work.mkdir(parents=True)
    path = tmp_path / compat / "viejo.ipynb"
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(c) for c in CELLS.values()]), path)
    outcome, _ = execute(path, work, artifacts, RunOptions(compat=compat, cell_timeout=300))
    return outcome


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("compat")
    return {mode: _run(tmp, mode) for mode in ("adapt", "hint")}


def test_every_rule_has_a_cell() -> None:
    assert set(CELLS) == set(RULES)
    assert len(RULES) >= 40


@pytest.mark.kernel
def test_with_adapt_every_old_cell_runs_and_computes_what_it_meant(outcomes: dict[str, Any]) -> None:
    outcome = outcomes["adapt"]
    failed = {rule: (c.ename, c.evalue) for rule, c in zip(CELLS, outcome.cells) if c.status != "ok"}
    assert not failed, failed
    reported = {e["rule"] for e in outcome.adaptations if e["kind"] == "compat"}
    assert reported == set(RULES), set(RULES) - reported
    by_rule = {e["rule"]: e for e in outcome.adaptations if e["kind"] == "compat"}
    last = list(CELLS)[-1]
    assert by_rule["np_utils"]["cell"] == 0 and by_rule[last]["cell"] == len(CELLS) - 1


@pytest.mark.kernel
def test_with_hint_every_old_cell_fails_as_before(outcomes: dict[str, Any]) -> None:
    outcome = outcomes["hint"]
    ran = [rule for rule, c in zip(CELLS, outcome.cells) if c.status == "ok"]
    assert not ran, ran
    assert not [e for e in outcome.adaptations if e["kind"] == "compat"]


@pytest.mark.kernel
def test_the_report_names_both_spellings_in_the_reader_s_language(outcomes: dict[str, Any]) -> None:
    event = next(e for e in outcomes["adapt"].adaptations if e.get("rule") == "optimizer_lr")
    params = {k: v for k, v in event.items() if k not in ("kind", "cell")}
    es, en = render("adapt.compat", params, "es"), render("adapt.compat", params, "en")
    assert "SGD(lr=…)" in es and "SGD(learning_rate=…)" in es and "ya no existe" in es
    assert "SGD(lr=…)" in en and "no longer exists" in en


def test_the_documentation_lists_every_rule() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "compatibility.md").read_text(encoding="utf-8")
    assert f"## The rules ({len(RULES)})" in doc
    assert [r for r in RULES if f"| `{r}` |" not in doc] == []


ENGLISH = re.compile(r"\b(the|of|for|kept|nothing|cannot|runs|stood|same|class|when|which)\b")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_a_spanish_report_of_every_rule_has_no_english_words(rule: str) -> None:
    """issue 17: "se ejecutó como `the same class, kept in …`" mixed the languages; a rule's
    spelling is code, and the words it needs come from the catalog in the reader's language."""
    old, new = RULES[rule]
    outcome = ExecutionOutcome(status="ok", adaptations=[{"kind": "compat", "cell": 0, "rule": rule, "old": old,
                                                          "new": new}])
    (es,) = [a["message"] for a in report.adaptations(outcome, "es")]
    (en,) = [a["message"] for a in report.adaptations(outcome, "en")]
    prose = re.sub(r"`[^`]*`", "", es)  # code is code in either language
    assert not ENGLISH.search(prose), es
    for spelling in (old, new):  # and what goes between backticks is code, not words
        assert not ENGLISH.search(re.sub(r"'[^']*'", "", spelling)), spelling
    assert "{" not in es + en
    if f"adapt.compat_as.{rule}" in CATALOG:  # code that still runs today, rewritten so it can be graded
        assert "funciona" in es.lower() and "works" in en.lower() and "ya no existe" not in es
    else:
        assert "ya no" in es and "no longer" in en
    assert not re.search(r"\b(se|como|hoy|cámbialo)\b", re.sub(r"`[^`]*`", "", en)), en
