"""What the kernel side shares between its modules: the configuration the grader sent, the state
built up while the notebook runs, the original functions the adaptations replaced, and the two
ways it speaks — an event for the report, a note in the notebook's output."""

from __future__ import annotations

from typing import Any

from .manifest import MAX_EVENTS

CONFIG: dict[str, Any] = {}  # setup(config): seed, artifacts_dir, artifacts, budget, lang, datasets …
STATE: dict[str, Any] = {"fingerprints": {}, "manifest": {}, "seeded": False, "events": []}
ORIGINAL: dict[str, Any] = {}  # what an adaptation replaced: open, os.path.exists, get_file …


def event(kind: str, **data: Any) -> None:
    """Record an adaptation once (same kind and data), for the report."""
    events = STATE["events"]
    key = (kind, tuple(sorted((k, str(v)) for k, v in data.items())))
    seen = STATE.setdefault("event_keys", set())
    if key in seen or len(events) >= MAX_EVENTS:
        return
    seen.add(key)
    events.append({"kind": kind, **data})


def said(es: str, en: str) -> str:
    """One of two texts, in the course language (for an error the grader raises in the kernel)."""
    return f"[dl-grader] {en if CONFIG.get('lang') == 'en' else es}"


def say(es: str, en: str) -> None:
    """A short note in the notebook's output, in the course language."""
    print(said(es, en))
