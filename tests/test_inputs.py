"""What an instructor or a student points the grader at: paths that do not exist, empty zips, a
zip of the whole class."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

from grader import cli
from grader.classroom import batch
from grader.messages import render
from grader.pipeline.intake import read_submission

ROOT = Path(__file__).resolve().parents[1]


def grader(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


@pytest.mark.parametrize("args", [["check", "{path}"], ["check", "{path}", "--exercise", "basics"],
                                  ["grade", "basics", "{path}", "--out", "{out}"]])
def test_a_path_that_does_not_exist_is_named_and_is_bad_usage(tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "tarea final.ipynb"
    done = grader(*[a.format(path=path, out=tmp_path / "o") for a in args])
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip() == f"error: {path}: no existe ese archivo ni carpeta; revisa la ruta"
    english = grader(*[a.format(path=path, out=tmp_path / "o") for a in args], "--lang", "en")
    assert english.stderr.strip() == f"error: {path}: no such file or folder; check the path"
    assert "Descarga" not in done.stdout + done.stderr and not (tmp_path / "o").exists()


def test_an_empty_zip_holds_no_notebook(tmp_path: Path) -> None:
    path = tmp_path / "entrega.zip"
    zipfile.ZipFile(path, "w").close()
    read = read_submission(path)
    assert read.problem == "notebook.zip_empty"
    assert render(read.problem, read.params, "es") == "el zip no contiene ningún cuaderno (.ipynb): está vacío"
    assert render(read.problem, read.params, "en") == "the zip holds no notebook (.ipynb): it is empty"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("informe.pdf", "%PDF-1.4")
    read = read_submission(path)
    assert render(read.problem, read.params, "es") == "el zip no contiene ningún cuaderno (.ipynb); tiene: informe.pdf"
    assert render(read.problem, read.params, "en") == "the zip holds no notebook (.ipynb); it has: informe.pdf"


def _class_zip(path: Path, n: int) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(n):
            zf.writestr(f"alumno{i}/tarea.ipynb", nbformat.writes(v4.new_notebook(cells=[v4.new_code_cell(f"a = {i}")])))
    return path


def _report() -> dict[str, Any]:
    return {"exercise": "basics", "score": 0.0, "max_score": 10.0, "lang": "es", "title": "t",
            "execution": {"status": "ok", "message": "ok"}, "checks": []}


@pytest.mark.parametrize("ending", ["ok", "error", "interrupt"])
def test_a_class_zip_is_announced_and_its_folder_removed_however_the_batch_ends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ending: str) -> None:
    archive = _class_zip(tmp_path / "CLASE.zip", 3)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    seen: list[Path] = []

    def run(jobs: list[batch.Job], *args: Any, **kw: Any) -> None:
        seen.extend(j.submission.path for j in jobs)
        assert all(p.is_file() for p in seen)  # unpacked while the batch runs
        if ending == "error":
            raise RuntimeError("the grader broke")
        if ending == "interrupt":
            raise KeyboardInterrupt
        for job in jobs:
            job.out_dir.mkdir(parents=True, exist_ok=True)
            (job.out_dir / "report.json").write_text("{}")
            args[4](job, _report(), 0.1)

    monkeypatch.setattr(batch, "run", run)
    cmd = ["grade", "basics", str(archive), "--out", str(tmp_path / "out")]
    if ending == "error":
        with pytest.raises(RuntimeError):
            cli.main(cmd)
    else:
        assert cli.main(cmd) == (0 if ending == "ok" else 3)
    assert "3 entregas en CLASE.zip" in capsys.readouterr().err
    assert len(seen) == 3 and all(str(p).startswith(str(temp)) for p in seen)
    assert list(temp.glob("dlg-class-*")) == []  # removed when the command ended
