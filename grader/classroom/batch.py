"""A whole class in one command: find the submissions, grade them in parallel, resume, report.

``collect`` turns what an instructor downloaded into ``Submission``s with a student id:

* a folder (searched recursively) or a ``.zip`` of one;
* Moodle's "download all submissions": ``Nombre Apellido_123456_assignsubmission_file_/tarea.ipynb``
  (the student is ``Nombre Apellido``, the id ``123456``), or with "download submissions in
  folders" off, ``Nombre Apellido_123456_assignsubmission_file_tarea.ipynb``;
* Canvas's "download submissions": ``apellidonombre_12345_67890_tarea.ipynb`` (``_LATE_`` kept
  as a flag; the id is Canvas's user id);
* Gradescope's export: ``submission_metadata.yml`` beside ``submission_<n>/`` folders (the
  submitters' names, student ids and e-mails come from the metadata);
* anything else: the file name (without extension) is the student.

Everyone the download names gets a submission: a Moodle, Canvas or Gradescope student whose files
hold no notebook (a PDF, an online text) is ``kind="no_notebook"``, one with no file at all
``"empty"`` (grader.classroom.roster writes their reports; a roster adds the ``"missing"``).

``run`` grades them with ``workers`` processes (each submission in its own kernel and sandbox),
skips what the results store already holds for the same bytes and exercise, commits each result
as it finishes and reports progress through a callback.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from grader.model.errors import UsageError, is_disk_full
from grader.model.options import GradeOptions
from grader.pipeline.report import crashed
from grader.runtime import limits

SUFFIXES = (".ipynb", ".py", ".zip")
_SKIP_PARTS = ("__MACOSX", ".ipynb_checkpoints", ".git")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_\w+_?$")
_MOODLE_FLAT = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.+)$")
_CANVAS = re.compile(r"^(?P<name>[a-z0-9-]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.I)


@dataclass
class Submission:
    student: str  # what the gradebook shows
    path: Path
    student_id: str = ""
    layout: str = "files"  # files | moodle | canvas | gradescope
    extra: dict[str, Any] = field(default_factory=dict)  # e-mail, late flag, submitted_at, group members …
    kind: str = "notebook"  # notebook | no_notebook | empty | missing (grader.classroom.roster)

    @property
    def label(self) -> str:
        return f"{self.student} ({self.student_id})" if self.student_id and self.student_id != self.student else self.student


def _candidates(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in SUFFIXES and not any(p in _SKIP_PARTS for p in path.parts):
            yield path


def collect(source: Path, workdir: Path | None = None, unpacked: list[Path] | None = None) -> list[Submission]:
    """Every submission under ``source`` (a folder, a zip of the class, or single files). A zip
    of the class is unpacked into a new folder, appended to ``unpacked``: the caller removes it."""
    if source.is_file() and source.suffix.lower() == ".zip" and _is_class_zip(source):
        target = Path(tempfile.mkdtemp(prefix=f"dlg-class-{os.getpid()}-", dir=workdir))  # pid: grader.runtime.cleanup
        if unpacked is not None:
            unpacked.append(target)
        _safe_extract(source, target)
        return collect(target)
    if source.is_file():
        return [Submission(student=source.stem, path=source)]
    if not source.is_dir():
        raise UsageError(f"{source}: no such file or folder")
    meta = source / "submission_metadata.yml"
    if meta.is_file():
        return _gradescope(source, meta)
    out = []
    for path in _candidates(source):
        rel = path.relative_to(source)
        moodle = next((m for m in (_MOODLE.match(p) for p in rel.parts[:-1]) if m), None)
        flat = _MOODLE_FLAT.match(path.name) if len(rel.parts) == 1 else None
        canvas = _CANVAS.match(path.name)
        if moodle or flat:
            m = moodle or flat
            assert m is not None
            out.append(Submission(student=m["name"].strip(), student_id=m["id"], path=path, layout="moodle"))
        elif canvas and len(rel.parts) == 1:
            out.append(Submission(student=canvas["name"], student_id=canvas["id"], path=path, layout="canvas",
                                  extra={"late": bool(canvas["late"]), "file": canvas["file"]}))
        else:
            out.append(Submission(student=str(rel.with_suffix("")), path=path))
    out += _without_notebook(source, {(s.layout, s.student_id) for s in out if s.layout != "files"})
    return _one_per_student(out)


def _without_notebook(source: Path, found: set[tuple[str, str]]) -> list[Submission]:
    """The Moodle and Canvas students of ``source`` who handed in files but no notebook (a PDF, an
    online text), or a folder with nothing in it: each gets a row saying so."""
    people: dict[tuple[str, str], tuple[str, Path, list[str], dict[str, Any]]] = {}
    for path in sorted(source.iterdir()):
        if path.name in _SKIP_PARTS:
            continue
        moodle = _MOODLE.match(path.name) if path.is_dir() else _MOODLE_FLAT.match(path.name)
        canvas = _CANVAS.match(path.name) if path.is_file() else None
        if moodle:
            key, name, extra = ("moodle", moodle["id"]), moodle["name"].strip(), {}
        elif canvas:
            key, name, extra = ("canvas", canvas["id"]), canvas["name"], {"late": bool(canvas["late"])}
        else:
            continue
        if key in found:
            continue
        files = ([str(f.relative_to(path)) for f in sorted(path.rglob("*")) if f.is_file()] if path.is_dir()
                 else [str(moodle["file"] if moodle else canvas["file"])])  # type: ignore[index]
        _, _, had, had_extra = people.get(key, (name, path, [], {}))
        people[key] = (name, path, had + files, {**had_extra, **extra})
    return [Submission(student=name, student_id=key[1], path=path, layout=key[0],
                       kind="no_notebook" if files else "empty", extra={**extra, "files": files})
            for key, (name, path, files, extra) in people.items()]


def _one_per_student(subs: list[Submission]) -> list[Submission]:
    """Moodle and Canvas folders may hold several files of one student: keep the notebooks
    (over scripts and zips), then the newest."""
    rank = {".ipynb": 0, ".zip": 1, ".py": 2}
    best: dict[tuple[str, str, str], Submission] = {}
    for s in subs:
        key = (s.layout, s.student_id, s.student) if s.layout != "files" else (s.layout, str(s.path), "")
        old = best.get(key)
        if old is None or (rank.get(s.path.suffix.lower(), 3), -s.path.stat().st_mtime) < (
                rank.get(old.path.suffix.lower(), 3), -old.path.stat().st_mtime):
            best[key] = s
    return sorted(best.values(), key=lambda s: (s.student.lower(), s.student_id))


def _gradescope(root: Path, meta: Path) -> list[Submission]:
    import yaml

    data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
    out = []
    for folder, info in data.items():
        info = info or {}
        people = info.get(":submitters") or info.get("submitters") or []
        first = people[0] if people else {}
        name = str(first.get(":name") or first.get("name") or folder)
        sid = str(first.get(":sid") or first.get("sid") or first.get(":email") or "")
        where = root / str(folder)
        everything = sorted(p for p in where.rglob("*") if p.is_file()) if where.is_dir() else []
        files = list(_candidates(where)) if where.is_dir() else []
        files.sort(key=lambda p: ({".ipynb": 0, ".zip": 1, ".py": 2}[p.suffix.lower()], str(p)))
        created = info.get(":created_at") or info.get("created_at")
        extra = {"submission": str(folder), "email": first.get(":email") or first.get("email") or "",
                 "submitted_at": created.isoformat() if isinstance(created, datetime) else str(created or ""),
                 "members": [{"name": str(p.get(":name") or p.get("name") or ""),
                              "sid": str(p.get(":sid") or p.get("sid") or ""),
                              "email": str(p.get(":email") or p.get("email") or "")} for p in people[1:]],
                 "group": [str(p.get(":name") or p.get("name") or "") for p in people[1:]],
                 "files": [str(p.relative_to(where)) for p in everything]}
        kind = "notebook" if files else ("no_notebook" if everything else "empty")
        out.append(Submission(student=name, student_id=sid, path=files[0] if files else where, layout="gradescope",
                              extra=extra, kind=kind))
    return sorted(out, key=lambda s: (s.student.lower(), s.student_id))


def _is_class_zip(path: Path) -> bool:
    """A zip of a class (several notebooks or folders) rather than one student's zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not any(p in n for p in _SKIP_PARTS)]
    except zipfile.BadZipFile:
        return False
    books = [n for n in names if n.lower().endswith((".ipynb", ".py"))]
    return len(books) > 1 or any(n.endswith("submission_metadata.yml") for n in names)


def _safe_extract(path: Path, target: Path, limit: int = 4 * 1024 ** 3) -> None:
    with zipfile.ZipFile(path) as zf:
        total = sum(i.file_size for i in zf.infolist())
        if total > limit:
            raise UsageError(f"{path}: unpacks to {total / 1024 ** 3:.1f} GiB (limit {limit / 1024 ** 3:g} GiB)")
        for info in zf.infolist():
            dest = (target / info.filename).resolve()
            if not str(dest).startswith(str(target.resolve()) + os.sep):
                continue  # "../" tricks in a class zip are skipped
            if info.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)


def default_workers(memory_mb: int) -> int:
    """What the machine can take: one job per core, as far as memory allows."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        import psutil

        free_mb = psutil.virtual_memory().available // 2 ** 20
    except Exception:
        free_mb = memory_mb
    return max(1, min(cores, int(free_mb // max(memory_mb // 2, 1))))


# --------------------------------------------------------------------------- the pool
# this worker process: its place in the pool, its GPU, and the kernel it started ahead
_WORKER: dict[str, Any] = {"index": None, "gpu": None, "warm": None}


def _init_worker(counter: Any, gpus: int) -> None:
    """Each pool worker takes the next index; with GPUs, worker i runs on GPU i mod ``gpus``,
    so ``--per-gpu K`` workers share each GPU whichever submissions finish first."""
    limits.die_with_parent()  # pool workers end with the grader, even on kill -9, and so do their kernels
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    _WORKER["index"] = index
    _WORKER["gpu"] = worker_gpu(index, gpus)
    try:
        from multiprocessing import util

        util.Finalize(None, _drop_warm, exitpriority=20)
    except Exception:
        pass


def worker_gpu(index: int, gpus: int) -> int | None:
    return index % gpus if gpus > 0 else None


def _drop_warm() -> None:
    warm = _WORKER.get("warm")
    _WORKER["warm"] = None
    if warm is not None:
        warm.discard()


def _grade_in_worker(spec_file: str, rubric_file: str, notebook: str, opts: GradeOptions,
                     warm_next: bool = False) -> tuple[dict[str, Any], float]:
    """Grade one submission in this worker: in the kernel started ahead for it when there is
    one, and (``warm_next``) start the kernel of this worker's next submission meanwhile."""
    import dataclasses

    from grader.pipeline import grade_one, warm
    from grader.pipeline.spec import load_rubric, load_spec

    t0 = time.monotonic()
    if _WORKER["gpu"] is not None:
        opts = dataclasses.replace(opts, gpu_index=_WORKER["gpu"])
    spec = load_spec(spec_file)
    rubric = load_rubric(rubric_file, spec)
    profiled = spec.with_profile(opts.profile)
    ahead, _WORKER["warm"] = _WORKER["warm"], None
    if ahead is not None and ahead.key != warm.key_of(profiled, opts):
        ahead.discard()
        ahead = None
    if warm_next:
        try:
            _WORKER["warm"] = warm.WarmKernel(profiled, opts)
        except Exception:  # no warm kernel: the next submission starts its own
            _WORKER["warm"] = None
    report = grade_one(spec, rubric, Path(notebook), opts, warm=ahead)
    return report, round(time.monotonic() - t0, 2)


@dataclass
class Job:
    submission: Submission
    key: str  # the result's (grader.classroom.store.result_key)
    out_dir: Path
    run: str = ""  # the evidence's (grader.classroom.store.run_key): what a rescore starts from


def gpu_plan(gpus: int, per_gpu: int, gpu_total_mb: int | None) -> tuple[int, int | None]:
    """(workers, GPU memory per submission) for ``per_gpu`` submissions on each of ``gpus`` GPUs,
    leaving a tenth of each GPU free for the CUDA contexts."""
    share = int(gpu_total_mb * 0.9 / per_gpu) if gpu_total_mb else None
    return gpus * per_gpu, share


def run(jobs: list[Job], spec_file: Path, rubric_file: Path, opts: GradeOptions, workers: int,
        on_done: Callable[[Job, dict[str, Any], float], None], *, gpus: int = 0, warm: bool = True) -> None:
    """Grade ``jobs`` with ``workers`` processes; ``on_done`` is called in this process, in the
    order they finish. A worker that dies takes only its submission with it: that one gets a
    report saying so and the others go on. With ``gpus``, worker i runs its kernels on GPU
    i mod ``gpus``; with ``warm``, each worker starts its next kernel while the current one runs."""
    import dataclasses

    if not jobs:
        return
    ctx = get_context("spawn")
    workers = max(1, workers)

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(ctx.Value("i", 0), gpus))

    pending = list(jobs)
    running: dict[Future[tuple[dict[str, Any], float]], Job] = {}
    pool = new_pool()
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                # a worker warms a kernel for its next submission while there are more to come
                warm_next = warm and len(pending) >= workers
                fut = pool.submit(_grade_in_worker, str(spec_file), str(rubric_file), str(job.submission.path),
                                  dataclasses.replace(opts, out_dir=job.out_dir), warm_next)
                running[fut] = job
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                job = running.pop(fut)
                try:
                    report, seconds = fut.result()
                except Exception as exc:  # the worker died (killed, out of memory) or the grader broke
                    if is_disk_full(exc):  # no report can be written: the whole batch stops (grader.cli)
                        raise
                    report, seconds = crashed(job.submission.path, exc), 0.0
                    if "BrokenProcessPool" in type(exc).__name__:
                        pool.shutdown(wait=False, cancel_futures=True)
                        pending = [running.pop(f) for f in list(running)] + pending
                        pool = new_pool()
                on_done(job, report, seconds)
    except Exception:  # the batch stops (a full disk …): the notebooks still running would be lost anyway
        _terminate(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers now (their kernels die with them)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        try:
            proc.terminate()
        except Exception:
            pass
