"""The course's datasets, as the *grader* reads them (for metrics on data it holds).

Files are looked up, in order, in: ``--data-dir`` / ``$DLGRADER_DATA_DIR``, the Keras cache
(``$KERAS_HOME/datasets`` or ``~/.keras/datasets``) and, for Fashion-MNIST, Debian's
``/usr/share/datasets/fashion-mnist``. Iris ships with scikit-learn. Nothing is downloaded
here; a missing dataset is a ``DatasetMissing`` error that says where it looked and how to fix it.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.errors import GraderError

MISSING_TEMPLATE = (
    "dataset '{name}' not found: looked for {files} in {places}. "
    "Put the files in a folder and pass --data-dir FOLDER (or set DLGRADER_DATA_DIR)."
)

Split = tuple[np.ndarray, np.ndarray]


class DatasetMissing(GraderError, FileNotFoundError):
    exit_code = 2

    @classmethod
    def looked_in(cls, name: str, files: list[str], places: list[Path]) -> DatasetMissing:
        return cls(MISSING_TEMPLATE.format(name=name, files=", ".join(files),
                                           places=", ".join(str(p) for p in places) or "nowhere"))


@dataclass(frozen=True)
class Dataset:
    name: str
    folder: str  # sub-folder name under a data directory
    files: tuple[str, ...]
    load: Callable[[Path], dict[str, Split]]
    class_names: tuple[str, ...] = ()


def data_dirs(explicit: Path | str | None = None) -> list[Path]:
    dirs: list[Path] = []
    for d in (explicit, os.environ.get("DLGRADER_DATA_DIR")):
        if d:
            dirs.append(Path(d).expanduser())
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    dirs.append(keras_home / "datasets")
    dirs.append(Path("/usr/share/datasets"))
    return dirs


def _idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _load_idx(folder: Path) -> dict[str, Split]:
    return {
        "train": (_idx(folder / "train-images-idx3-ubyte.gz"), _idx(folder / "train-labels-idx1-ubyte.gz")),
        "test": (_idx(folder / "t10k-images-idx3-ubyte.gz"), _idx(folder / "t10k-labels-idx1-ubyte.gz")),
    }


def _load_iris(_: Path) -> dict[str, Split]:
    from sklearn.datasets import load_iris

    data = load_iris()
    return {"all": (data.data.astype("float32"), data.target.astype("int64"))}


def _load_sonar(folder: Path) -> dict[str, Split]:
    raw = np.genfromtxt(folder / "sonar.csv", delimiter=",", dtype=str)
    x = raw[:, :60].astype("float32")
    y = (raw[:, 60] == "M").astype("int64")  # mine = positive class
    return {"all": (x, y)}


def _load_optdigits(folder: Path) -> dict[str, Split]:
    def read(name: str) -> Split:
        a = np.loadtxt(folder / name, delimiter=",", dtype="int64")
        return a[:, :64].astype("float32"), a[:, 64]

    return {"train": read("optdigits.tra"), "test": read("optdigits.tes")}


_IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("iris", "", (), _load_iris, ("setosa", "versicolor", "virginica")),
        Dataset("mnist", "mnist", _IDX_FILES, _load_idx, tuple(str(i) for i in range(10))),
        Dataset("fashion_mnist", "fashion-mnist", _IDX_FILES, _load_idx,
                ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                 "Sneaker", "Bag", "Ankle boot")),
        Dataset("sonar", "sonar", ("sonar.csv",), _load_sonar, ("R", "M")),
        Dataset("optdigits", "optdigits", ("optdigits.tra", "optdigits.tes"), _load_optdigits,
                tuple(str(i) for i in range(10))),
    )
}


def locate(name: str, data_dir: Path | str | None = None) -> Path:
    ds = REGISTRY[name]
    if not ds.files:
        return Path()
    places = [d / ds.folder for d in data_dirs(data_dir)]
    for place in places:
        if all((place / f).is_file() for f in ds.files):
            return place
    raise DatasetMissing.looked_in(name, list(ds.files), places)


def load(name: str, data_dir: Path | str | None = None) -> dict[str, Split]:
    return REGISTRY[name].load(locate(name, data_dir))
