"""What the kernel sends back, bounded: nbclient's client cut to a budget as messages arrive.

Every output message is measured as ``executed.ipynb`` will store it and cut, before it is
stored, to what is left of its cell's budget and of the notebook's output limit; ZeroMQ's
``MAXMSGSIZE`` keeps a single huge message from being buffered at all (the connection drops,
and ``BoundedClient.connection_dropped`` says so). Used by ``grader.pipeline.execute``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import nbformat
import zmq
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

from grader.runtime import limits

CELL_OUTPUT_LIMIT = 100_000  # bytes of text output kept per cell (as executed.ipynb stores it)
CELL_DATA_LIMIT = 2_000_000  # bytes of images and other rich output kept per cell
ERROR_LIMIT = 8_000  # bytes of a cell's error kept once its budget is spent (the error decides its status)
_OUTPUT_COST = 100  # bytes executed.ipynb spends on each output besides its content
_LINE_COST = 12  # bytes nbformat adds for each line of a text it stores (indent, quotes, comma)
_OUTPUT_MESSAGES = {"stream", "error", "display_data", "execute_result", "update_display_data", "comm_open",
                    "comm_msg"}
TRUNCATED = "\n[... output truncated by the grader ...]\n"


class BoundedClient(NotebookClient):
    """nbclient's client that keeps a bounded amount of output, and counts all it receives.

    Every output message is measured as executed.ipynb will store it (JSON, lines split) and
    cut, before it is stored, to what is left of the cell's budget (``CELL_OUTPUT_LIMIT``
    bytes of text, ``CELL_DATA_LIMIT`` of images and other rich output) and of the notebook's
    (``output_budget``, the output limit): a huge first message is cut like any other, and
    images count. A cell's error is kept even past the budget (cut to ``ERROR_LIMIT``, one per
    cell): it decides the cell's status. What arrives counts toward the watchdog's output
    limit; a single message larger than the limit never arrives: ZMQ drops the connection
    (``IsolatedKernelManager.max_message``), which ``connection_dropped`` reports."""

    watchdog: limits.Watchdog | None = None
    output_budget: int = 20 * limits.MiB

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept = 0  # bytes of output stored in the notebook so far
        self._cell: dict[str, Any] = {}
        self._monitors: list[Any] = []

    async def async_execute_cell(self, cell: Any, cell_index: int, execution_count: int | None = None,
                                 store_history: bool = True) -> Any:
        self._cell = {"text": 0, "data": 0, "error": False, "cut": False}
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    execute_cell = run_sync(async_execute_cell)

    async def _check_raise_for_error(self, cell: Any, cell_index: int, exec_reply: dict[str, Any] | None) -> None:
        """A cell the kernel answered with an error but that shows none: IPython prints a
        ``UsageError`` (an unknown magic, a magic's bad arguments) to stderr and skips the rest of
        the cell, so the error is written into the cell here, where its status is read."""
        content = (exec_reply or {}).get("content") or {}
        if content.get("status") == "error" and not any(o.get("output_type") == "error" for o in cell.outputs):
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=str(content.get("ename") or "Error"), evalue=str(content.get("evalue") or "")[:500],
                traceback=[str(t)[:2000] for t in (content.get("traceback") or [])][:20]))
        await super()._check_raise_for_error(cell, cell_index, exec_reply)

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        content = msg.get("content")
        if msg.get("msg_type") in _OUTPUT_MESSAGES and isinstance(content, dict):
            try:
                keep = self._admit(msg["msg_type"], msg, content)
            except RecursionError:  # content nested too deeply to measure: not stored
                keep = False
            out = super().process_message(msg, cell, cell_index) if keep else None
            if self._cell.get("cut") and not self._cell.get("marked"):  # said once per cell
                self._cell["marked"] = True
                cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text=TRUNCATED))
            return out
        return super().process_message(msg, cell, cell_index)

    def _admit(self, kind: str, msg: dict[str, Any], content: dict[str, Any]) -> bool:
        """Count the message, cut ``content`` in place to the budgets left; False: store nothing."""
        try:
            size = _stored_size(content, strict=True)
        except UnicodeEncodeError:  # a lone surrogate (a forged message): nbformat could not write it
            fixed = json.loads(json.dumps(content, ensure_ascii=False).encode("utf-8", "replace"))
            content.clear()
            content.update(fixed)
            size = _stored_size(content)
        size += sum(getattr(b, "nbytes", None) or len(b) for b in msg.get("buffers") or [])
        if self.watchdog is not None:
            self.watchdog.add_output(size)
        budget = "text" if kind in ("stream", "error") else "data"
        cell_room = (CELL_OUTPUT_LIMIT if budget == "text" else CELL_DATA_LIMIT) - self._cell.get(budget, 0)
        room = min(cell_room, self.output_budget - self.kept)
        if size <= room:
            self._take(budget, size)
            return True
        self._cell["cut"] = True
        if kind == "error":  # its status depends on it: the name, the message, the traceback's end
            if self._cell.get("error"):
                return False
            self._cell["error"] = True
            content["ename"] = str(content.get("ename", ""))[:200]
            content["evalue"] = str(content.get("evalue", ""))[:1000]
            lines: list[Any] = content["traceback"] if isinstance(content.get("traceback"), list) else []
            kept: list[str] = []
            left = ERROR_LIMIT - _stored_size(content["ename"]) - _stored_size(content["evalue"])
            for line in reversed(lines):
                line = _head(str(line), left)
                if not line:
                    break
                kept.insert(0, line)
                left -= _stored_size(line)
            content["traceback"] = kept
            self._take(budget, _stored_size(content))
            return True
        # what the text may take: the room less the message's other fields (and their keys)
        room -= _stored_size({k: v for k, v in content.items() if k not in ("text", "data", "metadata")}) + 64
        room += _OUTPUT_COST  # counted once
        if kind == "stream":
            content["text"] = _head(str(content.get("text", "")), room)
            if not content["text"]:
                return False
        elif kind in ("display_data", "execute_result", "update_display_data"):
            data: dict[str, Any] = content["data"] if isinstance(content.get("data"), dict) else {}
            text = _head(str(data.get("text/plain", "")), room)  # images and HTML that do not fit go
            if not text:
                return False
            content["data"], content["metadata"] = {"text/plain": text}, {}
        else:  # comm messages (widgets) are whole or nothing
            return False
        self._take(budget, _stored_size(content))
        return True

    def _take(self, budget: str, size: int) -> None:
        self._cell[budget] = self._cell.get(budget, 0) + size
        self.kept += size

    def watch_connections(self) -> None:
        """Start watching the shell and iopub connections for drops (``connection_dropped``)."""
        from zmq.utils.monitor import recv_monitor_message  # noqa: F401  (fails early if missing)

        assert self.kc is not None
        for channel in (self.kc.iopub_channel, self.kc.shell_channel):
            monitor = channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
            # the monitor socket belongs to the client's context (closed with it); read it
            # synchronously through a shadow, between cells
            self._monitors.append(zmq.Socket.shadow(monitor.underlying))

    def connection_dropped(self) -> bool:
        """Whether ZMQ dropped a connection to a kernel that is still running, since the last
        call: it sent a message over ``max_message`` (a kernel that died drops them too)."""
        from zmq.utils.monitor import recv_monitor_message

        dropped = False
        for monitor in self._monitors:
            try:
                while True:
                    if recv_monitor_message(monitor, zmq.NOBLOCK)["event"] == zmq.EVENT_DISCONNECTED:
                        dropped = True
            except zmq.ZMQError:  # nothing more to read (or the client is already closed)
                pass
        if not dropped:
            return False
        time.sleep(0.3)  # a kernel that died is not the output's doing
        proc = getattr(self.km.provisioner, "process", None) if self.km and self.km.provisioner else None
        return proc is not None and proc.poll() is None

    async def _async_cleanup_kernel(self) -> None:
        self._monitors = []  # their sockets close with the client's context
        await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)


def _stored_size(value: Any, strict: bool = False) -> int:
    """Bytes ``value`` takes in executed.ipynb: its JSON (escapes included), plus what nbformat
    adds when it stores each line of a text as a string of its own, plus an output's own keys.
    ``strict``: raise UnicodeEncodeError for text that cannot be written as UTF-8."""
    text = json.dumps(value, ensure_ascii=False, indent=1, default=str)
    encoded = text.encode("utf-8", "strict" if strict else "surrogatepass")
    return len(encoded) + _LINE_COST * text.count("\\n") + _OUTPUT_COST


def _head(text: str, room: int) -> str:
    """The longest start of ``text`` that ``_stored_size`` puts at no more than ``room`` bytes."""
    if room <= _OUTPUT_COST:
        return ""
    head = text[:room]
    size = _stored_size(head)
    while head and size > room:
        head = head[:max(0, len(head) * room // size - 1)]
        size = _stored_size(head)
    return head
