"""The contract between the two sides: what the kernel writes to ``manifest.json`` and the
grader reads back (``grader.pipeline.export`` cleans it, the checks judge it).

Imported by the kernel side (as ``_dl_grader_kernel.manifest``) and by the grader (as
``grader.kernel.manifest``), so it holds only the standard library: names, limits and types.
NumPy is used, in ``data_fingerprint``, only when the caller has it loaded already.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any, Literal, TypedDict

MANIFEST = "manifest.json"
MAX_EVENTS = 200  # adaptation events recorded (the same one once)
MAX_FITS = 500  # Model.fit calls logged; later ones run, unlogged
MAX_JSON_ITEMS = 10_000  # items of a list exported as a plain value (larger: an array)
ROW_HASH_ROWS = 2_000  # a fit on a table this small records which rows it trained on (row_hashes)
ROW_HASH_FITS = 50  # … for at most this many fits (the manifest stays under 1 MB)
ROW_HASH_DIGITS = 6  # hex digits per row: 24 bits, so 2,000 rows mistake 1 other row in 8,000

# what became of a declared artifact after a cell
OK, ABSENT, UNSUPPORTED, SAVE_FAILED, EXPORT_ERROR = "ok", "absent", "unsupported", "save_failed", "export_error"
Status = Literal["ok", "absent", "unsupported", "save_failed", "export_error"]
STATUSES: tuple[str, ...] = (OK, ABSENT, UNSUPPORTED, SAVE_FAILED, EXPORT_ERROR)


class Entry(TypedDict, total=False):
    """One declared artifact, as last exported."""

    status: Status
    kind: Literal["model", "value"]
    found_as: str  # the name in the student's namespace it was found under
    cell: int  # the cell after which it was exported
    object_id: int  # models: id() of the object, to tell two names of one model apart
    file: str  # ``.keras``, ``.npy`` or ``.history.json`` beside the manifest
    history: str
    type: str  # values: the Python type; unsupported: its qualified name
    shape: list[int]
    value: Any  # a plain value (JSON)
    error: str
    candidates: list[str]  # found by its role among several: the names of all of them
    chosen_by: str  # found by its role (grader.kernel.save): only, role, last_trained, last_trained_cut,
    # last_created, trained
    epochs: int  # chosen_by last_trained_cut: the epochs its fit ran before the cell time limit cut it
    instead_of: str  # chosen_by trained: the name whose model was never trained


class Fingerprint(TypedDict):
    rows: int
    features: int
    nonzero_head: str


class Fit(TypedDict, total=False):
    """One ``Model.fit`` call as the grader's wrapper saw it."""

    model: int
    epochs_asked: int | None
    epochs_allowed: int | None
    epochs_run: int | None
    batch_size: int | None
    validation: Literal["data", "split"] | None
    x: Fingerprint | None
    callbacks: list[dict[str, Any]]
    seconds: float
    time_budget_stopped: bool
    error: str
    cell: int
    inherited: str  # a copy of another model's fit: this model was loaded from the file it saved


class Event(TypedDict, total=False):
    """An adaptation made for the notebook (``kind`` names it; the rest are its parameters)."""

    kind: str
    cell: int


class Manifest(TypedDict, total=False):
    artifacts: dict[str, Entry]
    events: list[Event]
    fits: list[Fit]
    time: float
    device: dict[str, Any]  # after the last cell
    versions: dict[str, str]


def row_hashes(x: Any, limit: int = ROW_HASH_ROWS) -> str | None:
    """Which rows a table holds: ``ROW_HASH_DIGITS`` hex digits per distinct row, sorted and
    joined, for a 2-D numeric table of at most ``limit`` rows (None otherwise). Values are
    rounded to 4 decimals first, so a float32 copy, a DataFrame and its ``.values`` read alike;
    a scaled copy does not (its rows are other numbers)."""
    try:
        np = sys.modules["numpy"]
        if x is None or isinstance(x, (list, tuple, dict, str, bytes)):
            return None
        arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
        if arr.ndim != 2 or not 0 < arr.shape[0] <= limit or arr.dtype.kind not in "fiub":
            return None
        table = np.round(arr.astype(np.float64), 4) + 0.0  # (-0.0 reads as 0.0)
        size = ROW_HASH_DIGITS // 2
        return "".join(sorted({hashlib.blake2b(row.tobytes(), digest_size=size).hexdigest() for row in table}))
    except Exception:
        return None


def split_row_hashes(text: str) -> set[str]:
    return {text[i:i + ROW_HASH_DIGITS] for i in range(0, len(text), ROW_HASH_DIGITS)}


def data_fingerprint(x: Any) -> Fingerprint | None:
    """Rows, and a hash of which values are zero in the first rows: survives dividing by 255,
    a dtype change and reshaping, so the checker can tell the training from the test images."""
    try:
        np = sys.modules["numpy"]
        if isinstance(x, (list, tuple, dict)) or x is None or isinstance(x, (str, bytes)):
            return None
        if not hasattr(x, "shape"):  # a generator, a keras Sequence or PyDataset: never drawn from
            # (np.asarray would walk a Sequence batch by batch: every augmented image in memory)
            return None
        arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
        if arr.ndim < 2 or arr.shape[0] == 0:
            return None
        head = arr[:32].reshape(min(32, arr.shape[0]), -1) != 0
        return {"rows": int(arr.shape[0]), "features": int(head.shape[1]),
                "nonzero_head": hashlib.sha256(np.packbits(head).tobytes()).hexdigest()[:24]}
    except Exception:
        return None
