"""The client's side of grading on a Dask cluster: each submission one task, results committed as
they arrive.

``run`` is ``grader.classroom.batch.run`` for a cluster: the same jobs, the same ``on_done`` (which
commits each result to the SQLite store), so progress, ``--jsonl``, the gradebook and a resumed
run are the same. Before sending any notebook it registers the worker plugin
(``grader.cluster.worker``), waits for a worker that accepts the exercise, ships the datasets to
workers that lack them (``data: auto | ship``), and says which nodes refused and why. A worker
that dies costs the submission it held a retry on another worker (Dask reschedules it; after
``distributed.scheduler.allowed-failures`` deaths the scheduler gives up) and then a report that
says what happened; the batch goes on.
"""

from __future__ import annotations

import dataclasses
import io
import os
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.cluster import worker as remote
from grader.cluster.config import ClusterConfig
from grader.messages import render
from grader.model.errors import UsageError, is_disk_full
from grader.model.options import GradeOptions
from grader.pipeline.report import crashed

CHUNK = 16 * 1024 ** 2  # shipped datasets travel in pieces of this size


def located_files(spec: Any, data_dir: Path | None) -> tuple[list[remote.DataFile], dict[str, Path], str | None]:
    """The exercise's dataset files as the client has them, in one pass: what every worker must
    have the same (path under the data directory, checksum, size), where each is here, and the
    data directory they sit under (None when the datasets have no files)."""
    from grader.data import datasets

    files, paths, base = [], {}, None
    for name in spec.data:
        found = datasets.locate(name, data_dir)
        if found.folder != Path() and base is None:  # generated or bundled with scikit-learn: no files
            base = found.folder
            for _ in Path(found.layout.folder).parts:
                base = base.parent
        for file_name, path in found.paths.items():
            known = found.dataset.file(file_name)
            rel = str(Path(found.layout.folder) / file_name)
            digest = known.sha256 if known is not None and known.sha256 else datasets.sha256(path)
            files.append(remote.DataFile(rel=rel, sha256=digest, size=path.stat().st_size))
            paths[rel] = path
    return files, paths, str(base) if base is not None else None


class Dispatcher:
    def __init__(self, client: Any, cfg: ClusterConfig, spec: Any, spec_file: Path, rubric_file: Path,
                 opts: GradeOptions, *, per_gpu: int, warm: bool, say: Callable[[str], None]) -> None:
        from grader import __version__

        self.client, self.cfg, self.spec, self.opts, self.say = client, cfg, spec, opts, say
        files, self.paths, here = located_files(spec, opts.data_dir)
        # the shared folder as the workers see it: the cluster config's, or where the client found them
        data_dir = cfg.data_dir or (str(opts.data_dir) if opts.data_dir else None) or here
        self.terms = remote.Terms(exercise=spec.id, version=__version__, sandbox=opts.sandbox, device=opts.device,
                                  data=cfg.data, data_dir=data_dir, files=files,
                                  per_gpu=per_gpu, warm=warm, lang=opts.lang)
        self.name = remote.plugin_name(spec.id)
        self.resource = remote.resource_name(spec.id, opts.device)
        self.bundle = remote.pack_exercise(spec_file, rubric_file)
        self.seen: dict[str, str] = {}  # worker address → the state it was last reported in
        self.nodes: dict[str, str] = {}  # worker address → host
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ workers
    def start(self) -> None:
        self.client.register_plugin(remote.GraderPlugin(self.terms), name=self.name)

    def onboard(self) -> dict[str, dict[str, Any]]:
        """Ask every worker where it stands; ship the datasets to those that need them; say once
        per worker which refused and why."""
        with self._lock:
            try:
                states = self.client.run(remote.worker_status, self.name)
            except Exception:  # a worker that left while asked: next round
                return {}
            for addr, st in states.items():
                self.nodes[addr] = st.get("host", addr)
                if st["state"] == "needs_data":
                    st = self._ship(addr, st)
                before = self.seen.get(addr)
                self.seen[addr] = st["state"]
                if st["state"] == "ready" and before != "ready":
                    self.client.run_on_scheduler(remote.reconsider)
                if st["state"] == "refused" and before != "refused":
                    self.say(render("cluster.refused", {"host": st.get("host", addr), "worker": addr,
                                                        "reason": st["reason"]}, self.opts.lang))
                states[addr] = st
            return states  # type: ignore[no-any-return]

    def _ship(self, addr: str, st: dict[str, Any]) -> dict[str, Any]:
        missing = [f for f in self.terms.files if f.rel in set(st.get("missing") or [])]
        size = sum(f.size for f in missing)
        self.say(render("cluster.shipping", {"host": st.get("host", addr), "n": len(missing),
                                             "mb": f"{size / 1024 ** 2:.1f}"}, self.opts.lang))
        for f in missing:
            path = self.paths[f.rel]
            with open(path, "rb") as src:
                offset = 0
                while True:
                    chunk = src.read(CHUNK)
                    if not chunk and offset:
                        break
                    self.client.run(remote.receive, f.rel, offset, chunk, workers=[addr])
                    offset += len(chunk)
                    if not chunk:
                        break
        result = self.client.run(remote.activate, self.name, workers=[addr])
        return result.get(addr, {"state": "refused", "reason": render("cluster.left", lang=self.opts.lang)})

    def wait_ready(self) -> None:
        """Until a worker accepts the exercise: a clear error when every worker refused, or none
        came within ``wait_for_workers_s``."""
        start = time.monotonic()
        told = False
        while True:
            states = self.onboard()
            if any(st["state"] == "ready" for st in states.values()):
                return
            settled = states and all(st["state"] == "refused" for st in states.values())
            if settled and (self.cfg.engine in ("address", "local") or time.monotonic() - start > 60):
                reasons = "; ".join(f"{st.get('host', a)}: {st['reason']}" for a, st in states.items())
                raise UsageError(render("cluster.none_can", {"exercise": self.spec.id, "reasons": reasons},
                                        self.opts.lang))
            if time.monotonic() - start > self.cfg.wait_for_workers_s:
                raise UsageError(render("cluster.no_workers", {"seconds": f"{self.cfg.wait_for_workers_s:g}"},
                                        self.opts.lang))
            if not states and not told:
                self.say(render("cluster.waiting", lang=self.opts.lang))
                told = True
            time.sleep(0.25)

    # ------------------------------------------------------------------ tasks
    def submit(self, job: Any, bundle: Any, warm_next: bool = False, priority: int = 0) -> Any:
        options = {k: v for k, v in dataclasses.asdict(self.opts).items() if k not in ("data_dir", "out_dir")}
        data = job.submission.path.read_bytes()
        return self.client.submit(remote.grade, bundle, data, job.submission.path.name, options, self.spec.id,
                                  warm_next, key=f"dlgrader-{job.key}", resources={self.resource: 1},
                                  retries=self.cfg.retries, pure=False, priority=priority)

    def receive(self, job: Any, result: dict[str, Any]) -> tuple[dict[str, Any], float]:
        """Put a worker's report folder where this client keeps the submission's reports."""
        from grader.pipeline.report import write

        report = result["report"]
        report["notebook"] = str(job.submission.path)
        if isinstance(report.get("evidence"), dict):  # a rescore rebuilds the report from it
            report["evidence"]["notebook"] = str(job.submission.path)
        out = job.out_dir
        out.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(result["files"])) as zf:
            for info in zf.infolist():
                target = (out / info.filename).resolve()
                if str(target).startswith(str(out.resolve()) + os.sep):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(info))
        write(report, out)  # again, with the client's path to the notebook
        return report, float(result["seconds"])


def died_report(job: Any, exc: BaseException, nodes: dict[str, str], lang: str) -> dict[str, Any]:
    """The report of a submission whose worker died every time it was tried."""
    last = getattr(getattr(exc, "last_worker", None), "address", None) or ""
    report = crashed(job.submission.path, exc)
    host = nodes.get(last, last)
    tries = getattr(exc, "allowed_failures", None)
    text = render("cluster.died", {"n": (tries or 0) + 1, "host": host}, lang)
    report["execution"] = {"status": "grader_error", "message": text, "node": {"host": host, "worker": last}}
    return report


def run(jobs: list[Any], spec: Any, spec_file: Path, rubric_file: Path, opts: GradeOptions, cfg: ClusterConfig,
        on_done: Callable[[Any, dict[str, Any], float], None], *, per_gpu: int = 1, warm: bool = True,
        say: Callable[[str], None] = print) -> None:
    """Grade ``jobs`` on the cluster ``cfg``; ``on_done`` is called here as each one arrives."""
    from grader.cluster import engine

    if not jobs:
        return
    with engine.connect(cfg) as client:
        grade_on(client, jobs, spec, spec_file, rubric_file, opts, cfg, on_done, per_gpu=per_gpu, warm=warm, say=say)


def grade_on(client: Any, jobs: list[Any], spec: Any, spec_file: Path, rubric_file: Path, opts: GradeOptions,
             cfg: ClusterConfig, on_done: Callable[[Any, dict[str, Any], float], None], *, per_gpu: int = 1,
             warm: bool = True, say: Callable[[str], None] = print) -> None:
    from distributed import as_completed

    d = Dispatcher(client, cfg, spec, spec_file, rubric_file, opts, per_gpu=per_gpu, warm=warm, say=say)
    d.start()
    # the tasks go in first (they wait for a worker that accepts them): an adaptive cluster starts
    # its jobs for them
    # in the class's order; a worker starts its next kernel ahead only when it holds a next task
    futures = {d.submit(job, d.bundle, warm, priority=len(jobs) - i): job for i, job in enumerate(jobs)}
    try:
        d.wait_ready()
    except BaseException:
        client.cancel(list(futures))
        raise
    stop = threading.Event()

    def watch() -> None:  # workers that join later (adaptive scaling, queued jobs) are checked and fed data
        while not stop.wait(3):
            try:
                d.onboard()
            except Exception:
                pass

    watcher = threading.Thread(target=watch, name="dl-grader-onboard", daemon=True)
    watcher.start()
    try:
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                report, seconds = d.receive(job, fut.result())
            except Exception as exc:
                if is_disk_full(exc):
                    raise
                if type(exc).__name__ == "KilledWorker":
                    report, seconds = died_report(job, exc, d.nodes, opts.lang), 0.0
                else:
                    report, seconds = crashed(job.submission.path, exc), 0.0
            finally:
                fut.release()
            on_done(job, report, seconds)
    finally:
        stop.set()
        for fut in futures:
            fut.release()
