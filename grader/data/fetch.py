"""``grader data fetch NAME``: download a dataset from its official source into a data folder.

This is the only module of the grader that touches the network, and only when an instructor
asks it to. Everything it writes lands where :func:`grader.data.datasets.locate` looks
(``DEST/<layout folder>/<file>``), so a fetched dataset is found by the next ``grader check``
without further configuration.

Rules every download follows, so that a half-finished or tampered download can never be
mistaken for a good dataset:

* bytes go to a hidden temporary file in the destination folder and are renamed onto the
  final name only when complete (a rename within one folder is atomic);
* when the registry publishes a SHA-256, the download must match it, or it is deleted and
  :class:`~grader.data.datasets.DatasetCorrupt` is raised;
* files already present and valid are left alone unless ``force`` is given;
* a network failure raises :class:`FetchFailed`, which says which URL failed, why, and how to
  put the files in place by hand instead.

Three datasets need more than downloads: CIFAR-10 (the official tarball is converted to one
``cifar10.npz``), Titanic (Kaggle's split needs a Kaggle account; the hidden test labels are
derived from the public ``titanic3.csv``) and Iris (ships with scikit-learn: nothing to do).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import pickle
import re
import secrets
import shutil
import socket
import subprocess
import tarfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from grader.data import datasets
from grader.data.datasets import DataFile, Dataset, DatasetCorrupt, Layout
from grader.model.errors import GraderError

if TYPE_CHECKING:
    import pandas as pd

Log = Callable[[str], None]
# urllib.request.urlopen's shape: opener(url, timeout=seconds) -> a readable context manager
Opener = Callable[..., Any]

TIMEOUT_S = 60.0  # per connection attempt and per read; a stalled server fails, a slow one doesn't
CHUNK = 1 << 20

KAGGLE_TITANIC = "https://www.kaggle.com/c/titanic/data"
CIFAR_TARBALL = "cifar-10-python.tar.gz"
CIFAR_NPZ = "cifar10.npz"


class FetchFailed(GraderError):
    """A download could not be completed (offline, server down, file moved, no Kaggle access)."""

    exit_code = 2

    @classmethod
    def download(cls, url: str, why: str, folder: Path, files: list[str],
                 data_files: tuple[str, ...], name: str) -> FetchFailed:
        layout = f"{folder.name}/" if folder.name else ""
        return cls(
            f"could not download {url}: {why}.\n"
            f"Fix: check the connection and re-run `grader data fetch {name}`; or copy "
            f"{', '.join(files)} by hand into {folder} and re-run it (files already there are "
            f"kept); or put {', '.join(data_files)} into {layout or 'a folder'} under any folder "
            f"FOLDER and pass --data-dir FOLDER."
        )

    @classmethod
    def kaggle(cls, folder: Path, why: str) -> FetchFailed:
        return cls(
            f"Titanic's train.csv and test.csv are not in {folder} and {why}.\n"
            f"Kaggle only gives them to signed-in users who accepted the competition's rules. "
            f"Fix: download train.csv and test.csv from {KAGGLE_TITANIC} into {folder} and "
            f"re-run `grader data fetch titanic` (it then only derives the test labels); or "
            f"install the `kaggle` command with an API token (~/.kaggle/kaggle.json) and re-run."
        )


# --------------------------------------------------------------------------- entry point
def fetch(name: str, dest: Path, *, force: bool = False, log: Log = print,
          opener: Opener = urllib.request.urlopen) -> Path:
    """Download dataset ``name`` into ``dest/<layout folder>`` and return that folder.

    ``opener`` is ``urllib.request.urlopen`` or anything called the same way
    (``opener(url, timeout=...)``), so that tests and proxies can supply the bytes.
    """
    ds = datasets.get(name)
    dest = Path(dest).expanduser()
    if any(layout.format == "sklearn" for layout in ds.layouts):
        log(f"{name}: nothing to download, it ships with scikit-learn")
        return dest
    special = _SPECIAL.get(name)
    if special is not None:
        return special(ds, dest, force, log, opener)
    layout = _downloadable_layout(ds)
    folder = _make_folder(dest / layout.folder)
    for file_name in layout.files:
        _ensure_download(_file(ds, file_name), folder, ds, layout, force=force, log=log,
                         opener=opener)
    return folder


def _downloadable_layout(ds: Dataset) -> Layout:
    """The first layout whose every file has a download URL (MNIST: the Keras ``mnist.npz``)."""
    for layout in ds.layouts:
        files = [ds.file(f) for f in layout.files]
        if files and all(f is not None and f.url for f in files):
            return layout
    raise GraderError(f"dataset '{ds.name}' has no files that can be downloaded; "
                      f"copy them into a folder and pass --data-dir FOLDER")


def _file(ds: Dataset, name: str) -> DataFile:
    found = ds.file(name)
    if found is None:  # a registry inconsistency, not a user error
        raise AssertionError(f"dataset '{ds.name}' lists no file '{name}'")
    return found


def _make_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GraderError(f"cannot create the data folder {folder} ({exc.strerror or exc}). "
                          f"Fix: choose a writable folder with --data-dir FOLDER.") from None
    return folder


# --------------------------------------------------------------------------- one download
def _ensure_download(file: DataFile, folder: Path, ds: Dataset, layout: Layout, *, force: bool,
                     log: Log, opener: Opener, valid: Callable[[Path], bool] | None = None,
                     ) -> Path:
    """``folder/file.name`` present and valid: kept (unless ``force``), else downloaded.

    ``valid`` checks the content of files that have no published checksum.
    """
    path = folder / file.name
    if path.is_file() and not force:
        if _is_valid(path, file, valid):
            log(f"{file.name}: already in {folder} and valid ({_size(path.stat().st_size)}), "
                f"skipped; --force downloads it again")
            return path
        log(f"{file.name}: the copy in {folder} is not the published file, downloading again")
    if not file.url:
        raise AssertionError(f"{ds.name}/{file.name} has no URL to download it from")
    size = _download(file.url, path, expected_sha256=file.sha256, opener=opener,
                     on_network_error=lambda why: FetchFailed.download(
                         file.url or "", why, folder, [file.name], layout.files, ds.name))
    if valid is not None and not valid(path):
        path.unlink()
        raise DatasetCorrupt(f"{file.url} did not send the expected file: {file.name} is not "
                             f"in the format the grader reads (deleted). The source may have "
                             f"changed; get {file.name} by hand and copy it into {folder}.")
    log(f"{file.name}: downloaded {_size(size)} from {file.url} into {folder}")
    return path


def _is_valid(path: Path, file: DataFile, valid: Callable[[Path], bool] | None) -> bool:
    if file.sha256:
        return datasets.sha256(path) == file.sha256
    if valid is not None:
        return valid(path)
    return path.stat().st_size > 0


def _download(url: str, path: Path, *, expected_sha256: str | None, opener: Opener,
              on_network_error: Callable[[str], FetchFailed]) -> int:
    """Stream ``url`` into ``path`` via a temporary sibling; return the number of bytes.

    On any failure the temporary file is removed, so an interrupted download never leaves a
    file that a later run could take for the dataset.
    """
    digest = hashlib.sha256()
    size = 0
    with _temporary_sibling(path) as (tmp, out):
        try:
            response = opener(url, timeout=TIMEOUT_S)
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            raise on_network_error(_why(exc)) from None
        with response:
            while True:
                try:
                    chunk = response.read(CHUNK)
                except (OSError, http.client.HTTPException) as exc:
                    raise on_network_error(_why(exc)) from None
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        out.close()
        found = digest.hexdigest()
        if expected_sha256 and found != expected_sha256:
            raise DatasetCorrupt(
                f"{url} sent a file whose SHA-256 differs from the published one, so "
                f"{path.name} was not saved in {path.parent}.\n"
                f"  expected {expected_sha256}\n  found    {found} ({_size(size)})\n"
                f"Fix: retry later (the download may have been cut or altered on the way); if it "
                f"persists the source changed: get {path.name} elsewhere and check it with "
                f"`grader data verify`."
            )
        os.replace(tmp, path)
    return size


@contextmanager
def _temporary_sibling(path: Path) -> Iterator[tuple[Path, IO[bytes]]]:
    """A new hidden file next to ``path`` (same file system, so renaming it is atomic), deleted
    on exit unless it was renamed. Opened with ``"xb"`` so it gets the usual permissions."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    out = open(tmp, "xb")
    try:
        yield tmp, out
    finally:
        out.close()
        tmp.unlink(missing_ok=True)


def _why(exc: BaseException) -> str:
    """A short reason for a network failure, in words a user can act on."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return f"no answer within {TIMEOUT_S:.0f} s"
        return f"{reason}"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"no answer within {TIMEOUT_S:.0f} s"
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed before the whole file arrived"
    return f"{type(exc).__name__}: {exc}"


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


# --------------------------------------------------------------------------- CIFAR-10
_CIFAR_KEYS = ("x_train", "y_train", "x_test", "y_test", "class_names")


def _fetch_cifar10(ds: Dataset, dest: Path, force: bool, log: Log, opener: Opener) -> Path:
    """The official Python tarball, verified, converted to the ``cifar10.npz`` the grader reads.

    The tarball is kept beside the npz: it is the verified original, and keeping it lets a
    user who copied it in by hand (as FetchFailed suggests) re-run without a download.
    """
    layout = next(lay for lay in ds.layouts if lay.files == (CIFAR_NPZ,))
    folder = _make_folder(dest / layout.folder)
    npz = folder / CIFAR_NPZ
    if npz.is_file() and not force and _cifar_npz_ok(npz):
        log(f"{CIFAR_NPZ}: already in {folder} and valid ({_size(npz.stat().st_size)}), "
            f"skipped; --force converts it again")
        return folder
    tarball = _ensure_download(_file(ds, CIFAR_TARBALL), folder, ds, layout, force=force,
                               log=log, opener=opener)
    cifar_tarball_to_npz(tarball, npz)
    with np.load(npz) as z:
        n_train, n_test = len(z["y_train"]), len(z["y_test"])
    log(f"{CIFAR_NPZ}: converted from {CIFAR_TARBALL} ({n_train} train, {n_test} test images, "
        f"{_size(npz.stat().st_size)}) in {folder}; the tarball is kept and may be deleted")
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
    with _temporary_sibling(out) as (tmp, f):
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


# --------------------------------------------------------------------------- Titanic
_TITANIC3_COLUMNS = ("survived", "name", "sex", "age", "ticket", "fare")
_TEST_COLUMNS = ("PassengerId", "Name", "Sex", "Age", "Ticket", "Fare")


def _fetch_titanic(ds: Dataset, dest: Path, force: bool, log: Log, opener: Opener) -> Path:
    """titanic3.csv downloaded, Kaggle's split found or fetched, test labels derived.

    Kaggle's train.csv/test.csv are only ever taken from the folder or the ``kaggle`` command:
    present ones are used as they are (``force`` does not replace them, as they may have been
    copied in by hand and cannot be downloaded again without an account).
    """
    layout = ds.layouts[0]
    folder = _make_folder(dest / layout.folder)
    titanic3 = _ensure_download(_file(ds, "titanic3.csv"), folder, ds, layout, force=force,
                                log=log, opener=opener, valid=_titanic3_ok)
    split = ("train.csv", "test.csv")
    if all((folder / n).is_file() for n in split):
        log(f"train.csv, test.csv: found in {folder}, used as they are")
    else:
        _kaggle_download(folder, log)
    for n in split:
        known = _file(ds, n).sha256
        if known and datasets.sha256(folder / n) != known:
            raise DatasetCorrupt(
                f"{folder / n}: not Kaggle's Titanic {n} (its SHA-256 differs from the published "
                f"one), so the test labels cannot be derived for it. Fix: download {n} again "
                f"from {KAGGLE_TITANIC} into {folder}.")
    labels_file = _file(ds, "test_labels.csv")
    labels = folder / labels_file.name
    if labels.is_file() and not force and _is_valid(labels, labels_file, None):
        log(f"test_labels.csv: already in {folder} and valid, skipped; --force derives it again")
        return folder
    derived = derive_titanic_labels(folder / "test.csv", titanic3)
    with _temporary_sibling(labels) as (tmp, f):
        f.write(derived.to_csv(index=False, lineterminator="\n").encode())
        f.close()
        if labels_file.sha256 and datasets.sha256(tmp) != labels_file.sha256:
            raise DatasetCorrupt(
                f"the test labels derived from {titanic3} differ from the published "
                f"test_labels.csv (its SHA-256), so none were saved in {folder}. titanic3.csv "
                f"has probably changed upstream. Fix: get the course's test_labels.csv from "
                f"your instructor and copy it into {folder}.")
        os.replace(tmp, labels)
    log(f"test_labels.csv: derived for {len(derived)} test passengers from titanic3.csv "
        f"into {folder}")
    return folder


def _titanic3_ok(path: Path) -> bool:
    """titanic3.csv has no published checksum: check that it is that table, at least."""
    import pandas as pd

    try:
        head = pd.read_csv(path, nrows=5)
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return all(c in head.columns for c in _TITANIC3_COLUMNS)


def _kaggle_download(folder: Path, log: Log) -> None:
    """Kaggle's train.csv and test.csv via the ``kaggle`` command, or FetchFailed saying how
    to get them by hand."""
    kaggle = shutil.which("kaggle")
    if kaggle is None:
        raise FetchFailed.kaggle(folder, "the `kaggle` command is not installed")
    cmd = [kaggle, "competitions", "download", "-c", "titanic", "-p", str(folder)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FetchFailed.kaggle(folder, f"`{' '.join(cmd)}` failed ({exc})") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise FetchFailed.kaggle(
            folder, f"`{' '.join(cmd)}` failed (exit {done.returncode}: {' / '.join(said)})")
    archive = folder / "titanic.zip"
    if archive.is_file():
        try:
            with zipfile.ZipFile(archive) as zf:
                for n in ("train.csv", "test.csv"):
                    with _temporary_sibling(folder / n) as (tmp, out):
                        out.write(zf.read(n))
                        out.close()
                        os.replace(tmp, folder / n)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise FetchFailed.kaggle(folder, f"Kaggle's titanic.zip was unusable ({exc})") from None
        archive.unlink()
    missing = [n for n in ("train.csv", "test.csv") if not (folder / n).is_file()]
    if missing:
        raise FetchFailed.kaggle(folder, f"the kaggle command did not produce {', '.join(missing)}")
    log(f"train.csv, test.csv: downloaded from Kaggle with `{' '.join(cmd[1:])}` into {folder}")


def _normal_name(name: object) -> str:
    """Names as both tables spell them: lower-case, no punctuation or quotes, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", str(name).lower()).split())


def derive_titanic_labels(test_csv: Path, titanic3_csv: Path) -> pd.DataFrame:
    """``PassengerId, Survived`` for Kaggle's test passengers, looked up in titanic3.

    Kaggle's test split is a subset of titanic3's 1,309 passengers without the outcome. Each
    test passenger is matched by normalised name; where several titanic3 rows share that name
    (e.g. two "Kelly, Mr. James"), ticket, sex, fare (to the cent) and age narrow them down, a
    field that would rule out every candidate being skipped (a typo in one table). Labels are
    only trusted if the match is one-to-one: a passenger with no or several candidates, or a
    titanic3 row claimed by two passengers, raises DatasetCorrupt naming them.
    """
    import pandas as pd

    test = _read_table(Path(test_csv), _TEST_COLUMNS, {"Ticket": str})
    t3 = _read_table(Path(titanic3_csv), _TITANIC3_COLUMNS, {"ticket": str})
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(t3["name"]):
        by_name.setdefault(_normal_name(name), []).append(i)

    def same_float(a: Any, b: Any, places: int) -> bool:
        if pd.isna(a) or pd.isna(b):
            return bool(pd.isna(a) and pd.isna(b))
        return round(float(a), places) == round(float(b), places)

    keys: list[tuple[str, str, Callable[[Any, Any], bool]]] = [
        ("Ticket", "ticket", lambda a, b: str(a).strip() == str(b).strip()),
        ("Sex", "sex", lambda a, b: str(a).strip().lower() == str(b).strip().lower()),
        ("Fare", "fare", lambda a, b: same_float(a, b, 2)),
        ("Age", "age", lambda a, b: same_float(a, b, 1)),
    ]
    t3_rows = t3.to_dict("records")
    matched: list[int] = []  # per test passenger: its titanic3 row, or -1
    unmatched: list[str] = []
    ambiguous: list[str] = []
    for passenger in test.to_dict("records"):
        who = f"{passenger['PassengerId']} ({passenger['Name']})"
        candidates = by_name.get(_normal_name(passenger["Name"]), [])
        for ours, theirs, same in keys:
            if len(candidates) <= 1:
                break
            narrowed = [i for i in candidates if same(passenger[ours], t3_rows[i][theirs])]
            candidates = narrowed or candidates
        if not candidates:
            unmatched.append(who)
        elif len(candidates) > 1:
            ambiguous.append(f"{who}: titanic3 lines {', '.join(str(i + 2) for i in candidates)}")
        matched.append(candidates[0] if len(candidates) == 1 else -1)
    problems = _match_problems(test, matched, unmatched, ambiguous)
    if problems:
        raise DatasetCorrupt(
            f"cannot derive Titanic's test labels: {Path(test_csv)} does not match "
            f"{Path(titanic3_csv)} one-to-one.\n{problems}\n"
            f"Fix: use Kaggle's test.csv ({KAGGLE_TITANIC}) and titanic3.csv from "
            f"{_file(datasets.get('titanic'), 'titanic3.csv').url} (run `grader data fetch "
            f"titanic --force`), or copy the course's test_labels.csv into {Path(test_csv).parent}.")
    survived = t3["survived"].iloc[matched]
    if not survived.isin([0, 1]).all():
        bad = test["PassengerId"][~survived.isin([0, 1]).to_numpy()].tolist()
        raise DatasetCorrupt(f"{Path(titanic3_csv)}: 'survived' is not 0 or 1 for the rows "
                             f"matched to test passengers {', '.join(map(str, bad[:10]))}; "
                             f"download it again with `grader data fetch titanic --force`.")
    return pd.DataFrame({"PassengerId": test["PassengerId"].astype("int64").to_numpy(),
                         "Survived": survived.astype("int64").to_numpy()})


def _match_problems(test: pd.DataFrame, matched: list[int], unmatched: list[str],
                    ambiguous: list[str]) -> str:
    """The reasons a match is not one-to-one, as indented lines (empty when it is)."""
    lines: list[str] = []

    def some(items: list[str]) -> str:
        more = f"; and {len(items) - 10} more" if len(items) > 10 else ""
        return "; ".join(items[:10]) + more

    if unmatched:
        lines.append(f"  no titanic3.csv row has the name of {some(unmatched)}")
    if ambiguous:
        lines.append(f"  several titanic3 rows fit: {some(ambiguous)}")
    claims: dict[int, list[str]] = {}
    for row, passenger in zip(matched, test.to_dict("records")):
        if row >= 0:
            claims.setdefault(row, []).append(f"{passenger['PassengerId']} ({passenger['Name']})")
    shared = [f"titanic3.csv line {row + 2} by {' and '.join(who)}"
              for row, who in claims.items() if len(who) > 1]
    if shared:
        lines.append(f"  one titanic3 row matched twice: {some(shared)}")
    return "\n".join(lines)


def _read_table(path: Path, columns: tuple[str, ...], dtype: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    try:
        table = pd.read_csv(path, dtype=dtype)
    except FileNotFoundError:
        raise DatasetCorrupt(f"{path}: file not found") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DatasetCorrupt(f"{path}: not a readable CSV table ({exc})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DatasetCorrupt(f"{path}: columns {', '.join(missing)} are missing (has "
                             f"{', '.join(map(str, table.columns))}); is this the right file?")
    return table


_SPECIAL: dict[str, Callable[[Dataset, Path, bool, Log, Opener], Path]] = {
    "cifar10": _fetch_cifar10,
    "titanic": _fetch_titanic,
}

__all__ = ["FetchFailed", "cifar_tarball_to_npz", "derive_titanic_labels", "fetch"]
