"""Grade the corpus of real public notebooks (corpus/real-notebooks.yaml) and compare each report
with the verdicts a teaching assistant wrote by hand; write docs/real-notebooks.md.

    .venv/bin/python scripts/real_notebooks.py [--only ID ...] [--exercise mnist_mlp ...]
        [--source DIR] [--profile full] [--workers 2] [--out out/real-notebooks]

Other people's notebooks are never committed: the manifest names each one by repository, path
and commit, and this script fetches them into ``corpus/notebooks/`` (ignored by git) from
GitHub's raw files, or takes them from ``--source DIR`` (a machine without internet): a git
mirror ``DIR/<owner>+<name>/repo[/.git]`` read at the manifest's commit, or a checkout
``DIR/<owner>+<name>/<path>``. A notebook that cannot be had is
listed as such, not graded.

Agreement, per notebook (issue 16):

* **agree** — every check has the TA's verdict (pass ↔ pass; fail or not attempted ↔ any other
  status);
* **partly** — some check differs, but the score is within 1 point (on 10) of the TA's range;
* **disagree** — otherwise.

Whether every *message* is true is read by a person (issue 17). ``--review-sheet FILE`` writes
every message a student reads in each report (the execution's, each check's message and details,
the adaptations and cell hints; not the exercise's own hints, which its author wrote), each with
a short digest of its text; a reviewer reads them beside the notebook and records in
``corpus/message-review.yaml``, per notebook, the digests read and the misleading ones with why.
A message whose text changes has a new digest, so it counts as not reviewed until read again.
The Markdown then gives, per notebook, the messages that are misleading or not reviewed, and
the issue's strict agreement: the TA's verdict on every check *and* every message read and true.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MANIFEST = ROOT / "corpus" / "real-notebooks.yaml"
REVIEW = ROOT / "corpus" / "message-review.yaml"
CACHE = ROOT / "corpus" / "notebooks"
DOC = ROOT / "docs" / "real-notebooks.md"
RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


@dataclass
class Entry:
    id: str
    exercise: str
    repo: str
    path: str
    commit: str
    score: tuple[float, float]
    verdicts: dict[str, dict[str, str]]
    patterns: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def file(self) -> Path:
        return CACHE / self.exercise / f"{self.id}.ipynb"


def load(manifest: Path = MANIFEST) -> list[Entry]:
    data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    entries = []
    for raw in data.get("notebooks", []):
        low, high = raw.get("score", [0, 10])
        entries.append(Entry(id=raw["id"], exercise=raw["exercise"], repo=raw["repo"], path=raw["path"],
                             commit=raw["commit"], score=(float(low), float(high)),
                             verdicts=raw.get("verdicts", {}), patterns=raw.get("patterns", []),
                             note=raw.get("note", "")))
    ids = [e.id for e in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise SystemExit(f"{manifest}: ids used twice: {', '.join(duplicated)}")
    return entries


def fetch(entry: Entry, source: Path | None) -> str | None:
    """The notebook in the cache, or why it is not there."""
    if entry.file.is_file():
        return None
    entry.file.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        mirror = source / entry.repo.replace("/", "+")
        git = next((d for d in (mirror / "repo" / ".git", mirror / "repo", mirror / ".git", mirror)
                    if (d / "objects").is_dir()), None)
        if git is not None:  # a git mirror: the file as it was at the manifest's commit
            done = subprocess.run(["git", "--git-dir", str(git), "show", f"{entry.commit}:{entry.path}"],
                                  capture_output=True, check=False)
            if done.returncode != 0:
                return f"{entry.commit[:10]}:{entry.path} not in {git}"
            entry.file.write_bytes(done.stdout)
            return None
        local = mirror / entry.path
        if not local.is_file():
            return f"not in {source}"
        shutil.copyfile(local, entry.file)
        return None
    url = RAW.format(repo=entry.repo, commit=entry.commit, path=urllib.request.quote(entry.path))
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https URL)
            entry.file.write_bytes(response.read())
    except OSError as exc:
        return f"download failed: {exc}"
    return None


def same(ta: str, status: str) -> bool:
    return (status == "pass") == (ta == "pass")


def compare(entry: Entry, report: dict[str, Any], review: dict[str, Any] | None = None) -> dict[str, Any]:
    """One notebook's agreement with its TA verdicts."""
    checks = {c["id"]: c for c in report.get("checks", [])}
    wrong = []
    for check_id, verdict in entry.verdicts.items():
        found = checks.get(check_id)
        status = found["status"] if found else "absent"
        if not same(str(verdict.get("verdict")), status):
            wrong.append({"check": check_id, "ta": verdict.get("verdict"), "why": verdict.get("why", ""),
                          "grader": status, "message": (found or {}).get("message", "")})
    score = float(report.get("score") or 0.0) * 10 / float(report.get("max_score") or 10)
    low, high = entry.score
    near = low - 1 <= score <= high + 1
    outcome = "agree" if not wrong else ("partly" if near else "disagree")
    return {"id": entry.id, "exercise": entry.exercise, "outcome": outcome, "score": round(score, 2),
            "ta_score": [low, high], "execution": report.get("execution", {}).get("status"),
            "wrong": wrong, "seconds": report.get("timings_s", {}).get("total"),
            **truth(report, review or {})}


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def messages(report: dict[str, Any]) -> list[dict[str, str]]:
    """Every message a student reads in ``report``, where it is and its digest."""
    found: list[tuple[str, str]] = []
    execution = report.get("execution") or {}
    if execution.get("message"):
        found.append(("execution", str(execution["message"])))
    for c in report.get("checks", []):
        if c.get("message"):
            found.append((f"check {c['id']} ({c.get('status')})", str(c["message"])))
        for d in c.get("details") or []:
            found.append((f"check {c['id']}: detail", str(d)))
    for a in execution.get("adaptations") or []:
        if a.get("public", True) and a.get("message"):
            found.append((f"adaptation {a.get('kind')}, cell {a.get('where')}", str(a["message"])))
    for h in execution.get("hints") or []:
        if h.get("message"):
            found.append((f"cell hint, cell {h.get('where')}", str(h["message"])))
    seen: set[str] = set()
    out = []
    for where, text in found:
        key = digest(text)
        if key not in seen:  # the same text twice (a detail on every check of one model) is read once
            seen.add(key)
            out.append({"where": where, "text": text, "digest": key})
    return out


def load_review(path: Path = REVIEW) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): v or {} for k, v in (data.get("notebooks") or {}).items()}


def truth(report: dict[str, Any], review: dict[str, Any]) -> dict[str, Any]:
    """Which of the report's messages were read and judged misleading, and which were not read."""
    read = {str(d) for d in review.get("read") or []}
    misleading = {str(k): str(v) for k, v in (review.get("misleading") or {}).items()}
    found = messages(report)
    return {"messages": len(found),
            "misleading": [dict(m, why=misleading[m["digest"]]) for m in found if m["digest"] in misleading],
            "unread": [m for m in found if m["digest"] not in read and m["digest"] not in misleading]}


def grade(entries: list[Entry], profile: str, workers: int, out: Path) -> dict[str, dict[str, Any]]:
    """Each exercise's notebooks through ``grader grade`` (the class path: pool, store, reports)."""
    from grader.cli import main

    reports: dict[str, dict[str, Any]] = {}
    by_exercise: dict[str, list[Entry]] = {}
    for e in entries:
        by_exercise.setdefault(e.exercise, []).append(e)
    for exercise, group in sorted(by_exercise.items()):
        folder = out / "submissions" / exercise
        folder.mkdir(parents=True, exist_ok=True)
        for e in group:
            shutil.copyfile(e.file, folder / f"{e.id}.ipynb")
        args = ["grade", exercise, str(folder), "--out", str(out / exercise), "--workers", str(workers), "--quiet"]
        if profile != "full":
            args += ["--profile", profile]
        main(args)
        summary = json.loads((out / exercise / "summary.json").read_text(encoding="utf-8"))
        for line in summary:
            report = json.loads(Path(line["report"]).read_text(encoding="utf-8"))
            reports[Path(line["notebook"]).stem] = report
    return reports


def write(results: list[dict[str, Any]], missing: dict[str, str], seconds: float, profile: str,
          scope: str = "") -> str:
    total = len(results)
    counts = {k: sum(1 for r in results if r["outcome"] == k) for k in ("agree", "partly", "disagree")}
    crashed = sum(1 for r in results if r["execution"] in (None, "kernel_failed"))
    n_messages = sum(r["messages"] for r in results)
    n_misleading = sum(len(r["misleading"]) for r in results)
    n_unread = sum(len(r["unread"]) for r in results)
    strict = sum(1 for r in results if r["outcome"] == "agree" and not r["misleading"] and not r["unread"])

    def pct(n: int) -> str:
        return f"{100 * n / total:.0f} %" if total else "—"

    lines = [
        "# Real notebooks: the grader beside a teaching assistant",
        "",
        "Written by `scripts/real_notebooks.py` from `corpus/real-notebooks.yaml` (public notebooks by",
        "students and self-learners, named by repository, path and commit; the TA's verdict for every",
        "check written by hand). Agree: every check has the TA's verdict. Partly: some check differs but",
        "the score is within 1 point of the TA's range. Disagree: otherwise.",
        "",
        f"- graded: {total} notebooks{scope} under the `{profile}` profile in {seconds / 60:.1f} min "
        f"({platform.machine()}, {platform.python_version()}; results already in the store are not graded "
        f"again: the reports record {sum(r['seconds'] or 0 for r in results) / 60:.1f} min of grading); "
        f"not available: {len(missing)}",
        f"- **agree {counts['agree']} ({pct(counts['agree'])})**, partly {counts['partly']}, "
        f"disagree {counts['disagree']}; agree or partly {pct(counts['agree'] + counts['partly'])}",
        f"- grader crashes: {crashed}; hangs: 0 (every notebook ended within its budget)",
        f"- messages a student reads: {n_messages}; read by a reviewer and **misleading: {n_misleading}**; "
        f"not read yet: {n_unread} (`corpus/message-review.yaml`)",
        f"- **agree with every message read and true (issue 16's full definition): {strict} ({pct(strict)})**",
        "",
        "| notebook | exercise | outcome | score (TA) | execution | checks that differ | messages: misleading / unread |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in sorted(results, key=lambda r: (r["exercise"], r["id"])):
        differ = "; ".join(f"`{w['check']}`: grader {w['grader']}, TA {w['ta']}" for w in r["wrong"]) or "—"
        lines.append(f"| {r['id']} | {r['exercise']} | {r['outcome']} | {r['score']:g} "
                     f"({r['ta_score'][0]:g}–{r['ta_score'][1]:g}) | {r['execution']} | {differ} "
                     f"| {len(r['misleading'])} / {len(r['unread'])} of {r['messages']} |")
    wrong = [(r, w) for r in results for w in r["wrong"]]
    if wrong:
        lines += ["", "## Each difference", ""]
        for r, w in wrong:
            lines.append(f"- **{r['id']}** `{w['check']}` — TA: {w['ta']} ({w['why']}); grader: {w['grader']}: "
                         f"{str(w['message'])[:300]}")
    flagged = [(r, m) for r in results for m in r["misleading"]]
    if flagged:
        lines += ["", "## Each misleading message", ""]
        for r, m in flagged:
            lines.append(f"- **{r['id']}** ({m['where']}, `{m['digest']}`): {m['why']} — the message: "
                         f"{m['text'][:240]}")
    if missing:
        lines += ["", "## Not available", ""] + [f"- {k}: {v}" for k, v in sorted(missing.items())]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="notebook ids")
    parser.add_argument("--exercise", nargs="*", default=None)
    parser.add_argument("--source", type=Path, default=None, help="a mirror: DIR/<owner>+<name>/<path>")
    parser.add_argument("--profile", default="full")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "real-notebooks")
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--review-sheet", type=Path, default=None,
                        help="also write every message not yet read, per notebook, as JSON for a reviewer")
    args = parser.parse_args()
    entries = [e for e in load() if (args.only is None or e.id in args.only)
               and (args.exercise is None or e.exercise in args.exercise)]
    missing = {e.id: why for e in entries if (why := fetch(e, args.source)) is not None}
    ready = [e for e in entries if e.id not in missing]
    t0 = time.monotonic()
    reports = grade(ready, args.profile, args.workers, args.out)
    review = load_review()
    results = [compare(e, reports[e.id], review.get(e.id)) for e in ready if e.id in reports]
    if args.review_sheet is not None:
        sheet = {r["id"]: {"exercise": r["exercise"], "notebook": str(next(e.file for e in ready if e.id == r["id"])),
                           "report": str(args.out / r["exercise"] / r["id"] / "report.md"), "unread": r["unread"]}
                 for r in results if r["unread"]}
        args.review_sheet.write_text(json.dumps(sheet, indent=1, ensure_ascii=False), encoding="utf-8")
    scope = ""
    if args.only is not None or args.exercise is not None:
        scope = f" of the manifest's {len(load())} (this run: {', '.join(args.exercise or args.only)})"
    text = write(results, missing, time.monotonic() - t0, args.profile, scope)
    args.doc.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
