"""``grader data fetch NAME``, and fetching a dataset on first use: download a dataset from its
official source into a data folder, verified (``grader.data.download``, through pooch).

This package touches the network only here, and only when an instructor asks for it or a
dataset an exercise needs is found nowhere locally (``--no-fetch`` turns that off). Everything
it writes lands where :func:`grader.data.datasets.locate` looks (``DEST/<layout folder>/<file>``),
so a fetched dataset is found by the next command without further configuration.

Three datasets need more than downloads: CIFAR-10 (the official tarball is converted to one
``cifar10.npz``, ``grader.data.cifar``), Titanic (Kaggle's split needs a Kaggle account; the
hidden test labels are derived from the public ``titanic3.csv``, ``grader.data.titanic``) and
Iris (ships with scikit-learn: nothing to do).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grader.data import datasets
from grader.data.cifar import cifar_tarball_to_npz, fetch_cifar10
from grader.data.datasets import Dataset, DatasetCorrupt, DatasetMissing, Layout
from grader.data.download import FetchFailed, Log, ensure, make_folder, registry_file
from grader.data.titanic import derive_titanic_labels, fetch_titanic
from grader.model.errors import GraderError


def fetch(name: str, dest: Path, *, force: bool = False, log: Log = print) -> Path:
    """Download dataset ``name`` into ``dest/<layout folder>`` and return that folder."""
    ds = datasets.get(name)
    dest = Path(dest).expanduser()
    if any(layout.format == "sklearn" for layout in ds.layouts):
        log(f"{name}: nothing to download, it ships with scikit-learn")
        return dest
    special = _SPECIAL.get(name)
    if special is not None:
        return special(ds, dest, force, log)
    layout = downloadable_layout(ds)
    folder = make_folder(dest / layout.folder)
    for file_name in layout.files:
        ensure(registry_file(ds, file_name), folder, ds, layout, force=force, log=log)
    return folder


def downloadable_layout(ds: Dataset) -> Layout:
    """The first layout whose every file has a download URL (MNIST: the Keras ``mnist.npz``)."""
    for layout in ds.layouts:
        files = [ds.file(f) for f in layout.files]
        if files and all(f is not None and f.url for f in files):
            return layout
    raise GraderError(f"dataset '{ds.name}' has no files that can be downloaded; "
                      f"copy them into a folder and pass --data-dir FOLDER")


def on_first_use(name: str, missing: DatasetMissing, log: Log) -> datasets.Located:
    """A dataset found nowhere locally: fetched into the user's data folder (where ``locate``
    looks on every later run) and located there; ``missing`` again, with the download's reason
    added, when that fails (offline, no Kaggle account)."""
    dest = datasets.user_data_dir()
    try:
        fetch(name, dest, log=log)
        return datasets.locate(name, dest)
    except (FetchFailed, DatasetMissing, DatasetCorrupt) as exc:
        raise DatasetMissing(f"{missing}\nDownloading it on first use failed too: {exc}") from None


_SPECIAL: dict[str, Callable[[Dataset, Path, bool, Log], Path]] = {
    "cifar10": fetch_cifar10,
    "titanic": fetch_titanic,
}

__all__ = ["FetchFailed", "cifar_tarball_to_npz", "derive_titanic_labels", "downloadable_layout", "fetch", "on_first_use"]
