"""dl-grader: honest, hermetic grading of Keras notebooks for deep-learning courses.

In a student's notebook: ``from grader import check; check()`` grades the saved notebook with
the public checks, in a separate process and sandbox, and shows the table (``grader.selfcheck``).
"""

from typing import Any

__version__ = "0.1.0"


def check(notebook: Any = None, **options: Any) -> Any:
    """Check this notebook with the exercise's public checks (see ``grader.selfcheck.check``)."""
    from grader.selfcheck import check as run

    return run(notebook, **options)
