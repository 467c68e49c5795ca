"""Stage 3 — execute: run a student's notebook in a real Jupyter kernel, hermetically.

``execute()`` never raises for anything the notebook does. It returns an
``ExecutionOutcome``: which cells ran, failed or timed out, whether the kernel died, how long
it took, the device used, and what the kernel exported after each cell (see
``grader.kernel_side``).

Isolation: the kernel is started inside a new user + network namespace (``unshare -rn``),
so student code has no network at all, and talks to this process over ZeroMQ's IPC
transport (Unix sockets in a private folder) instead of TCP. Timeouts come in two layers:
per cell inside nbclient (interrupt, then move on) and a wall-clock watchdog that kills the
kernel when the whole notebook's budget is spent.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
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

from grader import legacy
from grader.outcomes import CellOutcome, ExecutionOutcome

KERNEL_SIDE = Path(__file__).with_name("kernel_side.py")
CELL_OUTPUT_LIMIT = 100_000  # characters of output kept per cell
TAIL_LIMIT = 8_000
TRUNCATED = "\n[... output truncated by the grader ...]\n"
EXPORT_TIMEOUT = 120
_SECRET_ENV = re.compile(r"(TOKEN|SECRET|PASSW|CREDENTIAL|API_?KEY|^AWS_|^GITHUB_|^JPY_|^JUPYTER_)")
_TIMEOUT_ENAME = "CellTimeoutError"


@dataclass
class RunOptions:
    seed: int = 0
    device: str = "cpu"  # cpu | gpu | auto
    cell_timeout: float = 120
    notebook_timeout: float = 900
    startup_timeout: float = 90
    isolate_network: bool = True
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    # provisioned data (provision.Workspace.kernel_data) and the fit budget for kernel_side
    kernel_data: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    lang: str = "es"


@functools.lru_cache(maxsize=1)
def network_namespace_available() -> bool:
    """True when ``unshare -rn`` works for this user (Linux, unprivileged user namespaces)."""
    if shutil.which("unshare") is None:
        return False
    try:
        done = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


class IsolatedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel without network, over IPC transport."""

    isolate_network = True

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.isolate_network:
            cmd = ["unshare", "--user", "--map-root-user", "--net", *cmd]
        return cmd


class BoundedClient(NotebookClient):
    """nbclient's client with a cap on the output kept per cell (Keras progress bars)."""

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        size = sum(len(o.get("text", "")) + len(str(o.get("data", ""))) for o in outs)
        if size > CELL_OUTPUT_LIMIT:
            if not outs or outs[-1].get("text") != TRUNCATED:
                outs.append(nbformat.v4.new_output("stream", name="stderr", text=TRUNCATED))
            return None
        return super().output(outs, msg, display_id, cell_index)


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """Read a notebook; return (notebook, None) or (None, a reason it cannot be read)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror}"  # notebook.unreadable
    if not raw.strip():
        return None, "the file is empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "the file is not UTF-8 text"
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for broken JSON / schema
        return None, f"not a valid notebook (JSON): {str(exc).splitlines()[0][:200]}"
    return nb, None


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


def _read_manifest(artifacts_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((artifacts_dir / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}


def execute(
    notebook: Path,
    workdir: Path,
    artifacts_dir: Path,
    options: RunOptions,
) -> tuple[ExecutionOutcome, nbformat.NotebookNode | None]:
    """Run ``notebook`` with ``workdir`` as its working directory. Never raises."""
    start = time.monotonic()
    nb, problem = read_notebook(notebook)
    if nb is None:
        return ExecutionOutcome(status="invalid_notebook", detail=problem, seed=options.seed), None
    isolate = options.isolate_network and network_namespace_available()
    isolation = {"network": "namespace (unshare)" if isolate else "none"}
    runtime = Path(tempfile.mkdtemp(prefix="dlg-rt-"))
    home = runtime / "home"
    home.mkdir()
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    outcome = ExecutionOutcome(
        status="ok", seed=options.seed, isolation=isolation, artifacts_dir=str(artifacts_dir)
    )
    km = IsolatedKernelManager(transport="ipc", ip=str(runtime / "k"))
    km.connection_file = str(runtime / "kernel.json")
    km.isolate_network = isolate

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
    watchdog_fired = threading.Event()

    def kill_kernel() -> None:
        watchdog_fired.set()
        proc = getattr(km.provisioner, "process", None) if km.provisioner else None
        if proc is not None:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except OSError:
                pass

    config = {
        "seed": options.seed,
        "artifacts_dir": str(artifacts_dir),
        "artifacts": options.artifacts,
        "device": options.device,
        "budget": options.budget,
        "lang": options.lang,
        **options.kernel_data,
    }
    watchdog = threading.Timer(options.notebook_timeout, kill_kernel)
    kernel_log = ""
    try:
        try:
            client.km = km
            log = open(runtime / "kernel.log", "wb")  # noqa: SIM115 (closed with the runtime dir)
            client.start_new_kernel(cwd=str(workdir), env=_kernel_env(options, home),
                                    stdout=log, stderr=subprocess.STDOUT)
            client.start_new_kernel_client()
        except Exception as exc:  # the kernel never came up
            outcome.status = "kernel_failed"
            outcome.detail = f"{type(exc).__name__}: {exc}"[:500]
            return outcome, nb
        watchdog.start()
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
            watchdog.cancel()
            try:
                client._cleanup_kernel()
            except Exception:
                pass
        if outcome.status in ("dead_kernel", "kernel_failed"):
            kernel_log = _log_tail(runtime / "kernel.log")
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
        nb.cells.pop(scratch)
    if watchdog_fired.is_set():
        outcome.status = "timeout"
        outcome.timeout_s = options.notebook_timeout
        outcome.detail = f"the whole notebook ran longer than {options.notebook_timeout:g} s"
        for cell in outcome.cells:
            if cell.ename == "DeadKernelError":  # killed by the watchdog, not by itself
                cell.status, cell.ename, cell.evalue = "timeout", _TIMEOUT_ENAME, outcome.detail
                outcome.failing_cell = cell.index if outcome.failing_cell is None else outcome.failing_cell
    manifest = _read_manifest(artifacts_dir)
    outcome.artifacts = manifest.get("artifacts", {})
    outcome.device = manifest.get("device") or {"requested": options.device, "used": "unknown"}
    outcome.versions = manifest.get("versions", {})
    outcome.adaptations = [e for e in manifest.get("events", []) if isinstance(e, dict)]
    outcome.fits = [f for f in manifest.get("fits", []) if isinstance(f, dict)]
    outcome.duration = round(time.monotonic() - start, 3)
    outcome.output_tail = _text_of(nb) + (f"\n[kernel log]\n{kernel_log}" if kernel_log else "")
    return outcome, nb


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
        if ename == _TIMEOUT_ENAME or (ename == "KeyboardInterrupt" and duration >= limit_of(cell)):
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
        client.execute_cell(export, scratch, store_history=False)
        e_name, _, _ = _error_of(export)
        if status == "timeout" and e_name is not None:
            # the kernel ignored the interrupt (e.g. a bare `except:` around the loop):
            # nothing more can run in it
            outcome.cells += [CellOutcome(index=i, status="not_run") for i in code_indices[pos + 1:]]
            return
