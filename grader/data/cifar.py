"""CIFAR-10 for the grader: the official Python tarball, verified, converted to the one
``cifar10.npz`` the grader reads (Keras's shapes and pixel order), with an unpickler that loads
CIFAR's batches and nothing else."""

from __future__ import annotations

import os
import pickle
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from grader.data import datasets
from grader.data.datasets import Dataset, DatasetCorrupt
from grader.data.download import Log, ensure, make_folder, registry_file, size, temporary_sibling

CIFAR_TARBALL = "cifar-10-python.tar.gz"
CIFAR_NPZ = "cifar10.npz"

_CIFAR_KEYS = ("x_train", "y_train", "x_test", "y_test", "class_names")


def fetch_cifar10(ds: Dataset, dest: Path, force: bool, log: Log) -> Path:
    """The official Python tarball, verified, converted to the ``cifar10.npz`` the grader reads.

    The tarball is kept beside the npz: it is the verified original, and keeping it lets a
    user who copied it in by hand (as FetchFailed suggests) re-run without a download.
    """
    layout = next(lay for lay in ds.layouts if lay.files == (CIFAR_NPZ,))
    folder = make_folder(dest / layout.folder)
    npz = folder / CIFAR_NPZ
    if npz.is_file() and not force and _cifar_npz_ok(npz):
        log(f"{CIFAR_NPZ}: already in {folder} and valid ({size(npz.stat().st_size)}), "
            f"skipped; --force converts it again")
        return folder
    tarball = ensure(registry_file(ds, CIFAR_TARBALL), folder, ds, layout, force=force,
                               log=log)
    cifar_tarball_to_npz(tarball, npz)
    with np.load(npz) as z:
        n_train, n_test = len(z["y_train"]), len(z["y_test"])
    log(f"{CIFAR_NPZ}: converted from {CIFAR_TARBALL} ({n_train} train, {n_test} test images, "
        f"{size(npz.stat().st_size)}) in {folder}; the tarball is kept and may be deleted")
    return folder


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles CIFAR's batches (dicts of bytes, lists and numpy arrays) and nothing else.

    Unpickling can run arbitrary code; the tarball's checksum is verified before this is used,
    but refusing every global a batch does not need keeps a swapped file harmless too.
    """

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"unexpected object {module}.{name} in a CIFAR batch")
        return super().find_class(module, name)


def _read_batch(tar: tarfile.TarFile, member: tarfile.TarInfo, tarball: Path,
                ) -> tuple[np.ndarray, np.ndarray]:
    """One pickled batch → images (N, 32, 32, 3) uint8 and labels (N, 1) uint8."""
    f = tar.extractfile(member)
    if f is None:
        raise DatasetCorrupt(f"{tarball}: {member.name} is not a regular file")
    try:
        with f:
            batch = _ArrayUnpickler(f, encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
    except (pickle.UnpicklingError, KeyError, TypeError, ValueError, EOFError) as exc:
        raise DatasetCorrupt(f"{tarball}: {member.name} is not a CIFAR-10 batch ({exc}). "
                             f"Fix: delete it and run `grader data fetch cifar10` again.") from None
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise DatasetCorrupt(f"{tarball}: {member.name} holds data {data.shape} and "
                             f"{len(labels)} labels; expected (N, 3072) and N labels")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetCorrupt(f"{tarball}: {member.name} has labels outside 0-9")
    # rows are 1024 red, then 1024 green, then 1024 blue bytes, each 32x32 row-major
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.uint8).reshape(-1, 1)


def cifar_tarball_to_npz(tarball: Path, out: Path) -> None:
    """Convert CIFAR-10's official Python tarball to the npz the grader reads.

    The npz has Keras's shapes and dtypes (``x`` (N, 32, 32, 3) uint8, ``y`` (N, 1) uint8) so
    that ``keras.datasets.cifar10.load_data()`` can be answered from it offline. Training
    batches are concatenated in numeric order (``data_batch_1`` … ``_5``), as Keras does.
    ``out`` is written through a temporary sibling and renamed, so it is whole or absent.
    """
    tarball, out = Path(tarball), Path(out)
    try:
        tar = tarfile.open(tarball, "r:*")
    except (OSError, tarfile.TarError) as exc:
        raise DatasetCorrupt(f"{tarball}: not a readable tarball ({exc}). Fix: delete it and run "
                             f"`grader data fetch cifar10` again.") from None
    with tar:
        members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
        numbered = sorted((int(m.group(1)), n) for n in members
                          if (m := re.fullmatch(r"data_batch_(\d+)", n)))
        if not numbered or "test_batch" not in members:
            raise DatasetCorrupt(f"{tarball}: no data_batch_N or test_batch inside; this is not "
                                 f"CIFAR-10's Python tarball ({CIFAR_TARBALL}).")
        train = [_read_batch(tar, members[n], tarball) for _, n in numbered]
        x_test, y_test = _read_batch(tar, members["test_batch"], tarball)
        class_names = _cifar_class_names(tar, members.get("batches.meta"))
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    with temporary_sibling(out) as (tmp, f):
        np.savez_compressed(f, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
                            class_names=np.array(class_names))
        f.close()
        os.replace(tmp, out)


def _cifar_class_names(tar: tarfile.TarFile, meta: tarfile.TarInfo | None) -> list[str]:
    """The label names from ``batches.meta``; the registry's when the tarball lacks them."""
    fallback = list(datasets.get("cifar10").class_names)
    f = tar.extractfile(meta) if meta is not None else None
    if f is None:
        return fallback
    try:
        with f:
            names = _ArrayUnpickler(f, encoding="bytes").load()[b"label_names"]
        return [n.decode() if isinstance(n, bytes) else str(n) for n in names]
    except (pickle.UnpicklingError, KeyError, TypeError, EOFError, UnicodeDecodeError):
        return fallback


def _cifar_npz_ok(path: Path) -> bool:
    """Whether ``path`` is a whole CIFAR npz (keys, dtypes, shapes), read from the array headers
    only: the images are ~180 MB and need not be decompressed to know the file is sound."""
    try:
        with zipfile.ZipFile(path) as zf:
            headers = {}
            for info in zf.infolist():
                with zf.open(info) as f:
                    version = np.lib.format.read_magic(f)
                    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                            else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read(f)
                headers[info.filename.removesuffix(".npy")] = (shape, dtype)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return False
    if any(k not in headers for k in _CIFAR_KEYS):
        return False
    for split in ("train", "test"):
        (xs, xd), (ys, yd) = headers[f"x_{split}"], headers[f"y_{split}"]
        if xd != np.uint8 or yd != np.uint8 or xs[1:] != (32, 32, 3) or ys != (xs[0], 1):
            return False
    return True


