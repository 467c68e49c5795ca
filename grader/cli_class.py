"""The instructor's commands around a graded class besides ``grade`` and ``rescore``: the review
page, the LMS exports and feedback, the Gradescope autograder. They register on ``grader.cli.cli``."""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli import cli


@cli.command()
@click.argument("exercise")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--rubric", type=click.Path(dir_okay=False), default=None, help="Rubric file (default: the library's).")
@click.option("--install", default=None,
              help="What setup.sh pip-installs (a pinned git URL or a wheel's URL, with [tf]); default: a wheel of "
                   "this checkout, bundled in the zip.")
@click.option("--data", "data", type=click.Choice(["bundle", "fetch"]), default="bundle", show_default=True,
              help="Put the exercise's datasets in the zip, or fetch them (verified) when Gradescope builds the image.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the datasets are here (default: $DLGRADER_DATA_DIR).")
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True)
@click.option("--profile", default=None, help="Grading profile (default: full).")
def gradescope(exercise: str, dest: Path, rubric: str | None, install: str | None, data: str,
               data_dir: Path | None, lang: str, profile: str | None) -> None:
    """Instructor: DEST/autograder.zip, a Gradescope autograder for EXERCISE (setup.sh,
    run_autograder, spec, rubric, datasets): upload it as the assignment's autograder."""
    from grader.authoring.gradescope import build

    click.echo(str(build(exercise, dest, rubric=rubric, install=install, data=data, lang=lang, profile=profile,
                         data_dir=data_dir)))


@cli.command()
@click.argument("out", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--port", type=int, default=8765, show_default=True, help="Port on 127.0.0.1 (0: any free one).")
@click.option("--who", default="", help="Your name, kept with every override you save.")
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True)
@click.option("--rubric", type=click.Path(dir_okay=False), default=None,
              help="Rubric file (default: the one the class was graded with, OUT/rubric.yaml).")
@click.option("--spec", "spec", default=None, help="Spec file or exercise id (default: the one the reports name).")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite results store (default: OUT/results.sqlite).")
def review(out: Path, port: int, who: str, lang: str, rubric: str | None, spec: str | None,
           store_path: Path | None) -> None:
    """Instructor: a local web page with what needs a person (text answers, notebooks that did
    not finish, submissions without a notebook): points and a comment per check, kept with who,
    when and why; the class is rescored at once, without running a notebook."""
    from grader.classroom.review import Review, make_server
    from grader.messages import render

    server = make_server(Review(out, lang, who, spec, rubric, store_path), port=port)
    click.echo(render("cli.review_at", {"url": f"http://127.0.0.1:{server.server_address[1]}/"}, lang))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command(name="export")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--to", "targets", multiple=True, required=True,
              help="canvas, moodle-worksheet, moodle-gradebook, gradescope, csv (grades), moodle-feedback or feedback "
                   "(the students' reports) — repeat it, or a comma list.")
@click.option("--assignment", default=None,
              help="Name of the grade column: the assignment / grade item in the LMS (default: the exercise's title).")
@click.option("--canvas-assignment-id", "canvas_id", default=None, metavar="N",
              help="Canvas's id of the assignment (…/assignments/N), so the import updates it instead of adding one.")
@click.option("--worksheet", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The grading worksheet downloaded from the Moodle assignment: its Grade column is filled.")
@click.option("--excel-es", "excel_es", is_flag=True, help="Excel in a Spanish locale: ';', decimal comma, UTF-8 BOM.")
@click.option("--out-file", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write (one target only; default: OUT/<target's file>).")
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True,
              help="Language of the LMS (Moodle's worksheet columns) and of the messages.")
def export_(out: Path, targets: tuple[str, ...], assignment: str | None, canvas_id: str | None,
            worksheet: Path | None, excel_es: bool, out_file: Path | None, lang: str) -> None:
    """Instructor: the grades of OUT (a `grader grade` folder) as files Canvas, Moodle and
    Gradescope import as they are (see docs/lms.md)."""
    from grader.classroom import lms
    from grader.messages import render
    from grader.views.safetext import visible

    names = [t.strip() for value in targets for t in value.split(",") if t.strip()]
    opts = lms.Options(lang=lang, assignment=assignment, canvas_assignment_id=canvas_id, excel_es=excel_es,
                          worksheet=worksheet)
    for done in lms.export(out, names, opts, out_file):
        click.echo(render("export.written", {"target": done.target, "path": str(done.path), "n": done.rows}, lang))
        for warning in done.warnings:
            click.echo(f"warning: {visible(warning)}", err=True)
