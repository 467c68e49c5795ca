"""Stage 2 — provision: a fresh, private working directory for one submission.

The student's notebook runs with ``work/`` as its working directory. It holds copies of the
dataset files a student may read, under every name students use for them (``Sonar.csv``,
``sonar.all-data``, ``titanic/train.csv`` …), and the files derived from them in the formats
students download (``iris.csv``, ``titanic.zip`` …). Grader-only files (hidden test labels) are
never copied. Image datasets are not copied: the kernel reads them when the notebook calls
``keras.datasets.*.load_data()`` (see ``grader.kernel.datasets``). ``artifacts/`` is a sibling the
notebook is not pointed at.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.data import datasets
from grader.model.spec import ExerciseSpec


@dataclass
class Workspace:
    root: Path
    workdir: Path
    artifacts: Path
    # what the kernel needs to know about the provisioned data (see grader.kernel.setup)
    kernel_data: dict[str, Any] = field(default_factory=dict)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def locate_all(spec: ExerciseSpec, data_dir: Path | None,
               fetch: Callable[[str, datasets.DatasetMissing], datasets.Located] | None = None,
               ) -> list[datasets.Located]:
    """Every dataset the exercise declares, or ``DatasetMissing`` for the first that is not here
    (and that ``fetch``, when given, could not download either).

    Called before a batch starts, so a missing dataset stops nothing half-way.
    """
    found = []
    for name in spec.data:
        try:
            found.append(datasets.locate(name, data_dir))
        except datasets.DatasetMissing as missing:
            if fetch is None:
                raise
            found.append(fetch(name, missing))
    return found


def provision(spec: ExerciseSpec, data_dir: Path | None = None) -> Workspace:
    found = locate_all(spec, data_dir)
    root = Path(tempfile.mkdtemp(prefix=f"dlg-sub-{os.getpid()}-"))
    workdir = root / "work"
    artifacts = root / "artifacts"
    workdir.mkdir()
    artifacts.mkdir()
    student_files: list[str] = []
    keras_sets: dict[str, Any] = {}
    known_urls: dict[str, str] = {}
    for located in found:
        copies = datasets.student_files(located)
        for name, source in copies.items():
            target = workdir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            student_files.append(name)
        for name, content in datasets.derived_files(located).items():  # iris.csv, titanic.zip …
            (workdir / name).write_bytes(content)
            student_files.append(name)
        for url, (ds_name, file_name) in datasets.KNOWN_URLS.items():
            if ds_name == located.dataset.name:
                known_urls[url] = located.dataset.student_names.get(file_name, (file_name,))[0]
        source_info = datasets.kernel_source(located)
        if source_info is not None:
            keras_sets[source_info["module"]] = source_info
    kernel_data = {
        "workdir": str(workdir),
        "student_files": {name: True for name in student_files},
        "datasets": keras_sets,
        "known_urls": known_urls,
    }
    return Workspace(root=root, workdir=workdir, artifacts=artifacts, kernel_data=kernel_data)
