"""Benchmark ``grader rescore``: a class graded once, then scored and reported again in the other
language and with a changed rubric, from the store. Prints the figures and writes them to
docs/benchmarks-rescore.md.

    .venv/bin/python scripts/benchmark_rescore.py [--students 40] [--exercise iris] [--workers 2]

The class is ``--students`` submissions of the exercise: its reference and its fixture notebooks
in turn, each copy with a comment of its own (so each is a submission of its own, graded for
real). The grading draws each figure (confusion matrices, training curves) in both languages;
the rescores find them and draw none.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.classroom.rescore import rescore_class  # noqa: E402
from grader.cli import main  # noqa: E402


def make_class(exercise: str, n: int, folder: Path) -> None:
    sources = [ROOT / "reference" / f"{exercise}.ipynb",
               *sorted((ROOT / "tests" / "fixtures" / exercise).glob("*.ipynb"))]
    folder.mkdir(parents=True)
    for i in range(n):
        nb = nbformat.read(sources[i % len(sources)], as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell(f"Entrega {i + 1}"))  # a submission of its own
        nbformat.write(nb, folder / f"estudiante_{i + 1:02d}.ipynb")


def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--exercise", default="iris")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dlg-bench-rescore-"))
    try:
        students, out = work / "entregas", work / "out"
        make_class(args.exercise, args.students, students)
        t0 = time.monotonic()
        assert main(["grade", args.exercise, str(students), "--out", str(out), "--workers", str(args.workers),
                     "--quiet"]) == 0
        graded = time.monotonic() - t0
        english = rescore_class(out, None, None, "en")
        rubric = yaml.safe_load((ROOT / "rubrics" / f"{args.exercise}.yaml").read_text(encoding="utf-8"))
        first = next(iter(rubric["checks"]))
        rubric["checks"][first]["points"] = rubric["checks"][first]["points"] * 2
        rubric_file = work / "rubric.yaml"
        rubric_file.write_text(yaml.safe_dump(rubric, allow_unicode=True), encoding="utf-8")
        points = rescore_class(out, None, str(rubric_file), "en")
        figures = sum(1 for _ in out.glob("*/figures/*.png"))
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        "# Rescoring a graded class (`grader rescore`)",
        "",
        f"Measured by `scripts/benchmark_rescore.py --students {args.students} --exercise {args.exercise} "
        f"--workers {args.workers}` on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}.",
        "",
        "| step | submissions | seconds | per submission |",
        "|---|---:|---:|---:|",
        f"| grade the class (`grader grade`, {args.workers} workers) | {len(summary)} | {graded:.1f} | "
        f"{graded / max(1, len(summary)):.2f} |",
        f"| rescore in English (`grader rescore OUT --lang en`) | {english.done} | {english.seconds:.2f} | "
        f"{english.seconds / max(1, english.done):.3f} |",
        f"| rescore with one check's points doubled (`--rubric`) | {points.done} | {points.seconds:.2f} | "
        f"{points.seconds / max(1, points.done):.3f} |",
        "",
        f"Every rescore writes each student's report.json, report.md, report.html and results.json and "
        "rewrites the gradebook, JUnit file and dashboard. The figures were drawn in both languages when the "
        f"class was graded ({figures} PNG files in this class): a rescore finds them by content, title and "
        "language (figures/digests.json) and draws none. No notebook runs: the store keeps what execution "
        "and the checks produced apart from the report (docs/architecture.md).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (ROOT / "docs" / "benchmarks-rescore.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main_()
