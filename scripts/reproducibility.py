"""Grade every reference of the library several times and compare: same score, same metric
values? Prints a table and writes it to docs/reproducibility.md.

    .venv/bin/python scripts/reproducibility.py [--runs 3] [--profile ci] [EXERCISE ...]

Each exercise runs under the given profile when it has one (else its full profile), seed 0,
on the CPU, inside the same sandbox and limits as ``grader grade``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.pipeline import GradeOptions, grade_one, library  # noqa: E402


def measure(exercise: str, runs: int, profile: str) -> dict[str, object]:
    spec, rubric, _ = library.load(exercise)
    chosen = profile if profile in spec.profiles else "full"
    scores, values, seconds = [], [], []
    for _ in range(runs):
        t0 = time.monotonic()
        rep = grade_one(spec, rubric, spec.resolve(spec.reference), GradeOptions(profile=chosen))
        seconds.append(round(time.monotonic() - t0, 1))
        scores.append(rep["score"])
        values.append({c["id"]: c["measured"] if c["measured"] is not None else _untimed(c["found"])
                       for c in rep["checks"]})
    first = json.dumps(values[0], sort_keys=True, default=str)
    return {"exercise": exercise, "profile": chosen, "scores": scores, "max": rep["max_score"],
            "same_score": len(set(scores)) == 1,
            "same_values": all(json.dumps(v, sort_keys=True, default=str) == first for v in values),
            "metrics": {k: v for k, v in values[0].items() if isinstance(v, float)},
            "differences": [k for k in values[0] if len({json.dumps(v.get(k), default=str) for v in values}) > 1],
            "seconds": seconds, "isolation": rep["execution"]["isolation"]["level"],
            "device": rep["execution"]["device"].get("used", "?")}


def _untimed(found: object) -> object:
    """What a check found, without what differs between any two processes: the seconds the grader
    measured (machine load) and the in-memory ids that tell models apart within one run."""
    if isinstance(found, dict):
        return {k: _untimed(v) for k, v in found.items()
                if not any(t in k for t in ("second", "time", "duration")) and k not in ("model", "object_id")}
    if isinstance(found, list):
        return [_untimed(v) for v in found]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reproducibility.md")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="JSON lines printed by an earlier run: exercises found there are not graded again")
    args = parser.parse_args()
    done = {}
    if args.reuse is not None:
        for line in args.reuse.read_text().splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                done[row["exercise"]] = row
    rows = []
    for ex in args.exercises or library.exercise_ids():
        row = done.get(ex) or measure(ex, args.runs, args.profile)
        rows.append(row)
        print(json.dumps(row, default=str), flush=True)
    versions = {p: metadata.version(p) for p in ("keras", "tensorflow-cpu", "numpy") if _installed(p)}
    lines = [
        "# Reproducibility of the references",
        "",
        f"Written by `scripts/reproducibility.py` on {time.strftime('%Y-%m-%d')}: each reference graded "
        f"{args.runs} times in a row (seed 0, CPU, profile `{args.profile}` where the exercise has it), "
        f"on {platform.machine()} with {_cores()} cores, Python {platform.python_version()}, "
        + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        "| exercise | profile | scores | same score | same metric values | metrics (run 1) | seconds per run | isolation |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in r["metrics"].items()) or "-"  # type: ignore[union-attr]
        lines.append(f"| {r['exercise']} | {r['profile']} | {' / '.join(str(s) for s in r['scores'])} of {r['max']} "  # type: ignore[union-attr]
                     f"| {'yes' if r['same_score'] else '**no**'} | "
                     f"{'yes' if r['same_values'] else '**no**: ' + ', '.join(r['differences'])} | {metrics} "  # type: ignore[arg-type]
                     f"| {', '.join(str(s) for s in r['seconds'])} | {r['isolation']} |")  # type: ignore[union-attr]
    all_same = all(r["same_score"] and r["same_values"] for r in rows)
    lines += ["", f"All identical: **{'yes' if all_same else 'no'}**.", ""]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if all_same else 1


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
