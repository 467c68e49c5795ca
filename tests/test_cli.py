"""The `grader` command as users run it: a subprocess, its output and its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT


def grader(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


# every exercise of ../shared/EXERCISES.md (issue 4); cifar10 holds its three models in one notebook
CATALOGUE = {"mnist_mlp", "mnist_dropout", "mnist_cnn", "cnn_params", "titanic", "sonar_roc", "fashion_mnist",
             "cifar10", "iris", "optdigits", "early_stopping", "regularization", "xor", "spirals", "basics",
             "transfer_learning"}


def test_list_shows_the_library() -> None:
    done = grader("list")
    assert done.returncode == 0
    assert "cnn_params" in done.stdout and "iris" in done.stdout


def test_list_json_has_the_whole_catalogue_valid_and_out_of_ten() -> None:
    done = grader("list", "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["id"]: row for row in json.loads(done.stdout)}
    assert CATALOGUE <= set(rows), sorted(CATALOGUE - set(rows))
    for ex_id, row in rows.items():
        assert row["valid"], (ex_id, row["title"])
        assert row["points"] == 10, ex_id
        assert "full" in row["profiles"]
        if row["data"] and row["data"] != ["iris"]:
            assert "ci" in row["profiles"], f"{ex_id} trains on real data: it needs a ci profile for the tests"


def test_validate_accepts_the_library_specs() -> None:
    for ex in ("cnn_params", "iris"):
        done = grader("validate", ex)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"ok: {ex} — ")


def test_validate_rejects_an_unknown_check_kind(tmp_path: Path) -> None:
    spec = tmp_path / "exercises" / "demo" / "spec.yaml"
    spec.parent.mkdir(parents=True)
    text = (ROOT / "exercises" / "cnn_params" / "spec.yaml").read_text().replace("kind: ran_cleanly", "kind: ran_clean")
    spec.write_text(text)
    done = grader("validate", str(spec))
    assert done.returncode == 3
    assert done.stderr.strip() == (
        f"error: {spec.resolve()}: field 'checks.10.kind': unknown check kind 'ran_clean'; valid kinds: "
        "metric, model_structure, output_shapes, param_count, predictions, ran_cleanly, text_answer, training, value"
    )


def test_unknown_exercise_lists_the_known_ones() -> None:
    done = grader("grade", "mnist_gan", "x.ipynb")
    assert done.returncode == 3
    from grader.pipeline.library import exercise_ids

    known = exercise_ids()
    assert {"cnn_params", "iris", "mnist_mlp", "sonar_roc", "titanic"} <= set(known)
    assert f"unknown exercise 'mnist_gan'. Known exercises: {', '.join(known)}." in done.stderr


def test_check_needs_to_know_the_exercise(tmp_path: Path) -> None:
    nb = tmp_path / "sin_metadata.ipynb"
    nb.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    done = grader("check", str(nb))
    assert done.returncode == 3
    assert "--exercise ID" in done.stderr


def test_check_on_a_broken_file_exits_2() -> None:
    done = grader("check", str(FIXTURES / "cnn_params" / "invalid_json.ipynb"), "--exercise", "cnn_params")
    assert done.returncode == 2
    assert "no es un notebook válido" in done.stdout


def test_cli_starts_fast() -> None:
    t0 = time.monotonic()
    done = grader("--help")
    assert done.returncode == 0
    assert time.monotonic() - t0 < 5  # generous: no TensorFlow or nbclient import at start-up
    probe = subprocess.run([sys.executable, "-c", "import grader.cli, sys; "
                            "print(sorted(m for m in ('tensorflow', 'keras', 'nbclient', 'numpy') if m in sys.modules))"],
                           capture_output=True, text=True, cwd=ROOT)
    assert probe.stdout.strip() == "[]"


@pytest.mark.slow
def test_student_check_gives_the_same_verdict_as_instructor_grade(tmp_path: Path) -> None:
    nb = FIXTURES / "cnn_params" / "wrong_param_answer.ipynb"
    student = grader("check", str(nb), "--json", "--lang", "en")
    assert student.returncode == 1
    student_report = json.loads(student.stdout)
    graded = grader("grade", "cnn_params", str(nb), "--out", str(tmp_path), "--lang", "en")
    assert graded.returncode == 0, graded.stderr
    instructor_report = json.loads((tmp_path / "wrong_param_answer" / "report.json").read_text())
    verdict = lambda r: [(c["id"], c["status"], c["points"]) for c in r["checks"]]  # noqa: E731
    assert verdict(student_report) == verdict(instructor_report)
    assert student_report["score"] == instructor_report["score"] == 8
    # the answer stays hidden from the student (rubric: reveal: on_fail_hint), not from the instructor
    params = next(c for c in student_report["checks"] if c["id"] == "params_ejercicio")
    assert (params["message"], params["expected"]) == ("`params_ejercicio` is 144: not correct. Check your calculation.",
                                                       None)
    assert params["hint"] == "Apply the example's formula to 3 filters of 4×4 over 3 channels."
    assert "147" not in json.dumps([[c["message"], c["details"], c["hint"], c["expected"]]
                                    for c in student_report["checks"]])
    params = next(c for c in instructor_report["checks"] if c["id"] == "params_ejercicio")
    assert (params["message"], params["expected"]) == ("`params_ejercicio` is 144; expected 147.", 147)
    results = json.loads((tmp_path / "wrong_param_answer" / "results.json").read_text())  # Gradescope: students
    assert "147" not in json.dumps(results) and "147" not in (tmp_path / "wrong_param_answer" / "report.html").read_text()
    shown = {c["id"]: c["message"] for c in student_report["checks"]}
    assert [c["message"] for c in instructor_report["checks"] if c["reveal"] == "always"] == [
        shown[c["id"]] for c in instructor_report["checks"] if c["reveal"] == "always"]
    assert "instructor" not in student_report


@pytest.mark.slow
def test_student_check_passes_the_reference() -> None:
    done = grader("check", str(ROOT / "reference" / "cnn_params.ipynb"))
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Puntaje: 10 / 10" in done.stdout


@pytest.mark.slow
def test_a_batch_goes_on_after_an_infinite_loop_and_a_dead_kernel(tmp_path: Path) -> None:
    notebooks = [FIXTURES / "cnn_params" / f"{n}.ipynb" for n in ("infinite_loop", "kernel_dies", "wrong_param_answer")]
    done = grader("grade", "cnn_params", *map(str, notebooks), "--out", str(tmp_path), "--cell-timeout", "40")
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [(Path(s["notebook"]).stem, s["execution"], s["score"]) for s in summary] == [
        ("infinite_loop", "timeout", 8.5), ("kernel_dies", "dead_kernel", 6), ("wrong_param_answer", "ok", 8)]
    for s in summary:
        assert Path(s["report"]).is_file()
        assert Path(s["report"]).with_name("report.md").is_file()


@pytest.mark.slow
def test_quick_student_check_trains_less_and_says_so() -> None:
    """`grader check --quick`: the exercise's quick profile (1 epoch on a fifth of MNIST)."""
    t0 = time.monotonic()
    done = grader("check", str(ROOT / "reference" / "mnist_mlp.ipynb"), "--exercise", "mnist_mlp", "--quick",
                  "--json")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["execution"]["profile"] == "quick"
    assert report["execution"]["budget"]["data_fraction"] == 0.2
    kinds = {a["kind"]: a for a in report["execution"]["adaptations"]}
    assert kinds["epoch_cap"]["message"].startswith("`fit` pidió 10 épocas; el grader lo limitó a 1")
    assert "12000 de 60000" in kinds["data_fraction"]["message"]
    assert time.monotonic() - t0 < 300
