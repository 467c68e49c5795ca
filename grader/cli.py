"""The ``grader`` command. Heavy libraries (nbclient, NumPy, Keras) load only inside the
commands that need them, so ``grader --help`` and ``grader list`` start instantly.

Exit codes: 0 every check passed (``check``) / the command succeeded; 1 some check failed;
2 the notebook could not be graded; 3 bad usage, spec or rubric.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from grader.errors import ExerciseNotFound, GraderError

EXIT_OK, EXIT_FAILED, EXIT_NOT_GRADED, EXIT_USAGE = 0, 1, 2, 3
NOT_GRADED = ("invalid_notebook", "kernel_failed")


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _load(spec_arg: str, rubric: str | None = None) -> tuple[Any, Any]:
    from grader import library
    from grader.spec import load_rubric, load_spec

    path = library.spec_path(spec_arg)
    spec = load_spec(path)
    rubric_file = Path(rubric) if rubric else library.rubric_path(path, spec.id)
    return spec, load_rubric(rubric_file, spec)


def _slug(path: Path, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem) or "submission"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}-{i}", i + 1
    taken.add(name)
    return name


common = [
    click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True,
                 help="Language of the feedback."),
    click.option("--device", type=click.Choice(["cpu", "gpu", "auto"]), default="cpu", show_default=True,
                 help="Where the student's code runs."),
    click.option("--seed", type=int, default=0, show_default=True, help="Seed for Python, NumPy and Keras."),
    click.option("--cell-timeout", type=float, default=None,
                 help="Seconds a cell may run (overrides the spec's budget)."),
    click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                 help="Folder with the course datasets (else $DLGRADER_DATA_DIR, the Keras cache)."),
]


def with_common(fn: Any) -> Any:
    for option in reversed(common):
        fn = option(fn)
    return fn


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group)
@click.version_option(package_name="dl-grader")
def cli() -> None:
    """Grade Keras notebooks honestly: run them hermetically, check what they produced."""


@cli.command()
@click.argument("spec")
@click.argument("notebooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("grader-reports"),
              show_default=True, help="Folder for the reports (one sub-folder per notebook).")
@click.option("--rubric", type=click.Path(dir_okay=False), default=None, help="Rubric file (default: the library's).")
@with_common
def grade(spec: str, notebooks: tuple[Path, ...], out: Path, rubric: str | None, lang: str, device: str,
          seed: int, cell_timeout: float | None, data_dir: Path | None) -> None:
    """Instructor: grade NOTEBOOKS against SPEC (a spec file or an exercise id)."""
    from grader.pipeline import GradeOptions, grade_one
    from grader.report import print_summary

    exercise, rub = _load(spec, rubric)
    console = _console()
    taken: set[str] = set()
    summary = []
    for nb in notebooks:
        target = out / _slug(nb, taken)
        opts = GradeOptions(lang=lang, device=device, seed=seed, data_dir=data_dir, out_dir=target,
                            cell_timeout=cell_timeout)
        rep = grade_one(exercise, rub, nb, opts)
        print_summary(rep, console)
        summary.append({"notebook": str(nb), "report": str(target / "report.json"), "score": rep["score"],
                        "max_score": rep["max_score"], "execution": rep["execution"]["status"]})
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    console.print(f"{len(summary)} report(s) in {out}/")


@cli.command()
@click.argument("notebook", type=click.Path(path_type=Path))
@click.option("--exercise", default=None, help="Exercise id (default: read from the notebook's metadata).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of a table.")
@with_common
def check(notebook: Path, exercise: str | None, as_json: bool, lang: str, device: str, seed: int,
          cell_timeout: float | None, data_dir: Path | None) -> None:
    """Student: check NOTEBOOK before handing it in (exit 0 only when every check passes)."""
    from grader.pipeline import GradeOptions, grade_one
    from grader.report import print_summary

    if exercise is None:
        exercise = _exercise_of(notebook)
    spec, rub = _load(exercise)
    rep = grade_one(spec, rub, notebook, GradeOptions(lang=lang, device=device, seed=seed, data_dir=data_dir,
                                                      cell_timeout=cell_timeout))
    public = [c for c in rep["checks"] if c["public"]]
    if as_json:
        click.echo(json.dumps({k: v for k, v in rep.items() if k != "instructor"}, indent=2, ensure_ascii=False, default=str))
    else:
        print_summary(rep, _console(), public_only=True)
    if rep["execution"]["status"] in NOT_GRADED:
        sys.exit(EXIT_NOT_GRADED)
    sys.exit(EXIT_OK if all(c["status"] == "pass" for c in public) else EXIT_FAILED)


def _exercise_of(notebook: Path) -> str:
    try:
        meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
        exercise = meta.get("dl_grader", {}).get("exercise")
    except (OSError, ValueError, AttributeError):
        exercise = None
    if not exercise:
        raise ExerciseNotFound.not_in_notebook(notebook)
    return str(exercise)


@cli.command()
@click.argument("spec")
@click.option("--rubric", type=click.Path(dir_okay=False), default=None)
def validate(spec: str, rubric: str | None) -> None:
    """Lint SPEC and its rubric: schema, check kinds, notebooks it names."""
    from grader.execute import read_notebook

    exercise, rub = _load(spec, rubric)
    problems = []
    for label, rel in (("statement", exercise.statement), ("statement_en", exercise.statement_en),
                       ("reference", exercise.reference)):
        if rel is None:
            continue
        nb, why = read_notebook(exercise.resolve(rel))
        if nb is None:
            problems.append(f"{exercise.path}: field '{label}': {exercise.resolve(rel)}: {why}")
    if problems:
        for p in problems:
            click.echo(f"error: {p}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"ok: {exercise.id} — {len(exercise.checks)} checks, {rub.max_points:g} points")


@cli.command(name="list")
def list_() -> None:
    """List the exercises of the library."""
    from rich.table import Table

    from grader import library

    table = Table(title=f"Exercises in {library.library_root()}")
    for col in ("id", "title", "checks", "points"):
        table.add_column(col)
    for ex_id in library.exercise_ids():
        try:
            spec, rub = _load(ex_id)
            table.add_row(ex_id, spec.title.es, str(len(spec.checks)), f"{rub.max_points:g}")
        except GraderError as exc:
            table.add_row(ex_id, f"[red]invalid: {exc}[/]", "-", "-")
    _console().print(table)


def main(argv: list[str] | None = None) -> int:
    try:
        rv = cli.main(args=argv, standalone_mode=False)
        if isinstance(rv, int):  # click returns ctx.exit()'s code in this mode
            return rv
    except click.exceptions.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        return EXIT_USAGE
    except SystemExit as exc:
        return int(exc.code or 0)
    return EXIT_OK
