"""Notebooks written for Colab, Kaggle or a laptop with internet run offline, as written, in a
real kernel — and every adaptation is recorded for the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

from grader import provision
from grader.execute import RunOptions, execute
from grader.spec import load_spec
from tests.conftest import ROOT, SHARED_DATA

pytestmark = [pytest.mark.kernel,
              pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"needs the shared datasets at {SHARED_DATA}")]

UCI_SONAR = ("https://archive.ics.uci.edu/ml/machine-learning-databases/undocumented/"
             "connectionist-bench/sonar/sonar.all-data")


def run(tmp_path: Path, cells: list[str], data: list[str], values: list[str],
        budget: dict[str, Any] | None = None, cell_timeout: float = 120) -> tuple[Any, Any]:
    spec = load_spec(ROOT / "exercises" / "iris" / "spec.yaml").model_copy(update={"data": data})
    ws = provision.provision(spec, SHARED_DATA)
    path = tmp_path / "nb.ipynb"
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(c) for c in cells]), path)
    options = RunOptions(artifacts=[{"name": v, "kind": "value"} for v in values], kernel_data=ws.kernel_data,
                         budget=budget or {}, cell_timeout=cell_timeout)
    try:
        return execute(path, ws.workdir, ws.artifacts, options)
    finally:
        ws.cleanup()


def kinds(outcome: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for event in outcome.adaptations:
        out.setdefault(event["kind"], []).append(event)
    return out


def value(outcome: Any, name: str) -> Any:
    entry = outcome.artifacts[name]
    assert entry["status"] == "ok", entry
    return entry["value"]


def test_colab_and_kaggle_habits_run_offline(tmp_path: Path) -> None:
    outcome, executed = run(tmp_path, [
        "from google.colab import drive, files\ndrive.mount('/content/drive')",
        "!pip install -q scikeras\n%pip install tensorflow==2.15\n%tensorflow_version 2.x",
        "import pandas as pd\n"
        "df = pd.read_csv('/content/drive/My Drive/Colab Notebooks/Sonar.csv', header=None)\n"
        "filas_drive = len(df)",
        f"filas_url = len(pd.read_csv('{UCI_SONAR}', header=None))",
        "filas_kaggle = len(pd.read_csv('../input/titanic/train.csv'))\n"
        "import os\nexiste = os.path.exists('/kaggle/input/titanic/test.csv')",
        "subidos = sorted(files.upload())",
        "import os\nos.chdir('/content/drive/MyDrive/curso')\ncarpeta = os.path.basename(os.getcwd())",
        f"!wget -q {UCI_SONAR} -O copia.csv\n"
        "copia = open('copia.csv').read() == open('Sonar.csv').read()",
        "import numpy as np\n"
        "forma = list(np.loadtxt(r'C:\\Users\\ana\\Descargas\\sonar.csv', delimiter=',', usecols=range(60)).shape)",
        "with open('/content/sample_data/titanic/test.csv') as f:\n    lineas = len(f.readlines())",
        "try:\n    open('no_existe.csv')\n    otro = 'opened'\nexcept FileNotFoundError:\n    otro = 'FileNotFoundError'",
        "eco = !echo hola\neco = list(eco)",
    ], data=["sonar", "titanic"], values=["filas_drive", "filas_url", "filas_kaggle", "existe", "subidos",
                                          "carpeta", "copia", "forma", "lineas", "otro", "eco"])
    assert outcome.status == "ok", [(c.index, c.ename, c.evalue) for c in outcome.failed_cells]
    assert value(outcome, "filas_drive") == 208 and value(outcome, "filas_url") == 208
    assert value(outcome, "filas_kaggle") == 891 and value(outcome, "existe") is True
    assert "Sonar.csv" in value(outcome, "subidos") and "train.csv" in value(outcome, "subidos")
    assert value(outcome, "carpeta") == "work"
    assert value(outcome, "copia") is True
    assert value(outcome, "forma") == [208, 60]
    assert value(outcome, "lineas") == 419
    assert value(outcome, "otro") == "FileNotFoundError"  # unknown files still fail normally
    assert value(outcome, "eco") == ["hola"]  # harmless shell commands run
    k = kinds(outcome)
    assert k["drive_mount"][0]["cell"] == 0
    assert [e["program"] for e in k["shell_skipped"]] == ["pip"]
    assert {e["magic"] for e in k["magic_skipped"]} == {"%pip install tensorflow==2.15", "%tensorflow_version 2.x"}
    assert {e["file"] for e in k["path_redirect"]} >= {"Sonar.csv", "train.csv", "test.csv"}
    assert k["url_redirect"][0]["path"] == UCI_SONAR
    assert k["chdir_skipped"][0]["path"] == "/content/drive/MyDrive/curso"
    assert k["shell_answered"][0]["file"] == "copia.csv"
    assert "files_upload" in k
    # the student sees, in the notebook's output, what was skipped
    text = "".join(o.get("text", "") for o in executed.cells[1].outputs)
    assert "pip install -q scikeras" in text and "omitido" in text


def test_load_data_through_every_import_style_and_the_fit_budget(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, [
        "from keras.datasets import mnist\n(x1, y1), (xt1, yt1) = mnist.load_data()\n"
        "mnist_formas = [list(x1.shape), list(y1.shape), list(xt1.shape), list(yt1.shape), str(x1.dtype)]\n"
        "primeras = y1[:10].tolist()\nx1[0, 0, 0] = 7  # arrays are writable, as Keras's are",
        "from tensorflow.keras.datasets import fashion_mnist\n(x2, y2), _ = fashion_mnist.load_data()\n"
        "fashion = [list(x2.shape), int((y2 == 3).sum())]",
        "import tensorflow as tf\n(x3, y3), (xt3, yt3) = tf.keras.datasets.cifar10.load_data()\n"
        "cifar = [list(x3.shape), list(y3.shape), list(xt3.shape), str(y3.dtype)]",
        "x = x1.reshape(60000, 784)[:2000] / 255.0\ny = tf.keras.utils.to_categorical(y1[:2000], 10)\n"
        "model = tf.keras.Sequential([tf.keras.Input((784,)), tf.keras.layers.Dense(10, activation='softmax')])\n"
        "model.compile('sgd', 'categorical_crossentropy')\n"
        "h = model.fit(x, y, epochs=500, batch_size=500, verbose=0)\n"
        "epocas = len(h.history['loss'])",
        "h2 = model.fit(x, y, 64, 300, 0)  # positional epochs, a Keras 2 habit\nepocas2 = len(h2.history['loss'])",
    ], data=["mnist", "fashion_mnist", "cifar10"],
        values=["mnist_formas", "primeras", "fashion", "cifar", "epocas", "epocas2"],
        budget={"max_epochs": 3, "data_fraction": 0.5})
    assert outcome.status == "ok", [(c.index, c.ename, c.evalue) for c in outcome.failed_cells]
    assert value(outcome, "mnist_formas") == [[60000, 28, 28], [60000], [10000, 28, 28], [10000], "uint8"]
    assert value(outcome, "primeras") == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert value(outcome, "fashion") == [[60000, 28, 28], 6000]
    assert value(outcome, "cifar") == [[20000, 32, 32, 3], [20000, 1], [10000, 32, 32, 3], "uint8"]
    assert value(outcome, "epocas") == 3 and value(outcome, "epocas2") == 3
    k = kinds(outcome)
    assert {e["dataset"] for e in k["load_data"]} == {"mnist", "fashion_mnist", "cifar10"}
    assert [(e["requested"], e["applied"]) for e in k["epoch_cap"]] == [(500, 3), (300, 3)]
    assert k["data_fraction"][0] == {"kind": "data_fraction", "used": 1000, "total": 2000, "cell": 3}


def test_time_budget_stops_training_cleanly_and_a_missing_dataset_says_so(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, [
        "import numpy as np, keras\n"
        "x = np.random.rand(20000, 50).astype('float32'); y = (x.sum(1) > 25).astype('float32')\n"
        "m = keras.Sequential([keras.Input((50,)), keras.layers.Dense(256, activation='relu'),"
        " keras.layers.Dense(1, activation='sigmoid')])\nm.compile('adam', 'binary_crossentropy')\n"
        "h = m.fit(x, y, epochs=10000, batch_size=32, verbose=0)\nepocas = len(h.history['loss'])",
        "from keras.datasets import cifar10\ncifar10.load_data()",
        f"ruta = keras.utils.get_file('sonar.csv', origin='{UCI_SONAR}')\n"
        "import os\nlocal = [os.path.basename(ruta), len(open(ruta).readlines())]",
    ], data=["sonar"], values=["epocas", "local"], budget={"fit_time_budget": 3})
    assert value(outcome, "epocas") < 10000
    event = kinds(outcome)["time_budget"][0]
    assert event["budget"] == 3 and event["requested"] == 10000 and event["cell"] == 0
    failed = outcome.failed_cells
    assert [c.index for c in failed] == [1]
    assert failed[0].ename == "RuntimeError" and "no provee 'cifar10'" in (failed[0].evalue or "")
    assert value(outcome, "local") == ["sonar.csv", 208]
    assert kinds(outcome)["get_file"][0]["origin"] == UCI_SONAR
