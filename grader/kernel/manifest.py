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
    candidates: list[str]  # several models and no declared name: their names


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


def data_fingerprint(x: Any) -> Fingerprint | None:
    """Rows, and a hash of which values are zero in the first rows: survives dividing by 255,
    a dtype change and reshaping, so the checker can tell the training from the test images."""
    try:
        np = sys.modules["numpy"]
        if isinstance(x, (list, tuple, dict)) or x is None or isinstance(x, (str, bytes)):
            return None
        arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
        if arr.ndim < 2 or arr.shape[0] == 0:
            return None
        head = arr[:32].reshape(min(32, arr.shape[0]), -1) != 0
        return {"rows": int(arr.shape[0]), "features": int(head.shape[1]),
                "nonzero_head": hashlib.sha256(np.packbits(head).tobytes()).hexdigest()[:24]}
    except Exception:
        return None
