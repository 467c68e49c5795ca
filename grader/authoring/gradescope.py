"""A Gradescope autograder for an exercise (``grader gradescope EXERCISE DIR``).

Gradescope runs ``/autograder/source/setup.sh`` once when the image is built and
``/autograder/run_autograder`` for every submission, with the student's files in
``/autograder/submission`` and the results expected in ``/autograder/results/results.json``
(Gradescope's "autograder specifications"). The zip holds:

* ``setup.sh``: installs dl-grader (the wheel built from this checkout and bundled, or what
  ``--install`` names: a pinned git URL, a published wheel) and bubblewrap, failing loudly;
* ``run_autograder``: grades the submission with ``grader grade`` (the same pipeline, sandbox
  and limits as a class: a PDF or an empty submission is a graded outcome too), then writes
  ``results.json`` with this module;
* ``exercise/``: the spec, its statement and the rubric in force; ``data/``: the course datasets
  the exercise reads (hidden labels included: they stay on the autograder's side of the sandbox),
  or nothing with ``--data fetch`` (``grader data fetch`` at setup time, checksums verified).

``results.json``: the score, ``execution_time``, every check as a test with its visibility (a
check the spec hides is ``after_published``), the report's message as ``output`` (Markdown), and
a ``leaderboard`` with the metrics measured on labels students never have.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from grader.authoring.wheel import build_wheel
from grader.model.errors import UsageError

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q python3 python3-venv python3-pip bubblewrap
python3 -m venv /opt/dl-grader
/opt/dl-grader/bin/pip install -q --upgrade pip
/opt/dl-grader/bin/pip install -q {install}
{fetch}/opt/dl-grader/bin/grader --version
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; AUTOGRADER_ROOT stands for /autograder in tests.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
GRADER="${{DLGRADER_BIN:-/opt/dl-grader/bin}}"
export DLGRADER_DATA_DIR="${{DLGRADER_DATA_DIR:-$SOURCE/data}}"
mkdir -p "$ROOT/results"
# a competition's daily limit (the rubric): over it, the previous result stays and nothing runs
if "$GRADER/python" -m grader.classroom.autograder limit "$SOURCE/exercise/rubric.yaml" \
    "$ROOT/submission_metadata.json" "$ROOT/results/results.json"; then
  exit 0
fi
started=$(date +%s.%N)
"$GRADER/grader" grade "$SOURCE/exercise/spec.yaml" "$ROOT/submission" --rubric "$SOURCE/exercise/rubric.yaml" \\
  --out "$ROOT/work" --workers 1 --no-warm --quiet --lang {lang}{profile} > "$ROOT/work.log" 2>&1
"$GRADER/python" -m grader.classroom.autograder "$ROOT/work" "$ROOT/results/results.json" "$started" "$ROOT/work.log"
"""


def build(exercise_arg: str, dest: Path, *, rubric: str | None = None, install: str | None = None,
          data: str = "bundle", lang: str = "es", profile: str | None = None, data_dir: Path | None = None) -> Path:
    """The autograder zip for ``exercise_arg`` at ``dest`` (a folder: ``dest/autograder.zip``)."""
    from grader.data import datasets
    from grader.pipeline import library

    exercise, _, rubric_file = library.load(exercise_arg, rubric)
    spec_dir = Path(str(exercise.path)).parent
    with tempfile.TemporaryDirectory(prefix="dlg-autograder-") as tmp:
        root = Path(tmp)
        (root / "exercise").mkdir()
        shutil.copyfile(Path(str(exercise.path)), root / "exercise" / "spec.yaml")
        shutil.copyfile(rubric_file, root / "exercise" / "rubric.yaml")
        for name in ("statement.ipynb", "statement.en.ipynb"):
            if (spec_dir / name).is_file():
                shutil.copyfile(spec_dir / name, root / "exercise" / name)
        if install is None:
            wheel = build_wheel(root / "wheels")
            install = f'"./wheels/{wheel.name}[tf]"'
        fetch = ""
        if data == "bundle":
            for name in exercise.data:
                found = datasets.locate(name, data_dir)
                target = root / "data" / found.layout.folder
                target.mkdir(parents=True, exist_ok=True)
                for path in found.paths.values():
                    if path.is_file():
                        shutil.copyfile(path, target / path.name)
        elif data == "fetch" and exercise.data:
            fetch = "".join(f'/opt/dl-grader/bin/grader data fetch {n} --dest "$(pwd)/data"\n' for n in exercise.data)
        elif data not in ("fetch", "bundle"):
            raise UsageError(f"--data {data}: use bundle (the files go in the zip) or fetch (downloaded at setup)")
        (root / "setup.sh").write_text(SETUP.format(install=install, fetch=fetch), encoding="utf-8")
        (root / "run_autograder").write_text(RUN.format(lang=lang, profile=f" --profile {profile}" if profile else ""),
                                             encoding="utf-8")
        dest.mkdir(parents=True, exist_ok=True)
        target_zip = dest / "autograder.zip"
        with zipfile.ZipFile(target_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo.from_file(path, str(path.relative_to(root)))
                    if path.name in ("setup.sh", "run_autograder"):
                        info.external_attr = 0o100755 << 16
                    zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return target_zip


