"""What a person watches in the terminal while a class is graded: a live bar with ETA on
stderr and one line per finished submission (the table of one report is in
``grader.pipeline.report.print_summary``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.messages import fmt, render
from grader.views.safetext import visible


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(highlight=False, stderr=stderr)


def _num(x: Any) -> str:
    return fmt(float(x)) if x is not None else "-"


class Progress:
    """A live bar with ETA, and a line per finished submission: ✔ full marks, • graded,
    = taken from the store."""

    def __init__(self, out: Any, total: int, quiet: bool, lang: str = "es",
                 table: Callable[[dict[str, Any]], None] | None = None) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self.quiet, self.lang, self.table = quiet, lang, table
        self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                       console=out, disable=quiet, transient=False)
        self.task = self.bar.add_task(render("cli.grading", lang=lang), total=total, completed=0)

    def __enter__(self) -> Progress:
        self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.stop()

    def advance(self, line: dict[str, Any], report: dict[str, Any]) -> None:
        if not self.quiet:
            if self.table is not None and report.get("checks"):
                self.table(report)
            mark = "=" if line["cached"] else ("✔" if report.get("score") == report.get("max_score") else "•")
            score = f"{_num(line['score'])}/{_num(line['max_score'])}"
            kept = f"  ({render('cli.from_store', lang=self.lang)})" if line["cached"] else ""
            self.bar.console.print(f"{mark} {visible(str(line['student'])):<32} {score:>9}  {line['execution']:<16} "
                                   f"{line['seconds']:>6.1f} s{kept}", markup=False, highlight=False)
        self.bar.advance(self.task)
