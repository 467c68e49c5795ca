"""A dataset found nowhere on the machine is downloaded on first use (``prepare`` with
``fetch``, the CLI's default), verified against its published SHA-256, into the user's data
folder, through a local HTTP server standing in for the official source and for a mirror."""

from __future__ import annotations

import dataclasses
import functools
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from grader.data import datasets
from grader.data.datasets import DatasetMissing
from grader.pipeline import GradeOptions, library, prepare
from tests.conftest import SHARED_DATA

SONAR = SHARED_DATA / "sonar" / "sonar.csv"
pytestmark = pytest.mark.skipif(not SONAR.is_file(), reason=f"real datasets not found in {SHARED_DATA}")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def www(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def fresh_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No course data anywhere: no DLGRADER_DATA_DIR, an empty home (Keras cache, user folder)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("DLGRADER_DATA_DIR", raising=False)
    monkeypatch.delenv("DLGRADER_DATA_MIRROR", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    if Path("/usr/share/datasets/sonar").exists():
        pytest.skip("this machine has /usr/share/datasets/sonar")
    return home / ".local" / "share" / "dl-grader" / "datasets"


def _sonar_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    ds = datasets.REGISTRY["sonar"]
    files = tuple(dataclasses.replace(f, url=url) if f.name == "sonar.csv" else f for f in ds.files)
    monkeypatch.setitem(datasets.REGISTRY, "sonar", dataclasses.replace(ds, files=files))


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/sonar.all-data"


def _spec() -> Any:
    spec, _, _ = library.load("sonar_roc")
    return spec


def test_a_missing_dataset_is_downloaded_verified_and_found_on_first_use(
        www: tuple[str, Path], fresh_machine: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    base, root = www
    shutil.copy(SONAR, root / "sonar.all-data")
    _sonar_at(monkeypatch, base + "sonar.all-data")  # the registry's real SHA-256 stays
    with pytest.raises(DatasetMissing):
        prepare(_spec(), GradeOptions(fetch=False))  # --no-fetch: today's clear error
    prepare(_spec(), GradeOptions(fetch=True, lang="en"))
    err = capsys.readouterr().err
    assert "dataset 'sonar' is not on this machine" in err and "SHA-256 verified" in err
    assert (fresh_machine / "sonar" / "sonar.csv").read_bytes() == SONAR.read_bytes()
    assert datasets.locate("sonar").folder == fresh_machine / "sonar"
    (root / "sonar.all-data").unlink()  # the next run needs no network
    prepare(_spec(), GradeOptions(fetch=True))
    assert "no está en esta máquina" not in capsys.readouterr().err


def test_without_network_the_error_says_why_and_what_to_do(
        fresh_machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _closed_port()
    _sonar_at(monkeypatch, url)
    with pytest.raises(DatasetMissing) as err:
        prepare(_spec(), GradeOptions(fetch=True))
    message = str(err.value)
    assert "dataset 'sonar' not found" in message and "grader data fetch sonar" in message
    assert "first use failed" in message and url in message and "refused" in message
    assert not any(fresh_machine.rglob("*.csv"))


def test_a_mirror_is_tried_first_and_a_wrong_file_there_falls_back_to_the_official_source(
        www: tuple[str, Path], fresh_machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base, root = www
    (root / "mirror" / "sonar").mkdir(parents=True)
    (root / "mirror" / "sonar" / "sonar.csv").write_bytes(SONAR.read_bytes())
    monkeypatch.setenv("DLGRADER_DATA_MIRROR", base + "mirror/")
    _sonar_at(monkeypatch, _closed_port())  # the official source is down: the mirror serves it
    prepare(_spec(), GradeOptions(fetch=True))
    assert datasets.verify(datasets.locate("sonar")) == []

    shutil.rmtree(fresh_machine)
    (root / "mirror" / "sonar" / "sonar.csv").write_bytes(b"0.1,0.2,R\n")  # a stale mirror
    shutil.copy(SONAR, root / "official.csv")
    _sonar_at(monkeypatch, base + "official.csv")
    lines: list[str] = []
    from grader.data.fetch import fetch

    fetch("sonar", fresh_machine, log=lines.append)
    assert any("mirror" in line and "trying the official source" in line for line in lines), lines
    assert (fresh_machine / "sonar" / "sonar.csv").read_bytes() == SONAR.read_bytes()
