"""Grade a class: collect the submissions (notebooks, folders, the LMS downloads), key each one
for the store, take what the store holds, rescore what it ran under another language or rubric,
grade the rest in the process pool, and write the class's outputs. ``grader grade`` parses its
options and calls :func:`grade_class`; everything a person reads comes back through ``echo``
and the progress bar."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.classroom import batch, outputs, overrides, roster
from grader.classroom.store import (
    Store,
    exercise_fingerprint,
    file_sha256,
    result_key,
    run_key,
    spec_fingerprint,
)
from grader.messages import render
from grader.model.errors import GraderError, UsageError, is_disk_full
from grader.pipeline import GradeOptions, kernel_limits, library, prepare, rescore
from grader.views import terminal
from grader.views.safetext import json_safe, visible


@dataclass
class ClassRun:
    """How a class is graded, besides each submission's GradeOptions."""
    out: Path
    rubric: str | None = None
    workers: int | None = None
    store_path: Path | None = None
    regrade: bool = False
    gpus: int = 0
    per_gpu: int = 2
    warm: bool = True
    quiet: bool = False
    jsonl: bool = False
    roster: Path | None = None  # the class list: who handed in nothing, and when the others did
    cluster: Any = None  # a grader.cluster.config.ClusterConfig: grade on Dask instead of the process pool


@dataclass
class ClassResult:
    summary: list[dict[str, Any]] = field(default_factory=list)

    @property
    def graded(self) -> int:
        return sum(1 for line in self.summary if not line["cached"])


def slug_name(label: str, taken: set[str]) -> str:
    """A folder name for a submission's reports, unique within the class: the student's name as
    written ("María José Núñez (123)"), without what a path cannot hold."""
    base = re.sub(r"[^\w .()@+-]+", "_", unicodedata.normalize("NFC", label)).strip("._ ")[:120] or "submission"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}-{i}", i + 1
    taken.add(name)
    return name


def grade_class(spec_arg: str, sources: list[Path], base: GradeOptions, run: ClassRun,
                echo: Callable[[str], None]) -> ClassResult:
    """Grade every submission in ``sources``; ``echo`` prints a line on stdout (a JSON line per
    result with ``run.jsonl``). A full disk stops it with what to do and how many results the
    store keeps (the same command run again grades only the others)."""
    from grader.runtime import cleanup

    cleanup.sweep()  # what graders killed with kill -9 left (temporary folders, cgroups)
    exercise, rub, rubric_file = library.load(spec_arg, run.rubric)
    for path in sources:
        if not path.exists():
            raise UsageError(render("cli.no_such_file", {"path": str(path)}, base.lang))
    if run.gpus > 0:
        from grader.runtime.limits import gpu_total_mb

        gpu_workers, share = batch.gpu_plan(run.gpus, max(1, run.per_gpu), gpu_total_mb())
        base = replace(base, device="gpu", gpu_memory_mb=base.gpu_memory_mb or share)
        run = replace(run, workers=run.workers or gpu_workers)
    base = replace(base, evidence=True)
    prepared = prepare(exercise, base)  # a missing dataset stops here, before any notebook runs
    unpacked: list[Path] = []  # class zips' folders: removed when grading ends, even on error or Ctrl-C
    store_file = run.store_path or run.out / "results.sqlite"
    state: dict[str, Any] = {"store": None, "keys": []}
    try:
        return _grade(exercise, rub, rubric_file, prepared, sources, base, run, echo, unpacked, store_file, state)
    except Exception as exc:
        if is_disk_full(exc):
            raise disk_full(exc, run.out, store_file, state, base.lang) from exc
        raise
    finally:
        for folder in unpacked:
            shutil.rmtree(folder, ignore_errors=True)
        if state["store"] is not None:
            state["store"].close()


def _grade(exercise: Any, rub: Any, rubric_file: Path, prepared: Any, sources: list[Path], base: GradeOptions,
           run: ClassRun, echo: Callable[[str], None], unpacked: list[Path], store_file: Path,
           state: dict[str, Any]) -> ClassResult:
    lang, out = base.lang, run.out
    err = terminal.console(stderr=True)
    subs = []
    for source in sources:
        before = len(unpacked)
        found = batch.collect(source, unpacked=unpacked)
        if len(unpacked) > before and not run.quiet:  # a zip of the whole class: say what it held
            err.print(render("cli.class_zip", {"n": len(found), "zip": visible(source.name)}, lang), markup=False)
        subs += found
    if run.roster is not None:
        subs = roster.complete(subs, roster.read_roster(run.roster, lang), run.roster)
    if not any(s.kind == "notebook" for s in subs) and not run.roster:
        raise UsageError(f"no notebooks found in {', '.join(map(str, sources))} (looked for {', '.join(batch.SUFFIXES)})")
    out.mkdir(parents=True, exist_ok=True)
    store = state["store"] = Store(store_file)
    fingerprint = exercise_fingerprint(Path(str(exercise.path)), rubric_file, base.profile)
    spec_fp = spec_fingerprint(Path(str(exercise.path)), base.profile)
    if base.compat:  # --compat decides results as the spec does
        fingerprint, spec_fp = f"{fingerprint}|compat={base.compat}", f"{spec_fp}|compat={base.compat}"
    settings = {"seed": base.seed, "device": base.device, "profile": base.profile or "full", "compat": base.compat}
    taken: set[str] = set()
    jobs = []
    absent = []
    for sub in subs:
        if sub.kind != "notebook":  # nothing to run: a row that says what was handed in instead
            absent.append(batch.Job(sub, f"absent:{sub.kind}:{sub.layout}:{sub.student_id}:{sub.student}",
                                    out / slug_name(sub.label, taken)))
            continue
        sha = file_sha256(sub.path)
        key = result_key(sha, fingerprint, seed=base.seed, lang=lang, device=base.device)
        jobs.append(batch.Job(sub, key, out / slug_name(sub.label, taken),
                              run_key(sha, spec_fp, seed=base.seed, device=base.device)))
    state["keys"] = [j.key for j in jobs]
    cached = set() if run.regrade else store.keys([j.key for j in jobs])
    todo = [j for j in jobs if j.key not in cached]
    n_workers = run.workers or batch.default_workers(kernel_limits(prepared, base).memory_mb)
    results: dict[str, tuple[dict[str, Any], float, bool]] = {}
    table = None
    if len(jobs) == 1 and not (run.quiet or run.jsonl):
        from grader.pipeline.report import print_summary

        stdout = terminal.console()
        table = lambda report: print_summary(report, stdout)  # noqa: E731
    progress = terminal.Progress(err, len(jobs) + len(absent), run.quiet or run.jsonl, lang, table)

    def finished(job: Any, report: dict[str, Any], seconds: float, from_store: bool = False) -> None:
        if not from_store and not report.get("crashed"):
            store.put(job.key, job.submission.label, job.submission.path, report, seconds, run=job.run)
        report.pop("evidence", None)
        # after the store: a person's override or a new due date is a rescore, not a re-run
        adjusted = overrides.adjust(report, job.submission, rub, store, lang)
        if adjusted is not report:
            report = adjusted
            if report.get("absent"):
                roster.write_absent(report, job.out_dir)
            else:
                from grader.pipeline.report import write

                write(report, job.out_dir)
        if report.get("crashed"):
            outputs.write_crashed(report, job.out_dir, lang)
        results[job.key] = (report, seconds, from_store)
        line = outputs.result_line(job, report, seconds, from_store, settings)
        if run.jsonl:
            echo(json_safe(json.dumps(line, ensure_ascii=False)))
        progress.advance(line, report)

    for job in jobs:
        stored = store.get(job.key) if job.key in cached else None
        if stored is not None:
            outputs.restore(stored[0], job.out_dir)
            finished(job, stored[0], stored[1], from_store=True)
        elif job.key in cached:  # removed by another run meanwhile: grade it
            todo.append(job)
        elif not run.regrade and (ran := store.evidence(job.run)) is not None and rescore.usable(ran[0]):
            # graded before with another language or rubric: score and report again, run nothing
            todo.remove(job)
            report = rescore.rebuild(exercise, rub, ran[0], lang, job.out_dir)
            store.put(job.key, job.submission.label, job.submission.path, report, ran[1], run=job.run)
            finished(job, report, ran[1], from_store=True)
    with progress:
        for job in absent:
            report = roster.absent_report(job.submission, exercise, rub.max_points, lang)
            roster.write_absent(report, job.out_dir)
            finished(job, report, 0.0, from_store=True)

        def grade(some: list[batch.Job]) -> None:
            if run.cluster is not None:
                from grader.cluster import dispatch

                dispatch.run(some, exercise, Path(str(exercise.path)), rubric_file, base, run.cluster, finished,
                             per_gpu=max(1, run.per_gpu), warm=run.warm,
                             say=lambda line: err.print(line, markup=False, highlight=False))
            else:
                batch.run(some, Path(str(exercise.path)), rubric_file, base, n_workers, finished, gpus=run.gpus,
                          warm=run.warm)

        claimed(todo, store, store_file, grade, finished, err, lang)
    # every member of a group submission gets the group's row
    place = {id(sub): i for i, sub in enumerate(subs)}  # the order the submissions were given (or collected) in
    jobs = sorted(jobs + absent, key=lambda j: place[id(j.submission)])
    jobs = [x for j in jobs for x in [j, *(batch.Job(m, j.key, j.out_dir, j.run) for m in roster.members(j.submission))]]
    result = ClassResult([outputs.result_line(j, *results[j.key], settings) for j in jobs if j.key in results])
    (out / "summary.json").write_text(json_safe(json.dumps(result.summary, indent=2, ensure_ascii=False)),
                                      encoding="utf-8")
    outputs.class_outputs([(j, *results[j.key][:2]) for j in jobs if j.key in results], out, exercise, lang)
    (out / "rubric.yaml").write_bytes(Path(rubric_file).read_bytes())  # what rescore and review score with
    overrides.write_csv(out / "overrides.csv", [(j.submission, results[j.key][0]) for j in jobs
                                                if j.key in results and not j.submission.extra.get("group_of")],
                        store, exercise.id)
    return result


def claimed(todo: list[batch.Job], store: Store, store_file: Path, grade: Callable[[list[batch.Job]], None],
            finished: Callable[..., None], err: Any, lang: str) -> None:
    """Grade what no other run is grading (``Store.claim``); wait for the results of what another
    run has claimed, and grade those whose run is gone. Several ``grader grade`` runs on one store
    (or one run killed and started again) never grade a submission twice."""
    import socket
    import threading
    import time
    import uuid

    if not todo:
        return
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    stop = threading.Event()

    def renew() -> None:  # the claims stay ours while this run lives
        other = Store(store_file)
        try:
            while not stop.wait(20):
                other.renew(owner)
        finally:
            other.close()

    mine = store.claim([j.key for j in todo], owner)
    waiting = [j for j in todo if j.key not in mine]
    if waiting:
        who = store.claimant(waiting[0].key)
        err.print(render("cli.claimed_elsewhere", {"n": len(waiting), "who": who[1] if who else "?",
                                                    "pid": who[2] if who else "?"}, lang), markup=False)
    keeper = threading.Thread(target=renew, name="dl-grader-claims", daemon=True)
    keeper.start()
    try:
        grade([j for j in todo if j.key in mine])
        while waiting:
            time.sleep(2)
            still = []
            for job in waiting:
                stored = store.get(job.key)
                if stored is not None:
                    outputs.restore(stored[0], job.out_dir)
                    finished(job, stored[0], stored[1], from_store=True)
                elif store.claim([job.key], owner):  # its run is gone: grade it here
                    grade([job])
                else:
                    still.append(job)
            waiting = still
    finally:
        stop.set()
        store.release(owner)


def disk_full(exc: BaseException, out: Path, store_file: Path, state: dict[str, Any], lang: str) -> GraderError:
    """The message for a full disk: which folder, and how many of this batch's results the store
    holds (they stay: the same command run again grades only the others)."""
    import sqlite3
    import tempfile

    from grader.model.errors import DiskFull

    folder = store_file.parent if isinstance(exc, sqlite3.Error) else out
    name = getattr(exc, "filename", None)
    if isinstance(exc, OSError) and name:
        path = Path(os.fsdecode(name)).absolute()
        folder = next((f for f in (out, store_file.parent, Path(tempfile.gettempdir()))
                       if path.is_relative_to(f.absolute())), path.parent)
    kept = 0
    try:
        store = state["store"]
        if store is not None:
            kept = len(store.keys(state["keys"])) if state["keys"] else store.count()
    except Exception:
        pass
    return DiskFull.of(folder, kept, lang)
