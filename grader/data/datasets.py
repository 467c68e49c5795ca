"""The course's datasets: where their files come from, how to check them, how to read them.

One registry serves three readers:

* the **grader/checker**, which loads the arrays to compute metrics on data it holds
  (including hidden labels, e.g. Titanic's test labels, that never reach a student);
* **provisioning**, which copies the files a student may read into the submission's working
  directory under the names students use (``Sonar.csv``, ``titanic/train.csv`` …) and tells
  the kernel where the image datasets are, so ``keras.datasets.*.load_data()`` works offline;
* ``grader data`` (list / verify / fetch) for instructors setting up a machine.

Lookup order for a dataset's files (first complete set wins):

1. ``--data-dir`` given on the command line;
2. ``$DLGRADER_DATA_DIR``;
3. the user's data folder (``$XDG_DATA_HOME/dl-grader/datasets``, default
   ``~/.local/share/dl-grader/datasets``) — where ``grader data fetch`` puts files;
4. the Keras cache (``$KERAS_HOME/datasets``, default ``~/.keras/datasets``);
5. ``/usr/share/datasets`` (Debian's ``dataset-fashion-mnist`` package).

Iris ships with scikit-learn. Nothing here downloads; ``grader.data.fetch`` does, when asked.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.model.errors import GraderError

Split = tuple[np.ndarray, np.ndarray]
FETCH_HINT = "grader data fetch {name}"


class DatasetMissing(GraderError, FileNotFoundError):
    """A dataset the exercise needs is not on this machine."""

    exit_code = 2

    @classmethod
    def looked_in(cls, name: str, layouts: list[tuple[str, ...]], places: list[Path]) -> DatasetMissing:
        wanted = " or ".join("{" + ", ".join(files) + "}" for files in layouts)
        where = "\n".join(f"  - {p}" for p in places) or "  (nowhere)"
        return cls(
            f"dataset '{name}' not found.\n"
            f"Looked for {wanted} in:\n{where}\n"
            f"Fix: run `{FETCH_HINT.format(name=name)}` (needs internet), or copy the files into "
            f"a folder and pass --data-dir FOLDER (or set DLGRADER_DATA_DIR=FOLDER); "
            f"`grader data list` shows what is found where."
        )


class DatasetCorrupt(GraderError):
    exit_code = 2


@dataclass(frozen=True)
class DataFile:
    name: str
    sha256: str | None = None  # None: no published checksum (verified by content instead)
    url: str | None = None  # official source, for `grader data fetch`
    hidden: bool = False  # grader-only (labels of test data): never provisioned to a student


@dataclass(frozen=True)
class Layout:
    """One way a dataset's files can sit under a data directory."""

    folder: str  # sub-folder of the data directory ("" = the directory itself)
    files: tuple[str, ...]
    format: str  # idx | npz | csv | sklearn


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    files: tuple[DataFile, ...]
    layouts: tuple[Layout, ...]
    # names a student's notebook may use for a file, in its working directory
    student_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the keras.datasets module whose load_data() returns this dataset
    keras_module: str | None = None
    class_names: tuple[str, ...] = ()
    note: str = ""  # said in `grader data list` (e.g. a subset)
    # files written into the student's folder at provision time, built from the dataset's
    # student files (never from hidden ones) by derived_files(): the names, archives and
    # formats students download (iris.csv, titanic.zip …)
    derived: tuple[str, ...] = ()
    # splits whose labels students never have (the grader holds them): a leaderboard ranks
    # only metrics measured on these (grader.classroom.gradebook)
    hidden_splits: tuple[str, ...] = ()

    def file(self, name: str) -> DataFile | None:
        return next((f for f in self.files if f.name == name), None)


@dataclass(frozen=True)
class Located:
    dataset: Dataset
    folder: Path
    layout: Layout

    def path(self, name: str) -> Path:
        return self.folder / name

    @property
    def paths(self) -> dict[str, Path]:
        return {f: self.folder / f for f in self.layout.files}


_IDX = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/"
_KERAS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_ZALANDO = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
DIGITS = tuple(str(i) for i in range(10))

REGISTRY: dict[str, Dataset] = {d.name: d for d in (
    Dataset(
        "iris", "Iris (scikit-learn)", (), (Layout("", (), "sklearn"),),
        class_names=("setosa", "versicolor", "virginica"),
        note="ships with scikit-learn; the CSV files students download are generated from it",
        derived=("iris.csv", "Iris.csv", "iris.data", "iris_training.csv", "iris_test.csv"),
    ),
    Dataset(
        "spirals", "Two spirals (TensorFlow Playground), generated", (), (Layout("", (), "generated"),),
        class_names=("0", "1"),
        note="generated by make_spirals(); the test split uses a seed the statement does not",
        hidden_splits=("test",),
    ),
    Dataset(
        "mnist", "MNIST handwritten digits",
        (
            DataFile("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            DataFile("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            DataFile("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            DataFile("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
            # the single-file copy Keras downloads (same arrays), the one `data fetch` gets
            DataFile("mnist.npz", "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                     _KERAS + "mnist.npz"),
        ),
        (Layout("mnist", _IDX, "idx"), Layout("mnist", ("mnist.npz",), "npz"),
         Layout("", ("mnist.npz",), "npz")),  # the last one: the Keras cache's own layout
        keras_module="mnist", class_names=DIGITS,
    ),
    Dataset(
        "fashion_mnist", "Fashion-MNIST (Zalando)",
        tuple(DataFile(n, h, _ZALANDO + n) for n, h in zip(_IDX, (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ))),
        (Layout("fashion-mnist", _IDX, "idx"),),
        keras_module="fashion_mnist",
        class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                     "Sneaker", "Bag", "Ankle boot"),
    ),
    Dataset(
        "cifar10", "CIFAR-10",
        (
            # written by `grader data fetch cifar10` from the official tarball (50,000 train)
            DataFile("cifar10.npz"),
            DataFile("cifar-10-python.tar.gz", "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                     "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"),
            # the course's shared subset: first 20,000 training images, full test set
            DataFile("cifar10_20k.npz", "ffec82c08c72baa5cf2a84c56a72f3dc1649d6d875b5d7a68e4bfee7c6b7604b"),
        ),
        (Layout("cifar10", ("cifar10.npz",), "npz"), Layout("cifar10", ("cifar10_20k.npz",), "npz")),
        keras_module="cifar10",
        class_names=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                     "ship", "truck"),
        note="cifar10_20k.npz holds 20,000 of the 50,000 training images",
    ),
    Dataset(
        "sonar", "Sonar, mines vs. rocks (UCI)",
        (DataFile("sonar.csv", "3079c09b5d2789a0f96aff82c28e5164fafe2495c5f8da96c6c256c1bd25763f",
                  _UCI + "undocumented/connectionist-bench/sonar/sonar.all-data"),),
        (Layout("sonar", ("sonar.csv",), "csv"),),
        # sonar_dataset.csv: codebasics' tutorial; sonar.all-data.csv: Kaggle's "Mines vs Rocks";
        # "Copy of sonar data.csv": the "Rock vs Mine" Colab project
        student_names={"sonar.csv": ("sonar.csv", "Sonar.csv", "sonar.all-data", "sonar_data.csv",
                                     "sonar_dataset.csv", "sonar.all-data.csv", "sonar data.csv",
                                     "Copy of sonar data.csv")},
        class_names=("R", "M"),
    ),
    Dataset(
        "titanic", "Titanic (Kaggle split; test labels from titanic3)",
        (
            DataFile("train.csv", "4a437fde05fe5264e1701a7387ac6fb75393772ba38bb2c9c566405af5af4bd7"),
            DataFile("test.csv", "5c78320a80dc159b35c408363be46a5d93f078183d539db75ee42a796d6a4e95"),
            DataFile("titanic3.csv", None, "https://hbiostat.org/data/repo/titanic3.csv", hidden=True),
            DataFile("test_labels.csv", "a2a22b5d240612a4eb4b1508110522250f193677748c32454c0f6914f3cc280e",
                     hidden=True),
        ),
        (Layout("titanic", ("train.csv", "test.csv", "test_labels.csv"), "csv"),),
        student_names={
            "train.csv": ("train.csv", "titanic/train.csv", "titanic_train.csv"),
            "test.csv": ("test.csv", "titanic/test.csv", "titanic_test.csv"),
        },
        class_names=("died", "survived"),
        note="test_labels.csv is grader-only; `data fetch` derives it from titanic3",
        hidden_splits=("test",),
        # Kaggle's competition files: the gender baseline and the archive `kaggle competitions
        # download -c titanic` saves (train.csv, test.csv, gender_submission.csv)
        derived=("gender_submission.csv", "titanic.zip"),
    ),
    Dataset(
        "optdigits", "Optical handwritten digits, 8x8 (UCI)",
        (
            DataFile("optdigits.tra", "e1b683cc211604fe8fd8c4417e6a69f31380e0c61d4af22e93cc21e9257ffedd",
                     _UCI + "optdigits/optdigits.tra"),
            DataFile("optdigits.tes", "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8",
                     _UCI + "optdigits/optdigits.tes"),
        ),
        (Layout("optdigits", ("optdigits.tra", "optdigits.tes"), "csv"),),
        student_names={
            "optdigits.tra": ("optdigits.tra", "optdigits_train.csv", "optdigits-train.csv"),
            "optdigits.tes": ("optdigits.tes", "optdigits_test.csv", "optdigits-test.csv"),
        },
        class_names=DIGITS,
    ),
)}

_GITHUB = "https://raw.githubusercontent.com/"
_TF_DATA = ("https://storage.googleapis.com/download.tensorflow.org/data/",
            "https://download.tensorflow.org/data/", "http://download.tensorflow.org/data/")

# URLs students read datasets from, answered from the provisioned copy inside the kernel:
# URL -> (dataset, file); the file is a registered source (its first student name is read) or
# one of the dataset's derived files. Each one serves the same bytes as the URL (checked against
# the published files when added), except the iris files, which are generated (see _iris_files).
KNOWN_URLS: dict[str, tuple[str, str]] = {
    _UCI + "undocumented/connectionist-bench/sonar/sonar.all-data": ("sonar", "sonar.csv"),
    _GITHUB + "jbrownlee/Datasets/master/sonar.csv": ("sonar", "sonar.csv"),
    _UCI + "optdigits/optdigits.tra": ("optdigits", "optdigits.tra"),
    _UCI + "optdigits/optdigits.tes": ("optdigits", "optdigits.tes"),
    _GITHUB + "datasciencedojo/datasets/master/titanic.csv": ("titanic", "train.csv"),
    _UCI + "iris/iris.data": ("iris", "iris.data"),
    _GITHUB + "jbrownlee/Datasets/master/iris.csv": ("iris", "iris.data"),
    _GITHUB + "mwaskom/seaborn-data/master/iris.csv": ("iris", "iris.csv"),
    **{base + name: ("iris", name) for base in _TF_DATA for name in ("iris_training.csv", "iris_test.csv")},
}


def get(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise GraderError(f"unknown dataset '{name}'; known: {', '.join(sorted(REGISTRY))}") from None


def user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "dl-grader" / "datasets"


def data_dirs(explicit: Path | str | None = None) -> list[Path]:
    """The folders searched, in order (see the module docstring)."""
    dirs: list[Path] = []
    for d in (explicit, os.environ.get("DLGRADER_DATA_DIR")):
        if d:  # CI files set it as "$HOME/…" or "~/…" without a shell to expand it
            dirs.append(Path(os.path.expandvars(str(d))).expanduser())
    dirs.append(user_data_dir())
    keras_home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    dirs.append(keras_home / "datasets")
    dirs.append(Path("/usr/share/datasets"))
    seen: set[Path] = set()
    return [d for d in dirs if not (d in seen or seen.add(d))]  # type: ignore[func-returns-value]


def locate(name: str, data_dir: Path | str | None = None) -> Located:
    """Where the dataset's files are, or ``DatasetMissing`` naming every place looked at."""
    ds = get(name)
    places: list[Path] = []
    for base in data_dirs(data_dir):
        for layout in ds.layouts:
            if layout.format in ("sklearn", "generated"):
                return Located(ds, Path(), layout)
            folder = base / layout.folder
            if all((folder / f).is_file() for f in layout.files):
                return Located(ds, folder, layout)
            if folder not in places:
                places.append(folder)
    raise DatasetMissing.looked_in(name, [lay.files for lay in ds.layouts], places)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(found: Located) -> list[str]:
    """Problems with the located files: checksums that differ from the published ones."""
    problems = []
    for name, path in found.paths.items():
        known = found.dataset.file(name)
        if known is not None and known.sha256 and sha256(path) != known.sha256:
            problems.append(f"{path}: checksum differs from the published one (corrupt or another version)")
    return problems


# --------------------------------------------------------------------------- readers
def read_idx(path: Path) -> np.ndarray:
    """An IDX file (MNIST's format), gzip-compressed."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise DatasetCorrupt(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_npz(path: Path) -> dict[str, Split]:
    with np.load(path, allow_pickle=False) as f:
        return {"train": (f["x_train"], f["y_train"]), "test": (f["x_test"], f["y_test"])}


def _read_image_set(found: Located) -> dict[str, Split]:
    if found.layout.format == "idx":
        p = found.paths
        return {
            "train": (read_idx(p[_IDX[0]]), read_idx(p[_IDX[1]])),
            "test": (read_idx(p[_IDX[2]]), read_idx(p[_IDX[3]])),
        }
    return read_npz(found.path(found.layout.files[0]))


def _read_iris(_: Located) -> dict[str, Split]:
    from sklearn.datasets import load_iris

    data = load_iris()
    return {"all": (data.data.astype("float32"), data.target.astype("int64"))}


SPIRALS_TRAIN_SEED = 0  # the seed the statement's make_spirals() call uses
SPIRALS_TEST_SEED = 2024  # the grader's fresh points: never generated in the student's kernel


def make_spirals(n: int = 400, noise: float = 0.1, seed: int = 0) -> Split:
    """Two interleaved spirals like TensorFlow Playground's: ``n`` points, half per class,
    radius growing to 5 over 1.75 turns, class 0 rotated half a turn, uniform noise of
    ``noise`` × 5 on each coordinate. The spirals statement carries this same function."""
    rng = np.random.default_rng(seed)
    half = n // 2
    r = np.arange(half) / half * 5.0
    t = 1.75 * np.arange(half) / half * 2 * np.pi
    xs, ys = [], []
    for label, turn in ((1, 0.0), (0, np.pi)):
        pts = np.stack([r * np.sin(t + turn), r * np.cos(t + turn)], axis=1)
        pts += rng.uniform(-1, 1, size=pts.shape) * noise * 5.0
        xs.append(pts)
        ys.append(np.full(half, label))
    x, y = np.concatenate(xs).astype("float32"), np.concatenate(ys).astype("int64")
    order = rng.permutation(len(y))
    return x[order], y[order]


def _read_spirals(_: Located) -> dict[str, Split]:
    return {"train": make_spirals(400, 0.1, SPIRALS_TRAIN_SEED), "test": make_spirals(2000, 0.1, SPIRALS_TEST_SEED)}


def _read_sonar(found: Located) -> dict[str, Split]:
    raw = np.genfromtxt(found.path("sonar.csv"), delimiter=",", dtype=str)
    x = raw[:, :60].astype("float32")
    y = (raw[:, 60] == "M").astype("int64")  # mine = positive class
    return {"all": (x, y)}


def _read_optdigits(found: Located) -> dict[str, Split]:
    def read(name: str) -> Split:
        a = np.loadtxt(found.path(name), delimiter=",", dtype="int64")
        return a[:, :64].astype("float32"), a[:, 64]

    return {"train": read("optdigits.tra"), "test": read("optdigits.tes")}


def _read_titanic(found: Located) -> dict[str, Split]:
    """Rows are raw passenger records (a structured array); exercises that score Titanic
    compare predictions per PassengerId, so ``x`` holds the ids and ``y`` the labels."""
    import pandas as pd

    train = pd.read_csv(found.path("train.csv"))
    test = pd.read_csv(found.path("test.csv"))
    labels = pd.read_csv(found.path("test_labels.csv"))
    test = test.merge(labels, on="PassengerId", how="left", validate="one_to_one")
    if test["Survived"].isna().any():
        raise DatasetCorrupt(f"{found.path('test_labels.csv')}: some test passengers have no label")
    return {
        "train": (train["PassengerId"].to_numpy(), train["Survived"].to_numpy("int64")),
        "test": (test["PassengerId"].to_numpy(), test["Survived"].to_numpy("int64")),
    }


_READERS: dict[str, Any] = {
    "iris": _read_iris, "mnist": _read_image_set, "fashion_mnist": _read_image_set,
    "cifar10": _read_image_set, "sonar": _read_sonar, "optdigits": _read_optdigits,
    "titanic": _read_titanic, "spirals": _read_spirals,
}


def load(name: str, data_dir: Path | str | None = None) -> dict[str, Split]:
    """The dataset's splits as arrays (grader side; may include hidden labels)."""
    found = locate(name, data_dir)
    try:
        return _READERS[name](found)
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise DatasetCorrupt(
            f"dataset '{name}' in {found.folder} could not be read ({type(exc).__name__}: {exc}). "
            f"Check it with `grader data verify {name}`, or fetch it again with "
            f"`{FETCH_HINT.format(name=name)}`."
        ) from None


# --------------------------------------------------------------------------- provisioning
def student_files(found: Located) -> dict[str, Path]:
    """Working-directory name → source file, for everything a student may read."""
    out: dict[str, Path] = {}
    for source, names in found.dataset.student_names.items():
        known = found.dataset.file(source)
        if known is not None and known.hidden:
            raise AssertionError(f"{source} is hidden and cannot be given to students")
        for name in names:
            out[name] = found.path(source)
    return out


def kernel_source(found: Located) -> dict[str, Any] | None:
    """What the kernel needs to answer ``keras.datasets.<module>.load_data()``."""
    ds = found.dataset
    if ds.keras_module is None:
        return None
    return {"module": ds.keras_module, "format": found.layout.format,
            "files": {f: str(p) for f, p in found.paths.items()}}


def derived_files(found: Located) -> dict[str, bytes]:
    """Files built from the dataset under the names and formats students download (``grader.data.derived``)."""
    from grader.data.derived import derived_files as build

    return build(found)
