"""``grader review OUT``: a small local web page for what a grader cannot decide alone.

It lists, for a graded class folder, every submission with something a person should look at —
text answers the grader passed provisionally, notebooks that did not run to the end (timeouts,
errors, a dead kernel), submissions without a notebook — with the student's answer or failing
cell, the grader's reason, the history of overrides and regrade requests, and a form per check
for points and a comment. ``?all=1`` lists every check of every student.

A saved override goes to the store (grader.classroom.overrides: who, when, why) and the class is
rescored at once without running a notebook (grader.classroom.rescore), so the reports, the
gradebook, ``overrides.csv`` and every export show it. The server listens on 127.0.0.1 only and
every form carries a token of this run, so another page open in the browser cannot post to it.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jinja2 import Environment

from grader.classroom import overrides
from grader.classroom.store import Store
from grader.messages import fmt, render
from grader.views.safetext import visible_tree

PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ t.title }} — {{ exercise }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;color:#222;padding:0 1rem}
section{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}
h2{margin:.2rem 0;font-size:1.15rem} .item{border-top:1px solid #eee;padding:.6rem 0}
.why{color:#8a6d00;font-weight:600} pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap;max-height:14rem;overflow:auto}
.history{font-size:.85rem;color:#555} .done{color:#17703a;font-weight:600}
input[type=number]{width:6rem} input[type=text]{width:28rem}
</style></head><body>
<h1>{{ t.title }} — {{ exercise }}</h1>
<p>{{ t.intro }} {% if all %}<a href="/">{{ t.only_needed }}</a>{% else %}<a href="/?all=1">{{ t.show_all }}</a>{% endif %}</p>
{% if saved %}<p class="done" id="saved">{{ saved }}</p>{% endif %}
{% for s in students %}<section id="s{{ loop.index }}"><h2>{{ s.label }} — {{ s.score|num }} / {{ s.max|num }}</h2>
{% for it in s["items"] %}<div class="item" id="{{ it.anchor }}">
<p><code>{{ it.check }}</code> · {{ it.status }} · {{ it.points|num }} / {{ it.max|num }}{% if it.why %} · <span class="why">{{ it.why }}</span>{% endif %}</p>
<p>{{ it.message }}</p>
{% if it.answer %}<pre>{{ it.answer }}</pre>{% endif %}
{% for h in it.history %}<p class="history">{{ h }}</p>{% endfor %}
<form method="post" action="/override">
<input type="hidden" name="token" value="{{ token }}"><input type="hidden" name="student" value="{{ s.label }}">
<input type="hidden" name="check" value="{{ it.check }}"><input type="hidden" name="anchor" value="{{ it.anchor }}">
<label>{{ t.points }} <input type="number" name="points" step="0.05" min="0" max="{{ it.max }}" value="{{ it.current }}"></label>
<label>{{ t.comment }} <input type="text" name="comment" value="{{ it.comment }}"></label>
<label>{{ t.reason }} <input type="text" name="why" value=""></label>
<label><input type="checkbox" name="request" value="1"> {{ t.is_request }}</label>
<button type="submit">{{ t.save }}</button></form></div>
{% endfor %}</section>{% else %}<p>{{ t.nothing }}</p>{% endfor %}
</body></html>
"""

WORDS = {
    "es": {"title": "Revisión", "intro": "Lo que el grader no decide solo: respuestas de texto, notebooks que no "
           "terminaron, entregas sin notebook. Cada cambio queda en el almacén con quién, cuándo y por qué, y la clase "
           "se recalifica sin ejecutar nada.", "show_all": "Ver todas las comprobaciones",
           "only_needed": "Ver solo lo pendiente", "points": "Puntos", "comment": "Comentario para el estudiante",
           "reason": "Motivo (interno)", "is_request": "es un pedido de recorrección del estudiante",
           "save": "Guardar", "nothing": "No hay nada pendiente de revisión.",
           "saved": "Guardado: {student}, {check}. Nota nueva: {score}.",
           "text": "respuesta de texto: la aprobación es provisional", "request": "pedido de recorrección",
           "history": "{at} · {who}: {what} {comment} ({why})", "score": "nota completa"},
    "en": {"title": "Review", "intro": "What the grader does not decide alone: text answers, notebooks that did not "
           "finish, submissions without a notebook. Every change is kept in the store with who, when and why, and the "
           "class is rescored without running anything.", "show_all": "Show every check",
           "only_needed": "Show only what needs review", "points": "Points", "comment": "Comment for the student",
           "reason": "Reason (internal)", "is_request": "is the student's regrade request",
           "save": "Save", "nothing": "Nothing needs review.",
           "saved": "Saved: {student}, {check}. New score: {score}.",
           "text": "text answer: the pass is provisional", "request": "regrade request",
           "history": "{at} · {who}: {what} {comment} ({why})", "score": "whole score"},
}


@dataclass
class Review:
    out: Path
    lang: str = "es"
    who: str = ""
    spec: str | None = None
    rubric: str | None = None
    store_file: Path | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def store_path(self) -> Path:
        return self.store_file or self.out / "results.sqlite"

    # ------------------------------------------------------------------ reading the class
    def _lines(self) -> list[dict[str, Any]]:
        from grader.classroom.rescore import _summary

        return [line for line in _summary(self.out) if not line.get("group_of")]

    def _report(self, line: dict[str, Any]) -> dict[str, Any]:
        path = self.out / Path(str(line.get("report") or "")).parent.name / "report.json"
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def page(self, show_all: bool, saved: str = "") -> str:
        from grader.classroom.rescore import _submission

        w = WORDS.get(self.lang, WORDS["es"])
        store = Store(self.store_path)
        students, exercise = [], ""
        try:
            for n, line in enumerate(self._lines()):
                report = self._report(line)
                exercise = exercise or str(report.get("title") or report.get("exercise") or "")
                sub = _submission(line)
                sha = str(report.get("submission_sha256") or "")
                past = overrides.history(store, str(report.get("exercise") or ""), sub.label, sha)
                needs = dict(overrides.needs_review(report))
                touched = {o.check for o in past}
                checks = {c["id"]: c for c in report.get("checks", [])}
                wanted = list(checks) + [overrides.WHOLE] if show_all else \
                    [c for c in [*checks, overrides.WHOLE] if c in needs or c in touched]
                items = [self._item(n, check, checks.get(check), report, needs.get(check, ""), past, w)
                         for check in wanted]
                if items:
                    students.append({"label": sub.label, "score": report.get("score"),
                                     "max": report.get("max_score"), "items": items})
        finally:
            store.close()
        env = Environment(autoescape=True)
        env.filters["num"] = lambda x: fmt(float(x)) if x not in (None, "") else "-"
        return env.from_string(PAGE).render(t=w, lang=self.lang, exercise=exercise, students=visible_tree(students),
                                            all=show_all, token=self.token, saved=saved)

    def _item(self, n: int, check: str, c: dict[str, Any] | None, report: dict[str, Any], need: str,
              past: list[overrides.Override], w: dict[str, str]) -> dict[str, Any]:
        mine = [o for o in past if o.check == check]
        last = next((o for o in reversed(mine) if o.kind == "override"), None)
        history = [w["history"].format(at=o.at, who=o.who or "?", what=w["request"] if o.kind == "request" else
                                       (fmt(o.points) if o.points is not None else "="), comment=o.comment, why=o.why)
                   for o in mine]
        why = w["text"] if need == "text" else (need if need else "")
        if c is None:  # the whole score
            execution = report.get("execution", {})
            failing = (report.get("instructor") or {}).get("tracebacks") or []
            answer = failing[-1]["traceback"][-1500:] if failing else ""
            return {"check": check, "anchor": f"i{n}-all", "status": w["score"], "points": report.get("score"),
                    "max": report.get("max_score") or 0, "why": why, "message": execution.get("message", ""),
                    "answer": answer, "history": history,
                    "current": "" if last is None or last.points is None else last.points,
                    "comment": last.comment if last else ""}
        found = c.get("found")
        answer = found if isinstance(found, str) else ""
        return {"check": check, "anchor": f"i{n}-{check}", "status": render(f"status.{c['status']}", lang=self.lang),
                "points": c["points"], "max": c["max_points"], "why": why, "message": c.get("message", ""),
                "answer": answer, "history": history,
                "current": "" if last is None or last.points is None else last.points,
                "comment": last.comment if last else ""}

    # ------------------------------------------------------------------ saving
    def save(self, form: dict[str, str]) -> str:
        """Keep one override (or regrade request) and rescore the class; what the page says."""
        from grader.classroom.rescore import _submission, rescore_class

        w = WORDS.get(self.lang, WORDS["es"])
        student, check = form.get("student", ""), form.get("check", "")
        line = next((x for x in self._lines() if _submission(x).label == student), None)
        if line is None:
            raise ValueError(f"no student {student!r} in {self.out}")
        report = self._report(line)
        known = {c["id"]: c for c in report.get("checks", [])}
        if check != overrides.WHOLE and check not in known:
            raise ValueError(f"no check {check!r} for {student!r}")
        top = float(known[check]["max_points"] if check in known else report.get("max_score") or 0)
        raw = form.get("points", "").strip().replace(",", ".")
        points = float(raw) if raw else None
        if points is not None and not 0 <= points <= top:
            raise ValueError(f"points must be between 0 and {fmt(top)}")
        kind = "request" if form.get("request") else "override"
        with self.lock:
            store = Store(self.store_path)
            try:
                overrides.add(store, overrides.Override(
                    str(report.get("exercise") or ""), student, str(report.get("submission_sha256") or ""), check,
                    None if kind == "request" else points, form.get("comment", "").strip(), who=self.who,
                    why=form.get("why", "").strip() or "review", kind=kind))
            finally:
                store.close()
            rescore_class(self.out, self.spec, self.rubric, self.lang, self.store_file, who=self.who)
        score = self._report(line).get("score")
        return w["saved"].format(student=student, check=check, score=fmt(score) if score is not None else "-")


def make_server(review: Review, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """The review server (port 0: any free port; ``server.server_address`` says which)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet: the terminal shows the address only
            pass

        def _send(self, status: int, body: str, kind: str = "text/html; charset=utf-8") -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlsplit(self.path)
            if url.path != "/":
                self._send(HTTPStatus.NOT_FOUND, "not found", "text/plain; charset=utf-8")
                return
            query = parse_qs(url.query)
            saved = query.get("saved", [""])[0]
            self._send(HTTPStatus.OK, review.page(query.get("all", ["0"])[0] == "1", saved))

        def do_POST(self) -> None:  # noqa: N802
            if urlsplit(self.path).path != "/override":
                self._send(HTTPStatus.NOT_FOUND, "not found", "text/plain; charset=utf-8")
                return
            length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
            if not secrets.compare_digest(form.get("token", ""), review.token):
                self._send(HTTPStatus.FORBIDDEN, "stale or foreign form: reload the page", "text/plain; charset=utf-8")
                return
            try:
                said = review.save(form)
            except ValueError as exc:
                self._send(HTTPStatus.BAD_REQUEST, html.escape(str(exc)), "text/plain; charset=utf-8")
                return
            from urllib.parse import quote

            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", f"/?saved={quote(said)}#{quote(form.get('anchor', ''))}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return ThreadingHTTPServer((host, port), Handler)
