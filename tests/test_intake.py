"""Intake of what students hand in: broken, odd and oversized files each get a clear outcome."""

from __future__ import annotations

import codecs
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from grader.messages import render
from grader.pipeline.intake import read_submission


def _nb(*sources: str, **meta: object) -> nbformat.NotebookNode:
    nb = v4.new_notebook(cells=[v4.new_code_cell(s) for s in sources])
    nb.metadata.update(meta)
    return nb


def _write(path: Path, nb: nbformat.NotebookNode) -> Path:
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("content, key", [
    (b"", "notebook.empty"),
    (b"   \n\n", "notebook.empty"),
    (b'{"cells": [', "notebook.json"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "notebook.pdf"),
    (b"<!DOCTYPE html>\n<html><body>notebook</body></html>", "notebook.html"),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "notebook.archive"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", "notebook.binary"),
    (b'{"name": "not a notebook", "version": 1}', "notebook.not_notebook"),
    (b"Hola profe, adjunto mi tarea", "notebook.text"),
])
def test_broken_files_are_refused_with_a_reason(tmp_path: Path, content: bytes, key: str) -> None:
    path = tmp_path / "entrega.ipynb"
    path.write_bytes(content)
    read = read_submission(path)
    assert read.notebook is None
    assert read.problem == key, read.detail
    message = render(read.problem, read.params, "es")
    assert message != key and not re.search(r"\{\w+\}", message)  # a Spanish sentence, all fields filled


def test_a_folder_is_refused(tmp_path: Path) -> None:
    assert read_submission(tmp_path).problem == "notebook.unreadable"


def test_nbformat_3_is_converted_and_noted(tmp_path: Path) -> None:
    v3 = nbformat.v3
    old = v3.new_notebook(worksheets=[v3.new_worksheet(cells=[v3.new_code_cell(input="x = 1")])])
    path = tmp_path / "viejo.ipynb"
    path.write_text(v3.writes_json(old))
    read = read_submission(path)
    assert read.notebook is not None and read.notebook.nbformat == 4
    assert read.notebook.cells[0].source == "x = 1"
    assert read.notes == [{"kind": "intake_nbformat", "version": 3}]


@pytest.mark.parametrize("encoding, noted", [("utf-8-sig", None), ("utf-16", "UTF-16"), ("cp1252", "Windows-1252")])
def test_text_encodings_are_read_and_the_unusual_ones_noted(tmp_path: Path, encoding: str, noted: str | None) -> None:
    nb = _nb("print('año, señal, acción')")
    path = tmp_path / "nb.ipynb"
    path.write_bytes(nbformat.writes(nb).encode(encoding))
    read = read_submission(path)
    assert read.notebook is not None
    assert read.notebook.cells[0].source == "print('año, señal, acción')"
    assert read.notes == ([{"kind": "intake_encoding", "encoding": noted}] if noted else [])


def test_undecodable_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_bytes(b'{"cells": [], "x": "\x81\x8d\x8f\x90\x9d"}')  # bytes cp1252 leaves undefined
    assert read_submission(path).problem == "notebook.encoding"


def test_a_100_mb_notebook_is_run_without_its_outputs_and_widget_state(tmp_path: Path) -> None:
    nb = _nb("x = 1", "y = 2")
    blob = "A" * (1024 * 1024)
    nb.cells[0].outputs = [v4.new_output("display_data", data={"image/png": blob}) for _ in range(90)]
    nb.cells[0].execution_count = 7
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"w": "B" * 10 * 1024 * 1024}}}
    path = _write(tmp_path / "grande.ipynb", nb)
    assert path.stat().st_size > 100 * 1024 * 1024
    read = read_submission(path)
    assert read.notebook is not None
    assert all(c.outputs == [] and c.execution_count is None for c in read.notebook.cells)
    assert "widgets" not in read.notebook.metadata
    (note,) = read.notes
    assert note["kind"] == "intake_big" and note["size"] >= 100 and note["outputs"] >= 90 and note["widgets"] >= 10
    # and past the size limit, refused before parsing
    refused = read_submission(path, max_file_mb=50)
    assert refused.problem == "notebook.too_large" and refused.params["limit"] == 50


def test_code_pasted_as_data_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "datos.ipynb", _nb("datos = " + repr([0.5] * 1_200_000)))
    assert read_submission(path).problem == "notebook.code_too_large"


def test_a_python_script_becomes_a_notebook(tmp_path: Path) -> None:
    script = tmp_path / "tarea.py"
    script.write_text("# -*- coding: utf-8 -*-\n# %%\nimport math\nx = math.sqrt(16)\n\n# %%\ny = x + 1\n")
    read = read_submission(script)
    assert read.notebook is not None
    code = [c.source for c in read.notebook.cells if c.cell_type == "code"]
    assert "x = math.sqrt(16)" in code[0] and code[-1] == "y = x + 1"
    assert read.notes == [{"kind": "intake_script", "file": "tarea.py", "cells": len(code)}]


def test_a_zip_with_one_notebook_is_unpacked(tmp_path: Path) -> None:
    inner = nbformat.writes(_nb("z = 3"))
    path = tmp_path / "entrega.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("tarea/mi_notebook.ipynb", inner)
        zf.writestr("__MACOSX/tarea/._mi_notebook.ipynb", "junk")
        zf.writestr("tarea/.ipynb_checkpoints/mi_notebook-checkpoint.ipynb", inner)
        zf.writestr("tarea/datos.csv", "a,b\n1,2\n")
    read = read_submission(path)
    assert read.notebook is not None and read.notebook.cells[0].source == "z = 3"
    assert read.notes == [{"kind": "intake_zip", "file": "tarea/mi_notebook.ipynb"}]


@pytest.mark.parametrize("names, key", [(["a.ipynb", "b.ipynb"], "notebook.zip_many"), (["informe.pdf"], "notebook.zip_none")])
def test_a_zip_without_exactly_one_notebook_is_refused(tmp_path: Path, names: list[str], key: str) -> None:
    path = tmp_path / "entrega.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, nbformat.writes(_nb("a = 1")))
    read = read_submission(path)
    assert read.problem == key
    assert all(n in render(key, read.params, "es") for n in names)


def test_a_zip_bomb_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "bomba.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nb.ipynb", json.dumps({"cells": [], "pad": " " * (60 * 1024 * 1024)}))
    assert path.stat().st_size < 1024 * 1024
    assert read_submission(path, max_file_mb=50).problem == "notebook.too_large"


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roto.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    assert read_submission(path).problem == "notebook.zip_broken"


def test_a_notebook_in_another_language_is_refused(tmp_path: Path) -> None:
    nb = _nb("x <- 1", kernelspec={"name": "ir", "display_name": "R", "language": "R"})
    read = read_submission(_write(tmp_path / "r.ipynb", nb))
    assert read.problem == "notebook.language" and "R" in render(read.problem, read.params, "es")


def test_bom_is_not_mistaken_for_binary(tmp_path: Path) -> None:
    path = tmp_path / "bom.ipynb"
    path.write_bytes(codecs.BOM_UTF8 + nbformat.writes(_nb("a = 1")).encode())
    assert read_submission(path).notebook is not None
