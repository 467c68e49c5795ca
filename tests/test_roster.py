"""Everyone in the class gets a row (grader.classroom.roster): PDF-only, online-text-only, empty and
missing submissions, Moodle's flat layout, every Gradescope group member, submission times and the
rubric's late policy — applied after the store, so a new due date is a rescore, not a re-run."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from nbformat import v4

from grader.classroom import batch, roster
from grader.classroom.grade_class import slug_name
from grader.model.errors import UsageError
from grader.model.spec import LatePolicy
from grader.pipeline.score import late_penalty

ROOT = Path(__file__).resolve().parents[1]
ART = timezone(timedelta(hours=-3))  # the course's time zone (Argentina)


def _nb(path: Path, source: str = "x = 1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(source)]), path)
    return path


def _file(path: Path, data: bytes = b"%PDF-1.4 ...") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- the downloads
def test_moodle_students_without_a_notebook_get_rows_and_the_flat_layout_is_read(tmp_path: Path) -> None:
    _nb(tmp_path / "Ana María Pérez_1234567_assignsubmission_file" / "tarea.ipynb")
    _file(tmp_path / "Luis Gómez_1234568_assignsubmission_file" / "informe.pdf")
    _file(tmp_path / "Eva Ruiz_1234569_assignsubmission_onlinetext" / "onlinetext.html", b"<p>Hola</p>")
    _nb(tmp_path / "Rosa Díaz_1234570_assignsubmission_file_entrega final.ipynb")  # "in folders" off
    _file(tmp_path / "Juan Sin Tierra_1234571_assignsubmission_file_captura.png", b"\x89PNG")
    subs = batch.collect(tmp_path)
    got = [(s.student, s.student_id, s.layout, s.kind, s.extra.get("files")) for s in subs]
    assert got == [
        ("Ana María Pérez", "1234567", "moodle", "notebook", None),
        ("Eva Ruiz", "1234569", "moodle", "no_notebook", ["onlinetext.html"]),
        ("Juan Sin Tierra", "1234571", "moodle", "no_notebook", ["captura.png"]),
        ("Luis Gómez", "1234568", "moodle", "no_notebook", ["informe.pdf"]),
        ("Rosa Díaz", "1234570", "moodle", "notebook", None),
    ]
    assert next(s for s in subs if s.student == "Rosa Díaz").path.name.endswith("entrega final.ipynb")


def test_canvas_keeps_pdf_only_students_and_their_late_flag(tmp_path: Path) -> None:
    _nb(tmp_path / "perezana_41_2001_tarea.ipynb")
    _file(tmp_path / "gomezluis_LATE_42_2002_informe.pdf")
    subs = batch.collect(tmp_path)
    assert [(s.student, s.student_id, s.kind, bool(s.extra.get("late"))) for s in subs] == [
        ("gomezluis", "42", "no_notebook", True), ("perezana", "41", "notebook", False)]


def test_gradescope_gives_every_group_member_and_the_submission_time(tmp_path: Path) -> None:
    _nb(tmp_path / "submission_1" / "tarea.ipynb")
    _file(tmp_path / "submission_2" / "respuestas.pdf")
    (tmp_path / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ana Pérez\n    :sid: '11'\n    :email: ana@uni.edu\n"
        "  - :name: Eva Ruiz\n    :sid: '12'\n    :email: eva@uni.edu\n"
        "  :created_at: 2026-03-02 10:30:00.123456000 -03:00\n"
        "submission_2:\n  :submitters:\n  - :name: Luis Gómez\n    :sid: '13'\n", encoding="utf-8")
    subs = batch.collect(tmp_path)
    assert [(s.student, s.kind) for s in subs] == [("Ana Pérez", "notebook"), ("Luis Gómez", "no_notebook")]
    ana = subs[0]
    assert roster.submitted(ana) == datetime(2026, 3, 2, 10, 30, 0, 123456, tzinfo=ART)
    (eva,) = roster.members(ana)
    assert (eva.student, eva.student_id, eva.extra["email"], eva.path) == ("Eva Ruiz", "12", "eva@uni.edu", ana.path)
    assert eva.extra["group_of"] == ana.label


def test_folder_names_keep_names_as_written() -> None:
    taken: set[str] = set()
    assert slug_name("María José Núñez (1234567)", taken) == "María José Núñez (1234567)"
    assert slug_name("María José Núñez (1234567)", taken) == "María José Núñez (1234567)-2"
    assert slug_name("../../etc/passwd", taken) == "etc_passwd"
    assert slug_name("a\x00b/c\\d", taken) == "a_b_c_d"


# --------------------------------------------------------------------------- the class list
WORKSHEET_ES = (
    "Identificador,Nombre completo,Dirección de correo,Estado,Calificación,Calificación máxima,"
    "La calificación puede ser cambiada,Última modificación (entrega),Última modificación (calificación),"
    "Comentarios de retroalimentación\n"
    "Participante 1234567,Ana María Pérez,ana@uni.edu,Enviado para calificar,,10,Sí,"
    "\"domingo, 1 de marzo de 2026, 20:00\",-,\n"
    "Participante 1234568,Luis Gómez,luis@uni.edu,Enviado para calificar,,10,Sí,"
    "\"martes, 3 de marzo de 2026, 10:00\",-,\n"
    "Participante 1234572,Sofía Castro,sofia@uni.edu,Sin entrega,,10,Sí,-,-,\n")


def test_a_moodle_worksheet_gives_everyone_their_email_and_submission_time(tmp_path: Path) -> None:
    sheet = tmp_path / "hoja.csv"
    sheet.write_text(WORKSHEET_ES, encoding="utf-8-sig")
    people = roster.read_roster(sheet)
    assert [(p.name, p.sid, p.email, p.submitted_at) for p in people] == [
        ("Ana María Pérez", "1234567", "ana@uni.edu", "2026-03-01T20:00:00"),
        ("Luis Gómez", "1234568", "luis@uni.edu", "2026-03-03T10:00:00"),
        ("Sofía Castro", "1234572", "sofia@uni.edu", ""),
    ]
    assert roster.moodle_time("Tuesday, 3 March 2026, 10:05 PM") == "2026-03-03T22:05:00"
    subs = [batch.Submission("Ana María Pérez", tmp_path / "a.ipynb", "1234567", "moodle")]
    done = roster.complete(subs, people, sheet)
    assert [(s.student, s.kind, s.extra.get("submitted_at", "")) for s in done] == [
        ("Ana María Pérez", "notebook", "2026-03-01T20:00:00"),
        ("Luis Gómez", "missing", ""),
        ("Sofía Castro", "missing", "")]


def test_a_canvas_gradebook_export_and_a_plain_csv_are_class_lists(tmp_path: Path) -> None:
    canvas = tmp_path / "canvas.csv"
    canvas.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Práctica 3 (4321)\n"
                      "    Points Possible,,,,,10\nPérez Ana,41,a1,ana,S1,\nGómez Luis,42,a2,luis,S1,\n",
                      encoding="utf-8")
    assert [(p.name, p.sid, p.layout) for p in roster.read_roster(canvas)] == [
        ("Pérez Ana", "41", "canvas"), ("Gómez Luis", "42", "canvas")]
    plain = tmp_path / "lista.csv"
    plain.write_text("student;student_id;email;submitted_at\nAna;7;a@u.edu;2026-03-02T08:00:00-03:00\n",
                     encoding="utf-8")
    assert [(p.name, p.sid, p.submitted_at) for p in roster.read_roster(plain)] == [
        ("Ana", "7", "2026-03-02T08:00:00-03:00")]
    other = tmp_path / "otra.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UsageError, match="Moodle"):
        roster.read_roster(other)


# --------------------------------------------------------------------------- the late policy
POLICY = LatePolicy(due=datetime(2026, 3, 1, 23, 59, tzinfo=ART), grace_minutes=10, penalty_percent=10,
                    per="day", max_percent=50)


@pytest.mark.parametrize(("submitted", "flagged", "percent"), [
    (datetime(2026, 3, 1, 23, 0, tzinfo=ART), False, None),  # on time
    (datetime(2026, 3, 2, 0, 8, tzinfo=ART), False, None),  # inside the grace
    (datetime(2026, 3, 2, 0, 10, tzinfo=ART), False, 10),  # a day begun
    (datetime(2026, 3, 3, 10, 0, tzinfo=ART), False, 20),  # 1 d 10 h: two days begun
    (datetime(2026, 3, 30, tzinfo=ART), False, 50),  # capped
    (datetime(2026, 3, 2, 12, 0), False, 10),  # Moodle's local time: the due date's zone
    (datetime(2026, 3, 1, 23, 0, tzinfo=ART), True, None),  # the time decides over a flag
    (None, True, 10),  # a flag alone: the least it can mean
    (None, False, None),
])
def test_late_penalty(submitted: datetime | None, flagged: bool, percent: float | None) -> None:
    late = late_penalty(POLICY, submitted, flagged, max_score=10, earned=8)
    assert (late.percent if late else None) == percent
    if late:
        assert late.points == min(10 * percent / 100, 8)


def test_the_penalty_never_takes_more_than_was_earned() -> None:
    late = late_penalty(POLICY, datetime(2026, 4, 1, tzinfo=ART), False, max_score=10, earned=2)
    assert late is not None and (late.percent, late.points) == (50, 2)


def test_hourly_penalty_and_a_due_date_without_offset_is_refused() -> None:
    hourly = POLICY.model_copy(update={"per": "hour", "grace_minutes": 0})
    late = late_penalty(hourly, datetime(2026, 3, 2, 2, 30, tzinfo=ART), False, 10, 10)
    assert late is not None and late.units == 3
    with pytest.raises(ValueError, match="UTC offset"):
        LatePolicy(due="2026-03-01T23:59:00", penalty_percent=10)


def test_apply_late_explains_the_deduction_in_one_language() -> None:
    report = {"score": 9.0, "max_score": 10.0, "checks": [], "deductions": []}
    rubric = type("R", (), {"late": POLICY})()
    sub = batch.Submission("Ana", Path("a.ipynb"), extra={"submitted_at": "2026-03-03T10:00:00-03:00"})
    es = roster.apply_late(report, sub, rubric, "es")
    en = roster.apply_late(report, sub, rubric, "en")
    assert report["score"] == 9.0  # a copy
    assert (es["score"], es["score_before_late"], es["deductions"][0]["percent"]) == (7.0, 9.0, 20)
    assert "1 d 10 h 1 min después del plazo" in es["deductions"][0]["message"]
    assert "after the due date" in en["deductions"][0]["message"] and "plazo" not in en["deductions"][0]["message"]
    on_time = batch.Submission("Eva", Path("e.ipynb"), extra={"submitted_at": "2026-03-01T10:00:00-03:00"})
    assert roster.apply_late(report, on_time, rubric, "es") is report


# --------------------------------------------------------------------------- a whole class
def _no_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.pipeline import execute

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a notebook was run")

    def no_jobs(jobs: list[Any], *args: Any, **kwargs: Any) -> None:
        assert jobs == [], [j.submission.label for j in jobs]

    monkeypatch.setattr(execute, "execute", refuse)
    monkeypatch.setattr(batch, "run", no_jobs)


@pytest.mark.kernel
def test_a_moodle_class_with_a_roster_and_a_late_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.cli import main

    download = tmp_path / "descarga"
    shutil.copy(ROOT / "reference" / "xor.ipynb",
                _nb(download / "Ana María Pérez_1234567_assignsubmission_file" / "xor.ipynb"))
    shutil.copy(ROOT / "tests" / "fixtures" / "xor" / "relu_forgotten.ipynb",
                _nb(download / "Luis Gómez_1234568_assignsubmission_file_xor.ipynb"))  # flat layout
    _file(download / "Eva Ruiz_1234569_assignsubmission_file" / "xor.pdf")
    sheet = tmp_path / "hoja.csv"
    sheet.write_text(WORKSHEET_ES + "Participante 1234569,Eva Ruiz,eva@uni.edu,Enviado,,10,Sí,"
                     "\"lunes, 2 de marzo de 2026, 9:00\",-,\n", encoding="utf-8")
    rubric = yaml.safe_load((ROOT / "rubrics" / "xor.yaml").read_text(encoding="utf-8"))
    rubric["late"] = {"due": "2026-03-01T23:59:00-03:00", "grace_minutes": 10, "penalty_percent": 10,
                      "per": "day", "max_percent": 50}
    rubric_file = tmp_path / "xor-tarde.yaml"
    rubric_file.write_text(yaml.safe_dump(rubric, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["grade", "xor", str(download), "--out", str(out), "--roster", str(sheet), "--rubric",
                 str(rubric_file), "--workers", "1", "--quiet", "--no-warm"]) == 0

    rows = {r["student"]: r for r in csv.DictReader(open(out / "gradebook.csv", encoding="utf-8"))}
    assert set(rows) == {"Ana María Pérez", "Luis Gómez", "Eva Ruiz", "Sofía Castro"}
    assert (rows["Eva Ruiz"]["status"], rows["Eva Ruiz"]["score"]) == ("no_notebook", "0.0")
    assert (rows["Sofía Castro"]["status"], rows["Sofía Castro"]["score"]) == ("missing", "0.0")
    summary = {line["student"]: line for line in json.loads((out / "summary.json").read_text(encoding="utf-8"))}
    ana, luis = summary["Ana María Pérez"], summary["Luis Gómez"]
    assert ana["late_points"] == 0 and ana["score"] == ana["max_score"] == 10
    report = json.loads((out / Path(luis["report"]).parent.name / "report.json").read_text(encoding="utf-8"))
    (late,) = [d for d in report["deductions"] if d["kind"] == "late"]
    assert late["percent"] == 20 and report["score"] == round(report["score_before_late"] - late["points"], 2)
    assert luis["late_points"] == late["points"] > 0 and rows["Luis Gómez"]["late_points"] == str(late["points"])
    md = (out / Path(luis["report"]).parent.name / "report.md").read_text(encoding="utf-8")
    assert "después del plazo" in md
    eva_md = (out / Path(summary["Eva Ruiz"]["report"]).parent.name / "report.md").read_text(encoding="utf-8")
    assert "xor.pdf" in eva_md and "ningún notebook" in eva_md
    assert (out / "Ana María Pérez (1234567)").is_dir()  # names kept as written

    # everyone reaches the LMS file, the absent with a 0
    assert main(["export", str(out), "--to", "moodle-worksheet"]) == 0
    worksheet = list(csv.reader(open(out / "moodle_worksheet.csv", encoding="utf-8")))
    assert {r[0] for r in worksheet[1:]} == {f"Participante {n}" for n in (1234567, 1234568, 1234569, 1234572)}

    # a new due date is a rescore: no notebook runs, Luis's points come back
    rubric["late"]["due"] = "2026-03-10T23:59:00-03:00"
    rubric_file.write_text(yaml.safe_dump(rubric, allow_unicode=True), encoding="utf-8")
    _no_execution(monkeypatch)
    assert main(["rescore", str(out), "--rubric", str(rubric_file)]) == 0
    summary = {line["student"]: line for line in json.loads((out / "summary.json").read_text(encoding="utf-8"))}
    assert summary["Luis Gómez"]["score"] == report["score_before_late"]
    assert summary["Sofía Castro"]["execution"] == "missing" and summary["Eva Ruiz"]["score"] == 0.0


def _moodle_importer_target(name: str, participants: set[str]) -> tuple[str, str, str] | None:
    """What Moodle's "upload multiple feedback files in a zip" makes of a zip entry
    (assignfeedback_file_zip_importer::is_valid_filename_for_import, Moodle >= 4.1): each path part
    split on "_" into at most 5 pieces, [full name, participant, plugin type, plugin name, rest]."""
    parts = name.split("/")
    if parts[-1].startswith((".", "~")):
        return None
    while parts:
        info = parts.pop(0).split("_", 4)
        if len(info) < 4 or not info[1].isdigit() or info[1] not in participants:
            continue
        if (info[2], info[3]) != ("assignfeedback", "file"):
            return None
        return info[1], info[2] + "_" + info[3], "/".join([info[4] if len(info) == 5 else "", *parts])
    return None


@pytest.mark.kernel
def test_feedback_reaches_students_without_the_instructors_part(tmp_path: Path) -> None:
    import zipfile

    from grader.cli import main

    download = tmp_path / "descarga"
    shutil.copy(ROOT / "tests" / "fixtures" / "xor" / "relu_forgotten.ipynb",
                _nb(download / "María_José Núñez_1234567_assignsubmission_file" / "xor.ipynb"))
    _file(download / "Luis Gómez_1234568_assignsubmission_file" / "xor.pdf")
    out = tmp_path / "out"
    assert main(["grade", "xor", str(download), "--out", str(out), "--workers", "1", "--quiet", "--no-warm"]) == 0
    assert main(["export", str(out), "--to", "moodle-feedback,feedback"]) == 0
    with zipfile.ZipFile(out / "moodle_feedback.zip") as zf:
        names = zf.namelist()
        pages = {n: zf.read(n).decode("utf-8") for n in names}
    got = {_moodle_importer_target(n, {"1234567", "1234568"}) for n in names}
    assert got == {("1234567", "assignfeedback_file", "retroalimentacion.html"),
                   ("1234568", "assignfeedback_file", "retroalimentacion.html")}
    page = next(p for n, p in pages.items() if "_1234567_" in n)
    report = json.loads(next((out).glob("María*/report.json")).read_text(encoding="utf-8"))
    assert "relu_h" in page
    hidden = next(c for c in report["checks"] if c["id"] == "relu_h")
    assert hidden["status"] != "pass" and str(hidden["expected"]) not in page  # the answer stays hidden
    assert 'src="figures/' not in page  # one self-contained file
    assert "ningún notebook" in next(p for n, p in pages.items() if "_1234568_" in n)
    folder = next((out / "feedback").iterdir())
    md = (folder / "feedback.md").read_text(encoding="utf-8")
    assert (folder / "retroalimentacion.html").is_file() and "relu_h" in md
    assert "Solo para docentes" not in md and "Traceback" not in md
    instructor_md = next(out.glob("María*/report.md")).read_text(encoding="utf-8")
    student_md = next(out.glob("María*/feedback.md")).read_text(encoding="utf-8")
    assert len(student_md) <= len(instructor_md)
