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

import json
import os
import re
import shutil
import stat
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

from grader import intake, legacy, limits, sandbox
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


_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}$")
ARTIFACT_FILE_LIMIT = 2 * 1024 * 1024 * 1024


def _read_manifest(artifacts_dir: Path) -> dict[str, Any]:
    """The kernel's manifest, read without following links, with every file it names sealed."""
    try:
        fd = os.open(artifacts_dir / "manifest.json", os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data = json.loads(f.read(64 * 1024 * 1024))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    artifacts = data.get("artifacts")
    if isinstance(artifacts, dict):
        data["artifacts"] = {str(k): seal_entry(artifacts_dir, v) for k, v in artifacts.items() if isinstance(v, dict)}
    return data


def unsafe_file(artifacts_dir: Path, name: Any) -> str | None:
    """Why a file named in the manifest must not be read by the checker, or None when it is a
    plain file the kernel wrote in its artifacts folder (not a link, not a path elsewhere)."""
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or ".." in name:
        return f"the name {str(name)[:80]!r} is not a plain file name"
    try:
        st = os.lstat(artifacts_dir / name)
    except OSError:
        return f"{name} does not exist"
    if stat.S_ISLNK(st.st_mode):
        return f"{name} is a symbolic link"
    if not stat.S_ISREG(st.st_mode):
        return f"{name} is not a regular file"
    if st.st_nlink != 1:
        return f"{name} is a hard link to another file"
    if st.st_size > ARTIFACT_FILE_LIMIT:
        return f"{name} is larger than {ARTIFACT_FILE_LIMIT // 1024 ** 3} GiB"
    return None


def seal_entry(artifacts_dir: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """An artifact entry whose files are safe to read; an unsafe one becomes status "tampered"."""
    for key in ("file", "history"):
        if key in entry:
            problem = unsafe_file(artifacts_dir, entry[key])
            if problem is not None:
                return {"status": "tampered", "error": problem, "type": str(entry.get("type", "?"))[:80]}
    return entry


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
        return ExecutionOutcome(status="invalid_notebook", detail=read.detail, seed=options.seed,
                                problem={"key": read.problem, "params": read.params}), None
    nb = read.notebook
    level = sandbox.choose(options.sandbox if options.isolate_network else "none")
    runtime = Path(tempfile.mkdtemp(prefix="dlg-rt-"))
    home = runtime / "home"
    home.mkdir()
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    group = limits.new_cgroup(options.limits)
    isolation = sandbox.describe(level, memory=f"cgroup {group.version}" if group else "watchdog",
                                 processes=f"cgroup {group.version}" if group else "watchdog")
    outcome = ExecutionOutcome(status="ok", seed=options.seed, isolation=isolation,
                               artifacts_dir=str(artifacts_dir), adaptations=list(read.notes))
    plan = sandbox.Plan(workdir=workdir, artifacts=artifacts_dir, runtime=runtime,
                        read_only=_read_only_files(options), device=options.device)
    km = IsolatedKernelManager(transport="ipc", ip=str(runtime / "k"))
    km.connection_file = str(runtime / "kernel.json")
    km.prefix = limits.launcher(group, options.limits) + sandbox.command_prefix(level, plan)
    km.interrupt_by_message = level == "bwrap"

    # nbclient stores every executed cell back at nb.cells[index]: the grader's own cells get
    # a scratch slot at the end, removed before the notebook is returned
    nb.cells.append(nbformat.v4.new_raw_cell(""))
    scratch = len(nb.cells) - 1

    def cell_timeout(cell: nbformat.NotebookNode) -> float:
        return float(cell.metadata.get("dl_grader_timeout", options.cell_timeout))

    client = BoundedClient(
        nb,
        km=km,
        timeout_func=cell_timeout,
        startup_timeout=int(options.startup_timeout),
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": _TIMEOUT_ENAME, "evalue": "cell timed out"},
        record_timing=True,
        iopub_timeout=10,
        shell_timeout_interval=1,
    )

    def kernel_pid() -> int | None:
        proc = getattr(km.provisioner, "process", None) if km.provisioner else None
        return getattr(proc, "pid", None)

    watchdog = limits.Watchdog(options.limits, kernel_pid, group, [workdir, artifacts_dir, runtime])
    client.watchdog = watchdog
    timer_fired = threading.Event()

    def out_of_time() -> None:
        timer_fired.set()
        watchdog.kill()

    config = {
        "seed": options.seed,
        "artifacts_dir": str(artifacts_dir),
        "artifacts": options.artifacts,
        "device": options.device,
        "budget": options.budget,
        "lang": options.lang,
        "gpu_memory_mb": options.limits.gpu_memory_mb,
        **options.kernel_data,
    }
    timer = threading.Timer(options.notebook_timeout, out_of_time)
    kernel_log = ""
    try:
        try:
            client.km = km
            log = open(runtime / "kernel.log", "wb")  # noqa: SIM115 (closed with the runtime dir)
            client.start_new_kernel(cwd=str(workdir), env=_kernel_env(options, home),
                                    stdout=log, stderr=subprocess.STDOUT)
            watchdog.start()
            client.start_new_kernel_client()
        except Exception as exc:  # the kernel never came up
            outcome.status = "kernel_failed"
            outcome.detail = f"{type(exc).__name__}: {exc}"[:500]
            kernel_log = _log_tail(runtime / "kernel.log")
            outcome.output_tail = f"[kernel log]\n{kernel_log}" if kernel_log else ""
            return outcome, nb
        timer.start()
        try:
            prelude = _prelude(config)
            prelude.metadata["dl_grader_timeout"] = options.startup_timeout
            client.execute_cell(prelude, scratch, store_history=False)
            _run_cells(client, nb, outcome, scratch, cell_timeout)
            if outcome.status not in ("dead_kernel", "timeout"):
                client.execute_cell(_code("finish"), scratch, store_history=False)
        except DeadKernelError:
            _mark_dead(outcome, None)
        except Exception as exc:  # nbclient/zmq trouble: keep what we have
            outcome.status = "kernel_failed"
            outcome.detail = f"{type(exc).__name__}: {exc}"[:500]
        finally:
            timer.cancel()
            try:
                client._cleanup_kernel()
            except Exception:
                pass
        if outcome.status in ("dead_kernel", "kernel_failed"):
            kernel_log = _log_tail(runtime / "kernel.log")
    finally:
        watchdog.stop()
        if group is not None:
            group.kill_all()
        verdict = watchdog.verdict()
        outcome.resources = {"limits": options.limits.as_dict(), "peaks": dict(watchdog.peaks),
                             "output_mb": round(watchdog.output_bytes / limits.MiB, 2)}
        if group is not None:
            group.remove()
        shutil.rmtree(runtime, ignore_errors=True)
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
    manifest = _read_manifest(artifacts_dir)
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
