"""The class's grades as files each LMS imports as they are (``grader export OUT --to TARGET``).

Everyone comes from ``OUT/summary.json`` (one line per submission, crashed ones included, with
the student's name, the id the download gave, the download's layout and, from Gradescope, the
e-mail) and the ``report.json`` beside it (when it was graded, the exercise's title). Targets:

* ``canvas`` → ``canvas.csv``: Canvas's gradebook import (matched on Canvas's user id);
* ``moodle-worksheet`` → ``moodle_worksheet.csv``: the assignment's offline grading worksheet
  ("Participant N" in the site's language), or, with ``worksheet``, the instructor's own
  download with only its grade column filled;
* ``moodle-gradebook`` → ``moodle_gradebook.csv``: the gradebook's CSV import (matched on
  e-mail or ID number, mapped in Moodle's import form);
* ``gradescope`` → ``gradescope.csv``: name, SID, e-mail and score, the columns of Gradescope's
  own score export;
* ``csv`` → ``grades.csv``: everyone, for spreadsheets.

``excel_es``: ``;`` between cells, decimal comma, UTF-8 with BOM (Excel in a Spanish locale).
Every cell goes through ``safetext.csv_cell``; a student who cannot be matched in a target is
left out of that file and named in a warning. What each format was checked against: docs/lms.md.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.messages import render
from grader.model.errors import UsageError
from grader.views.safetext import csv_cell

FILES = {"canvas": "canvas.csv", "moodle-worksheet": "moodle_worksheet.csv",
         "moodle-gradebook": "moodle_gradebook.csv", "gradescope": "gradescope.csv", "csv": "grades.csv"}
# the worksheet importer finds its columns by these names, in the importing user's language
# (mod/assign lang strings recordid, grade, lastmodifiedgrade, hiddenuser)
WORKSHEET = {
    "en": {"id": "Identifier", "name": "Full name", "grade": "Grade", "max": "Maximum grade",
           "modified": "Last modified (grade)", "participant": "Participant"},
    "es": {"id": "Identificador", "name": "Nombre completo", "grade": "Calificación", "max": "Calificación máxima",
           "modified": "Última modificación (calificación)", "participant": "Participante"},
}
GRADEBOOK = {"en": ("Full name", "Email address", "ID number"),
             "es": ("Nombre completo", "Dirección de correo", "Número de ID")}


@dataclass
class Student:
    name: str
    sid: str  # the id the download gave: Moodle's participant number, Canvas's user id, Gradescope's SID
    layout: str  # moodle | canvas | gradescope | files | "" (a summary written before layouts were kept)
    email: str
    score: float | None  # None: not graded (the grader itself failed)
    max_score: float
    status: str
    modified: str  # when it was graded (ISO 8601), for the worksheet's "Last modified (grade)"


@dataclass
class Options:
    lang: str = "es"
    assignment: str | None = None  # the grade column's name (default: the exercise's title)
    canvas_assignment_id: str | None = None
    excel_es: bool = False
    worksheet: Path | None = None  # the Moodle worksheet as downloaded


@dataclass
class Written:
    target: str
    path: Path
    rows: int
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the class
def load_class(out: Path, lang: str = "es") -> tuple[list[Student], str]:
    """Every student of ``out`` (a ``grader grade`` folder) and the exercise's title."""
    summary = out / "summary.json"
    if not summary.is_file():
        raise UsageError(render("export.no_summary", {"out": str(out)}, lang))
    students, title = [], ""
    for line in json.loads(summary.read_text(encoding="utf-8")):
        report = _report(out, str(line.get("report") or ""))
        title = title or str(report.get("title") or report.get("exercise") or "")
        failed = report.get("crashed") or line.get("execution") == "grader_error" or line.get("score") is None
        students.append(Student(
            name=str(line.get("student") or ""), sid=str(line.get("student_id") or ""),
            layout=str(line.get("layout") or ""), email=str(line.get("email") or ""),
            score=None if failed else float(line["score"]), max_score=float(line.get("max_score") or 0),
            status=str(line.get("execution") or ""),
            modified=str(report.get("created") or time.strftime("%Y-%m-%dT%H:%M:%S%z"))))
    return students, title or out.name


def _report(out: Path, path: str) -> dict[str, Any]:
    """The report beside the summary (its folder's name), or where the summary says it was."""
    if not path:
        return {}
    for candidate in (out / Path(path).parent.name / "report.json", Path(path)):
        if candidate.is_file():
            try:
                return dict(json.loads(candidate.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                return {}
    return {}


def _own_id(s: Student, layout: str) -> str:
    """The download's id when it came from ``layout`` (or from an older summary that did not say)."""
    return s.sid if s.layout in (layout, "") and s.sid.isdigit() else ""


# --------------------------------------------------------------------------- cells and files
def _num(x: float | None, excel_es: bool) -> str:
    if x is None:
        return ""
    text = f"{round(float(x), 2):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if excel_es else text


def _write(path: Path, header: list[str], rows: list[list[Any]], excel_es: bool) -> None:
    """Numbers are formatted here (decimal comma with ``excel_es``); text goes through csv_cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig" if excel_es else "utf-8") as f:
        writer = csv.writer(f, delimiter=";" if excel_es else ",")
        for row in [header, *rows]:
            writer.writerow([_num(v, excel_es) if isinstance(v, (int, float)) else csv_cell(str(v or ""))
                             for v in row])


def _names(students: list[Student]) -> str:
    return ", ".join(f"{s.name} ({s.sid})" if s.sid else s.name for s in students)


def _warn(key: str, target: str, who: list[Student], lang: str, out: list[str]) -> None:
    if who:
        out.append(render(key, {"target": target, "n": len(who), "names": _names(who)}, lang))


# --------------------------------------------------------------------------- targets
def canvas(students: list[Student], title: str, opts: Options, path: Path) -> Written:
    """Student, ID, SIS User ID, SIS Login ID, Section, then "Assignment (id)"; a Points Possible row."""
    name = opts.assignment or title
    column = f"{name} ({opts.canvas_assignment_id})" if opts.canvas_assignment_id else name
    top = max((s.max_score for s in students), default=0.0)
    rows: list[list[Any]] = [["Points Possible", "", "", "", "", top]]
    rows += [[s.name, _own_id(s, "canvas"), "", "", "", s.score] for s in students if _own_id(s, "canvas")]
    _write(path, ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column], rows, opts.excel_es)
    return _finish("canvas", students, lambda s: _own_id(s, "canvas"), path, len(rows) - 1, opts)


def moodle_worksheet(students: list[Student], title: str, opts: Options, path: Path) -> Written:
    """Identifier ("Participant N"), Full name, Grade, Maximum grade, Last modified (grade)."""
    if opts.worksheet is not None:
        return _fill_worksheet(students, opts, path)
    words = WORKSHEET.get(opts.lang, WORKSHEET["es"])
    ids = {id(s): _own_id(s, "moodle") for s in students}
    rows: list[list[Any]] = [[f"{words['participant']} {ids[id(s)]}", s.name, s.score, s.max_score, s.modified]
                             for s in students if ids[id(s)]]
    header = [words[k] for k in ("id", "name", "grade", "max", "modified")]
    _write(path, header, rows, opts.excel_es)
    return _finish("moodle-worksheet", students, lambda s: ids[id(s)], path, len(rows), opts)


def moodle_gradebook(students: list[Student], title: str, opts: Options, path: Path) -> Written:
    """Full name, Email address, ID number and the grade item's column (mapped in Moodle's form)."""
    emails = _worksheet_emails(opts) if opts.worksheet is not None else {}
    mail = {id(s): s.email or emails.get(_own_id(s, "moodle"), "") for s in students}
    number = {id(s): s.sid if s.layout == "gradescope" else "" for s in students}
    rows: list[list[Any]] = [[s.name, mail[id(s)], number[id(s)], s.score]
                             for s in students if mail[id(s)] or number[id(s)]]
    header = [*GRADEBOOK.get(opts.lang, GRADEBOOK["es"]), opts.assignment or title]
    _write(path, header, rows, opts.excel_es)
    return _finish("moodle-gradebook", students, lambda s: mail[id(s)] or number[id(s)], path, len(rows), opts)


def gradescope(students: list[Student], title: str, opts: Options, path: Path) -> Written:
    """Name, SID, Email, Total Score, Max Points (matched on e-mail, else SID)."""
    def key(s: Student) -> str:
        return s.email or (s.sid if s.layout == "gradescope" else "")

    rows: list[list[Any]] = [[s.name, s.sid if s.layout == "gradescope" else "", s.email, s.score, s.max_score]
                             for s in students if key(s)]
    _write(path, ["Name", "SID", "Email", "Total Score", "Max Points"], rows, opts.excel_es)
    return _finish("gradescope", students, key, path, len(rows), opts)


def plain(students: list[Student], title: str, opts: Options, path: Path) -> Written:
    rows: list[list[Any]] = [[s.name, s.sid, s.layout, s.email, s.score, s.max_score, s.status] for s in students]
    _write(path, ["student", "student_id", "layout", "email", "score", "max_score", "status"], rows, opts.excel_es)
    return _finish("csv", students, lambda s: "-", path, len(rows), opts)


def _finish(target: str, students: list[Student], key: Callable[[Student], str], path: Path, n: int,
            opts: Options) -> Written:
    """What was written, and whom the file leaves out or leaves without a grade."""
    done = Written(target, path, n)
    _warn("export.no_id", target, [s for s in students if not key(s)], opts.lang, done.warnings)
    _warn("export.not_graded", target, [s for s in students if key(s) and s.score is None], opts.lang, done.warnings)
    if opts.excel_es and target.startswith("moodle") and opts.lang == "en":
        done.warnings.append(render("export.decimal_comma", {"target": target}, opts.lang))
    return done


TARGETS: dict[str, Callable[[list[Student], str, Options, Path], Written]] = {
    "canvas": canvas, "moodle-worksheet": moodle_worksheet, "moodle-gradebook": moodle_gradebook,
    "gradescope": gradescope, "csv": plain}


def export(out: Path, targets: list[str], opts: Options, out_file: Path | None = None) -> list[Written]:
    """Write each target's file into ``out`` (or ``out_file``, for a single target); the
    feedback targets (grader.classroom.feedback) write the students' reports."""
    from grader.classroom import feedback

    for t in targets:
        if t not in TARGETS and t not in feedback.FILES:
            raise UsageError(render("export.unknown_target", {"target": t, "choices": ", ".join(
                [*TARGETS, *feedback.FILES])}, opts.lang))
    if out_file is not None and len(targets) != 1:
        raise UsageError(render("export.out_file_many", {"n": len(targets)}, opts.lang))
    if opts.canvas_assignment_id is not None and not opts.canvas_assignment_id.isdigit():
        raise UsageError(render("export.canvas_id", {"value": opts.canvas_assignment_id}, opts.lang))
    if opts.worksheet is not None and not opts.worksheet.is_file():
        raise UsageError(render("cli.no_such_file", {"path": str(opts.worksheet)}, opts.lang))
    students, title = load_class(out, opts.lang)
    done = []
    for t in dict.fromkeys(targets):
        if t in feedback.FILES:
            path = out_file or out / feedback.FILES[t]
            n, warnings = feedback.export(out, t, path, opts.lang)
            done.append(Written(t, path, n, warnings))
        else:
            done.append(TARGETS[t](students, title, opts, out_file or out / FILES[t]))
    return done


# --------------------------------------------------------------------------- the downloaded worksheet
@dataclass
class _Sheet:
    text: str
    bom: bool
    encoding: str
    delimiter: str
    records: list[list[tuple[int, int]]]  # each field's (start, end) in text, quotes included

    def value(self, span: tuple[int, int]) -> str:
        raw = self.text[span[0]:span[1]]
        return raw[1:-1].replace('""', '"') if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw

    def column(self, names: tuple[str, ...]) -> int | None:
        header = [self.value(f).strip() for f in self.records[0]] if self.records else []
        return next((i for i, h in enumerate(header) if h in names), None)


def _read_sheet(path: Path, lang: str) -> tuple[_Sheet, int, int]:
    """The worksheet as downloaded, and its Identifier and Grade columns (English or Spanish)."""
    data = path.read_bytes()
    bom = data.startswith(codecs.BOM_UTF8)
    text, encoding = _decode(data[len(codecs.BOM_UTF8):] if bom else data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    sheet = _Sheet(text, bom, encoding, delimiter, _scan(text, delimiter))
    ident = sheet.column(tuple(w["id"] for w in WORKSHEET.values()))
    grade = sheet.column(tuple(w["grade"] for w in WORKSHEET.values()))
    if ident is None or grade is None:
        words = WORKSHEET.get(lang, WORKSHEET["es"])
        missing = ", ".join(f'"{words[k]}"' for k, i in (("id", ident), ("grade", grade)) if i is None)
        raise UsageError(render("export.worksheet_columns", {"path": str(path), "missing": missing}, lang))
    return sheet, ident, grade


def _decode(body: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-8, else cp1252 (Excel on Windows saves "CSV" so), else Latin-1."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return body.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1"), "latin-1"


def _scan(text: str, delimiter: str) -> list[list[tuple[int, int]]]:
    """Split CSV text into records of field spans (RFC 4180 quoting), keeping every byte's place."""
    records: list[list[tuple[int, int]]] = []
    fields: list[tuple[int, int]] = []
    start, quoted, i, n = 0, False, 0, len(text)
    while i < n:
        c = text[i]
        if quoted:
            if c == '"':
                if text[i + 1:i + 2] == '"':
                    i += 1
                else:
                    quoted = False
        elif c == '"' and i == start:
            quoted = True
        elif c == delimiter:
            fields.append((start, i))
            start = i + 1
        elif c in "\r\n":
            fields.append((start, i))
            records.append(fields)
            fields = []
            if c == "\r" and text[i + 1:i + 2] == "\n":
                i += 1
            start = i + 1
        i += 1
    if start < n or fields:
        fields.append((start, n))
        records.append(fields)
    return records


def _participant(sheet: _Sheet, record: list[tuple[int, int]], ident: int) -> str:
    found = re.search(r"(\d+)\s*$", sheet.value(record[ident])) if ident < len(record) else None
    return found.group(1) if found else ""


def _worksheet_emails(opts: Options) -> dict[str, str]:
    """Participant number → e-mail, from the worksheet's e-mail column (when the site shows it)."""
    assert opts.worksheet is not None
    sheet, ident, _ = _read_sheet(opts.worksheet, opts.lang)
    header = [sheet.value(f).strip().lower() for f in sheet.records[0]]
    mail = next((i for i, h in enumerate(header) if "mail" in h or "correo" in h), None)
    if mail is None:
        return {}
    return {_participant(sheet, r, ident): sheet.value(r[mail]).strip()
            for r in sheet.records[1:] if mail < len(r) and _participant(sheet, r, ident)}


def _fill_worksheet(students: list[Student], opts: Options, path: Path) -> Written:
    """The downloaded worksheet with its Grade cells set: every other byte as it was."""
    assert opts.worksheet is not None
    sheet, ident, grade = _read_sheet(opts.worksheet, opts.lang)
    by_id = {_own_id(s, "moodle"): s for s in students if _own_id(s, "moodle")}
    edits, seen = [], set()
    for record in sheet.records[1:]:
        s = by_id.get(_participant(sheet, record, ident))
        if s is None or grade >= len(record):
            continue
        seen.add(id(s))
        if s.score is not None:
            cell = _num(s.score, opts.excel_es)
            edits.append((record[grade], f'"{cell}"' if sheet.delimiter in cell else cell))
    text = sheet.text
    for (start, end), cell in sorted(edits, reverse=True):
        text = text[:start] + cell + text[end:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((codecs.BOM_UTF8 if sheet.bom else b"") + text.encode(sheet.encoding))
    done = Written("moodle-worksheet", path, len(edits))
    _warn("export.no_id", "moodle-worksheet", [s for s in students if not _own_id(s, "moodle")], opts.lang,
          done.warnings)
    _warn("export.not_in_worksheet", "moodle-worksheet",
          [s for s in by_id.values() if id(s) not in seen], opts.lang, done.warnings)
    _warn("export.not_graded", "moodle-worksheet", [s for s in by_id.values() if s.score is None], opts.lang,
          done.warnings)
    return done
