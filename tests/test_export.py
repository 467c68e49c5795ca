"""LMS exports (grader.classroom.lms): each file has the header, identifiers, encoding, delimiter and
numbers its importer reads, nobody goes missing silently, and student text never becomes a formula.

The class folder is written by hand in the shape ``grader grade`` leaves (summary.json lines as
``cli._result_line`` writes them, report.json as ``report.build`` does)."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from grader.classroom import lms
from grader.cli import main
from grader.model.errors import UsageError

CREATED = "2025-03-03T10:15:00+0000"
# name, id the download gave, layout, e-mail, score, execution status
CLASS = [
    ("Ana Pérez", "1234567", "moodle", "", 7.5, "ok"),
    ("Luis Gómez", "1234570", "moodle", "", 10.0, "ok"),
    ("=HYPERLINK(\"http://x\")", "1234571", "moodle", "", 3.25, "timeout"),
    ("Eva Ruiz", "1234572", "moodle", "", None, "grader_error"),
    ("gomezmaria", "42", "canvas", "", 8.0, "ok"),
    ("Rosa Díaz", "2024001", "gradescope", "rosa@uni.edu", 9.0, "ok"),
    ("notebook_suelto", "", "files", "", 6.0, "ok"),
]


def _class(out: Path, rows: list[tuple[Any, ...]] = CLASS) -> Path:
    summary = []
    for name, sid, layout, email, score, status in rows:
        folder = out / (f"{name}_{sid}".replace("=", "").replace('"', "").replace("(", "").replace(")", "")
                        .replace(":", "").replace("/", ""))
        folder.mkdir(parents=True)
        crashed = score is None
        report = {"report_version": 1, "exercise": "iris", "title": "Iris: MLP 4-2-3", "lang": "es",
                  "score": 0.0 if crashed else score, "max_score": 0.0 if crashed else 10.0,
                  "checks": [] if crashed else [{"id": "estructura", "status": "pass", "points": score,
                                                  "max_points": 10.0, "message": "ok"}],
                  "execution": {"status": status, "message": "..."}, "created": CREATED}
        if crashed:
            report["crashed"] = True
        (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
        summary.append({"student": name, "student_id": sid, "notebook": f"/tmp/sub/{name}.ipynb",
                        "report": str(folder / "report.json"), "score": report["score"],
                        "max_score": report["max_score"], "execution": status, "seconds": 3.0, "cached": False,
                        "layout": layout, "email": email})
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    return out


def _rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=delimiter))


def _run(out: Path, target: str, **kw: Any) -> lms.Written:
    (done,) = lms.export(out, [target], lms.Options(**kw))
    return done


def test_canvas_has_the_importers_columns_and_matches_on_canvas_user_id(tmp_path: Path) -> None:
    out = _class(tmp_path)
    done = _run(out, "canvas", assignment="Tarea 1", canvas_assignment_id="4321")
    assert done.path == out / "canvas.csv" and done.rows == 1
    raw = done.path.read_bytes()
    assert not raw.startswith(codecs.BOM_UTF8)
    rows = _rows(done.path)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Tarea 1 (4321)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10"]
    assert rows[2:] == [["gomezmaria", "42", "", "", "", "8"]]
    # everyone else is named, none dropped silently
    (warning,) = done.warnings
    assert "6" in warning and "Ana Pérez (1234567)" in warning and "notebook_suelto" in warning


def test_canvas_without_an_id_names_the_column_by_title(tmp_path: Path) -> None:
    done = _run(_class(tmp_path), "canvas")
    assert _rows(done.path)[0][-1] == "Iris: MLP 4-2-3"


def test_excel_es_uses_semicolons_a_decimal_comma_and_a_bom(tmp_path: Path) -> None:
    out = _class(tmp_path)
    done = _run(out, "csv", excel_es=True)
    raw = done.path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = _rows(done.path, ";")
    assert rows[0] == ["student", "student_id", "layout", "email", "score", "max_score", "status"]
    assert rows[1] == ["Ana Pérez", "1234567", "moodle", "", "7,5", "10", "ok"]
    assert rows[3][4] == "3,25"
    assert raw.count(b"\r\n") == len(rows)


def test_plain_csv_keeps_everyone_and_neutralises_formulas(tmp_path: Path) -> None:
    done = _run(_class(tmp_path), "csv")
    rows = _rows(done.path)
    assert len(rows) == 1 + len(CLASS) and done.rows == len(CLASS)
    assert rows[3][0] == "'=HYPERLINK(\"http://x\")"  # safetext.csv_cell: never a formula in a spreadsheet
    assert rows[4][4] == "" and rows[4][6] == "grader_error"  # not graded: no grade, not a zero
    assert [r[0] for r in rows[1:]] == ["Ana Pérez", "Luis Gómez", "'=HYPERLINK(\"http://x\")", "Eva Ruiz",
                                        "gomezmaria", "Rosa Díaz", "notebook_suelto"]


@pytest.mark.parametrize("lang, words", [
    ("es", ["Identificador", "Nombre completo", "Calificación", "Calificación máxima",
            "Última modificación (calificación)"]),
    ("en", ["Identifier", "Full name", "Grade", "Maximum grade", "Last modified (grade)"])])
def test_moodle_worksheet_uses_participant_identifiers_in_the_sites_language(tmp_path: Path, lang: str,
                                                                             words: list[str]) -> None:
    done = _run(_class(tmp_path), "moodle-worksheet", lang=lang)
    rows = _rows(done.path)
    participant = "Participante" if lang == "es" else "Participant"
    assert rows[0] == words
    assert [r[0] for r in rows[1:]] == [f"{participant} {n}" for n in ("1234567", "1234570", "1234571", "1234572")]
    assert rows[1] == [f"{participant} 1234567", "Ana Pérez", "7.5", "10", CREATED]
    assert rows[3][1].startswith("'=")
    assert rows[4][2] == ""  # Eva: the grader failed, Moodle skips an empty grade
    no_id, not_graded = done.warnings
    assert "gomezmaria (42)" in no_id and "Rosa Díaz (2024001)" in no_id and "Ana" not in no_id
    assert "Eva Ruiz (1234572)" in not_graded


WORKSHEET = (
    '\ufeffIdentifier,"Full name","Email address",Status,Grade,"Maximum grade","Grade can be changed",'
    '"Last modified (submission)","Last modified (grade)","Feedback comments"\r\n'
    '"Participant 1234567","Ana Pérez",ana@uni.edu,"Submitted for grading",,"10,00",Yes,'
    '"Monday, 3 March 2025, 9:58 AM",-,"Nice, ""really"" nice"\r\n'
    '"Participant 1234570","Luis Gómez",luis@uni.edu,"Submitted for grading","4,00","10,00",Yes,'
    '"Monday, 3 March 2025, 9:59 AM","Monday, 3 March 2025, 10:05 AM",\r\n'
    '"Participant 1234599","Nadie Más",nadie@uni.edu,"No submission",,"10,00",Yes,-,-,\r\n'
)


def test_a_downloaded_worksheet_gets_only_its_grade_column_filled(tmp_path: Path) -> None:
    out = _class(tmp_path / "out")
    original = tmp_path / "worksheet.csv"
    original.write_bytes(WORKSHEET.encode("utf-8"))
    done = _run(out, "moodle-worksheet", lang="en", worksheet=original)
    assert done.path == out / "moodle_worksheet.csv" and done.rows == 2
    before = original.read_bytes().split(b"\r\n")
    after = done.path.read_bytes().split(b"\r\n")
    assert after[0] == before[0] and after[0].startswith(codecs.BOM_UTF8)
    assert len(after) == len(before) and after[3:] == before[3:]  # rows of others: untouched
    grade = 4
    old = list(csv.reader(io.StringIO(WORKSHEET.lstrip("\ufeff"))))
    new = _rows(done.path)
    for o, n in zip(old, new):  # every byte but the Grade column is as downloaded
        assert o[:grade] + o[grade + 1:] == n[:grade] + n[grade + 1:]
    assert [n[grade] for n in new[1:]] == ["7.5", "10", ""]
    assert after[1] == before[1].replace(b'grading",,"10,00"', b'grading",7.5,"10,00"')
    warnings = " | ".join(done.warnings)
    assert "=HYPERLINK" in warnings and "1234571" in warnings  # graded but not in the worksheet
    assert "gomezmaria (42)" in warnings  # not a Moodle student


def test_worksheet_fill_with_excel_es_quotes_a_decimal_comma(tmp_path: Path) -> None:
    out = _class(tmp_path / "out")
    original = tmp_path / "worksheet.csv"
    original.write_bytes(WORKSHEET.encode("utf-8"))
    done = _run(out, "moodle-worksheet", worksheet=original, excel_es=True)
    assert [r[4] for r in _rows(done.path)[1:]] == ["7,5", "10", ""]
    assert b'grading","7,5","10,00"' in done.path.read_bytes()


def test_a_file_that_is_not_a_worksheet_is_refused(tmp_path: Path) -> None:
    out = _class(tmp_path / "out")
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UsageError, match="Identificador"):
        _run(out, "moodle-worksheet", worksheet=other)


def test_moodle_gradebook_matches_on_email_from_gradescope_or_the_worksheet(tmp_path: Path) -> None:
    out = _class(tmp_path / "out")
    done = _run(out, "moodle-gradebook", lang="en", assignment="Práctica 2")
    rows = _rows(done.path)
    assert rows == [["Full name", "Email address", "ID number", "Práctica 2"],
                    ["Rosa Díaz", "rosa@uni.edu", "2024001", "9"]]
    assert "Ana Pérez (1234567)" in done.warnings[0]
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(WORKSHEET.encode("utf-8"))
    rows = _rows(_run(out, "moodle-gradebook", lang="en", worksheet=sheet).path)
    assert rows[1:3] == [["Ana Pérez", "ana@uni.edu", "", "7.5"], ["Luis Gómez", "luis@uni.edu", "", "10"]]


def test_gradescope_has_name_sid_email_and_score(tmp_path: Path) -> None:
    done = _run(_class(tmp_path), "gradescope", excel_es=True)
    assert _rows(done.path, ";") == [["Name", "SID", "Email", "Total Score", "Max Points"],
                                     ["Rosa Díaz", "2024001", "rosa@uni.edu", "9", "10"]]
    assert "6" in done.warnings[0]


def test_the_command_writes_every_target_and_says_who_is_missing(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = _class(tmp_path)
    assert main(["export", str(out), "--to", "canvas,moodle-worksheet", "--to", "csv", "--lang", "en"]) == 0
    for name in ("canvas.csv", "moodle_worksheet.csv", "grades.csv"):
        assert (out / name).is_file()
    captured = capsys.readouterr()
    assert "canvas: " in captured.out and "(1 rows)" in captured.out
    assert "warning: canvas: 6 student(s) without an identifier" in captured.err
    target = tmp_path / "elsewhere" / "notas.csv"
    assert main(["export", str(out), "--to", "gradescope", "--out-file", str(target)]) == 0
    assert target.is_file()


@pytest.mark.parametrize("args", [
    ["--to", "blackboard"],
    ["--to", "canvas,csv", "--out-file", "x.csv"],
    ["--to", "canvas", "--canvas-assignment-id", "tarea1"],
    ["--to", "moodle-worksheet", "--worksheet", "no-such.csv"],
])
def test_bad_usage_exits_3(tmp_path: Path, args: list[str]) -> None:
    out = _class(tmp_path)
    assert main(["export", str(out), *args]) == 3


def test_a_folder_without_a_summary_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path), "--to", "csv"]) == 3
    assert "summary.json" in capsys.readouterr().err
