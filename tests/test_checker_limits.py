"""The checker reads sizes before it loads anything: a 400 MB array and a ``.keras`` archive
that would unpack to 1 GiB (a zip bomb of 1 MB) are refused from their headers, each check says
why, and the checker's child stays small while it does so."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader.model.outcomes import ExecutionOutcome
from grader.pipeline import check, library

pytestmark = pytest.mark.kernel
PEAK_BOUND_MB = 1500  # the checker child's resident peak, Keras and TensorFlow included


def _huge_array(path: Path, n: int) -> None:
    """An .npy file of ``n`` float64 values, sparse on disk (only its header is written)."""
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
        f.truncate(f.tell() + 8 * n)


def _zip_bomb(path: Path, size: int) -> None:
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("config.json", "w", force_zip64=True) as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
        z.writestr("metadata.json", "{}")


def test_huge_artifacts_are_refused_from_their_headers(tmp_path: Path) -> None:
    folder = tmp_path / "artifacts"
    folder.mkdir()
    _huge_array(folder / "pesos_ocultos.npy", 50_000_000)  # 400 MB
    _zip_bomb(folder / "model.keras", 1 << 30)  # 1 GiB of configuration
    assert (folder / "model.keras").stat().st_size < 2 * 1024 * 1024
    manifest = {
        "pesos_ocultos": {"status": "ok", "kind": "value", "type": "ndarray", "file": "pesos_ocultos.npy", "cell": 1},
        "model": {"status": "ok", "kind": "model", "file": "model.keras", "cell": 2},
    }
    spec = library.load("iris")[0]
    state: dict = {}
    results = check.check(spec, ExecutionOutcome(status="ok", artifacts=manifest), folder, None,
                            confinement=state)
    by_id = {r.id: r for r in results}
    assert by_id["pesos_ocultos"].message == "artifact.too_large"
    assert "381 MB" in by_id["pesos_ocultos"].params["error"]  # 400,000,000 bytes
    assert by_id["arquitectura"].message == "artifact.too_large"
    assert "1024 MB" in by_id["arquitectura"].params["error"]
    assert all(r.status != "error" for r in results)
    assert 0 < state["peak_mb"] < PEAK_BOUND_MB, state
    print("checker child peak:", state["peak_mb"], "MB")
