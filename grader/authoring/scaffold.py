"""``grader init``: an assignment repository for students, ready for GitHub Classroom or GitLab.

It holds the statement notebook, a README telling the student what to do and how to check
their work, and CI workflows (GitHub Actions, GitLab CI) that fetch the datasets (cached),
grade the notebook on every push with the public checks, publish JUnit results and a Markdown
summary, and pass or fail by the instructor's threshold. Nothing secret goes in: no spec, no
rubric, no hidden labels — the grader package brings the public checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment

from grader.model.errors import UsageError
from grader.model.spec import ExerciseSpec

DATA_DIR = "~/.cache/dl-grader/datasets"  # the grader expands ~ and $VARS itself

GITHUB = """\
# dl-grader: grades {{ notebook }} on every push with the public checks of '{{ exercise }}'.
# The job is named "Autograding Tests": GitHub Classroom's reporter finds its check run by that name.
name: dl-grader
on:
  push:
  pull_request:
  workflow_dispatch:
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  grade:
    name: Autograding Tests
    runs-on: ubuntu-latest
    timeout-minutes: 60
    env:
      DLGRADER_DATA_DIR: {{ data_dir }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
          cache-dependency-path: .grader/requirements.txt
      - name: Install the grader
        run: |
          sudo apt-get update -q
          sudo apt-get install -y -q bubblewrap
          python -m pip install -q -r .grader/requirements.txt
      - name: Datasets (cached between runs)
        uses: actions/cache@v4
        with:
          path: ~/.cache/dl-grader/datasets
          key: dl-grader-data-{{ datasets_key }}
      - name: Fetch the datasets
        run: |
{%- for d in datasets %}
          grader data verify {{ d }} || grader data fetch {{ d }}
{%- else %}
          echo "this exercise needs no dataset"
{%- endfor %}
      - name: Grade
        id: grade
        run: grader check {{ notebook }} --exercise {{ exercise }}{% if profile %} --profile {{ profile }}{% endif %} --lang {{ lang }} --junit grader-junit.xml --summary "$GITHUB_STEP_SUMMARY" --classroom-output "$GITHUB_OUTPUT"{% if min_score is not none %} --min-score {{ min_score }}{% endif %}
      - name: Checks in the pull request and commit (JUnit)
        if: always()
        uses: mikepenz/action-junit-report@v4
        with:
          report_paths: grader-junit.xml
          check_name: dl-grader checks
          include_passed: true
      - name: Points in GitHub Classroom
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADE_RESULTS: "${{ '{{' }} steps.grade.outputs.result {{ '}}' }}"
        with:
          runners: grade
      - name: Test report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: grader-junit
          path: grader-junit.xml
"""

GITLAB = """\
# dl-grader: grades {{ notebook }} on every push with the public checks of '{{ exercise }}'.
grade:
  image: python:3.11
  timeout: 1h
  variables:
    DLGRADER_DATA_DIR: "$CI_PROJECT_DIR/.datasets"
    PIP_CACHE_DIR: "$CI_PROJECT_DIR/.pip-cache"
  cache:
    key: dl-grader-data-{{ datasets_key }}
    paths:
      - .datasets/
      - .pip-cache/
  before_script:
    - apt-get update -q
    - apt-get install -y -q bubblewrap
    - python -m pip install -q -r .grader/requirements.txt
  script:
{%- for d in datasets %}
    - grader data verify {{ d }} || grader data fetch {{ d }}
{%- endfor %}
    - grader check {{ notebook }} --exercise {{ exercise }}{% if profile %} --profile {{ profile }}{% endif %} --lang {{ lang }} --junit grader-junit.xml --summary grader-summary.md{% if min_score is not none %} --min-score {{ min_score }}{% endif %}
  after_script:
    - cat grader-summary.md || true
  artifacts:
    when: always
    paths:
      - grader-summary.md
    reports:
      junit: grader-junit.xml
"""

README = {
    "es": """\
# {{ title }}

Tu tarea está en **`{{ notebook }}`**. Ábrelo en Jupyter, JupyterLab o Colab, completa las
celdas marcadas y guárdalo en este repositorio.

## Cómo saber dónde estás

Cada vez que haces `git push`, el repositorio califica tu notebook con las comprobaciones
públicas del ejercicio: mira la pestaña *Actions* (GitHub) o *CI/CD → Pipelines* (GitLab). El
resumen muestra cada comprobación con lo encontrado, cómo arreglarlo y lo esperado, salvo cuando lo
esperado es la respuesta misma.
{%- if min_score is not none %} La ejecución pasa cuando llegas a {{ min_score }} puntos.{% endif %}

También puedes comprobarlo **dentro del notebook**, antes de entregar. Instala el grader una
vez (en Colab, en una celda):

```
!pip install "{{ student_install }}"
```

({{ install_note_es }}) y agrega al final del notebook una celda con:

```python
from grader import check
check()
```

Guarda el notebook antes de ejecutarla (en Jupyter se califica la versión guardada). Se usa
el mismo motor que para la nota final, así que engañar a esta comprobación no sirve de nada.

Desde una terminal: `grader check {{ notebook }}`{% if profile %} (añade `--profile {{ profile }}` para ir más rápido){% endif %}.

## Datos
{% if datasets %}
El ejercicio usa {{ datasets|join(", ") }}. El grader los descarga una vez con
`{% for d in datasets %}grader data fetch {{ d }}{% if not loop.last %}; {% endif %}{% endfor %}`; en tu notebook, léelos como
indica el enunciado (por ejemplo `keras.datasets.mnist.load_data()`).
{% else %}
Este ejercicio no necesita datos.
{% endif %}
""",
    "en": """\
# {{ title }}

Your assignment is **`{{ notebook }}`**. Open it in Jupyter, JupyterLab or Colab, fill in the
marked cells and save it in this repository.

## How to know where you stand

Every `git push` grades your notebook with the exercise's public checks: see the *Actions* tab
(GitHub) or *CI/CD → Pipelines* (GitLab). The summary shows each check with what was found, how to
fix it and what was expected, unless that is the answer itself.
{%- if min_score is not none %} The run passes when you reach {{ min_score }} points.{% endif %}

You can also check **inside the notebook** before handing it in. Install the grader once (in
Colab, in a cell):

```
!pip install "{{ student_install }}"
```

({{ install_note_en }}) and add a last cell with:

```python
from grader import check
check()
```

Save the notebook before running it (Jupyter grades the saved version). It is the same engine
as the final grade, so fooling this check gains nothing.

From a terminal: `grader check {{ notebook }}`{% if profile %} (add `--profile {{ profile }}` to go faster){% endif %}.

## Data
{% if datasets %}
The exercise uses {{ datasets|join(", ") }}. The grader downloads them once with
`{% for d in datasets %}grader data fetch {{ d }}{% if not loop.last %}; {% endif %}{% endfor %}`; in your notebook, read them as
the statement says (for example `keras.datasets.mnist.load_data()`).
{% else %}
This exercise needs no data.
{% endif %}
""",
}

GITIGNORE = ".ipynb_checkpoints/\ngrader-reports/\ngrader-junit.xml\ngrader-summary.md\n.datasets/\n.pip-cache/\n"


@dataclass
class Options:
    lang: str = "es"
    ci: tuple[str, ...] = ("github", "gitlab")
    min_score: float | None = None
    profile: str | None = "ci"
    # what CI pip-installs: a pinned git URL or a wheel's URL; None: a wheel of this checkout,
    # committed in the repository under .grader/ (dl-grader is not on the package index)
    install: str | None = None


def scaffold(spec: ExerciseSpec, target: Path, opts: Options) -> list[Path]:
    """Write the repository into ``target`` (new or empty); return the files written."""
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"{target} is not empty; choose a new folder")
    statement = spec.statement_en if opts.lang == "en" and spec.statement_en else spec.statement
    if statement is None:
        raise UsageError(f"exercise '{spec.id}' has no statement notebook")
    profile = opts.profile if opts.profile in spec.profiles else None
    notebook = f"{spec.id}.ipynb"
    install = opts.install
    wheel: Path | None = None
    if install is None:
        from grader.authoring.wheel import build_wheel

        target.mkdir(parents=True, exist_ok=True)
        wheel = build_wheel(target / ".grader")
        install = f"./.grader/{wheel.name}[tf]"
    values = {"exercise": spec.id, "notebook": notebook, "title": spec.title.get(opts.lang) or spec.id,
              "datasets": list(spec.data), "datasets_key": "-".join(spec.data) or "none", "lang": opts.lang,
              "min_score": opts.min_score, "profile": profile, "install": install, "data_dir": DATA_DIR,
              "student_install": install,
              "install_note_es": ("el grader viene en este repositorio, en `.grader/`: ejecuta la instalación desde "
                                  "una copia clonada, o en Colab después de `!git clone` del repositorio y `%cd`")
              if wheel else f"el grader se instala desde `{install}`",
              "install_note_en": ("the grader ships in this repository, under `.grader/`: install from a clone, or in "
                                  "Colab after `!git clone` of the repository and `%cd`")
              if wheel else f"the grader is installed from `{install}`"}
    env = Environment(keep_trailing_newline=True)
    files = {
        notebook: _statement(spec.resolve(statement), spec.id),
        "README.md": env.from_string(README[opts.lang]).render(**values),
        ".gitignore": GITIGNORE,
        ".grader/requirements.txt": f"# what CI installs the grader from (grader init --install)\n{install}\n",
    }
    if "github" in opts.ci:
        files[".github/workflows/grader.yml"] = env.from_string(GITHUB).render(**values)
    if "gitlab" in opts.ci:
        files[".gitlab-ci.yml"] = env.from_string(GITLAB).render(**values)
    written = []
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _statement(path: Path, exercise: str) -> str:
    """The statement notebook, its metadata naming the exercise (``grader check`` reads it)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {}).setdefault("dl_grader", {})["exercise"] = exercise
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def classroom_result(view: dict[str, Any], min_score: float | None = None) -> str:
    """GitHub Classroom's autograding result for one notebook: base64 of the JSON that
    classroom-resources/autograding-grading-reporter reads from ``<RUNNER>_RESULTS`` (version 1,
    status, max_score, and each public check as a test with its points and message)."""
    import base64

    tests = [{"name": c["id"], "status": "pass" if c["status"] == "pass" else "fail", "score": c["points"],
              "message": c.get("message", ""), "test_code": "", "filename": "", "line_no": 0,
              "execution_time": ""} for c in view.get("checks", [])]
    passed = (view.get("public_score", 0) >= min_score) if min_score is not None else \
        all(t["status"] == "pass" for t in tests)
    graded = view.get("execution", {}).get("status") not in ("invalid_notebook", "kernel_failed")
    payload = {"version": 1, "status": ("pass" if passed else "fail") if graded else "error",
               "max_score": view.get("public_max_score", 0), "tests": tests}
    return base64.b64encode(json.dumps(payload, ensure_ascii=False).encode("utf-8")).decode("ascii")
