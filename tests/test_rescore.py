"""A graded class scored and reported again from the store: another language, another rubric,
and `grade` itself reusing the evidence, with no notebook run (execution is made to fail)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.cli import main
from grader.messages import render
from tests.conftest import ROOT

pytestmark = pytest.mark.kernel
NOTEBOOKS = [ROOT / "reference" / "xor.ipynb", ROOT / "tests" / "fixtures" / "xor" / "relu_forgotten.ipynb",
             ROOT / "tests" / "fixtures" / "xor" / "and_or_swapped.ipynb"]


def _reports(out: Path) -> dict[str, dict[str, Any]]:
    lines = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {line["student"]: json.loads((out / Path(line["report"]).parent.name / "report.json").read_text(encoding="utf-8"))
            for line in lines}


def _pinned(report: dict[str, Any]) -> dict[str, Any]:
    """What a rescore must reproduce exactly: scores and every text a reader sees."""
    return {"score": report["score"], "max_score": report["max_score"], "lang": report["lang"],
            "title": report["title"], "execution": report["execution"]["message"],
            "checks": [{k: c.get(k) for k in ("id", "status", "points", "max_points", "message", "details", "hint",
                                              "student")} for c in report["checks"]]}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The class graded once in Spanish, and once more in English from scratch (the truth a
    rescore is compared with)."""
    root = tmp_path_factory.mktemp("rescore")
    students = root / "entregas"
    students.mkdir()
    for nb in NOTEBOOKS:
        shutil.copy(nb, students / nb.name)
    spanish, english = root / "es", root / "en"
    assert main(["grade", "xor", str(students), "--out", str(spanish), "--workers", "1", "--quiet"]) == 0
    assert main(["grade", "xor", str(students), "--out", str(english), "--workers", "1", "--quiet", "--lang", "en"]) == 0
    return {"students": students, "es": spanish, "en": english, "root": root}


@pytest.fixture()
def no_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.classroom import batch
    from grader.pipeline import execute

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a notebook was run")

    def no_jobs(jobs: list[Any], *args: Any, **kwargs: Any) -> None:
        assert jobs == [], [j.submission.label for j in jobs]

    monkeypatch.setattr(execute, "execute", refuse)
    monkeypatch.setattr(execute, "KernelSession", refuse)
    monkeypatch.setattr(batch, "run", no_jobs)


def test_rescoring_in_english_gives_the_reports_an_english_grading_gives(
        graded: dict[str, Path], tmp_path: Path, no_execution: None, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "class"
    shutil.copytree(graded["es"], out)
    assert main(["rescore", str(out), "--lang", "en"]) == 0
    assert "3 submission(s) rescored" in capsys.readouterr().out
    rescored, fresh = _reports(out), _reports(graded["en"])
    assert set(rescored) == set(fresh) == {nb.stem for nb in NOTEBOOKS}
    assert {r["lang"] for r in _reports(graded["es"]).values()} == {"es"}  # the graded class is left as it was
    for student in fresh:
        assert _pinned(rescored[student]) == _pinned(fresh[student]), student
    assert {r["score"] for r in rescored.values()} != {0}  # the class is not all zeros
    # the class outputs speak English too, and no Spanish word of the catalog is left
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert render("word.score", lang="en") in dashboard
    for line in json.loads((out / "summary.json").read_text(encoding="utf-8")):
        title = (out / Path(line["report"]).parent.name / "report.md").read_text(encoding="utf-8").split("\n")[0]
        assert render("word.score", lang="en") in title and render("word.score", lang="es") not in title


def test_a_changed_rubric_changes_only_the_points(graded: dict[str, Path], tmp_path: Path, no_execution: None) -> None:
    out = tmp_path / "class"
    shutil.copytree(graded["es"], out)
    rubric = yaml.safe_load((ROOT / "rubrics" / "xor.yaml").read_text(encoding="utf-8"))
    rubric["checks"]["xw_c"]["points"] *= 3
    rubric_file = tmp_path / "xor.yaml"
    rubric_file.write_text(yaml.safe_dump(rubric, allow_unicode=True), encoding="utf-8")
    before = _reports(graded["es"])
    assert main(["rescore", str(out), "--rubric", str(rubric_file)]) == 0
    after = _reports(out)
    for student, old in before.items():
        new = after[student]
        assert new["max_score"] == old["max_score"] + 2 * rubric["checks"]["xw_c"]["points"] / 3
        xw_old = next(c for c in old["checks"] if c["id"] == "xw_c")
        xw_new = next(c for c in new["checks"] if c["id"] == "xw_c")
        assert xw_new["points"] == 3 * xw_old["points"]
        assert [c["status"] for c in new["checks"]] == [c["status"] for c in old["checks"]]
        assert [c["message"] for c in new["checks"]] == [c["message"] for c in old["checks"]]
    gradebook = (out / "gradebook.csv").read_text(encoding="utf-8")
    assert str(after["xor"]["max_score"]).rstrip("0").rstrip(".") in gradebook


def test_grade_in_another_language_reuses_the_evidence(
        graded: dict[str, Path], tmp_path: Path, no_execution: None) -> None:
    """`grade` with --lang en into the Spanish class's store runs nothing: every submission is
    rescored from its evidence, and gives what the English grading gave."""
    out = tmp_path / "class"
    shutil.copytree(graded["es"], out)
    assert main(["grade", "xor", str(graded["students"]), "--out", str(out), "--workers", "1", "--quiet",
                 "--lang", "en"]) == 0
    rescored, fresh = _reports(out), _reports(graded["en"])
    for student in fresh:
        assert _pinned(rescored[student]) == _pinned(fresh[student]), student
    # and the next English run finds those results as they are
    assert main(["grade", "xor", str(graded["students"]), "--out", str(out), "--workers", "1", "--quiet",
                 "--lang", "en"]) == 0
    assert all(line["cached"] for line in json.loads((out / "summary.json").read_text(encoding="utf-8")))


def test_rescore_says_what_is_wrong_with_a_folder_that_was_not_graded(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rescore", str(tmp_path)]) == 3
    assert "summary.json" in capsys.readouterr().err
