"""The one message catalog: every text a student or instructor reads, in Spanish and English.

Checks return a message *key* and parameters; the report renders them in the chosen language.
Each message says what was checked, what was expected, what was found and what to change.
"""

from __future__ import annotations

from typing import Any

from grader.messages.artifacts import TEXTS as _ARTIFACTS
from grader.messages.checks import TEXTS as _CHECKS
from grader.messages.execution import TEXTS as _EXECUTION
from grader.messages.interface import TEXTS as _INTERFACE
from grader.messages.legacy_texts import TEXTS as _LEGACY
from grader.messages.model import TEXTS as _MODEL
from grader.messages.training import TEXTS as _TRAINING

LANGS = ("es", "en")
# one table, written in seven files by who reads them (tests/test_messages.py: no key in two)
PARTS = (_ARTIFACTS, _CHECKS, _MODEL, _TRAINING, _EXECUTION, _INTERFACE, _LEGACY)
CATALOG: dict[str, dict[str, str]] = {k: v for part in PARTS for k, v in part.items()}


class _Safe(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def words(prefix: str, names: Any, lang: str = "es") -> dict[str, str]:
    """The catalog's ``prefix.<name>`` texts for ``names``, in ``lang`` (placeholders kept)."""
    return {name: render(f"{prefix}.{name}", lang=lang) for name in names}


def render(key: str, params: dict[str, Any] | None = None, lang: str = "es") -> str:
    """Render a catalog message; unknown keys render as the key itself (never raise)."""
    entry = CATALOG.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["es"]
    params = dict(params or {})
    nested = [k for k in params if k.endswith("_key")]
    for k in nested:  # a parameter that is itself a message ("Layer 2 (Dense)", "a Keras model")
        params[k[: -len("_key")]] = render(params.pop(k), params, lang)
    done = {k[: -len("_key")] for k in nested}
    for k, v in params.items():  # a parameter given in both languages: {"es": ..., "en": ...}
        if isinstance(v, dict) and "es" in v and set(v) <= {"es", "en"}:
            params[k] = v.get(lang) or v["es"]
    return template.format_map(_Safe({k: v if k in done else fmt(v) for k, v in params.items()}))


def fmt(value: Any) -> str:
    """Show a value the way a student wrote it: tuples with parentheses, floats short."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join("None" if v is None else fmt(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if value is None:
        return "None"
    return str(value)
