"""``grader.data.fetch`` without the internet: a local HTTP server stands in
for the official sources, whose URLs are swapped in the registry for the test's duration."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import pickle
import shutil
import socket
import sys
import tarfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from grader.data import datasets
from grader.data.datasets import DatasetCorrupt
from grader.data.fetch import FetchFailed, cifar_tarball_to_npz, derive_titanic_labels, fetch
from tests.conftest import SHARED_DATA

TITANIC = SHARED_DATA / "titanic"
needs_shared = pytest.mark.skipif(
    not (SHARED_DATA / "sonar" / "sonar.csv").is_file(),
    reason=f"real datasets not found in {SHARED_DATA} (see its README.md)",
)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on localhost serving the files put in the returned folder."""
    root = tmp_path / "www"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _point(monkeypatch: pytest.MonkeyPatch, name: str, changes: dict[str, dict[str, Any]]) -> None:
    """Replace fields (url, sha256) of some of dataset ``name``'s files, for this test only."""
    ds = datasets.REGISTRY[name]
    new = tuple(dataclasses.replace(f, **changes.get(f.name, {})) for f in ds.files)
    monkeypatch.setitem(datasets.REGISTRY, name, dataclasses.replace(ds, files=new))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Lines(list[str]):
    def __call__(self, line: str) -> None:
        self.append(line)


SONAR = b"0.02,0.0371,0.0428,R\n0.0453,0.0523,0.0843,M\n"


@pytest.fixture
def sonar_served(server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> str:
    """A small stand-in sonar.csv on the local server, registered with its own checksum."""
    base, root = server
    (root / "sonar.all-data").write_bytes(SONAR)
    url = base + "sonar.all-data"
    _point(monkeypatch, "sonar", {"sonar.csv": {"url": url, "sha256": _sha(SONAR)}})
    return url


# --------------------------------------------------------------------------- downloads
def test_sonar_over_http_is_found_and_verifies(sonar_served: str, tmp_path: Path) -> None:
    dest = tmp_path / "data"
    log = Lines()
    folder = fetch("sonar", dest, log=log)
    assert folder == dest / "sonar"
    assert (folder / "sonar.csv").read_bytes() == SONAR
    found = datasets.locate("sonar", dest)
    assert found.folder == folder
    assert datasets.verify(found) == []
    assert len(log) == 1 and sonar_served in log[0] and "sonar.csv" in log[0]
    assert f"{len(SONAR)} bytes" in log[0]
    assert sorted(p.name for p in folder.iterdir()) == ["sonar.csv"]  # no temporary left


def test_second_fetch_skips_present_files_unless_forced(sonar_served: str, tmp_path: Path,
                                                        server: tuple[str, Path]) -> None:
    dest = tmp_path / "data"
    fetch("sonar", dest, log=Lines())
    log = Lines()
    fetch("sonar", dest, log=log)
    assert len(log) == 1 and "already" in log[0] and "skipped" in log[0]

    _, root = server
    (root / "sonar.all-data").unlink()  # a forced fetch really goes to the server
    with pytest.raises(FetchFailed):
        fetch("sonar", dest, force=True, log=Lines())
    assert (dest / "sonar" / "sonar.csv").read_bytes() == SONAR  # the good copy survives


def test_present_file_with_wrong_checksum_is_downloaded_again(sonar_served: str,
                                                              tmp_path: Path) -> None:
    (tmp_path / "data" / "sonar").mkdir(parents=True)
    (tmp_path / "data" / "sonar" / "sonar.csv").write_text("truncated")
    log = Lines()
    fetch("sonar", tmp_path / "data", log=log)
    assert (tmp_path / "data" / "sonar" / "sonar.csv").read_bytes() == SONAR
    assert "not the published file" in log[0] and "downloaded" in log[1]


def test_wrong_checksum_raises_and_leaves_no_file(sonar_served: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "0" * 64
    _point(monkeypatch, "sonar", {"sonar.csv": {"sha256": wrong}})
    dest = tmp_path / "data"
    with pytest.raises(DatasetCorrupt) as err:
        fetch("sonar", dest, log=Lines())
    message = str(err.value)
    assert "sonar.csv" in message and wrong in message and _sha(SONAR) in message
    assert list((dest / "sonar").iterdir()) == []


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/sonar.all-data"  # nothing listens there any more


@pytest.mark.parametrize("dead", ["missing file (HTTP 404)", "connection refused"])
def test_dead_url_raises_fetch_failed_naming_url_and_folder(
        dead: str, server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    url = server[0] + "gone/sonar.all-data" if "404" in dead else _closed_port_url()
    _point(monkeypatch, "sonar", {"sonar.csv": {"url": url}})
    dest = tmp_path / "data"
    with pytest.raises(FetchFailed) as err:
        fetch("sonar", dest, log=Lines())
    message = str(err.value)
    assert url in message and str(dest / "sonar") in message
    assert "sonar.csv" in message and "--data-dir" in message
    assert ("404" in message) if "404" in dead else ("refused" in message.lower())
    assert list((dest / "sonar").iterdir()) == []


@needs_shared
def test_optdigits_over_http_checks_the_real_checksums(server: tuple[str, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    base, root = server
    ds = datasets.REGISTRY["optdigits"]
    for f in ds.files:
        shutil.copy(SHARED_DATA / "optdigits" / f.name, root / f.name)
    _point(monkeypatch, "optdigits", {f.name: {"url": base + f.name} for f in ds.files if f.url})
    log = Lines()
    folder = fetch("optdigits", tmp_path, log=log)
    assert datasets.verify(datasets.locate("optdigits", tmp_path)) == []  # the published SHA-256s
    assert folder == tmp_path / "optdigits" and len(log) == 2 and all("SHA-256 verified" in line for line in log)


def test_iris_needs_nothing(tmp_path: Path) -> None:
    log = Lines()
    fetch("iris", tmp_path, log=log)
    assert "scikit-learn" in log[0] and list(tmp_path.iterdir()) == []


def test_unknown_dataset_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(datasets.GraderError, match="known: .*sonar"):
        fetch("sonnar", tmp_path, log=Lines())


# --------------------------------------------------------------------------- CIFAR-10
def _pickle(obj: object, py2_names: bool = False) -> bytes:
    """Protocol 2, as the official batches (written by Python 2). ``py2_names``: refer to
    numpy's array constructor as numpy 1 did (``numpy.core``), as the real files do."""
    blob = pickle.dumps(obj, protocol=2)
    return blob.replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n") if py2_names else blob


def _tiny_cifar(path: Path, sizes: tuple[int, ...] = (3, 2), n_test: int = 2) -> dict[str, Any]:
    """A tarball shaped like the official one: data_batch_N and test_batch pickles holding
    b"data" (N, 3072) uint8 rows, channel-first, and b"labels"."""
    rng = np.random.default_rng(0)
    batches = {f"data_batch_{i + 1}": n for i, n in enumerate(sizes)} | {"test_batch": n_test}
    made: dict[str, Any] = {}
    with tarfile.open(path, "w:gz") as tar:
        for name, n in batches.items():
            data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
            labels = rng.integers(0, 10, size=n).tolist()
            made[name] = (data, labels)
            blob = _pickle({b"batch_label": name.encode(), b"labels": labels, b"data": data,
                            b"filenames": [b"x.png"] * n}, py2_names=name == "data_batch_1")
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
        meta = _pickle({b"label_names": [c.encode() for c in datasets.REGISTRY["cifar10"].class_names]})
        info = tarfile.TarInfo("cifar-10-batches-py/batches.meta")
        info.size = len(meta)
        tar.addfile(info, io.BytesIO(meta))
    return made


@pytest.mark.filterwarnings("error::DeprecationWarning")  # numpy.core names load silently
def test_cifar_tarball_converts_with_keras_shapes_and_pixel_order(tmp_path: Path) -> None:
    made = _tiny_cifar(tmp_path / "cifar.tar.gz")
    out = tmp_path / "cifar10.npz"
    cifar_tarball_to_npz(tmp_path / "cifar.tar.gz", out)
    with np.load(out, allow_pickle=False) as z:
        x_train, y_train, x_test, y_test = z["x_train"], z["y_train"], z["x_test"], z["y_test"]
        names = z["class_names"].tolist()
    assert x_train.shape == (5, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (5, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (2, 32, 32, 3) and y_test.shape == (2, 1) and y_test.dtype == np.uint8
    assert names[0] == "airplane" and len(names) == 10
    # batches in order: image 3 is the first of data_batch_2
    data2, labels2 = made["data_batch_2"]
    assert y_train[3, 0] == labels2[0]
    # pixel (row 5, column 7) green = byte 1024 + 5*32 + 7 of the channel-first row
    assert x_train[3, 5, 7, 1] == data2[0, 1024 + 5 * 32 + 7]
    assert x_train[3, 5, 7, 2] == data2[0, 2048 + 5 * 32 + 7]
    assert np.array_equal(x_test[1, :, :, 0], made["test_batch"][0][1, :1024].reshape(32, 32))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cifar.tar.gz", "cifar10.npz"]


def test_cifar_batches_are_ordered_numerically(tmp_path: Path) -> None:
    made = _tiny_cifar(tmp_path / "c.tar.gz", sizes=(1,) * 11, n_test=1)
    cifar_tarball_to_npz(tmp_path / "c.tar.gz", tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz") as z:  # batch 10 after batch 9, not after batch 1
        assert z["y_train"][9, 0] == made["data_batch_10"][1][0]


def test_cifar_refuses_foreign_pickles(tmp_path: Path) -> None:
    blob = pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [0],
                         b"evil": functools.partial(print, "ran")})
    with tarfile.open(tmp_path / "c.tar.gz", "w:gz") as tar:
        for name in ("data_batch_1", "test_batch"):
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    with pytest.raises(DatasetCorrupt, match="functools.partial"):
        cifar_tarball_to_npz(tmp_path / "c.tar.gz", tmp_path / "c.npz")
    assert not (tmp_path / "c.npz").exists()


def test_fetch_cifar10_downloads_converts_then_skips(server: tuple[str, Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    base, root = server
    _tiny_cifar(root / "cifar-10-python.tar.gz")
    sha = _sha((root / "cifar-10-python.tar.gz").read_bytes())
    _point(monkeypatch, "cifar10",
           {"cifar-10-python.tar.gz": {"url": base + "cifar-10-python.tar.gz", "sha256": sha}})
    log = Lines()
    folder = fetch("cifar10", tmp_path, log=log)
    assert folder == tmp_path / "cifar10"
    found = datasets.locate("cifar10", tmp_path)
    assert found.layout.files == ("cifar10.npz",)
    assert datasets.load("cifar10", tmp_path)["train"][0].shape == (5, 32, 32, 3)
    assert "downloaded" in log[0] and "converted" in log[1]
    log = Lines()
    fetch("cifar10", tmp_path, log=log)
    assert len(log) == 1 and "skipped" in log[0]


# --------------------------------------------------------------------------- Titanic
@pytest.fixture
def titanic_files() -> Path:
    if not (TITANIC / "titanic3.csv").is_file():
        pytest.skip(f"real Titanic files not found in {TITANIC} (see {SHARED_DATA}/README.md)")
    return TITANIC


def test_titanic_labels_derived_from_titanic3_equal_the_shared_ones(titanic_files: Path) -> None:
    derived = derive_titanic_labels(titanic_files / "test.csv", titanic_files / "titanic3.csv")
    pd.testing.assert_frame_equal(derived, pd.read_csv(titanic_files / "test_labels.csv"))


def test_passenger_missing_from_titanic3_is_named(titanic_files: Path, tmp_path: Path) -> None:
    test = pd.read_csv(titanic_files / "test.csv")
    test.loc[len(test)] = {**test.iloc[0].to_dict(), "PassengerId": 9999,
                           "Name": "Nobody, Mr. Nemo"}
    test.to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(DatasetCorrupt, match=r"9999 \(Nobody, Mr\. Nemo\)") as err:
        derive_titanic_labels(tmp_path / "test.csv", titanic_files / "titanic3.csv")
    assert "Kelly" not in str(err.value)  # only the offender is named


def test_two_passengers_on_one_titanic3_row_are_named(titanic_files: Path,
                                                      tmp_path: Path) -> None:
    test = pd.read_csv(titanic_files / "test.csv")
    test.loc[len(test)] = {**test.iloc[1].to_dict(), "PassengerId": 9998}
    test.to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(DatasetCorrupt, match="matched twice") as err:
        derive_titanic_labels(tmp_path / "test.csv", titanic_files / "titanic3.csv")
    assert "893" in str(err.value) and "9998" in str(err.value)


@pytest.fixture
def titanic3_served(titanic_files: Path, server: tuple[str, Path],
                    monkeypatch: pytest.MonkeyPatch) -> None:
    base, root = server
    shutil.copy(titanic_files / "titanic3.csv", root / "titanic3.csv")
    _point(monkeypatch, "titanic", {"titanic3.csv": {"url": base + "titanic3.csv"}})


def _path_with_kaggle(tmp_path: Path, kaggle_script: str | None) -> str:
    """A PATH holding only a fake ``kaggle`` (or nothing), so the real one never runs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if kaggle_script is not None:
        script = bin_dir / "kaggle"
        script.write_text(f"#!{sys.executable}\n{kaggle_script}")
        script.chmod(0o755)
    return str(bin_dir)


FAKE_KAGGLE = f"""
import sys, zipfile
folder = sys.argv[sys.argv.index("-p") + 1]
with zipfile.ZipFile(folder + "/titanic.zip", "w") as zf:
    for name in ("train.csv", "test.csv"):
        zf.write({str(TITANIC)!r} + "/" + name, name)
    zf.writestr("gender_submission.csv", "PassengerId,Survived\\n")
"""


def test_fetch_titanic_with_kaggle_command(titanic3_served: None, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with_kaggle(tmp_path, FAKE_KAGGLE))
    dest = tmp_path / "data"
    log = Lines()
    folder = fetch("titanic", dest, log=log)
    assert folder == dest / "titanic"
    assert sorted(p.name for p in folder.iterdir()) == [
        "test.csv", "test_labels.csv", "titanic3.csv", "train.csv"]
    assert datasets.verify(datasets.locate("titanic", dest)) == []  # checksums, labels included
    assert any("kaggle" in line.lower() for line in log) and "derived" in log[-1]
    log = Lines()
    fetch("titanic", dest, log=log)
    assert "skipped" in log[0] and "skipped" in log[-1]


def test_fetch_titanic_uses_split_copied_by_hand(titanic3_served: None, titanic_files: Path,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with_kaggle(tmp_path, None))
    folder = tmp_path / "data" / "titanic"
    folder.mkdir(parents=True)
    for name in ("train.csv", "test.csv"):
        shutil.copy(titanic_files / name, folder / name)
    fetch("titanic", tmp_path / "data", log=Lines())
    assert (folder / "test_labels.csv").read_bytes() == (titanic_files / "test_labels.csv").read_bytes()


def test_fetch_titanic_without_kaggle_says_what_to_download(titanic3_served: None,
                                                            tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with_kaggle(tmp_path, None))
    dest = tmp_path / "data"
    with pytest.raises(FetchFailed) as err:
        fetch("titanic", dest, log=Lines())
    message = str(err.value)
    assert "https://www.kaggle.com/c/titanic/data" in message
    assert str(dest / "titanic") in message and "train.csv" in message and "test.csv" in message
    assert (dest / "titanic" / "titanic3.csv").is_file()  # kept for the re-run


def test_fetch_titanic_reports_a_failing_kaggle_command(titanic3_served: None, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    failing = "import sys\nprint('403 - Forbidden: accept the rules', file=sys.stderr)\nsys.exit(1)\n"
    monkeypatch.setenv("PATH", _path_with_kaggle(tmp_path, failing))
    with pytest.raises(FetchFailed, match="403 - Forbidden") as err:
        fetch("titanic", tmp_path / "data", log=Lines())
    assert "kaggle.com/c/titanic/data" in str(err.value)

