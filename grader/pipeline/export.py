"""The artifacts a kernel exported, sealed before anything reads them.

The kernel writes ``manifest.json`` and the files it names (``grader.kernel.save``; its shape: ``grader.kernel.manifest``); the
student's code can tamper with all of it. ``read_manifest`` opens the manifest without
following links, and every file it names must be a plain file of the artifacts folder — not a
link, not a path elsewhere, not huge — or its entry becomes ``tampered`` and no check reads it.

Every JSON file the kernel wrote (the manifest, the training histories) is read through
``read_json``: its size is capped before it is read, its nesting depth and number of values
before it is parsed, so a forged file cannot exhaust the grader's stack or memory. The
manifest is then cut down to what the kernel writes (``clean_manifest``): at most
``MAX_EVENTS`` events and ``MAX_FITS`` fits, short strings, known fields only. A manifest that
fails any of this is not used at all: ``read_manifest`` says why in ``"problem"``, and the
grader marks every declared artifact ``tampered`` with that reason.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from grader.kernel import manifest

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}$")
ARTIFACT_FILE_LIMIT = 2 * 1024 * 1024 * 1024
MiB = 1024 * 1024
# what a JSON file written by the kernel may hold (the kernel writes far less: see grader.kernel)
MANIFEST_LIMIT = 16 * MiB  # bytes of manifest.json
HISTORY_LIMIT = 4 * MiB  # bytes of a model's <name>.history.json
MAX_DEPTH = 64  # nesting of lists and objects (the kernel's plain values nest at most 20)
MAX_CONTAINERS = 200_000  # lists and objects in one file
MAX_VALUES = 1_000_000  # values in one file (commas): bounds the memory json.loads takes
MAX_EVENTS = 1_000  # the kernel records at most 200 (grader.kernel.manifest.MAX_EVENTS)
MAX_FITS = 500  # the kernel logs at most 500 (grader.kernel.manifest.MAX_FITS)
MAX_TEXT = 500  # characters of any string of the manifest but a value's
MAX_ITEMS = 50  # entries of a list or object inside a fit, an event or the device
VALUE_LIMIT = MiB  # an exported plain value, as JSON (larger ones belong in a NumPy array)
HISTORY_KEYS = 100  # metrics in a History
HISTORY_EPOCHS = 100_000  # epochs of each metric


class UnsafeJSON(ValueError):
    """A JSON file the grader will not use; the message says why, in words."""


def _mb(n: float) -> str:
    return f"{n / MiB:.3g} MB"


def scan_json(data: bytes) -> str | None:
    """Why ``data`` must not be parsed (nested deeper than ``MAX_DEPTH``, more than
    ``MAX_CONTAINERS`` lists and objects or ``MAX_VALUES`` values), or None. Counts only
    brackets and commas outside strings, in 1 MiB chunks: time and memory linear in the size,
    no recursion. Malformed JSON may pass; ``json.loads`` then refuses it."""
    import numpy as np

    # escapes go first: what remains of a string has no quote inside it, so quotes alternate
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    depth = deepest = containers = values = 0
    inside = 0  # 1 while a string opened in an earlier chunk is still open
    chunk = MiB
    for start in range(0, len(data), chunk):
        arr = np.frombuffer(data, dtype=np.uint8, count=min(chunk, len(data) - start), offset=start)
        quote = arr == ord('"')
        # parity of the quotes so far (uint8 wraps, parity survives): odd means inside a string
        outside = ((np.cumsum(quote, dtype=np.uint8) + inside) & 1) == 0
        outside &= ~quote
        inside = (inside + int(np.count_nonzero(quote))) & 1
        opens = outside & ((arr == ord("[")) | (arr == ord("{")))
        closes = outside & ((arr == ord("]")) | (arr == ord("}")))
        containers += int(np.count_nonzero(opens))
        values += int(np.count_nonzero(outside & (arr == ord(","))))
        steps = opens[opens | closes].astype(np.int32) * 2 - 1  # +1 open, -1 close, in order
        if steps.size:
            levels = np.cumsum(steps, dtype=np.int64) + depth
            deepest = max(deepest, int(levels.max()))
            depth = int(levels[-1])
        if deepest > MAX_DEPTH:
            return f"is nested more than {MAX_DEPTH} levels deep"
    if containers > MAX_CONTAINERS:
        return f"holds {containers:,} lists and objects (at most {MAX_CONTAINERS:,})"
    if values > MAX_VALUES:
        return f"holds {values:,} values (at most {MAX_VALUES:,})"
    return None


def read_json(path: Path, limit: int) -> Any:
    """The JSON value in the file at ``path``, which the kernel (so maybe the student) wrote.
    Raises ``UnsafeJSON`` saying why when it is not a plain file (a link, a FIFO), is larger
    than ``limit`` bytes, is nested too deeply or holds too many values, or is not JSON;
    ``FileNotFoundError`` when it does not exist. Never ``RecursionError``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as exc:
        reason = "a symbolic link" if exc.errno == errno.ELOOP else f"unreadable ({exc.strerror})"
        raise UnsafeJSON(f"{path.name} is {reason}") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeJSON(f"{path.name} is not a regular file")
        if st.st_size > limit:
            raise UnsafeJSON(f"{path.name} is {_mb(st.st_size)}, larger than {_mb(limit)}")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UnsafeJSON(f"{path.name} is larger than {_mb(limit)}")
    problem = scan_json(data)
    if problem is not None:
        raise UnsafeJSON(f"{path.name} {problem}")
    try:
        return json.loads(data)
    except RecursionError:
        raise UnsafeJSON(f"{path.name} is nested too deeply") from None
    except (ValueError, MemoryError) as exc:  # UnicodeDecodeError is a ValueError
        raise UnsafeJSON(f"{path.name} is not valid JSON ({str(exc)[:120]})") from None


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def bounded(value: Any, depth: int = 3) -> Any:
    """``value`` with every string cut to ``MAX_TEXT`` characters, every list and object to
    ``MAX_ITEMS`` entries and nothing nested deeper than ``depth`` (deeper parts dropped)."""
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if _scalar(value):
        return value
    if depth <= 0:
        return None
    if isinstance(value, list):
        return [bounded(v, depth - 1) for v in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {str(k)[:80]: bounded(v, depth - 1) for k, v in list(value.items())[:MAX_ITEMS]}
    return None


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8", "replace"))


_ENTRY_TEXT = ("status", "kind", "found_as", "type", "error", "file", "history", "chosen_by", "instead_of")


def clean_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An artifact entry with the fields the kernel writes, of the types it writes them."""
    out: dict[str, Any] = {}
    for key in _ENTRY_TEXT:
        if key in entry:
            text = _text(entry[key])
            out[key] = text if text is not None else str(entry[key])[:80]
    for key in ("cell", "object_id", "epochs"):
        if isinstance(entry.get(key), int) and not isinstance(entry.get(key), bool):
            out[key] = entry[key]
    shape = entry.get("shape")
    if isinstance(shape, list) and len(shape) <= 32 and all(isinstance(d, int) for d in shape):
        out["shape"] = shape
    candidates = entry.get("candidates")
    if isinstance(candidates, list):
        out["candidates"] = [c[:120] for c in candidates[:MAX_ITEMS] if isinstance(c, str)]
    if "value" in entry:
        size = _json_size(entry["value"])
        if size > VALUE_LIMIT:
            out.update(status=manifest.UNSUPPORTED, error=f"{_mb(size)} as a plain value (at most {_mb(VALUE_LIMIT)}); "
                       "use a NumPy array")
        else:
            out["value"] = entry["value"]
    out.setdefault("status", manifest.ABSENT)
    return out


def _clean_event(event: Any) -> dict[str, Any] | None:
    """An event as the kernel records it: a known kind and a few short plain fields."""
    from grader.messages import CATALOG

    if not isinstance(event, dict) or not isinstance(event.get("kind"), str):
        return None
    if f"adapt.{event['kind']}" not in CATALOG:
        return None
    return {str(k)[:40]: bounded(v, 0) for k, v in list(event.items())[:MAX_ITEMS] if _scalar(v)}


def clean_manifest(data: Any, names: Any = None) -> tuple[dict[str, Any], str | None]:
    """``(manifest, None)``: what the kernel's manifest may say, cut down to the fields and
    sizes the kernel writes (entries of ``names`` only, when given); or ``({}, why)`` when it
    cannot have been written by the kernel (too many events or fits, wrong shapes)."""
    if not isinstance(data, dict):
        return {}, "manifest.json is not a JSON object"
    artifacts, events, fits = data.get("artifacts", {}), data.get("events", []), data.get("fits", [])
    if not isinstance(artifacts, dict) or not isinstance(events, list) or not isinstance(fits, list):
        return {}, "manifest.json does not have the grader's layout"
    if len(events) > MAX_EVENTS:
        return {}, f"manifest.json holds {len(events):,} events (the grader records at most {MAX_EVENTS:,})"
    if len(fits) > MAX_FITS:
        return {}, f"manifest.json holds {len(fits):,} training runs (the grader logs at most {MAX_FITS:,})"
    wanted = None if names is None else set(names)
    if wanted is None and len(artifacts) > MAX_ITEMS:
        return {}, f"manifest.json names {len(artifacts):,} artifacts"
    out: dict[str, Any] = {
        "artifacts": {k: clean_entry(v) for k, v in artifacts.items()
                      if (wanted is None or k in wanted) and isinstance(v, dict)},
        "events": [e for e in map(_clean_event, events) if e is not None],
        "fits": [_clean_fit(f) for f in fits if isinstance(f, dict)],
    }
    for key in ("device", "versions"):
        if isinstance(data.get(key), dict):
            out[key] = bounded(data[key], 2)
    return out, None


_ROW_HASHES = re.compile(rf"(?:[0-9a-f]{{{manifest.ROW_HASH_DIGITS}}}){{1,{manifest.ROW_HASH_ROWS}}}")


def _clean_fit(fit: dict[str, Any]) -> dict[str, Any]:
    """A fit as ``bounded`` keeps it, with the rows it trained on when the kernel wrote them
    (hex digits only, at most ``manifest.ROW_HASH_ROWS`` rows: grader.kernel.manifest.row_hashes)."""
    out: dict[str, Any] = bounded({k: v for k, v in fit.items() if k != "x_rows"})
    rows = fit.get("x_rows")
    if isinstance(rows, str) and _ROW_HASHES.fullmatch(rows):
        out["x_rows"] = rows
    return out


def read_manifest(artifacts_dir: Path, names: Any = None) -> dict[str, Any]:
    """The kernel's manifest, read safely (``read_json``) and cut down (``clean_manifest``),
    with every file it names sealed (``seal_entry``). ``{}`` when there is none; ``{"problem":
    why}`` when there is one the grader will not use."""
    try:
        data = read_json(artifacts_dir / "manifest.json", MANIFEST_LIMIT)
    except FileNotFoundError:
        return {}
    except UnsafeJSON as exc:
        return {"problem": str(exc)}
    manifest, problem = clean_manifest(data, names)
    if problem is not None:
        return {"problem": problem}
    manifest["artifacts"] = {k: seal_entry(artifacts_dir, v) for k, v in manifest["artifacts"].items()}
    return manifest


def read_history(path: Path) -> dict[str, list[float]]:
    """A model's training history as the kernel exported it: ``{metric: [value per epoch]}``.
    Raises ``UnsafeJSON`` (or ``OSError``) when it is anything else."""
    data = read_json(path, HISTORY_LIMIT)
    if not isinstance(data, dict) or not data or len(data) > HISTORY_KEYS:
        raise UnsafeJSON(f"{path.name} is not a training history")
    for key, values in data.items():
        if (len(key) > 200 or not isinstance(values, list) or len(values) > HISTORY_EPOCHS
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)):
            raise UnsafeJSON(f"{path.name} is not a training history")
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
            if problem is None and key == "history":
                try:
                    read_history(artifacts_dir / entry[key])
                except (UnsafeJSON, OSError) as exc:
                    problem = str(exc)[:300]
            if problem is not None:
                return {"status": "tampered", "error": problem, "type": str(entry.get("type", "?"))[:80]}
    return entry
