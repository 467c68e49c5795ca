"""Notebooks written for Colab, Kaggle or a laptop with internet run offline, as written, in a
real kernel — and every adaptation is recorded for the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

from grader.pipeline import provision
from grader.pipeline.execute import RunOptions, execute
from grader.pipeline.spec import load_spec
from tests.conftest import ROOT, SHARED_DATA

pytestmark = [pytest.mark.kernel,
              pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"needs the shared datasets at {SHARED_DATA}")]

UCI_SONAR = ("https://archive.ics.uci.edu/ml/machine-learning-databases/undocumented/"
             "connectionist-bench/sonar/sonar.all-data")


def run(tmp_path: Path, cells: list[str], data: list[str], values: list[str],
        budget: dict[str, Any] | None = None, cell_timeout: float = 120,
        hide: list[str] | None = None) -> tuple[Any, Any]:
    spec = load_spec(ROOT / "exercises" / "iris" / "spec.yaml").model_copy(update={"data": data})
    ws = provision.provision(spec, SHARED_DATA)
    if hide:  # tests only: libraries the kernel treats as not installed
        ws.kernel_data["hide_modules"] = hide
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
    assert failed[0].ename == "RuntimeError" and "no trae 'cifar10'" in (failed[0].evalue or "")
    assert "exercise" not in (failed[0].evalue or "")  # one language
    assert value(outcome, "local") == ["sonar.csv", 208]
    assert kinds(outcome)["get_file"][0]["origin"] == UCI_SONAR


TF_DATA = "https://storage.googleapis.com/download.tensorflow.org/data/"


def test_missing_libraries_and_the_files_students_download(tmp_path: Path) -> None:
    """A display-only library that is missing (plotly, hidden here) gets a stand-in and the rest
    of the cell runs; one that computes (xgboost) stays an ImportError; iris, sonar and titanic
    answer under the names, archives and URLs of the tutorials students follow."""
    import shutil

    outcome, executed = run(tmp_path, [
        "import plotly.express as px\nimport plotly.graph_objects as go\nfrom plotly.subplots import make_subplots\n"
        "import pandas as pd\nfig = px.scatter(x=[1, 2], y=[3, 4], title='t')\nfig.update_layout(width=300)\n"
        "fig.show()\n(go.Figure(data=[go.Bar(y=[1])]) | px.line(x=[1], y=[2])).show()\n"
        "with fig.batch_update():\n    fig.data[0].marker.color = 'red'\nsiguio = 'sí'",
        "import xgboost",
        "%load_ext tensorboard\n%tensorboard --logdir logs",
        "import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])\n"
        "keras.utils.plot_model(m, to_file='m.png', show_shapes=True)\ndibujo = __import__('os').path.exists('m.png')",
        f"tf_train = pd.read_csv('{TF_DATA}iris_training.csv', names=['a', 'b', 'c', 'd', 'y'], header=0)\n"
        f"ruta = keras.utils.get_file('iris_test.csv', '{TF_DATA}iris_test.csv')\n"
        "iris_tf = [len(tf_train), open(ruta).readline().strip()]\n"
        "uci = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)\n"
        "sns_url = pd.read_csv('https://raw.githubusercontent.com/mwaskom/seaborn-data/master/iris.csv')\n"
        "kaggle = pd.read_csv('/kaggle/input/iris/Iris.csv')\n"
        "import seaborn as sns\nsns_iris = sns.load_dataset('iris')\n"
        "iris_formas = [list(uci.shape), list(sns_url.columns), list(kaggle.columns)[:2], list(sns_iris.shape)]\n"
        "from google.colab import files\nsubidos = list(files.upload())[:2]",
        "!kaggle competitions download -c titanic\nimport zipfile\n"
        "with zipfile.ZipFile('titanic.zip') as z:\n    z.extractall('datos')\n    en_zip = sorted(z.namelist())\n"
        "gs = pd.read_csv('/kaggle/input/titanic/gender_submission.csv')\ngenero = [len(gs), int(gs.Survived.sum())]\n"
        "dojo = len(pd.read_csv('https://raw.githubusercontent.com/datasciencedojo/datasets/master/titanic.csv'))\n"
        "sonar = [len(pd.read_csv(n, header=None)) for n in ('sonar_dataset.csv', '/content/Copy of sonar data.csv',"
        " 'https://raw.githubusercontent.com/jbrownlee/Datasets/master/sonar.csv',"
        " 'https://cainvas-static.s3.amazonaws.com/media/user_data/cainvas-admin/sonar.all-data.csv')]",
    ], data=["iris", "titanic", "sonar"], hide=["plotly", "xgboost"],
        values=["siguio", "dibujo", "iris_tf", "iris_formas", "subidos", "en_zip", "genero", "dojo", "sonar"])
    failed = outcome.failed_cells
    assert [(c.index, c.ename) for c in failed] == [(1, "ModuleNotFoundError")], [(c.index, c.evalue) for c in failed]
    assert "xgboost" in (failed[0].evalue or "")
    assert value(outcome, "siguio") == "sí"  # the rest of the cell ran after the plotly import
    k = kinds(outcome)
    assert [(e["module"], e["cell"]) for e in k["display_stand_in"]] == [("plotly", 0)]  # not xgboost
    assert "plotly" in "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert {e["magic"] for e in k["magic_skipped"]} == {"%load_ext tensorboard", "%tensorboard --logdir logs"}
    if shutil.which("dot") is None:  # Graphviz missing: no diagram, reported
        assert value(outcome, "dibujo") is False and k["plot_model_skipped"][0]["cell"] == 3
    else:
        assert value(outcome, "dibujo") is True and "plot_model_skipped" not in k
    assert value(outcome, "iris_tf") == [120, "30,4,setosa,versicolor,virginica"]
    assert value(outcome, "iris_formas") == [
        [150, 5], ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"],
        ["Id", "SepalLengthCm"], [150, 5]]
    assert value(outcome, "subidos") == ["iris.csv", "Iris.csv"]
    assert value(outcome, "en_zip") == ["gender_submission.csv", "test.csv", "train.csv"]
    assert value(outcome, "genero") == [418, 152] and value(outcome, "dojo") == 891
    assert value(outcome, "sonar") == [208, 208, 208, 208]
    urls = {e["path"]: e["file"] for e in k["url_redirect"]}
    assert urls[f"{TF_DATA}iris_training.csv"] == "iris_training.csv"
    assert urls["https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data"] == "iris.data"
    assert urls["https://raw.githubusercontent.com/mwaskom/seaborn-data/master/iris.csv"] == "iris.csv"
    assert urls["https://raw.githubusercontent.com/datasciencedojo/datasets/master/titanic.csv"] == "train.csv"
    # not a listed URL, but its file name is one the exercise provides (docs/datasets.md)
    assert urls["https://cainvas-static.s3.amazonaws.com/media/user_data/cainvas-admin/sonar.all-data.csv"] == "sonar.all-data.csv"
    assert k["get_file"][0]["file"] == "iris_test.csv"
    paths = {e["file"] for e in k["path_redirect"]}
    assert {"Iris.csv", "gender_submission.csv", "Copy of sonar data.csv"} <= paths
