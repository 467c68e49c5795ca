"""What runs on a Dask worker: a plugin that decides whether this node may grade, and the task
that grades one submission there with the same pipeline, sandbox and limits as ``grader grade``.

The plugin (one per exercise, ``dl-grader-<id>``) checks, before any notebook runs, that the
worker has this client's version of the grader, the sandbox the client asked for (bubblewrap),
and the exercise's datasets — on the shared filesystem, or shipped by the client into a folder
of this node and verified by checksum. Only then does it give the worker the resource
``dlgrader-<id>`` that every grading task asks for, so a node that refuses is never sent a
notebook and the client can say which node refused and why. It keeps the worker's warm checker
and a warm kernel for the next submission between tasks, and on GPU nodes takes one GPU per
worker process (a lock file per physical GPU), so ``per_gpu`` threads share it.

The task receives the exercise (a zip of the spec's folder and the rubric, sent once per worker
by Dask), the notebook's bytes and its name, grades it in a folder of its own and returns the
report, the seconds it took, the report folder (figures, executed notebook) as a zip, and the
node it ran on.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import shutil
import socket
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from distributed import WorkerPlugin
except ImportError:  # the cluster extra is not installed: this module is never used then
    WorkerPlugin = object  # type: ignore[assignment,misc]


def plugin_name(exercise: str) -> str:
    return f"dl-grader-{exercise}"


def resource_name(exercise: str, device: str) -> str:
    return f"dlgrader-{exercise}-{device}"


@dataclass
class DataFile:
    rel: str  # the path under a data directory (the dataset's layout folder and file name)
    sha256: str
    size: int


@dataclass
class Terms:
    """What the client asks of every worker that grades for it."""
    exercise: str
    version: str
    sandbox: str = "auto"
    device: str = "cpu"
    data: str = "auto"  # shared | ship | auto
    data_dir: str | None = None  # the shared folder, as the workers see it
    files: list[DataFile] = field(default_factory=list)
    per_gpu: int = 1
    warm: bool = True
    lang: str = "es"  # the client's: a node's reasons are read there


def shipped_dir() -> Path:
    """Where datasets shipped to this node go (one folder per node and user, kept between runs)."""
    base = os.environ.get("DLGRADER_SHIPPED_DATA") or os.path.join(tempfile.gettempdir(), f"dl-grader-data-{os.getuid()}")
    return Path(base)


_SUMS: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) → sha256, so a node hashes a file once


def file_ok(path: Path, want: DataFile) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    if st.st_size != want.size:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _SUMS:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _SUMS[key] = h.hexdigest()
    return _SUMS[key] == want.sha256


class GraderPlugin(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Decides whether this worker grades for ``terms.exercise`` (see the module docstring)."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.name = plugin_name(terms.exercise)
        self.state = "checking"  # checking | ready | needs_data | refused
        self.reason = ""
        self.missing: list[str] = []
        self.data_dir: str | None = None
        self.host = socket.gethostname()
        self.gpu: int | None = None
        self.gpu_memory_mb: int | None = None
        self._gpu_lock: Any = None
        self._warm: list[Any] = []
        self._lock = threading.Lock()
        self.worker: Any = None

    def __getstate__(self) -> dict[str, Any]:  # what travels to the workers: the terms only
        return {"terms": self.terms}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["terms"])  # type: ignore[misc]

    # ------------------------------------------------------------------ Dask's hooks
    async def setup(self, worker: Any) -> None:
        self.worker = worker
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.check)
        if self.state == "ready":
            await self.open(worker)

    def teardown(self, worker: Any) -> None:
        with self._lock:
            warm, self._warm = self._warm, []
        for kernel in warm:
            try:
                kernel.discard()
            except Exception:
                pass
        if self._gpu_lock is not None:
            self._gpu_lock.close()

    # ------------------------------------------------------------------ readiness
    def check(self) -> None:
        """Whether this node can grade: the same grader, the sandbox, the datasets."""
        from grader import __version__
        from grader.runtime import sandbox

        t = self.terms
        if __version__ != t.version:
            return self._refuse("cluster.version", here=__version__, client=t.version)
        try:
            level = sandbox.choose(t.sandbox)
        except sandbox.SandboxUnavailable as exc:
            return self._refuse("cluster.sandbox", problem=str(exc), level=t.sandbox)
        if t.sandbox == "auto" and level != "bwrap":
            return self._refuse("cluster.no_bwrap")
        if t.device == "gpu" and not self._take_gpu():
            return None
        places = [p for p in (t.data_dir, str(shipped_dir())) if p]
        for place in places:
            missing = [f.rel for f in t.files if not file_ok(Path(place) / f.rel, f)]
            if not missing:
                self.data_dir, self.state, self.missing = place, "ready", []
                self._warm_checker()
                return None
            if place == t.data_dir:
                self.missing = missing
        if t.data == "shared":
            return self._refuse("cluster.no_data", folder=t.data_dir, files=", ".join(self.missing[:4]))
        self.missing = [f.rel for f in t.files if not file_ok(shipped_dir() / f.rel, f)]
        self.state = "needs_data"
        return None

    def _refuse(self, key: str, **params: Any) -> None:
        from grader.messages import render

        self.state, self.reason = "refused", render(key, params, self.terms.lang)

    def _take_gpu(self) -> bool:
        """One GPU for this worker process: the first of the node's visible GPUs whose lock file
        no other worker holds."""
        import fcntl

        from grader.runtime.limits import gpu_total_mb

        visible = [g.strip() for g in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if g.strip()]
        if not visible:
            total = _gpu_count()
            visible = [str(i) for i in range(total)]
        if not visible:
            self._refuse("cluster.no_gpu")
            return False
        for index, physical in enumerate(visible):
            handle = open(os.path.join(tempfile.gettempdir(), f"dl-grader-gpu-{physical}.lock"), "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self._gpu_lock, self.gpu = handle, index
            total_mb = gpu_total_mb()
            self.gpu_memory_mb = int(total_mb * 0.9 / max(1, self.terms.per_gpu)) if total_mb else None
            return True
        self._refuse("cluster.gpus_taken", n=len(visible))
        return False

    def _warm_checker(self) -> None:
        try:
            from grader.pipeline import check

            check.warm_up()
        except Exception:
            pass

    async def open(self, worker: Any) -> None:
        """Take grading tasks: as many at once as the worker has threads (``per_gpu`` on a GPU)."""
        slots = worker.state.nthreads
        if self.terms.device == "gpu":
            slots = min(slots, max(1, self.terms.per_gpu))
        await worker.set_resources(**{resource_name(self.terms.exercise, self.terms.device): slots})

    def status(self) -> dict[str, Any]:
        return {"state": self.state, "reason": self.reason, "missing": list(self.missing), "host": self.host,
                "gpu": self.gpu, "data_dir": self.data_dir}

    # ------------------------------------------------------------------ warm kernels
    def take_warm(self, key: str) -> Any:
        with self._lock:
            for i, kernel in enumerate(self._warm):
                if kernel.key == key:
                    return self._warm.pop(i)
        return None

    def start_warm(self, spec: Any, opts: Any) -> None:
        from grader.pipeline import warm

        if not self.terms.warm:
            return
        with self._lock:
            if len(self._warm) >= self.worker.state.nthreads:
                return
        try:
            kernel = warm.WarmKernel(spec, opts)
        except Exception:
            return
        with self._lock:
            self._warm.append(kernel)


def _gpu_count() -> int:
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"], capture_output=True,
                             text=True, timeout=30).stdout
    except Exception:
        return 0
    return len([line for line in out.splitlines() if line.strip()])


# ---------------------------------------------------------------------- run on workers (client.run)
def worker_status(name: str, dask_worker: Any = None) -> dict[str, Any]:
    plugin = (dask_worker.plugins if dask_worker is not None else {}).get(name)
    if plugin is None:
        return {"state": "no_plugin", "reason": "the dl-grader plugin is not set up on this worker yet",
                "host": socket.gethostname(), "missing": []}
    return plugin.status()  # type: ignore[no-any-return]


def receive(rel: str, offset: int, chunk: bytes, dask_worker: Any = None) -> int:
    """Write one piece of a shipped dataset file into this node's folder (``<file>.part`` until
    ``activate`` has checked it)."""
    root = shipped_dir().resolve()
    target = (root / rel).resolve()
    if not str(target).startswith(str(root) + os.sep):
        raise ValueError(f"refusing to write outside {root}: {rel}")
    part = target.with_name(target.name + f".part-{os.getpid()}")
    part.parent.mkdir(parents=True, exist_ok=True)
    with open(part, "r+b" if offset and part.exists() else "wb") as f:
        f.seek(offset)
        f.write(chunk)
    return len(chunk)


async def activate(name: str, dask_worker: Any = None) -> dict[str, Any]:
    """After shipping: move the complete files in place, check them all and, when this node now
    has everything, start taking tasks."""
    plugin = dask_worker.plugins[name]
    root = shipped_dir()
    pid = os.getpid()
    for f in plugin.terms.files:
        part = (root / f.rel).with_name(Path(f.rel).name + f".part-{pid}")
        if part.exists():
            if file_ok(part, f):
                os.replace(part, root / f.rel)
            else:
                part.unlink()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, plugin.check)
    if plugin.state == "ready":
        await plugin.open(dask_worker)
    elif plugin.state == "needs_data":
        plugin._refuse("cluster.bad_shipped", folder=str(root), files=", ".join(plugin.missing[:4]))
    return plugin.status()  # type: ignore[no-any-return]


def batch_job() -> dict[str, str]:
    """The batch scheduler's job this worker runs in (Slurm, PBS, SGE, LSF, HTCondor), if any."""
    for var, scheduler in (("SLURM_JOB_ID", "slurm"), ("PBS_JOBID", "pbs"), ("LSB_JOBID", "lsf"),
                           ("JOB_ID", "sge"), ("CONDOR_JOB_ID", "htcondor")):
        if os.environ.get(var):
            return {"scheduler": scheduler, "job": os.environ[var]}
    return {}


def reconsider(dask_scheduler: Any = None) -> int:
    """On the scheduler: tasks that found no worker with their resource look again. The scheduler
    does this when a worker joins, not when a worker's plugin gives it the resource later
    (``Worker.set_resources``), which is when a node becomes ready to grade."""
    recommendations = {}
    for ts in list(dask_scheduler.unrunnable):
        valid = dask_scheduler.valid_workers(ts)
        if valid is None or valid:
            recommendations[ts.key] = "waiting"
    if recommendations:
        dask_scheduler.transitions(recommendations, stimulus_id=f"dl-grader-ready-{time.time()}")
    return len(recommendations)


# ---------------------------------------------------------------------- the grading task
_UNPACKED: dict[str, Path] = {}
_UNPACK_LOCK = threading.Lock()


def pack_exercise(spec_file: Path, rubric_file: Path, limit: int = 50 * 1024 ** 2) -> bytes:
    """The spec's folder and the rubric, zipped, for the workers."""
    folder = spec_file.resolve().parent
    buf = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                total += path.stat().st_size
                if total > limit:
                    from grader.model.errors import UsageError

                    raise UsageError(f"{folder}: the exercise's folder holds over {limit // 1024 ** 2} MB; keep only "
                                     "the spec and the files it names there to grade on a cluster")
                zf.write(path, f"exercise/{path.relative_to(folder)}")
        zf.writestr("spec_name", spec_file.name)
        zf.write(rubric_file, "rubric.yaml")
    return buf.getvalue()


def _exercise(bundle: bytes) -> tuple[Path, Path]:
    digest = hashlib.sha256(bundle).hexdigest()[:16]
    with _UNPACK_LOCK:
        where = _UNPACKED.get(digest)
        if where is None or not where.is_dir():
            where = Path(tempfile.mkdtemp(prefix=f"dlg-exercise-{digest}-"))
            with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
                zf.extractall(where)
            _UNPACKED[digest] = where
    name = (where / "spec_name").read_text(encoding="utf-8").strip()
    return where / "exercise" / name, where / "rubric.yaml"


def _more_here(worker: Any) -> bool:
    """Whether this worker holds another grading task waiting for its turn (the scheduler hands
    resource-bound tasks to workers ahead; the order they run in is Dask's, not the class's)."""
    try:
        waiting = [*worker.state.constrained, *worker.state.ready]
    except Exception:
        return True
    return any(str(ts.key).startswith("dlgrader-") for ts in waiting)


def grade(bundle: bytes, notebook: bytes, filename: str, options: dict[str, Any], exercise: str,
          warm_next: bool = False) -> dict[str, Any]:
    """Grade one submission on this worker (see the module docstring); ``warm_next``: more are to
    come, so start the kernel of this worker's next one meanwhile."""
    import dataclasses

    from distributed import get_worker

    from grader.model.options import GradeOptions
    from grader.pipeline import grade_one, warm
    from grader.pipeline.spec import load_rubric, load_spec

    worker = get_worker()
    plugin: GraderPlugin | None = worker.plugins.get(plugin_name(exercise))  # type: ignore[assignment]
    if plugin is None or plugin.state != "ready":
        raise RuntimeError(f"node {socket.gethostname()} is not ready to grade {exercise}: "
                           f"{plugin.reason if plugin else 'no dl-grader plugin'}")
    t0 = time.monotonic()
    spec_file, rubric_file = _exercise(bundle)
    spec = load_spec(spec_file)
    rubric = load_rubric(rubric_file, spec)
    folder = Path(tempfile.mkdtemp(prefix="dlg-task-"))
    try:
        safe = Path(filename).name or "submission.ipynb"
        path = folder / "in" / safe
        path.parent.mkdir()
        path.write_bytes(notebook)
        out = folder / "out"
        opts = GradeOptions(**{**options, "data_dir": Path(plugin.data_dir) if plugin.data_dir else None,
                               "out_dir": out})
        if plugin.gpu is not None:
            opts = dataclasses.replace(opts, gpu_index=plugin.gpu, gpu_memory_mb=opts.gpu_memory_mb or plugin.gpu_memory_mb)
        profiled = spec.with_profile(opts.profile)
        ahead = plugin.take_warm(warm.key_of(profiled, opts))
        if warm_next and _more_here(worker):
            plugin.start_warm(profiled, dataclasses.replace(opts, out_dir=None))
        report = grade_one(spec, rubric, path, opts, warm=ahead)
        node = {"host": plugin.host, "worker": worker.address, **batch_job(),
                **({"gpu": plugin.gpu} if plugin.gpu is not None else {})}
        report.setdefault("execution", {})["node"] = node
        if isinstance(report.get("evidence"), dict):  # a rescore keeps it
            report["evidence"]["node"] = node
        files = io.BytesIO()
        with zipfile.ZipFile(files, "w", zipfile.ZIP_DEFLATED) as zf:
            for item in sorted(out.rglob("*")) if out.is_dir() else []:
                if item.is_file():
                    zf.write(item, str(item.relative_to(out)))
        return {"report": report, "seconds": round(time.monotonic() - t0, 2), "files": files.getvalue(),
                "host": plugin.host, "worker": worker.address}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
