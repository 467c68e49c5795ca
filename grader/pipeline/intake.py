"""Stage 1 — intake: turn whatever a student handed in into a notebook, or a clear reason.

Students hand in more than clean ``.ipynb`` files: zips of their folder, Colab's "download
.py", HTML or PDF exports, notebooks saved by Windows editors in UTF-16, nbformat 3 files,
100 MB notebooks full of images and widget state. ``read_submission`` accepts what can be
read without guessing — and says what it did — and refuses the rest with a message key the
report renders in the student's language. It never raises.
"""

from __future__ import annotations

import codecs
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

MAX_FILE_MB = 200  # bigger files are refused before they are parsed
MAX_CODE_MB = 5  # code cells together (data pasted into code would be bigger)
BIG_NOTEBOOK_MB = 10  # above this the report says outputs were dropped before running
_ZIP_JUNK = ("__MACOSX/", ".ipynb_checkpoints/")


@dataclass
class Intake:
    notebook: nbformat.NotebookNode | None
    problem: str | None = None  # message key (``notebook.*``) when no notebook could be read
    params: dict[str, Any] = field(default_factory=dict)
    detail: str = ""  # English, for instructors
    notes: list[dict[str, Any]] = field(default_factory=list)  # adaptations: {"kind": "intake_*", ...}

    @property
    def ok(self) -> bool:
        return self.notebook is not None


# the execution count the student's file showed, kept for naming cells (grader.pipeline.codemap)
STUDENT_COUNT = "dl_grader_count"


def _refuse(key: str, detail: str, **params: Any) -> Intake:
    return Intake(notebook=None, problem=key, params=params, detail=detail)


def _mb(n: int) -> float:
    return round(n / 1024 / 1024, 1)


def read_submission(path: Path, *, max_file_mb: float = MAX_FILE_MB) -> Intake:
    """Read ``path`` (a notebook, a zip holding one, or a ``.py`` script) as a v4 notebook."""
    try:
        if path.is_dir():
            return _refuse("notebook.unreadable", "it is a folder, not a file")
        size = path.stat().st_size
    except OSError as exc:
        return _refuse("notebook.unreadable", f"cannot read the file: {exc.strerror}")
    if size > max_file_mb * 1024 * 1024:
        return _refuse("notebook.too_large", f"the file has {_mb(size)} MB (limit {max_file_mb:g} MB)",
                       size=_mb(size), limit=max_file_mb)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _refuse("notebook.unreadable", f"cannot read the file: {exc.strerror}")
    notes: list[dict[str, Any]] = []
    name = path.name
    if raw[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip (the second: an empty one)
        inner = _from_zip(path, max_file_mb)
        if isinstance(inner, Intake):
            return inner
        name, raw = inner
        notes.append({"kind": "intake_zip", "file": name})
    return _from_bytes(raw, name, notes)


def _from_zip(path: Path, max_file_mb: float) -> tuple[str, bytes] | Intake:
    try:
        with zipfile.ZipFile(path) as zf:
            entries = [i for i in zf.infolist() if not i.is_dir() and not any(j in i.filename for j in _ZIP_JUNK)]
            books = [i for i in entries if i.filename.lower().endswith(".ipynb")]
            if not entries:
                return _refuse("notebook.zip_empty", "the zip is empty")
            if len(books) != 1:
                names = ", ".join(i.filename for i in (books or entries)[:6]) or "(nada)"
                key = "notebook.zip_many" if books else "notebook.zip_none"
                return _refuse(key, f"the zip holds {len(books)} notebooks: {names}", files=names, n=len(books))
            book = books[0]
            if book.file_size > max_file_mb * 1024 * 1024:  # a zip bomb is refused unread
                return _refuse("notebook.too_large", f"{book.filename} unpacks to {_mb(book.file_size)} MB",
                               size=_mb(book.file_size), limit=max_file_mb)
            return book.filename, zf.read(book)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        return _refuse("notebook.zip_broken", f"broken zip: {exc}")


def _decode(raw: bytes) -> tuple[str | None, str | None]:
    """(text, encoding noted) — UTF-8 (with or without BOM) silently, UTF-16 and Windows-1252 noted."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="strict"), None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            return None, None
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return None, None


def _sniff(raw: bytes) -> str | None:
    head = raw[:512].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "notebook.pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "notebook.html"
    if raw[:2] == b"\x1f\x8b" or raw[:6] in (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c"):
        return "notebook.archive"
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "notebook.binary"
    return None


def _from_bytes(raw: bytes, name: str, notes: list[dict[str, Any]]) -> Intake:
    if not raw.strip():
        return _refuse("notebook.empty", "the file is empty")
    kind = _sniff(raw)
    if kind is not None:
        return _refuse(kind, f"not a notebook ({kind.split('.')[1]})", file=name)
    text, encoding = _decode(raw)
    if text is None:
        return _refuse("notebook.encoding", "the file is not UTF-8 text")
    if encoding:
        notes.append({"kind": "intake_encoding", "encoding": encoding})
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        if name.lower().endswith(".py") or _looks_like_python(stripped):
            return _from_script(text, name, notes)
        return _refuse("notebook.text", "plain text, not a notebook (JSON starts with '{')")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested thousands of levels deep
        return _refuse("notebook.json", f"not a valid notebook (JSON): {str(exc)[:200]}", error=str(exc)[:120])
    if not isinstance(data, dict) or not ({"cells", "worksheets"} & set(data)):
        return _refuse("notebook.not_notebook", "valid JSON, but not a notebook (no 'cells')")
    try:
        major = int(data.get("nbformat", 4))
    except (TypeError, ValueError):
        major = 4
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for schema trouble
        return _refuse("notebook.json", f"not a valid notebook: {str(exc).splitlines()[0][:200]}",
                       error=str(exc).splitlines()[0][:120])
    if major < 4:
        notes.append({"kind": "intake_nbformat", "version": major})
    return _finish(nb, len(raw), notes)


def _looks_like_python(text: str) -> bool:
    head = text[:2000]
    return any(m in head for m in ("import ", "# %%", "# In[", "def ", "print("))


def _from_script(text: str, name: str, notes: list[dict[str, Any]]) -> Intake:
    import jupytext

    try:
        nb = jupytext.reads(text, fmt="py")
    except Exception as exc:
        return _refuse("notebook.json", f"a Python script that could not be read as a notebook: {exc}"[:300],
                       error=str(exc)[:120])
    nb = nbformat.from_dict(nb)
    notes.append({"kind": "intake_script", "file": name,
                  "cells": sum(1 for c in nb.cells if c.cell_type == "code")})
    return _finish(nb, len(text), notes)


def _finish(nb: nbformat.NotebookNode, size: int, notes: list[dict[str, Any]]) -> Intake:
    language = str(nb.metadata.get("kernelspec", {}).get("language")
                   or nb.metadata.get("language_info", {}).get("name") or "python")
    if language.lower() not in ("python", "python3", "ipython", ""):
        return _refuse("notebook.language", f"a {language} notebook, not Python", language=language)
    code = sum(len(c.source) for c in nb.cells if c.cell_type == "code")
    if code > MAX_CODE_MB * 1024 * 1024:
        return _refuse("notebook.code_too_large", f"{_mb(code)} MB of code (limit {MAX_CODE_MB} MB)",
                       size=_mb(code), limit=MAX_CODE_MB)
    widgets = nb.metadata.pop("widgets", None)
    outputs = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            outputs += len(json.dumps(cell.get("outputs", [])))
            cell.outputs = []
            if type(cell.get("execution_count")) is int and cell.execution_count > 0:
                cell.metadata[STUDENT_COUNT] = cell.execution_count  # "[7]", as the student's file shows it
            cell.execution_count = None
        cell.metadata.pop("widgets", None)
    if size > BIG_NOTEBOOK_MB * 1024 * 1024:
        notes.append({"kind": "intake_big", "size": _mb(size), "outputs": _mb(outputs),
                      "widgets": _mb(len(json.dumps(widgets))) if widgets else 0})
    return Intake(notebook=nb, notes=notes)
