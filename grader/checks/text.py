"""Check kind ``text_answer``: a free-text answer the statement asks for (what dropout did,
which classes get confused).

The grader cannot judge an explanation, so this kind only screens it: long enough, and
touching each idea the statement asks about (a group of word stems per idea, matched at the
start of words, ignoring case and accents). A pass is provisional: the report tells the
student that the instructor reads free text, and the instructor view shows the whole answer.

``expect``: ``min_words`` (default 10), ``keywords`` (list of ideas; at least one stem of every
idea must start a word of the answer). An idea is a list of stems such as
``[sobreajust, overfitting]``, or a mapping that also names it for the student's message:
``{idea: {es: el sobreajuste, en: overfitting}, stems: [sobreajust, overfit]}``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from grader.checks import register
from grader.checks.context import CheckContext
from grader.model.outcomes import CheckResult
from grader.model.spec import CheckSpec


def _validate(expect: dict[str, Any]) -> str | None:
    words = expect.get("min_words", 10)
    if not isinstance(words, int) or words < 1:
        return "min_words must be a positive whole number"
    groups = expect.get("keywords", [])
    if not isinstance(groups, list):
        return "keywords must be a list of ideas"
    for group in groups:
        if isinstance(group, dict):
            if set(group) - {"idea", "stems"} or "stems" not in group:
                return "an idea written as a mapping has `stems` (a list of word stems) and an optional `idea`"
            label = group.get("idea")
            if label is not None and not (isinstance(label, str) or (
                    isinstance(label, dict) and "es" in label and set(label) <= {"es", "en"})):
                return "`idea` is a text, or {es: ..., en: ...}"
            group = group["stems"]
        if not (isinstance(group, list) and group and all(isinstance(w, str) and w.strip() for w in group)):
            return "keywords must be a list of ideas, each a non-empty list of word stems"
    return None


def _stems(group: Any) -> list[str]:
    return list(group["stems"]) if isinstance(group, dict) else list(group)


def _label(group: Any, lang: str) -> str:
    """How the message names an idea: its label, or its stems."""
    idea = group.get("idea") if isinstance(group, dict) else None
    if isinstance(idea, dict):
        return str(idea.get(lang) or idea["es"])
    return str(idea) if idea else ", ".join(_stems(group))


def fold(text: str) -> str:
    """Lower case without accents: 'Generalización' -> 'generalizacion'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z0-9ñ]+", fold(text))


@register("text_answer", needs="value", allowed={"min_words", "keywords"}, validate=_validate)
def check_text(check: CheckSpec, ctx: CheckContext) -> CheckResult:
    name = check.artifact
    assert name is not None
    exp = check.expect
    answer = ctx.value(name)
    min_words = int(exp.get("min_words", 10))
    groups: list[Any] = exp.get("keywords", [])
    base: dict[str, Any] = {"name": name, "min_words": min_words}
    if not isinstance(answer, str):
        return CheckResult(id=check.id, kind=check.kind, status="fail", message="text.not_text",
                           params={**base, "found_type": type(answer).__name__}, expected="str",
                           found=None)
    words = words_of(answer)
    shown = answer if len(answer) <= 2000 else answer[:2000] + "…"
    if len(words) < min_words:
        return CheckResult(id=check.id, kind=check.kind, status="fail", message="text.too_short",
                           params={**base, "found": len(words)}, expected=min_words, found=shown,
                           fraction=0.0)
    missing = [g for g in groups if not any(w.startswith(fold(stem)) for stem in _stems(g) for w in words)]
    fraction = (len(groups) - len(missing)) / len(groups) if groups else 1.0
    if missing:
        # in both languages: the message is rendered later, in the student's
        named = {lang: " / ".join(_label(g, lang) for g in missing) for lang in ("es", "en")}
        return CheckResult(id=check.id, kind=check.kind, status="fail", message="text.missing_idea",
                           params={**base, "missing": named, "n_missing": len(missing)},
                           expected=[_stems(g) for g in groups], found=shown, fraction=fraction)
    return CheckResult(id=check.id, kind=check.kind, status="pass", message="text.ok",
                       params={**base, "found": len(words)}, expected=[_stems(g) for g in groups], found=shown,
                       fraction=1.0)
