"""The Gradescope autograder (grader.classroom.autograder): the zip holds what Gradescope runs, and
``run_autograder``, in Gradescope's layout (source/, submission/, results/), writes a results.json
that validates against Gradescope's documented format for a right and a wrong notebook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from grader.authoring import gradescope
from grader.classroom import autograder

ROOT = Path(__file__).resolve().parents[1]
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
# Gradescope's "Autograder specifications", results.json: the top-level keys, a test case's keys and
# a leaderboard entry's, as documented (score overrides the tests' total; status passed|failed)
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"}, "execution_time": {"type": "number"}, "output": {"type": "string"},
        "output_format": FORMAT, "test_output_format": FORMAT, "test_name_format": FORMAT,
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY, "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "properties": {"score": {"type": "number"}, "max_score": {"type": "number"},
                           "status": {"enum": ["passed", "failed"]}, "name": {"type": "string"},
                           "name_format": FORMAT, "number": {"type": "string"}, "output": {"type": "string"},
                           "output_format": FORMAT, "tags": {"type": "array", "items": {"type": "string"}},
                           "visibility": VISIBILITY, "extra_data": {"type": "object"}}}},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "required": ["name", "value"], "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}}}},
    },
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
}


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("autograder")
    return gradescope.build("xor", dest, install="dl-grader[tf] @ git+https://example.invalid/dl-grader@0123abc")


def test_the_zip_holds_what_gradescope_runs(zip_path: Path) -> None:
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        setup = zf.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "exercise/spec.yaml", "exercise/rubric.yaml"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert "set -euo pipefail" in setup and "apt-get update" in setup and "bubblewrap" in setup
    assert "git+https://example.invalid/dl-grader@0123abc" in setup
    for script in ("setup.sh", "run_autograder"):
        with zipfile.ZipFile(zip_path) as zf:
            text = zf.read(script).decode()
        subprocess.run(["bash", "-n"], input=text, text=True, check=True)


def test_datasets_are_bundled_or_fetched(tmp_path: Path) -> None:
    bundled = gradescope.build("sonar_roc", tmp_path / "b", install="dl-grader[tf]")
    with zipfile.ZipFile(bundled) as zf:
        assert any(n.startswith("data/") and n.endswith(".csv") for n in zf.namelist())
    fetched = gradescope.build("sonar_roc", tmp_path / "f", install="dl-grader[tf]", data="fetch")
    with zipfile.ZipFile(fetched) as zf:
        assert not any(n.startswith("data/") for n in zf.namelist())
        assert "grader data fetch sonar" in zf.read("setup.sh").decode()


@pytest.mark.kernel
@pytest.mark.parametrize(("notebook", "full_marks"), [
    (ROOT / "reference" / "xor.ipynb", True),
    (ROOT / "tests" / "fixtures" / "xor" / "relu_forgotten.ipynb", False),
])
def test_run_autograder_in_gradescopes_layout(zip_path: Path, tmp_path: Path, notebook: Path, full_marks: bool) -> None:
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    shutil.copy(notebook, root / "submission" / "Tarea XOR.ipynb")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "DLGRADER_BIN": str(Path(sys.executable).parent),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    t0 = time.time()
    done = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr + (root / "work.log").read_text()
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, SCHEMA)
    assert 0 < results["execution_time"] <= time.time() - t0 + 1
    total = sum(t["max_score"] for t in results["tests"])
    assert total == 10 and (results["score"] == total) is full_marks
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    assert [t["number"] for t in results["tests"]] == [str(i) for i in range(1, len(results["tests"]) + 1)]


def test_results_rank_only_hidden_metrics_and_survive_a_failed_grading(tmp_path: Path) -> None:
    out = tmp_path / "work"
    (out / "ana").mkdir(parents=True)
    report = {"exercise": "titanic", "lang": "es", "score": 7.0, "max_score": 10.0, "deductions": [],
              "execution": {"status": "ok", "message": "ok"},
              "checks": [{"id": "prediccion_test", "kind": "predictions", "status": "pass", "public": True,
                          "points": 5.0, "max_points": 5.0, "message": "ok", "measured": 0.7847, "reveal": "always"},
                         {"id": "x_test_filas", "kind": "value", "status": "fail", "public": False, "points": 0.0,
                          "max_points": 2.0, "message": "no", "measured": None, "reveal": "never",
                          "student": {"message": "no", "details": [], "hint": None}}]}
    (out / "ana" / "report.json").write_text(json.dumps(report), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps([{"report": str(out / "ana" / "report.json")}]), encoding="utf-8")
    results = autograder.results(out, time.time() - 3)
    jsonschema.validate(results, SCHEMA)
    assert results["leaderboard"] == [{"name": "prediccion_test", "value": 0.7847, "order": "desc"}]
    assert [t["visibility"] for t in results["tests"]] == ["visible", "after_published"]
    broken = autograder.results(tmp_path / "nothing", time.time())
    jsonschema.validate(broken, SCHEMA)
    assert broken["score"] == 0.0 and broken["tests"] == []


def test_without_install_a_wheel_of_this_checkout_is_bundled(tmp_path: Path) -> None:
    with zipfile.ZipFile(gradescope.build("basics", tmp_path)) as zf:
        wheels = [n for n in zf.namelist() if n.startswith("wheels/dl_grader-") and n.endswith(".whl")]
        setup = zf.read("setup.sh").decode()
    assert len(wheels) == 1 and f'pip install -q "./{wheels[0]}[tf]"' in setup
