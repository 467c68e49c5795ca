"""The stages that grade one submission, one module each, in order:

``spec`` (read and validate) → ``intake`` (a notebook or a reason) → ``provision`` (a private
work folder with the course data) → ``execute`` (a real kernel: ``cells``, ``output``, ``warm``)
→ ``export`` (the artifacts the kernel wrote, sealed and read as hostile data) → ``check`` (a
clean process runs ``grader.checks``) → ``score`` (the rubric; ``reveal``) → ``report``.
``grade`` runs them for one submission; ``library`` finds the exercises.
"""

from grader.model.options import GradeOptions
from grader.pipeline.grade import grade_one, prepare
from grader.pipeline.plan import kernel_limits, run_options

__all__ = ["GradeOptions", "grade_one", "kernel_limits", "prepare", "run_options"]
