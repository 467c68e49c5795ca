"""Exceptions of the grader: one class per way of failing, each built by a named constructor.

Only configuration problems (a bad spec, a missing file, bad command-line usage) are raised.
What a student's notebook does wrong is never an exception: it becomes an outcome value
(see ``grader.model.outcomes``) and then a graded check result.
"""

from __future__ import annotations

from pathlib import Path

SPEC_FIELD_TEMPLATE = "{file}: field '{field}': {problem}"
SPEC_FILE_TEMPLATE = "{file}: {problem}"
UNKNOWN_EXERCISE_TEMPLATE = (
    "unknown exercise '{exercise}'. Known exercises: {known}. "
    "Run `grader list` to see them, or pass a spec file path instead."
)
NO_EXERCISE_IN_NOTEBOOK_TEMPLATE = (
    "{notebook}: cannot tell which exercise this notebook belongs to (its metadata has no "
    "'dl_grader.exercise'). Pass it explicitly: `grader check {notebook} --exercise ID`."
)


class GraderError(Exception):
    """Base class: an error the user can fix, with a message that says how."""

    exit_code = 3


class SpecError(GraderError, ValueError):
    """An exercise spec or rubric is invalid."""

    @classmethod
    def field(cls, file: Path | str, field: str, problem: str) -> SpecError:
        return cls(SPEC_FIELD_TEMPLATE.format(file=file, field=field, problem=problem))

    @classmethod
    def file(cls, file: Path | str, problem: str) -> SpecError:
        return cls(SPEC_FILE_TEMPLATE.format(file=file, problem=problem))


class ExerciseNotFound(GraderError, LookupError):
    """An exercise id that the library does not know."""

    @classmethod
    def unknown(cls, exercise: str, known: list[str]) -> ExerciseNotFound:
        return cls(
            UNKNOWN_EXERCISE_TEMPLATE.format(exercise=exercise, known=", ".join(known) or "none")
        )

    @classmethod
    def not_in_notebook(cls, notebook: Path | str) -> ExerciseNotFound:
        return cls(NO_EXERCISE_IN_NOTEBOOK_TEMPLATE.format(notebook=notebook))


class UsageError(GraderError, ValueError):
    """Bad command-line usage."""

    @classmethod
    def bad_option(cls, option: str, value: object, allowed: str) -> UsageError:
        return cls(f"option {option}: got {value!r}; allowed: {allowed}")


class DiskFull(GraderError):
    """The disk of the output folder (or the results store) filled up: the batch stops, what was
    committed to the store stays, and the same command run again grades only what is missing."""

    exit_code = 2

    @classmethod
    def of(cls, folder: Path | str, kept: int, lang: str = "es") -> DiskFull:
        from grader.messages import render

        return cls(render("cli.disk_full", {"folder": str(folder), "kept": kept}, lang))


_SQLITE_FULL = 13  # SQLITE_FULL; SQLITE_IOERR_SHMSIZE (4874) when the WAL index cannot grow


def is_disk_full(exc: BaseException) -> bool:
    """A full disk or an exceeded quota, from the OS (ENOSPC, EDQUOT) or from SQLite."""
    import errno
    import sqlite3

    if isinstance(exc, DiskFull):
        return True
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        return (code is not None and (code & 0xFF == _SQLITE_FULL or code == 4874)) \
            or "database or disk is full" in str(exc)
    return False
