"""``grader rescore OUT``: a graded class scored and reported again from its store, in another
language or with another rubric, without running a single notebook.

It reads ``OUT/summary.json`` (who was graded, where their reports are, under which keys) and
the evidence the store kept for each grading (``grader.pipeline.rescore``), writes every report
and class output again, and stores the new reports under their own keys, so that ``grader
grade`` with the same language and rubric finds them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.classroom import outputs, overrides, roster
from grader.classroom.batch import Job, Submission
from grader.classroom.store import Store, exercise_fingerprint, result_key
from grader.model.errors import UsageError
from grader.pipeline import library, rescore
from grader.views.safetext import json_safe


@dataclass
class Rescored:
    done: int = 0
    seconds: float = 0.0
    without_evidence: list[str] = field(default_factory=list)  # graded before evidence was kept, or crashed
    overrides: int = 0  # rows of an edited overrides.csv that became overrides


def _summary(out: Path) -> list[dict[str, Any]]:
    path = out / "summary.json"
    if not path.is_file():
        raise UsageError(f"{out} has no summary.json: it is not the output folder of `grader grade` "
                         "(grade the class into it first, then rescore it)")
    try:
        lines = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} cannot be read ({exc}); grade the class again into {out}") from None
    if not isinstance(lines, list):
        raise UsageError(f"{path} is not a list of results; grade the class again into {out}")
    return [line for line in lines if isinstance(line, dict)]


def _exercise_id(out: Path, lines: list[dict[str, Any]]) -> str:
    for line in lines:
        try:
            return str(json.loads((out / Path(line["report"]).parent.name / "report.json").read_text(encoding="utf-8"))["exercise"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    raise UsageError("no report of this class names its exercise; pass the spec with --spec")


def _submission(line: dict[str, Any]) -> Submission:
    """A summary line's submission again, with what the late policy and the overrides read."""
    return Submission(student=str(line.get("student") or ""), path=Path(str(line.get("notebook") or "")),
                      student_id=str(line.get("student_id") or ""), layout=str(line.get("layout") or "files"),
                      extra={"email": line.get("email") or "", "late": bool(line.get("late")),
                             "submitted_at": line.get("submitted_at") or "",
                             "group_of": line.get("group_of") or "", "files": line.get("files") or []},
                      kind=str(line.get("kind") or "notebook"))


def _read_report(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def rescore_class(out: Path, spec_arg: str | None, rubric_arg: str | None, lang: str,
                  store_file: Path | None = None, who: str = "") -> Rescored:
    t0 = time.monotonic()
    lines = _summary(out)
    store_file = store_file or out / "results.sqlite"
    if not store_file.is_file():
        raise UsageError(f"no results store at {store_file}; pass the one the class was graded into with --store")
    kept = out / "rubric.yaml"  # the rubric the class was last scored with (grader.classroom.grade_class)
    if rubric_arg is None and kept.is_file():
        rubric_arg = str(kept)
    spec, rubric, rubric_file = library.load(spec_arg or _exercise_id(out, lines), rubric_arg)
    store = Store(store_file)
    result = Rescored()
    done: list[tuple[Job, dict[str, Any], float]] = []
    new_lines = []
    try:
        # an edited overrides.csv: its changed rows become overrides before anything is scored
        shas = {_submission(line).label: str(_read_report(out / Path(str(line.get("report") or "")).parent.name
                                                          / "report.json").get("submission_sha256") or "")
                for line in lines if not line.get("group_of")}
        result.overrides = overrides.read_csv(out / "overrides.csv", store, spec.id, shas, who or "overrides.csv")
        for line in lines:
            sub = _submission(line)
            # the student's folder in OUT (the summary's paths are where OUT was when graded)
            out_dir = out / Path(str(line.get("report") or "")).parent.name
            if sub.kind in roster.ABSENT:  # nothing was run: the same row, in the new language and rubric
                report = overrides.adjust(roster.absent_report(sub, spec, rubric.max_points, lang), sub, rubric,
                                          store, lang)
                roster.write_absent(report, out_dir)
                job = Job(sub, str(line.get("key") or ""), out_dir)
                done.append((job, report, 0.0))
                new_lines.append({**line, "score": report["score"], "max_score": report["max_score"]})
                continue
            ran = store.evidence(str(line.get("run_key") or ""))
            if ran is None or not rescore.usable(ran[0]):
                # kept as it was (a crash, or graded before evidence was stored): `grade --regrade` redoes it
                result.without_evidence.append(sub.label)
                old = _read_report(out_dir / "report.json")
                if old:
                    old = overrides.adjust(overrides.unadjusted(old), sub, rubric, store, lang)
                    (out_dir / "report.json").write_text(json_safe(json.dumps(old, indent=2, ensure_ascii=False)),
                                                         encoding="utf-8")
                    done.append((Job(sub, str(line.get("key") or ""), out_dir), old, float(line.get("seconds") or 0)))
                new_lines.append({**line, "score": old.get("score", line.get("score"))})
                continue
            evidence, seconds = ran
            report = rescore.rebuild(spec, rubric, evidence, lang, out_dir)
            stored_report = report
            profile = line.get("profile")
            fingerprint = exercise_fingerprint(Path(str(spec.path)), rubric_file, None if profile == "full" else profile)
            if line.get("compat"):
                fingerprint = f"{fingerprint}|compat={line['compat']}"
            key = result_key(str(evidence.get("sha256") or ""), fingerprint, seed=int(line.get("seed") or 0),
                             lang=lang, device=str(line.get("device") or "cpu"))
            store.put(key, sub.label, sub.path, stored_report, seconds, run=str(line["run_key"]))
            report = overrides.adjust(report, sub, rubric, store, lang)  # people's word, then this rubric's late policy
            if report is not stored_report:
                from grader.pipeline.report import write

                write(report, out_dir)
            job = Job(sub, key, out_dir, str(line["run_key"]))
            done.append((job, report, seconds))
            new_lines.append({**outputs.result_line(job, report, seconds, True),
                              **{k: line[k] for k in ("seed", "device", "profile", "compat") if k in line}})
            result.done += 1
        (out / "summary.json").write_text(json_safe(json.dumps(new_lines, indent=2, ensure_ascii=False)),
                                          encoding="utf-8")
        outputs.class_outputs(done, out, spec, lang)
        if Path(rubric_file).resolve() != kept.resolve():
            kept.write_bytes(Path(rubric_file).read_bytes())
        overrides.write_csv(out / "overrides.csv", [(j.submission, r) for j, r, _ in done
                                                    if not j.submission.extra.get("group_of")], store, spec.id)
    finally:
        store.close()
    result.seconds = round(time.monotonic() - t0, 2)
    return result
