"""Submissions whose code is unusually alike, for an instructor to look at (never a score).

Each notebook's code cells are tokenised and normalised (names, strings and comments do not
count: renaming variables changes nothing), cut into k-grams and winnowed into fingerprints,
as MOSS does — with ``copydetect`` (a maintained implementation of that method). The statement's
own code is boilerplate: its fingerprints are removed first, so two students who only ran the
statement are not alike. A pair is listed when the code they share is at least ``threshold`` of
either notebook's own code; ``similarity.html`` shows its matching cells side by side.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

K = 25  # copydetect's noise threshold: shorter common runs (of normalised characters) do not count
WINDOW = 1  # guarantee threshold = K + WINDOW - 1: every common run of K or more is found
THRESHOLD = 0.5
SEPARATOR = "\n\n# ---- cell ----\n\n"


@dataclass
class Code:
    label: str
    cells: list[str]
    starts: list[int] = field(default_factory=list)  # each cell's offset in the joined text

    @property
    def text(self) -> str:
        return SEPARATOR.join(self.cells)

    def cell_at(self, offset: int) -> int:
        return max(i for i, s in enumerate(self.starts) if s <= offset) if self.starts else 0


def code_cells(path: Path) -> list[str]:
    """The code a submission runs: a notebook's code cells (magics and shell lines dropped), a
    script's text; nothing for what is not code."""
    try:
        if path.suffix.lower() == ".ipynb":
            import nbformat

            nb = nbformat.read(str(path), as_version=4)
            cells = [c.source for c in nb.cells if c.cell_type == "code"]
        elif path.suffix.lower() == ".py":
            cells = [path.read_text(encoding="utf-8", errors="replace")]
        else:
            return []
    except Exception:
        return []
    return ["\n".join(line for line in cell.splitlines() if not line.lstrip().startswith(("%", "!")))
            for cell in cells]


def _code(label: str, cells: list[str]) -> Code:
    code = Code(label, cells)
    offset = 0
    for cell in cells:
        code.starts.append(offset)
        offset += len(cell) + len(SEPARATOR)
    return code


def _fingerprint(text: str, boilerplate: np.ndarray | None = None) -> Any:
    from copydetect import CodeFingerprint

    return CodeFingerprint("code.py", K, WINDOW, boilerplate=boilerplate, fp=io.StringIO(text), language="python")


def pairs(subs: list[tuple[str, Path]], statement: Path | None, threshold: float = THRESHOLD) -> list[dict[str, Any]]:
    """The pairs of ``subs`` (label, notebook) whose shared code, outside the statement's, is at
    least ``threshold`` of either one's; most alike first, with the matching cells."""
    from copydetect import compare_files

    boilerplate = None
    given: set[str] = set()
    if statement is not None and statement.is_file():
        given = {c.strip() for c in code_cells(statement)}
        base = SEPARATOR.join(code_cells(statement))
        if base.strip():
            boilerplate = np.array(sorted(_fingerprint(base).hashes))
    codes = [_code(label, code_cells(path)) for label, path in subs]
    prints = [_fingerprint(c.text, boilerplate) for c in codes]
    found = []
    for i, j in combinations(range(len(codes)), 2):
        if not prints[i].hashes or not prints[j].hashes:
            continue
        overlap, (sim_a, sim_b), (slices_a, slices_b) = compare_files(prints[i], prints[j])
        if overlap == 0 or max(sim_a, sim_b) < threshold:
            continue
        found.append({"a": codes[i].label, "b": codes[j].label, "similarity": round(float(max(sim_a, sim_b)), 3),
                      "of_a": round(float(sim_a), 3), "of_b": round(float(sim_b), 3), "tokens": int(overlap),
                      "cells": _matches(codes[i], codes[j], slices_a, slices_b, given)})
    return sorted(found, key=lambda p: -p["similarity"])


def _matches(a: Code, b: Code, slices_a: np.ndarray, slices_b: np.ndarray, given: set[str]) -> list[dict[str, Any]]:
    """The cells holding shared code (not the statement's cells, not a few characters spilling
    over a cell's edge), each side's cell number (1-based among code cells) and text with the
    shared spans marked."""
    def spans(code: Code, slices: np.ndarray) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {}
        for start, end in zip(*slices) if len(slices) == 2 else []:
            for cell in range(code.cell_at(int(start)), code.cell_at(max(int(end) - 1, int(start))) + 1):
                base = code.starts[cell] if code.starts else 0  # a run over several cells: each its part
                span = (max(0, int(start) - base), min(len(code.cells[cell]), int(end) - base))
                if span[1] > span[0] and code.cells[cell].strip() not in given:
                    out.setdefault(cell, []).append(span)
        return {c: v for c, v in out.items() if sum(e - s for s, e in v) >= K}

    left, right = spans(a, slices_a), spans(b, slices_b)
    rows = []
    for (ca, sa), (cb, sb) in zip(sorted(left.items()), sorted(right.items())):
        rows.append({"a_cell": ca + 1, "b_cell": cb + 1, "a": _marked(a.cells[ca], sa), "b": _marked(b.cells[cb], sb)})
    return rows


def _marked(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` as (piece, shared) runs."""
    out, at = [], 0
    for start, end in sorted(spans):
        if start > at:
            out.append((text[at:start], False))
        if end > max(start, at):
            out.append((text[max(start, at):end], True))
        at = max(at, end)
    if at < len(text):
        out.append((text[at:], False))
    return out


PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ t.title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:90rem;margin:1.5rem auto;padding:0 1rem;color:#222}
.pair{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem} pre{background:#f7f7f7;padding:.5rem;white-space:pre-wrap;font-size:.8rem}
mark{background:#ffd54f}
</style></head><body><h1>{{ t.title }}</h1><p>{{ t.intro }}</p>
{% for p in pairs %}<div class="pair" id="p{{ loop.index }}"><h2>{{ p.a }} · {{ p.b }} — {{ (p.similarity * 100)|round|int }} %</h2>
<p>{{ t.shares }}</p>
{% for c in p.cells %}<div class="cols"><div><strong>{{ p.a }} · {{ t.cell }} {{ c.a_cell }}</strong><pre>{% for piece, hit in c.a %}{% if hit %}<mark>{{ piece }}</mark>{% else %}{{ piece }}{% endif %}{% endfor %}</pre></div>
<div><strong>{{ p.b }} · {{ t.cell }} {{ c.b_cell }}</strong><pre>{% for piece, hit in c.b %}{% if hit %}<mark>{{ piece }}</mark>{% else %}{{ piece }}{% endif %}{% endfor %}</pre></div></div>{% endfor %}
</div>{% else %}<p>{{ t.none }}</p>{% endfor %}</body></html>
"""

WORDS = {
    "es": {"title": "Entregas con código muy parecido", "cell": "celda",
           "intro": "Pares cuyo código propio (sin el del enunciado; nombres, textos y comentarios no cuentan) coincide "
                    "en gran parte. Es una pista para mirar, no una prueba: dos soluciones cortas y correctas pueden "
                    "parecerse.",
           "shares": "Lo resaltado aparece en las dos entregas.", "none": "Ningún par supera el umbral."},
    "en": {"title": "Submissions with unusually alike code", "cell": "cell",
           "intro": "Pairs whose own code (the statement's excluded; names, strings and comments do not count) is "
                    "largely shared. A lead to look at, not proof: two short correct solutions can look alike.",
           "shares": "What is highlighted appears in both submissions.", "none": "No pair reaches the threshold."},
}


def write(found: list[dict[str, Any]], out: Path, lang: str) -> Path:
    """similarity.json and similarity.html in the class folder."""
    from jinja2 import Environment

    from grader.views.safetext import json_safe, visible_tree

    (out / "similarity.json").write_text(json_safe(json.dumps(found, indent=2, ensure_ascii=False)), encoding="utf-8")
    page = Environment(autoescape=True).from_string(PAGE).render(pairs=visible_tree(found), t=WORDS.get(lang, WORDS["es"]),
                                                                 lang=lang)
    path = out / "similarity.html"
    path.write_text(page, encoding="utf-8")
    return path
