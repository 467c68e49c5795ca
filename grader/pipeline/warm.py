"""Warm kernels: a batch worker starts its next submission's kernel while the current one runs.

Starting a kernel in its sandbox and importing NumPy, pandas, matplotlib and Keras takes
seconds that are the same for every submission of an exercise. A ``WarmKernel`` does all of it
ahead — a fresh workspace, the kernel, the grader's prelude, the imports — in a thread of its
own, and then waits for the notebook. The notebook starts with the seeds set again
(``grader.kernel.begin``), so a warm kernel grades exactly as a fresh one; nothing of the
imports lands in the student's namespace, and each warm kernel serves one submission only.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from pathlib import Path
from typing import Any

from grader.model.options import GradeOptions
from grader.model.spec import ExerciseSpec
from grader.pipeline import execute, provision
from grader.pipeline.plan import run_options

# what notebooks of the course import first; one that is not installed is skipped
IMPORTS = ("numpy", "pandas", "matplotlib.pyplot", "keras")


def key_of(spec: ExerciseSpec, opts: GradeOptions) -> str:
    """What a warm kernel depends on: the exercise and every option but the report folder."""
    fields = {k: v for k, v in dataclasses.asdict(opts).items() if k != "out_dir"}
    return f"{spec.path}|{spec.profile}|{sorted((k, str(v)) for k, v in fields.items())}"


class WarmKernel:
    """A kernel started ahead for the next submission of ``spec`` graded with ``opts``."""

    def __init__(self, spec: ExerciseSpec, opts: GradeOptions, imports: tuple[str, ...] = IMPORTS) -> None:
        self.key = key_of(spec, opts)
        self.workspace = provision.provision(spec, opts.data_dir)
        self.started = time.monotonic()
        self.ready = threading.Event()
        self.ok = False
        self._inbox: queue.Queue[Any] = queue.Queue()
        self._outbox: queue.Queue[Any] = queue.Queue()
        run_opts = run_options(spec, opts, self.workspace.kernel_data)
        self._thread = threading.Thread(target=self._main, args=(run_opts, imports), daemon=True,
                                        name="dl-grader-warm-kernel")
        self._thread.start()

    def _main(self, run_opts: execute.RunOptions, imports: tuple[str, ...]) -> None:
        session = None
        try:
            session = execute.KernelSession(self.workspace.workdir, self.workspace.artifacts, run_opts)
            session.ahead = True
            self.ok = session.start(imports)
        except Exception:
            self.ok = False
        finally:
            self.ready.set()
        job = self._inbox.get()
        if job is None or not self.ok or session is None:
            if session is not None:
                session.close()
            self._outbox.put(None)
            return
        try:
            self._outbox.put(session.run(*job))
        except BaseException as exc:  # handed to the caller's thread
            self._outbox.put(exc)

    def execute(self, notebook: Path) -> tuple[Any, Any] | None:
        """Run ``notebook`` here: (outcome, executed notebook), or None when this kernel did
        not come up or the file is not a notebook (the caller then grades it the usual way)."""
        from grader.pipeline import intake

        start = time.monotonic()
        read = intake.read_submission(notebook)
        self.ready.wait()
        if read.notebook is None or not self.ok:
            self.discard(cleanup=False)
            return None
        self._inbox.put((read.notebook, read.notes, start))
        result = self._outbox.get()
        if isinstance(result, BaseException):
            raise result
        return result  # type: ignore[no-any-return]

    def discard(self, cleanup: bool = True) -> None:
        """Shut the kernel down unused (and remove its workspace unless ``cleanup`` is False)."""
        if self._thread.is_alive():
            self._inbox.put(None)
            self._thread.join(timeout=60)
        if cleanup:
            self.workspace.cleanup()
