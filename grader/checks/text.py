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
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from grader.checks import ArtifactCheck, Expect, register
from grader.checks.context import CheckContext
from grader.model.outcomes import CheckResult


class Idea(BaseModel):
    """An idea the answer must mention: word stems, and how the message names it."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    stems: list[str] = Field(min_length=1)
    idea: str | dict[Literal["es", "en"], str] | None = None

    @field_validator("stems")
    @classmethod
    def _stems(cls, v: list[str]) -> list[str]:
        if not all(w.strip() for w in v):
            raise ValueError("each stem is a non-empty word stem")
        return v



class TextExpect(Expect):
    min_words: int = Field(10, ge=1)
    keywords: list[Annotated[list[str], Field(min_length=1)] | Idea] = []

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords(cls, v: Any) -> Any:
        """One message per mistake, instead of one per shape an idea may take."""
        if not isinstance(v, list):
            raise ValueError("keywords must be a list of ideas")
        for group in v:
            if isinstance(group, dict):
                if set(group) - {"idea", "stems"} or "stems" not in group:
                    raise ValueError("an idea written as a mapping has `stems` (a list of word stems) "
                                     "and an optional `idea`")
                label = group.get("idea")
                if label is not None and not (isinstance(label, str) or (
                        isinstance(label, dict) and "es" in label and set(label) <= {"es", "en"})):
                    raise ValueError("`idea` is a text, or {es: ..., en: ...}")
                group = group["stems"]
            if not (isinstance(group, list) and group and all(isinstance(w, str) and w.strip() for w in group)):
                raise ValueError("keywords must be a list of ideas, each a non-empty list of word stems")
        return v


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


@register("text_answer", needs="value", expect=TextExpect)
def check_text(check: ArtifactCheck, ctx: CheckContext) -> CheckResult:
    name = check.artifact
    exp = TextExpect.of(check)
    answer = ctx.value(name)
    min_words = exp.min_words
    groups: list[Any] = check.expect.get("keywords", [])  # as written: the report shows them
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
