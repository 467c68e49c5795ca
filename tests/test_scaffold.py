"""`grader init`: the assignment repository, its CI workflows (parsed, and their commands run
here the way the CI would), and the self-check inside the notebook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from grader import selfcheck

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def _init(tmp_path: Path, *args: str, exercise: str = "mnist_dropout") -> Path:
    repo = tmp_path / "repo"
    done = subprocess.run([sys.executable, "-m", "grader", "init", exercise, str(repo), *args],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return repo


def test_init_writes_a_repository_with_no_secrets(tmp_path: Path) -> None:
    repo = _init(tmp_path, "--min-score", "7")
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file())
    wheel = next(f for f in files if f.startswith(".grader/dl_grader-") and f.endswith(".whl"))
    assert files == [".github/workflows/grader.yml", ".gitignore", ".gitlab-ci.yml", wheel, ".grader/requirements.txt",
                     "README.md", "mnist_dropout.ipynb"]
    assert (repo / ".grader" / "requirements.txt").read_text().splitlines()[-1] == f"./{wheel}[tf]"
    nb = nbformat.read(repo / "mnist_dropout.ipynb", as_version=4)
    assert nb.metadata["dl_grader"]["exercise"] == "mnist_dropout"
    everything = "".join(p.read_text() for p in repo.rglob("*") if p.is_file() and p.suffix != ".whl")
    assert "rubric" not in everything.lower() and "test_labels" not in everything
    readme = (repo / "README.md").read_text()
    assert "from grader import check" in readme and f'pip install "./{wheel}[tf]"' in readme and "`.grader/`" in readme
    assert "7.0 puntos" in readme and "grader data fetch mnist" in readme
    assert "Your assignment" in (_init(tmp_path / "en", "--lang", "en") / "README.md").read_text()


# The inputs each action of the workflow documents (its action.yml at the pinned major version):
# actions/checkout@v4, actions/setup-python@v5, actions/cache@v4, actions/upload-artifact@v4,
# mikepenz/action-junit-report@v4, classroom-resources/autograding-grading-reporter@v1
DOCUMENTED = {
    "actions/checkout@v4": {"repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user",
                            "persist-credentials", "path", "clean", "filter", "sparse-checkout",
                            "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress", "lfs",
                            "submodules", "set-safe-directory", "github-server-url"},
    "actions/setup-python@v5": {"python-version", "python-version-file", "cache", "architecture", "check-latest",
                                "token", "cache-dependency-path", "update-environment", "allow-prereleases",
                                "freethreaded"},
    "actions/cache@v4": {"path", "key", "restore-keys", "upload-chunk-size", "enableCrossOsArchive",
                         "fail-on-cache-miss", "lookup-only", "save-always"},
    "actions/upload-artifact@v4": {"name", "path", "if-no-files-found", "retention-days", "compression-level",
                                   "overwrite", "include-hidden-files"},
    "mikepenz/action-junit-report@v4": {"token", "report_paths", "test_files_prefix", "exclude_sources",
                                        "check_name", "suite_regex", "commit", "fail_on_failure", "fail_on_parse_error",
                                        "require_tests", "require_passed_tests", "include_passed", "check_title_template",
                                        "bread_crumb_delimiter", "summary", "check_annotations", "update_check",
                                        "annotate_only", "transformers", "job_summary", "detailed_summary",
                                        "flaky_summary", "verbose_summary", "skip_success_summary", "include_time_in_summary",
                                        "annotate_notice", "follow_symlink", "job_name", "annotations_limit",
                                        "truncate_stack_traces", "resolve_ignore_classname", "skip_annotations",
                                        "check_retries", "group_suite", "comment", "updateComment", "pr_id",
                                        "simplified_summary", "group_reports"},
    "classroom-resources/autograding-grading-reporter@v1": {"runners"},
}


def test_the_workflow_uses_only_documented_inputs_and_installs_loudly(tmp_path: Path) -> None:
    repo = _init(tmp_path, "--install", "dl-grader[tf] @ git+https://example.invalid/org/dl-grader@0123abc")
    assert not list((repo / ".grader").glob("*.whl"))  # a URL was given: nothing bundled
    assert "git+https://example.invalid/org/dl-grader@0123abc" in (repo / ".grader" / "requirements.txt").read_text()
    flow = yaml.safe_load((repo / ".github" / "workflows" / "grader.yml").read_text())
    assert flow["permissions"]["checks"] == "write"
    job = flow["jobs"]["grade"]
    assert job["name"] == "Autograding Tests"  # the check run GitHub Classroom's reporter updates
    for step in job["steps"]:
        if "uses" in step:
            assert step["uses"] in DOCUMENTED, step["uses"]
            assert set(step.get("with", {})) <= DOCUMENTED[step["uses"]], step
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip" and setup["with"]["cache-dependency-path"] == ".grader/requirements.txt"
    install = next(s for s in job["steps"] if s.get("name") == "Install the grader")["run"]
    assert "|| true" not in install and "apt-get update" in install.split("apt-get install")[0]
    reporter = next(s for s in job["steps"] if "autograding-grading-reporter" in s.get("uses", ""))
    assert reporter["env"] == {"GRADE_RESULTS": "${{ steps.grade.outputs.result }}"} and reporter["if"] == "always()"
    grade = next(s for s in job["steps"] if s.get("id") == "grade")
    assert '--classroom-output "$GITHUB_OUTPUT"' in grade["run"]
    gitlab = yaml.safe_load((repo / ".gitlab-ci.yml").read_text())["grade"]["before_script"]
    assert not any("|| true" in line for line in gitlab) and "apt-get update -q" in gitlab


def test_the_classroom_payload_is_what_the_reporter_adds_up() -> None:
    import base64

    from grader.authoring.scaffold import classroom_result

    view = {"public_score": 6.5, "public_max_score": 10.0, "execution": {"status": "ok"},
            "checks": [{"id": "a", "status": "pass", "points": 6.5, "message": "ok"},
                       {"id": "b", "status": "fail", "points": 0.0, "message": "falta b"}]}
    payload = json.loads(base64.b64decode(classroom_result(view, min_score=6)))
    assert payload["version"] == 1 and payload["status"] == "pass" and payload["max_score"] == 10.0
    assert sum(t["score"] for t in payload["tests"]) == 6.5  # NotifyClassroom's total
    assert [(t["name"], t["status"]) for t in payload["tests"]] == [("a", "pass"), ("b", "fail")]
    assert json.loads(base64.b64decode(classroom_result(view)))["status"] == "fail"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "x").write_text("mine")
    done = subprocess.run([sys.executable, "-m", "grader", "init", "iris", str(tmp_path / "repo")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 3 and "not empty" in done.stderr


def _github_commands(repo: Path) -> list[str]:
    flow = yaml.safe_load((repo / ".github" / "workflows" / "grader.yml").read_text())
    assert set(flow[True] if True in flow else flow["on"]) == {"push", "pull_request", "workflow_dispatch"}
    steps = flow["jobs"]["grade"]["steps"]
    assert any(s.get("uses", "").startswith("actions/cache@") for s in steps)
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") and s.get("if") == "always()" for s in steps)
    return [s["run"] for s in steps if "run" in s and s.get("name") != "Install the grader"]


def _gitlab_commands(repo: Path) -> list[str]:
    job = yaml.safe_load((repo / ".gitlab-ci.yml").read_text())["grade"]
    assert job["artifacts"]["reports"]["junit"] == "grader-junit.xml" and job["artifacts"]["when"] == "always"
    assert ".datasets/" in job["cache"]["paths"]
    return list(job["script"]) + list(job["after_script"])


def _run_like_ci(repo: Path, commands: list[str], summary: Path) -> int:
    """Each command in bash in the repository, as the runner would: the first failure stops."""
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(summary.with_suffix(".output")),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in commands:
        done = subprocess.run(["bash", "-e", "-c", command], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=1800)
        if done.returncode != 0:
            return done.returncode
    return 0


@pytest.mark.slow
def test_the_scaffolded_repository_passes_its_ci_with_the_reference_and_fails_with_the_starter(tmp_path: Path) -> None:
    repo = _init(tmp_path, "--min-score", "7")
    commands = _github_commands(repo)
    # the starter notebook as handed out: the run fails and the summary says what is missing
    summary = tmp_path / "summary-starter.md"
    assert _run_like_ci(repo, commands, summary) == 1
    text = summary.read_text()
    assert "(mínimo 7: incorrecto)" in text and "sin datos" in text
    assert "todavía vale None: completa la celda" in text  # what is missing, and what to do
    junit = (repo / "grader-junit.xml").read_text()
    assert "<failure" in junit
    # the reference in its place: the run passes
    (repo / "mnist_dropout.ipynb").write_bytes((ROOT / "reference" / "mnist_dropout.ipynb").read_bytes())
    summary = tmp_path / "summary-reference.md"
    assert _run_like_ci(repo, commands, summary) == 0
    assert "(mínimo 7: correcto)" in summary.read_text()
    import base64

    (line,) = summary.with_suffix(".output").read_text().splitlines()
    payload = json.loads(base64.b64decode(line.removeprefix("result=")))
    assert payload["status"] == "pass" and sum(t["score"] for t in payload["tests"]) >= 7
    # GitLab's script, the same way (reference in place)
    assert _run_like_ci(repo, _gitlab_commands(repo), tmp_path / "unused.md") == 0
    assert "(mínimo 7: correcto)" in (repo / "grader-summary.md").read_text()


def test_the_notebook_is_found_from_jupyter_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = tmp_path / "tarea.ipynb"
    nb.write_text("{}")
    monkeypatch.setenv("JPY_SESSION_NAME", str(nb))
    assert selfcheck.find_notebook() == nb
    monkeypatch.delenv("JPY_SESSION_NAME")
    monkeypatch.chdir(tmp_path)
    found = selfcheck.find_notebook()
    assert found is not None and found.resolve() == nb.resolve()  # the only notebook in the folder
    (tmp_path / "otro.ipynb").write_text("{}")
    assert selfcheck.find_notebook() is None  # two of them: the student must name it


def test_in_colab_the_current_notebook_is_asked_of_the_frontend(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Colab keeps no file on disk: ``google.colab._message`` hands over the notebook's content
    (what Colab shows now, metadata included), which is written to a file and graded."""
    import types

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")],
                                        metadata={"dl_grader": {"exercise": "mnist_dropout"}})
    asked = []

    def blocking_request(kind: str, timeout_sec: float = 0) -> dict[str, object]:
        asked.append(kind)
        return {"ipynb": json.loads(nbformat.writes(notebook))}

    colab = types.ModuleType("google.colab")
    colab._message = types.SimpleNamespace(blocking_request=blocking_request)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab._message", colab._message)  # type: ignore[attr-defined]
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    found = selfcheck.find_notebook()
    assert asked == ["get_ipynb"] and found is not None
    saved = nbformat.read(found, as_version=4)
    assert saved.metadata["dl_grader"]["exercise"] == "mnist_dropout" and saved.cells[0].source == "x = 1"
    # outside Colab (no google.colab module) the frontend is not asked
    monkeypatch.delitem(sys.modules, "google.colab")
    assert selfcheck.find_notebook() is None and asked == ["get_ipynb"]


SELF_CHECK = """from grader import check
r = check({path!r}, exercise='cnn_params', quick=False)
import json
print('VERDICT', json.dumps([(c['id'], c['status'], c['points']) for c in r['checks']]))"""


@pytest.mark.slow
@pytest.mark.parametrize("name", ["wrong_param_answer", "reference"])
def test_the_in_notebook_check_gives_the_same_verdicts_as_grade(tmp_path: Path, name: str) -> None:
    from nbclient import NotebookClient

    student = FIXTURES / "cnn_params" / "wrong_param_answer.ipynb" if name != "reference" else ROOT / "reference" / "cnn_params.ipynb"
    host = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SELF_CHECK.format(path=str(student)))])
    NotebookClient(host, timeout=900, kernel_name="python3").execute()
    outputs = "".join(o.get("text", "") for o in host.cells[0].outputs if o.get("output_type") == "stream")
    shown = [o for o in host.cells[0].outputs if o.get("output_type") == "display_data"]
    assert shown and "text/html" in shown[0]["data"]  # the table the student sees
    verdict = json.loads(outputs.split("VERDICT ", 1)[1])
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "grader", "grade", "cnn_params", str(student), "--out", str(out), "--quiet"],
                   check=True, cwd=ROOT, capture_output=True)
    report = json.loads(next(out.glob("*/report.json")).read_text())
    assert verdict == [[c["id"], c["status"], c["points"]] for c in report["checks"] if c["public"]]


@pytest.mark.slow
def test_a_notebook_with_a_check_cell_is_graded_without_recursion(tmp_path: Path) -> None:
    nb = nbformat.read(ROOT / "reference" / "cnn_params.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("from grader import check\ncheck()"))
    path = tmp_path / "con_check.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "grader", "grade", "cnn_params", str(path), "--out", str(out), "--quiet"],
                   check=True, cwd=ROOT, capture_output=True, timeout=600)
    report = json.loads((out / "con_check" / "report.json").read_text())
    assert report["score"] == 10
    assert any(a["kind"] == "selfcheck_skipped" for a in report["execution"]["adaptations"])
