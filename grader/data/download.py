"""One verified download: the part of ``grader data fetch`` (and of fetching a dataset on first
use) that touches the network, through pooch (hash check, retries, an atomic move into place).

Rules every download follows, so that a half-finished or tampered download can never be
mistaken for a good dataset:

* pooch writes to a temporary file in the destination folder and moves it onto the final name
  only when complete and verified;
* when the registry publishes a SHA-256 the download must match it, or nothing is kept and
  :class:`~grader.data.datasets.DatasetCorrupt` is raised;
* files already present and valid are left alone unless ``force`` is given;
* a network failure raises :class:`FetchFailed`, which says which URL failed, why, and how to
  put the files in place by hand instead.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from grader.data import datasets
from grader.data.datasets import DataFile, Dataset, DatasetCorrupt, Layout
from grader.model.errors import GraderError

Log = Callable[[str], None]

TIMEOUT_S = 60.0  # per connection attempt and per read; a stalled server fails, a slow one doesn't
RETRIES = 2  # pooch tries a failed download this many more times, waiting longer each time
KAGGLE_TITANIC = "https://www.kaggle.com/c/titanic/data"


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


def make_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GraderError(f"cannot create the data folder {folder} ({exc.strerror or exc}). "
                          f"Fix: choose a writable folder with --data-dir FOLDER.") from None
    return folder


def registry_file(ds: Dataset, name: str) -> DataFile:
    found = ds.file(name)
    if found is None:  # a registry inconsistency, not a user error
        raise AssertionError(f"dataset '{ds.name}' lists no file '{name}'")
    return found


def ensure(file: DataFile, folder: Path, ds: Dataset, layout: Layout, *, force: bool, log: Log,
           valid: Callable[[Path], bool] | None = None) -> Path:
    """``folder/file.name`` present and valid: kept (unless ``force``), else downloaded.

    ``valid`` checks the content of files that have no published checksum.
    """
    path = folder / file.name
    if path.is_file() and not force:
        if is_valid(path, file, valid):
            log(f"{file.name}: already in {folder} and valid ({size(path.stat().st_size)}), "
                f"skipped; --force downloads it again")
            return path
        log(f"{file.name}: the copy in {folder} is not the published file, downloading again")
    if not file.url:
        raise AssertionError(f"{ds.name}/{file.name} has no URL to download it from")
    got, url = 0, file.url
    for url in [*mirrors(ds.name, file.name), file.url]:
        try:
            got = download(url, path, expected_sha256=file.sha256,
                           on_network_error=lambda why, u=url: FetchFailed.download(  # type: ignore[misc]
                               u, why, folder, [file.name], layout.files, ds.name))
            break
        except (FetchFailed, DatasetCorrupt) as exc:
            if url == file.url:
                raise
            log(f"{file.name}: the mirror {url} failed ({str(exc).splitlines()[0]}); trying the official source")
    if valid is not None and not valid(path):
        path.unlink()
        raise DatasetCorrupt(f"{file.url} did not send the expected file: {file.name} is not "
                             f"in the format the grader reads (deleted). The source may have "
                             f"changed; get {file.name} by hand and copy it into {folder}.")
    log(f"{file.name}: downloaded {size(got)} from {url} into {folder}"
        + (" (SHA-256 verified)" if file.sha256 else ""))
    return path


def mirrors(dataset: str, name: str) -> list[str]:
    """``$DLGRADER_DATA_MIRROR`` (space-separated base URLs, e.g. a university's copy of the course
    data): each is tried first as ``BASE/<dataset>/<file>``; the official source comes last. A
    mirror's file must still match the published SHA-256."""
    bases = os.environ.get("DLGRADER_DATA_MIRROR", "").split()
    return [f"{base.rstrip('/')}/{dataset}/{name}" for base in bases]


def is_valid(path: Path, file: DataFile, valid: Callable[[Path], bool] | None) -> bool:
    if file.sha256:
        return datasets.sha256(path) == file.sha256
    if valid is not None:
        return valid(path)
    return path.stat().st_size > 0


def download(url: str, path: Path, *, expected_sha256: str | None,
             on_network_error: Callable[[str], FetchFailed]) -> int:
    """``url`` into ``path`` through pooch (progress on a terminal, retries, verified against
    ``expected_sha256``); return the number of bytes. A failed or mismatched download leaves
    no file behind."""
    import pooch
    import requests

    progress = sys.stderr.isatty() and _has_tqdm()
    # pooch verifies into a hidden name; only a complete, verified file replaces what is there
    # (a forced download that fails keeps the good copy)
    hidden = f".{path.name}.{secrets.token_hex(4)}.download"
    fetcher = pooch.create(path=path.parent, base_url="", registry={hidden: _hash(expected_sha256)},
                           urls={hidden: url}, retry_if_failed=RETRIES)
    pooch.get_logger().setLevel("WARNING")
    try:
        fetcher.fetch(hidden, downloader=pooch.HTTPDownloader(progressbar=progress, timeout=TIMEOUT_S))
        os.replace(path.parent / hidden, path)
    except requests.RequestException as exc:
        raise on_network_error(why(exc)) from None
    except ValueError as exc:
        if "hash" not in str(exc).lower():
            raise
        _remove_partial(path.parent, hidden)
        got = re.search(r"but got (\w+)", str(exc))
        found = got.group(1) if got else "another hash"
        raise DatasetCorrupt(
            f"{url} sent a file whose SHA-256 differs from the published one, so "
            f"{path.name} was not saved in {path.parent}.\n"
            f"  expected {expected_sha256}\n  found    {found}\n"
            f"Fix: retry later (the download may have been cut or altered on the way); if it "
            f"persists the source changed: get {path.name} elsewhere and check it with "
            f"`grader data verify`."
        ) from None
    return path.stat().st_size


def _hash(sha256: str | None) -> str | None:
    return f"sha256:{sha256}" if sha256 else None


def _has_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _remove_partial(folder: Path, hidden: str) -> None:
    (folder / hidden).unlink(missing_ok=True)


def why(exc: BaseException) -> str:
    """A short reason for a network failure, in words a user can act on."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"the server answered HTTP {exc.response.status_code} {exc.response.reason}"
    if isinstance(exc, requests.Timeout):
        return f"no answer within {TIMEOUT_S:.0f} s"
    text = str(exc)
    if isinstance(exc, requests.ConnectionError):
        if "refused" in text.lower():
            return "the connection was refused (nothing answers at that address)"
        if "resolve" in text.lower() or "name or service" in text.lower():
            return "the host name could not be resolved (offline?)"
        return f"the connection failed ({text[-200:]})"
    return f"{type(exc).__name__}: {text[-200:]}"


def size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


@contextmanager
def temporary_sibling(path: Path) -> Iterator[tuple[Path, IO[bytes]]]:
    """A new hidden file next to ``path`` (same file system, so renaming it is atomic), deleted
    on exit unless it was renamed. Opened with ``"xb"`` so it gets the usual permissions."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    out = open(tmp, "xb")
    try:
        yield tmp, out
    finally:
        out.close()
        tmp.unlink(missing_ok=True)

