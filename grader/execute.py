"""Stage 3 — execute: run a student's notebook in a real Jupyter kernel, hermetically.

``execute()`` never raises for anything the notebook does. It returns an
``ExecutionOutcome``: which cells ran, failed or timed out, whether the kernel died, how long
it took, the device used, and what the kernel exported after each cell (see
``grader.kernel_side``).

Isolation (``grader.sandbox``): the kernel starts inside bubblewrap (allow-list filesystem, no
network, own PID namespace) or, where that is missing, a user + network namespace; it talks to
this process over ZeroMQ's IPC transport (Unix sockets in a private folder) instead of TCP.
Limits (``grader.limits``): memory and tasks through a cgroup where one can be had, a watchdog
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
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from grader import artifacts, intake, legacy, limits, sandbox
from grader.outcomes import CellOutcome, ExecutionOutcome

KERNEL_SIDE = Path(__file__).with_name("kernel_side.py")
CELL_OUTPUT_LIMIT = 100_000  # characters of output kept per cell
TAIL_LIMIT = 8_000
TRUNCATED = "\n[... output truncated by the grader ...]\n"
EXPORT_TIMEOUT = 120
_SECRET_ENV = re.compile(r"(TOKEN|SECRET|PASSW|CREDENTIAL|API_?KEY|^AWS_|^GITHUB_|^JPY_|^JUPYTER_|^DLGRADER_)")
# what a limit hit becomes: outcome status, and the error recorded on the cell that was running
_LIMIT_STATUS = {"memory": "oom", "processes": "process_limit", "disk": "disk_limit", "output": "output_limit"}
_TIMEOUT_ENAME = "CellTimeoutError"


@dataclass
class RunOptions:
    seed: int = 0
    device: str = "cpu"  # cpu | gpu | auto
    cell_timeout: float = 120
    notebook_timeout: float = 900
    startup_timeout: float = 90
    isolate_network: bool = True  # False: same as sandbox="none"
    sandbox: str = "auto"  # auto | bwrap | namespace | none (grader.sandbox)
    limits: limits.Limits = field(default_factory=limits.Limits)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    # provisioned data (provision.Workspace.kernel_data) and the fit budget for kernel_side
    kernel_data: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    lang: str = "es"


class IsolatedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel behind ``prefix`` (cgroup launcher, rlimits,
    sandbox) over IPC transport. Inside a PID namespace a SIGINT to the process group would
    also reach bubblewrap's monitor, so interrupts go as ``interrupt_request`` messages."""

    prefix: list[str] = []
    interrupt_by_message = False

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


class BoundedClient(NotebookClient):
    """nbclient's client with a cap on the output kept per cell (Keras progress bars) and a
    count of all output received, which the watchdog limits."""

    watchdog: limits.Watchdog | None = None

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        if self.watchdog is not None:
            content = msg.get("content", {})
            self.watchdog.add_output(len(content.get("text", "")) + len(str(content.get("data", ""))))
        size = sum(len(o.get("text", "")) + len(str(o.get("data", ""))) for o in outs)
        if size > CELL_OUTPUT_LIMIT:
            if not outs or outs[-1].get("text") != TRUNCATED:
                outs.append(nbformat.v4.new_output("stream", name="stderr", text=TRUNCATED))
            return None
        return super().output(outs, msg, display_id, cell_index)


def _kernel_env(options: RunOptions, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not _SECRET_ENV.search(k)}
    env.update(
        HOME=str(home),
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


def _code(name: str, *args: Any) -> nbformat.NotebookNode:
    """A grader-owned transient cell calling a function of the private kernel module."""
    call = f"__import__('sys').modules['_dl_grader_kernel'].{name}({', '.join(map(repr, args))})"
    return nbformat.v4.new_code_cell(call)


def _prelude(config: dict[str, Any]) -> nbformat.NotebookNode:
    source = KERNEL_SIDE.read_text(encoding="utf-8")
    code = (
        "def _dl_grader_boot(src, config):\n"
        "    import sys, types\n"
        "    m = types.ModuleType('_dl_grader_kernel')\n"
        "    sys.modules['_dl_grader_kernel'] = m\n"
        "    exec(compile(src, '<dl-grader>', 'exec'), m.__dict__)\n"
        "    m.setup(config)\n"
        f"_dl_grader_boot({source!r}, {config!r})\n"
        "del _dl_grader_boot\n"
    )
    return nbformat.v4.new_code_cell(code)


def _error_of(cell: nbformat.NotebookNode) -> tuple[str | None, str | None, str | None]:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            tb = "\n".join(out.get("traceback", []))
            tb = re.sub(r"\x1b\[[0-9;]*m", "", tb)
            return out.get("ename"), out.get("evalue"), tb
    return None, None, None


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
                            problem={"key": read.problem, "params": read.params})


class KernelSession:
    """One submission's kernel: sandboxed, limited, watched. ``start`` brings it up and runs
    the grader's prelude (plus ``warm`` imports); ``run`` then executes a notebook in it, once.

    A batch starts the next submission's session while the current notebook runs, so starting
    the kernel and importing Keras happen off the student's clock (``grader.warm``). Both calls
    must come from the same thread: the kernel's client lives in that thread's event loop.
    """

    def __init__(self, workdir: Path, artifacts_dir: Path, options: RunOptions) -> None:
        self.workdir, self.artifacts_dir, self.options = workdir, artifacts_dir, options
        self.level = sandbox.choose(options.sandbox if options.isolate_network else "none")
        self.runtime = Path(tempfile.mkdtemp(prefix="dlg-rt-"))
        self.home = self.runtime / "home"
        self.home.mkdir()
        artifacts_dir.mkdir(parents=True, exist_ok=True)
        self.group = limits.new_cgroup(options.limits)
        self.isolation = sandbox.describe(self.level, memory=f"cgroup {self.group.version}" if self.group else "watchdog",
                                          processes=f"cgroup {self.group.version}" if self.group else "watchdog")
        plan = sandbox.Plan(workdir=workdir, artifacts=artifacts_dir, runtime=self.runtime,
                            read_only=_read_only_files(options), device=options.device)
        self.km = IsolatedKernelManager(transport="ipc", ip=str(self.runtime / "k"))
        self.km.connection_file = str(self.runtime / "kernel.json")
        self.km.prefix = limits.launcher(self.group, options.limits) + sandbox.command_prefix(self.level, plan)
        self.km.interrupt_by_message = self.level == "bwrap"
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
            iopub_timeout=10,
            shell_timeout_interval=1,
        )
        self.watchdog = limits.Watchdog(options.limits, self.kernel_pid, self.group,
                                        [workdir, artifacts_dir, self.runtime])
        self.client.watchdog = self.watchdog
        self.failure: str | None = None  # why the kernel did not come up
        self.kernel_log = ""
        self._log: Any = None
        self._closed = False
        self.ahead = False  # started for a submission not known yet (grader.warm)
        self.startup_s: float | None = None

    def cell_timeout(self, cell: nbformat.NotebookNode) -> float:
        return float(cell.metadata.get("dl_grader_timeout", self.options.cell_timeout))

    def kernel_pid(self) -> int | None:
        proc = getattr(self.km.provisioner, "process", None) if self.km.provisioner else None
        return getattr(proc, "pid", None)

    def _config(self) -> dict[str, Any]:
        o = self.options
        return {"seed": o.seed, "artifacts_dir": str(self.artifacts_dir), "artifacts": o.artifacts,
                "device": o.device, "budget": o.budget, "lang": o.lang,
                "gpu_memory_mb": o.limits.gpu_memory_mb, **o.kernel_data}

    def start(self, warm_imports: list[str] | tuple[str, ...] = ()) -> bool:
        """Start the kernel and run the prelude; False (and ``failure`` says why) if it did not."""
        t0 = time.monotonic()
        try:
            self._log = open(self.runtime / "kernel.log", "wb")  # noqa: SIM115 (closed by _release)
            self.client.start_new_kernel(cwd=str(self.workdir), env=_kernel_env(self.options, self.home),
                                         stdout=self._log, stderr=subprocess.STDOUT)
            self.watchdog.start()
            self.client.start_new_kernel_client()
            prelude = _prelude(self._config())
            prelude.metadata["dl_grader_timeout"] = self.options.startup_timeout
            self._grader_cell(prelude)
            if warm_imports:
                warm = _code("warm", list(warm_imports))
                warm.metadata["dl_grader_timeout"] = self.options.startup_timeout
                self._grader_cell(warm)
        except Exception as exc:  # the kernel never came up, or died in the grader's own cells
            self.failure = f"{type(exc).__name__}: {exc}"[:500]
            self.kernel_log = _log_tail(self.runtime / "kernel.log")
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
        if self._log is not None:
            self._log.close()
        shutil.rmtree(self.runtime, ignore_errors=True)
        return verdict

    def run(self, nb: nbformat.NotebookNode, notes: list[dict[str, Any]] | None = None,
            start: float | None = None) -> tuple[ExecutionOutcome, nbformat.NotebookNode]:
        """Execute every cell of ``nb`` (exporting artifacts after each), then shut down."""
        start = time.monotonic() if start is None else start
        options = self.options
        outcome = ExecutionOutcome(status="ok", seed=options.seed, isolation=self.isolation,
                                   artifacts_dir=str(self.artifacts_dir), adaptations=list(notes or []),
                                   kernel={"started_ahead": self.ahead, "startup_s": self.startup_s})
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
                self.client.execute_cell(_code("begin"), scratch, store_history=False)
                _run_cells(self.client, nb, outcome, scratch, self.cell_timeout)
                if outcome.status not in ("dead_kernel", "timeout"):
                    self.client.execute_cell(_code("finish"), scratch, store_history=False)
            except DeadKernelError:
                _mark_dead(outcome, None)
            except Exception as exc:  # nbclient/zmq trouble: keep what we have
                outcome.status = "kernel_failed"
                outcome.detail = f"{type(exc).__name__}: {exc}"[:500]
            finally:
                timer.cancel()
                self._shutdown()
            if outcome.status in ("dead_kernel", "kernel_failed"):
                kernel_log = _log_tail(self.runtime / "kernel.log")
        finally:
            outcome.resources = {"limits": options.limits.as_dict(), "peaks": dict(self.watchdog.peaks),
                                 "output_mb": round(self.watchdog.output_bytes / limits.MiB, 2)}
            verdict = self._release()
            outcome.resources["peaks"] = dict(self.watchdog.peaks)
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
        manifest = artifacts.read_manifest(self.artifacts_dir)
        outcome.artifacts = manifest.get("artifacts", {})
        outcome.device = manifest.get("device") or {"requested": options.device, "used": "unknown"}
        outcome.versions = manifest.get("versions", {})
        outcome.adaptations += [e for e in manifest.get("events", []) if isinstance(e, dict)]
        outcome.fits = [f for f in manifest.get("fits", []) if isinstance(f, dict)]
        outcome.duration = round(time.monotonic() - start, 3)
        outcome.output_tail = _text_of(nb) + (f"\n[kernel log]\n{kernel_log}" if kernel_log else "")
        return outcome, nb


def _size(mb: float) -> str:
    return f"{mb / 1024:g} GiB" if mb >= 1024 else f"{mb:g} MB"


def _mark_limit(outcome: ExecutionOutcome, verdict: str, lim: limits.Limits, nb: nbformat.NotebookNode) -> None:
    """A limit ended the run: say which, in which cell, and whether it was training."""
    # the cell that was running (or whose output was still arriving) when the limit was hit
    running = next((c for c in reversed(outcome.cells) if c.status not in ("not_run", "skipped")), None)
    outcome.status = _LIMIT_STATUS[verdict]  # type: ignore[assignment]
    limit = {"memory": _size(lim.memory_mb), "processes": str(lim.max_processes),
             "disk": _size(lim.disk_mb), "output": _size(lim.output_mb)}[verdict]
    source = nb.cells[running.index].source if running is not None and running.index < len(nb.cells) else ""
    outcome.limit = {"kind": verdict, "value": limit, "training": ".fit(" in source}
    outcome.detail = f"{verdict} limit ({limit}) reached"
    if running is not None:
        running.status, running.ename, running.evalue = "error", "LimitExceeded", outcome.detail
        outcome.failing_cell = running.index
        outcome.ename, outcome.evalue = "LimitExceeded", outcome.detail


def _log_tail(path: Path, limit: int = 600) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    lines = [ln for ln in text.splitlines() if ln.strip() and "absl::InitializeLog" not in ln]
    return truncate_middle("\n".join(lines[-8:]), limit) or "(empty)"


def _mark_dead(outcome: ExecutionOutcome, index: int | None) -> None:
    outcome.status = "dead_kernel"
    outcome.detail = outcome.detail or "the kernel process died"
    if index is not None and outcome.failing_cell is None:
        outcome.failing_cell = index


def _run_cells(client: BoundedClient, nb: nbformat.NotebookNode, outcome: ExecutionOutcome, scratch: int,
               limit_of: Any) -> None:
    code_indices = [i for i, c in enumerate(nb.cells[:scratch]) if c.cell_type == "code"]
    for pos, index in enumerate(code_indices):
        cell = nb.cells[index]
        head = cell.source.strip().splitlines()[0][:80] if cell.source.strip() else ""
        if not cell.source.strip():
            outcome.cells.append(CellOutcome(index=index, status="skipped"))
            continue
        t0 = time.monotonic()
        try:
            client.execute_cell(cell, index)
        except DeadKernelError:
            outcome.cells.append(
                CellOutcome(index=index, status="error", duration=round(time.monotonic() - t0, 3),
                            ename="DeadKernelError", evalue="the kernel died while running this cell",
                            source_head=head)
            )
            _mark_dead(outcome, index)
            outcome.cells += [CellOutcome(index=i, status="not_run") for i in code_indices[pos + 1:]]
            return
        except CellTimeoutError:
            # only raised if the interrupt itself could not be delivered
            cell.outputs.append(nbformat.v4.new_output("error", ename=_TIMEOUT_ENAME, evalue="", traceback=[]))
        duration = round(time.monotonic() - t0, 3)
        ename, evalue, tb = _error_of(cell)
        status: Any = "ok"
        # a cell that outlived its limit timed out, whether the kernel reported the interrupt
        # (KeyboardInterrupt) or swallowed it (a bare `except:` around the loop)
        if (ename in (_TIMEOUT_ENAME, "KeyboardInterrupt") and duration >= limit_of(cell)) or (
                ename is None and duration >= limit_of(cell) + 1):
            status, ename = "timeout", _TIMEOUT_ENAME
            evalue = f"the cell ran longer than {limit_of(cell):g} s"
        elif ename is not None:
            status = "error"
        known = legacy.hint(ename, evalue, cell.source) if status == "error" else None
        outcome.cells.append(
            CellOutcome(index=index, status=status, duration=duration, ename=ename,
                        evalue=(evalue or "")[:500] if ename else None, traceback=tb, source_head=head,
                        hint={"key": known[0], "params": known[1]} if known else None)
        )
        if status == "timeout" and outcome.timeout_s is None:
            outcome.timeout_s = limit_of(cell)
        if status != "ok":
            if outcome.failing_cell is None:
                outcome.failing_cell, outcome.ename, outcome.evalue = index, ename, evalue
            outcome.status = "timeout" if status == "timeout" and outcome.status == "ok" else (
                outcome.status if outcome.status != "ok" else "error")
        export = _code("export", index)
        export.metadata["dl_grader_timeout"] = EXPORT_TIMEOUT if status != "timeout" else 15
        t1 = time.monotonic()
        try:
            client.execute_cell(export, scratch, store_history=False)
        except DeadKernelError:  # killed after the cell (a limit hit by what it printed) or by itself
            _mark_dead(outcome, index)
            outcome.cells += [CellOutcome(index=i, status="not_run") for i in code_indices[pos + 1:]]
            return
        e_name, _, _ = _error_of(export)
        stuck = time.monotonic() - t1 >= limit_of(export)
        if status == "timeout" and (e_name is not None or stuck):
            # the kernel ignored the interrupt (e.g. a bare `except:` around the loop):
            # nothing more can run in it
            outcome.cells += [CellOutcome(index=i, status="not_run") for i in code_indices[pos + 1:]]
            return
