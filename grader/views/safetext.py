"""Student-controlled text made safe to show: the one helper every rendering boundary uses.

Names, folder names, cell sources and outputs, exception messages, tracebacks and artifact
values are written by students. Before they reach a terminal, Markdown, HTML, JUnit XML or a
spreadsheet:

* ``visible``: C0 control characters (but newline and tab), DEL, C1 controls, bidi overrides
  and isolates (U+202A–U+202E, U+2066–U+2069), lone surrogates and U+FFFE/U+FFFF become
  visible escapes (``\\x1b``, ``U+202E``), so ``cat report.md`` cannot clear the screen or
  reorder a line, and XML can hold the text;
* ``csv_cell``: a text cell that a spreadsheet would read as a formula (it starts with ``=``,
  ``+``, ``-``, ``@``, tab or CR) gets a leading ``'``; numbers stay numbers;
* ``json_safe``: the same characters as JSON escapes in JSON text (lossless: parsing gives the
  original string back).
"""

from __future__ import annotations

import re
from typing import Any

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    n = ord(match.group())
    return f"\\x{n:02x}" if n < 0xA0 else f"U+{n:04X}"


def visible(text: str) -> str:
    """``text`` with every control, bidi-override or unencodable character shown as an escape."""
    return _UNSAFE.sub(_escape, text)


def visible_tree(value: Any) -> Any:
    """A copy of ``value`` (dicts, lists, tuples) with ``visible`` applied to every string."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {visible_tree(k): visible_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [visible_tree(v) for v in value]
    if isinstance(value, tuple):
        return tuple(visible_tree(v) for v in value)
    return value


def csv_cell(value: Any) -> Any:
    """A CSV cell: text made visible and kept from starting a formula; numbers as they are."""
    if not isinstance(value, str):
        return value
    text = visible(value)
    return "'" + text if text.startswith(_FORMULA) else text


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps``) with the unsafe characters as ``\\uXXXX`` escapes."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
