"""Code written for older Keras, NumPy, pandas and scikit-learn runs in a real kernel with
today's names (``compat: adapt``), computes what its author meant, and is reported; with
``compat: hint`` the same cells fail as they always did. Every rule has a cell here that fails
without it and runs with it (the two kernels are started once for the whole module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

from grader.kernel.compat import RULES
from grader.messages import render
from grader.pipeline.execute import RunOptions, execute

MODEL = ("import keras, numpy as np\n"
         "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation='softmax')])\n")
# one cell per rule; each checks that the adapted code computes what the old API computed
CELLS: dict[str, str] = {
    "np_utils": "from keras.utils import np_utils\nimport numpy as np\n"
                "assert np_utils.to_categorical([0, 2], 3).tolist() == [[1, 0, 0], [0, 0, 1]]",
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
    "checkpoint_h5": "import keras\nc = keras.callbacks.ModelCheckpoint('mejor.hdf5', save_best_only=True)\n"
                     "w = keras.callbacks.ModelCheckpoint('pesos.h5', save_weights_only=True)\n"
                     "assert c.filepath == 'mejor.keras' and w.filepath == 'pesos.weights.h5'",
    "numpy_alias": "import numpy as np\nassert np.zeros(2, dtype=np.float).dtype == np.float64 and np.int is int",
    "fillna_method": "import pandas as pd\ns = pd.DataFrame({'a': [1.0, None, 3.0, None]}).fillna(method='ffill')\n"
                     "assert s['a'].tolist() == [1.0, 1.0, 3.0, 3.0]",
    "frame_append": "import pandas as pd\nd = pd.DataFrame({'a': [1]}).append({'a': 2}, ignore_index=True)\n"
                    "assert d['a'].tolist() == [1, 2]",
    "onehot_sparse": "from sklearn.preprocessing import OneHotEncoder\n"
                     "out = OneHotEncoder(sparse=False).fit_transform([[1], [2], [1]])\n"
                     "assert out.tolist() == [[1, 0], [0, 1], [1, 0]]",
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
    assert len(RULES) >= 19


@pytest.mark.kernel
def test_with_adapt_every_old_cell_runs_and_computes_what_it_meant(outcomes: dict[str, Any]) -> None:
    outcome = outcomes["adapt"]
    failed = {rule: (c.ename, c.evalue) for rule, c in zip(CELLS, outcome.cells) if c.status != "ok"}
    assert not failed, failed
    reported = {e["rule"] for e in outcome.adaptations if e["kind"] == "compat"}
    assert reported == set(RULES), set(RULES) - reported
    by_rule = {e["rule"]: e for e in outcome.adaptations if e["kind"] == "compat"}
    assert by_rule["np_utils"]["cell"] == 0 and by_rule["onehot_sparse"]["cell"] == len(CELLS) - 1


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
