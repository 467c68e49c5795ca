"""Stage 3 — execute: run a student's notebook in a real Jupyter kernel, hermetically.

``execute()`` never raises for anything the notebook does. It returns an
``ExecutionOutcome``: which cells ran, failed or timed out, whether the kernel died, how long
it took, the device used, and what the kernel exported after each cell (see
``grader.kernel``, shipped into the kernel as a package).

Isolation (``grader.runtime.sandbox``): the kernel starts inside bubblewrap (allow-list filesystem, no
network, own PID namespace) or, where that is missing, a user + network namespace; it talks to
this process over ZeroMQ's IPC transport (Unix sockets in a private folder) instead of TCP.
Limits (``grader.runtime.limits``): memory and tasks through a cgroup where one can be had, a watchdog
thread otherwise, and for disk written and output sent back. Timeouts come in two layers: per
cell inside nbclient (interrupt, then move on) and a wall-clock timer that kills the kernel
when the whole notebook's budget is spent. Each limit hit is its own outcome status.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError

from grader.model.outcomes import ExecutionOutcome
from grader.pipeline import codemap, export, intake
from grader.pipeline.cells import (
    _TIMEOUT_ENAME,
    _error_of,
    _mark_dead,
    _mark_limit,
    _run_cells,
    kernel_call,
)
from grader.pipeline.output import BoundedClient
from grader.runtime import limits, sandbox

KERNEL_PACKAGE = Path(__file__).resolve().parents[1] / "kernel"  # shipped into each kernel as _dl_grader_kernel
KERNEL_MODULE = "_dl_grader_kernel"
TAIL_LIMIT = 8_000
_SECRET_ENV = re.compile(r"(TOKEN|SECRET|PASSW|CREDENTIAL|API_?KEY|^AWS_|^GITHUB_|^JPY_|^JUPYTER_|^DLGRADER_)")


@dataclass
class RunOptions:
    seed: int = 0
    device: str = "cpu"  # cpu | gpu | auto
    cell_timeout: float = 120
    notebook_timeout: float = 900
    startup_timeout: float = 90
    isolate_network: bool = True  # False: same as sandbox="none"
    sandbox: str = "auto"  # auto | bwrap | namespace | none (grader.runtime.sandbox)
    limits: limits.Limits = field(default_factory=limits.Limits)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    # provisioned data (provision.Workspace.kernel_data) and the fit budget for grader.kernel.fit
    kernel_data: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    lang: str = "es"
    compat: str = "adapt"  # grader.kernel.compat: adapt | hint
    profile: str = "full"  # the spec's profile these settings came from

    def in_force(self) -> dict[str, Any]:
        """The compute budget this run is held to, as the report records it."""
        return {"cell_timeout": self.cell_timeout, "notebook_timeout": self.notebook_timeout, **self.budget}


class IsolatedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel behind ``prefix`` (cgroup launcher, rlimits,
    sandbox) over IPC transport. Inside a PID namespace a SIGINT to the process group would
    also reach bubblewrap's monitor, so interrupts go as ``interrupt_request`` messages."""

    prefix: list[str] = []
    interrupt_by_message = False
    owner: int | None = None  # the unprivileged uid the kernel runs as (it must read the file)
    # ZMQ_MAXMSGSIZE of the client's sockets: ZMQ drops the connection of a kernel that sends a
    # larger message, before buffering it (BoundedClient.connection_dropped sees it); 0: none
    max_message: int = 0

    def client(self, **kwargs: Any) -> Any:
        if self.max_message and "context" not in kwargs:
            context = zmq.asyncio.Context()
            context.setsockopt(zmq.MAXMSGSIZE, self.max_message)  # a default of every socket made in it
            kc = super().client(context=context, **kwargs)
            kc._created_context = True  # the client destroys it when its channels stop
            return kc
        return super().client(**kwargs)

    def write_connection_file(self, **kwargs: Any) -> None:
        super().write_connection_file(**kwargs)
        if self.owner is not None and self.connection_file:
            os.chown(self.connection_file, self.owner, self.owner)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [*self.prefix, *super().format_kernel_cmd(extra_arguments)]

    async def _async_interrupt_kernel(self) -> None:
        if not self.interrupt_by_message:
            await super()._async_interrupt_kernel()
            return
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel  # type: ignore[assignment]


def _kernel_env(options: RunOptions, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not _SECRET_ENV.search(k)}
    env.update(
        HOME=str(home),
        TMPDIR=str(home.parent / "tmp"),
        IPYTHONDIR=str(home / ".ipython"),
        # figures become image outputs in executed.ipynb (the instructor sees the student's plots)
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        MPLCONFIGDIR=str(home / ".matplotlib"),
        PYTHONHASHSEED=str(options.seed),
        TF_DETERMINISTIC_OPS="1",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONWARNINGS="ignore",
    )
    if options.device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = "-1"
    else:
        env.update(limits.gpu_env(options.limits))
    env.update(options.extra_env)
    return env


def ship_kernel_package(runtime: Path) -> Path:
    """Copy ``grader/kernel`` into ``runtime/lib/_dl_grader_kernel`` (read-only; as root the
    folder stays the grader's, so the kernel's user cannot change it) and return ``lib``."""
    lib = runtime / "lib"
    target = lib / KERNEL_MODULE
    target.mkdir(parents=True)
    for source in sorted(KERNEL_PACKAGE.glob("*.py")):
        shutil.copyfile(source, target / source.name)
        (target / source.name).chmod(0o444)
    target.chmod(0o555)
    lib.chmod(0o555)
    return lib


def _prelude(lib: Path, config: dict[str, Any]) -> nbformat.NotebookNode:
    """The first cell: import the shipped package (no bytecode written beside it) and set up."""
    code = (
        "def _dl_grader_boot(lib, config):\n"
        "    import importlib, sys\n"
        "    sys.path.insert(0, lib)\n"
        "    bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True\n"
        "    try:\n"
        f"        m = importlib.import_module({KERNEL_MODULE!r})\n"
        "    finally:\n"
        "        sys.path.remove(lib)\n"
        "        sys.dont_write_bytecode = bytecode\n"
        "    m.setup(config)\n"
        f"_dl_grader_boot({str(lib)!r}, {config!r})\n"
        "del _dl_grader_boot\n"
    )
    return nbformat.v4.new_code_cell(code)


def _text_of(nb: nbformat.NotebookNode) -> str:
    parts = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif out.get("output_type") == "error":
                parts.append(f"[cell {i}] {out.get('ename')}: {out.get('evalue')}\n")
    return truncate_middle("".join(parts), TAIL_LIMIT)


def truncate_middle(text: str, limit: int) -> str:
    """Keep the head and the tail of a long text (progress bars are long)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    if len(text) <= limit:
        return text
    half = limit // 2
    return text[:half] + f"\n[... {len(text) - limit} characters omitted ...]\n" + text[-half:]


def _read_only_files(options: RunOptions) -> list[Path]:
    """Dataset files the kernel reads itself (``keras.datasets.*.load_data()``)."""
    out = []
    for info in options.kernel_data.get("datasets", {}).values():
        out += [Path(f) for f in info.get("files", {}).values()]
    return out


def execute(
    notebook: Path,
    workdir: Path,
    artifacts_dir: Path,
    options: RunOptions,
) -> tuple[ExecutionOutcome, nbformat.NotebookNode | None]:
    """Run ``notebook`` with ``workdir`` as its working directory. Never raises for anything
    the notebook does (``sandbox.SandboxUnavailable`` when an isolation level named
    explicitly cannot be had: check it once before a batch with ``sandbox.choose``)."""
    start = time.monotonic()
    read = intake.read_submission(notebook)
    if read.notebook is None:
        return invalid_outcome(read, options), None
    session = KernelSession(workdir, artifacts_dir, options)
    session.start()
    return session.run(read.notebook, read.notes, start)


def invalid_outcome(read: intake.Intake, options: RunOptions) -> ExecutionOutcome:
    """What a submission that is not a notebook becomes (no kernel is started for it)."""
    return ExecutionOutcome(status="invalid_notebook", detail=read.detail, seed=options.seed,
                            problem={"key": read.problem, "params": read.params},
                            budget=options.in_force(), profile=options.profile)


class KernelSession:
    """One submission's kernel: sandboxed, limited, watched. ``start`` brings it up and runs
    the grader's prelude (plus ``warm`` imports); ``run`` then executes a notebook in it, once.

    A batch starts the next submission's session while the current notebook runs, so starting
    the kernel and importing Keras happen off the student's clock (``grader.pipeline.warm``). Both calls
    must come from the same thread: the kernel's client lives in that thread's event loop.
    """

    def __init__(self, workdir: Path, artifacts_dir: Path, options: RunOptions) -> None:
        self.workdir, self.artifacts_dir, self.options = workdir, artifacts_dir, options
        self.level = sandbox.choose(options.sandbox if options.isolate_network else "none")
        self.runtime = Path(tempfile.mkdtemp(prefix=f"dlg-rt-{os.getpid()}-"))
        self.home = self.runtime / "home"
        self.home.mkdir()
        (self.runtime / "tmp").mkdir()  # TMPDIR: the host's /tmp is not the kernel's to write
        artifacts_dir.mkdir(parents=True, exist_ok=True)
        self.group = limits.new_cgroup(options.limits)
        self.isolation = sandbox.describe(self.level, memory=f"cgroup {self.group.version}" if self.group else "watchdog",
                                          processes=f"cgroup {self.group.version}" if self.group else "watchdog")
        plan = sandbox.Plan(workdir=workdir, artifacts=artifacts_dir, runtime=self.runtime,
                            read_only=_read_only_files(options), device=options.device)
        self.km = IsolatedKernelManager(transport="ipc", ip=str(self.runtime / "k"))
        self.km.connection_file = str(self.runtime / "kernel.json")
        self.km.prefix = limits.launcher(self.group, options.limits) + sandbox.command_prefix(self.level, plan)
        self.km.owner = sandbox.kernel_uid(self.level)
        if self.km.owner is not None:  # the folders the kernel writes belong to its user
            for folder in (workdir, artifacts_dir, self.runtime):
                _chown_tree(folder, self.km.owner)
        self.lib = ship_kernel_package(self.runtime)  # after the chown: it stays the grader's
        self.km.interrupt_by_message = self.level == "bwrap"
        # no message larger than the output limit is buffered (the control socket's context too)
        self.km.max_message = int(options.limits.output_mb * limits.MiB) + 64 * 1024
        self.km.context.setsockopt(zmq.MAXMSGSIZE, self.km.max_message)
        # grader-owned cells run in a scratch slot: the only cell of this placeholder notebook
        # until ``run``, then an extra last cell of the student's (removed before it is returned)
        self.client = BoundedClient(
            nbformat.v4.new_notebook(cells=[nbformat.v4.new_raw_cell("")]),
            km=self.km,
            timeout_func=self.cell_timeout,
            startup_timeout=int(options.startup_timeout),
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": _TIMEOUT_ENAME, "evalue": "cell timed out"},
            record_timing=True,
            # the last grader cell has written every artifact when the kernel is stopped: a
            # graceful shutdown only waits (1.3 s for a kernel that imported TensorFlow) for
            # exit handlers whose work nobody reads
            shutdown_kernel="immediate",
            iopub_timeout=10,
            shell_timeout_interval=1,
        )
        self.watchdog = limits.Watchdog(options.limits, self.kernel_pid, self.group,
                                        [workdir, artifacts_dir, self.runtime])
        self.client.watchdog = self.watchdog
        self.client.output_budget = int(options.limits.output_mb * limits.MiB)
        self.failure: str | None = None  # why the kernel did not come up
        self.kernel_log = ""
        self._log: Any = None
        self._closed = False
        self.ahead = False  # started for a submission not known yet (grader.pipeline.warm)
        self.startup_s: float | None = None

    def cell_timeout(self, cell: nbformat.NotebookNode) -> float:
        return float(cell.metadata.get("dl_grader_timeout", self.options.cell_timeout))

    def kernel_pid(self) -> int | None:
        proc = getattr(self.km.provisioner, "process", None) if self.km.provisioner else None
        return getattr(proc, "pid", None)

    def _config(self) -> dict[str, Any]:
        o = self.options
        return {"seed": o.seed, "artifacts_dir": str(self.artifacts_dir), "artifacts": o.artifacts,
                "device": o.device, "budget": o.budget, "lang": o.lang, "compat": o.compat,
                "gpu_memory_mb": o.limits.gpu_memory_mb, **o.kernel_data}

    def start(self, warm_imports: list[str] | tuple[str, ...] = ()) -> bool:
        """Start the kernel and run the prelude; False (and ``failure`` says why) if it did not."""
        t0 = time.monotonic()
        try:
            # a file without a name: the kernel owns its runtime folder and could put a link to
            # any file where a named log would be, which the grader would then read
            self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _release)
            self.client.start_new_kernel(cwd=str(self.workdir), env=_kernel_env(self.options, self.home),
                                         stdout=self._log, stderr=subprocess.STDOUT)
            self.watchdog.start()
            self.client.start_new_kernel_client()
            self.client.watch_connections()
            prelude = _prelude(self.lib, self._config())
            prelude.metadata["dl_grader_timeout"] = self.options.startup_timeout
            self._grader_cell(prelude)
            if warm_imports:
                warm = kernel_call("warm", list(warm_imports))
                warm.metadata["dl_grader_timeout"] = self.options.startup_timeout
                self._grader_cell(warm)
        except Exception as exc:  # the kernel never came up, or died in the grader's own cells
            self.failure = f"{type(exc).__name__}: {exc}"[:500]
            self.kernel_log = _log_tail(self._log)
            return False
        finally:
            self.startup_s = round(time.monotonic() - t0, 3)
        return True

    def _grader_cell(self, cell: nbformat.NotebookNode) -> None:
        self.client.execute_cell(cell, len(self.client.nb.cells) - 1, store_history=False)
        ename, evalue, _ = _error_of(cell)
        if ename is not None:
            raise RuntimeError(f"the grader's setup failed in the kernel: {ename}: {evalue}")

    def close(self) -> None:
        """Shut a session down without running anything (a warm kernel nobody needed)."""
        if not self._closed:
            self._shutdown()
            self._release()

    def _shutdown(self) -> None:
        try:
            self.client._cleanup_kernel()
        except Exception:
            pass

    def _release(self) -> str | None:
        """Stop watching, kill what is left, free the group and the runtime folder; the limit
        that ended the run, if one did."""
        self._closed = True
        self.watchdog.stop()
        if self.group is not None:
            self.group.kill_all()
        verdict = self.watchdog.verdict()
        if self.group is not None:
            self.group.remove()
        if self.km.owner is not None:  # the kernel is gone: what it wrote is the grader's to read
            _chown_tree(self.artifacts_dir, os.geteuid())
        if self._log is not None:
            self._log.close()
        for folder in (self.lib / KERNEL_MODULE, self.lib):  # read-only while the kernel ran
            try:
                folder.chmod(0o755)
            except OSError:
                pass
        shutil.rmtree(self.runtime, ignore_errors=True)
        return verdict

    def run(self, nb: nbformat.NotebookNode, notes: list[dict[str, Any]] | None = None,
            start: float | None = None) -> tuple[ExecutionOutcome, nbformat.NotebookNode]:
        """Execute every cell of ``nb`` (exporting artifacts after each), then shut down."""
        start = time.monotonic() if start is None else start
        options = self.options
        outcome = ExecutionOutcome(status="ok", seed=options.seed, isolation=self.isolation,
                                   budget=options.in_force(), profile=options.profile,
                                   artifacts_dir=str(self.artifacts_dir), adaptations=list(notes or []),
                                   kernel={"started_ahead": self.ahead, "startup_s": self.startup_s},
                                   code=codemap.build(nb))
        if self.failure is not None or self._closed:
            outcome.status = "kernel_failed"
            outcome.detail = self.failure or "the kernel was already used"
            outcome.output_tail = f"[kernel log]\n{self.kernel_log}" if self.kernel_log else ""
            self.close()
            outcome.duration = round(time.monotonic() - start, 3)
            return outcome, nb
        nb.cells.append(nbformat.v4.new_raw_cell(""))
        scratch = len(nb.cells) - 1
        self.client.nb = nb
        timer_fired = threading.Event()

        def out_of_time() -> None:
            timer_fired.set()
            self.watchdog.kill()

        timer = threading.Timer(options.notebook_timeout, out_of_time)
        kernel_log = ""
        try:
            timer.start()
            try:
                self.client.execute_cell(kernel_call("begin"), scratch, store_history=False)
                _run_cells(self.client, nb, outcome, scratch, self.cell_timeout)
                if outcome.status not in ("dead_kernel", "timeout"):
                    self.client.execute_cell(kernel_call("finish"), scratch, store_history=False)
            except DeadKernelError:
                _mark_dead(outcome, None)
            except Exception as exc:  # nbclient/zmq trouble: keep what we have
                outcome.status = "kernel_failed"
                outcome.detail = f"{type(exc).__name__}: {exc}"[:500]
            finally:
                timer.cancel()
                self._shutdown()
            if outcome.status in ("dead_kernel", "kernel_failed"):
                kernel_log = _log_tail(self._log)
        finally:
            outcome.resources = {"limits": options.limits.as_dict(), "peaks": dict(self.watchdog.peaks),
                                 "output_mb": round(self.watchdog.output_bytes / limits.MiB, 2)}
            verdict = self._release()
            outcome.resources["peaks"] = dict(self.watchdog.peaks)
            if self.watchdog.escaped:
                outcome.resources["left_its_cgroup"] = True
            nb.cells.pop(scratch)
        if verdict is not None and not timer_fired.is_set():
            _mark_limit(outcome, verdict, options.limits, nb)
        elif timer_fired.is_set():
            outcome.status = "timeout"
            outcome.timeout_s = options.notebook_timeout
            outcome.detail = f"the whole notebook ran longer than {options.notebook_timeout:g} s"
            for cell in outcome.cells:
                if cell.ename == "DeadKernelError":  # killed by the timer, not by itself
                    cell.status, cell.ename, cell.evalue = "timeout", _TIMEOUT_ENAME, outcome.detail
                    outcome.failing_cell = cell.index if outcome.failing_cell is None else outcome.failing_cell
        manifest = export.read_manifest(self.artifacts_dir, [a["name"] for a in options.artifacts])
        if manifest.get("problem"):  # forged: none of it is used, and every artifact says why
            outcome.artifacts_problem = manifest["problem"]
            manifest = {"artifacts": {a["name"]: {"status": "tampered", "kind": a.get("kind", "value"),
                                                  "error": manifest["problem"]} for a in options.artifacts}}
        outcome.artifacts = manifest.get("artifacts", {})
        outcome.device = manifest.get("device") or {"requested": options.device, "used": "unknown"}
        outcome.versions = manifest.get("versions", {})
        outcome.adaptations += [e for e in manifest.get("events", []) if isinstance(e, dict)]
        outcome.fits = [f for f in manifest.get("fits", []) if isinstance(f, dict)]
        outcome.duration = round(time.monotonic() - start, 3)
        outcome.output_tail = _text_of(nb) + (f"\n[kernel log]\n{kernel_log}" if kernel_log else "")
        return outcome, nb


def _chown_tree(root: Path, uid: int) -> None:
    """Give ``root`` and what is below it to ``uid`` (links are not followed)."""
    os.chown(root, uid, uid, follow_symlinks=False)
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chown(os.path.join(base, name), uid, uid, follow_symlinks=False)


def _log_tail(log: Any, limit: int = 600) -> str:
    """The last lines the kernel wrote to its (unnamed) log file."""
    if log is None:
        return ""
    try:
        size = os.fstat(log.fileno()).st_size
        data = os.pread(log.fileno(), 64 * 1024, max(0, size - 64 * 1024))
    except (OSError, ValueError):
        return ""
    text = data.decode(errors="replace").strip()
    lines = [ln for ln in text.splitlines() if ln.strip() and "absl::InitializeLog" not in ln]
    return truncate_middle("\n".join(lines[-8:]), limit) or "(empty)"

