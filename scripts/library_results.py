"""Grade every reference of the library once, under the profile instructors use (full by
default), and write what an instructor should expect — score, the grader's metrics, epochs
trained, training / notebook / total seconds — to docs/library-results.md.

    .venv/bin/python scripts/library_results.py [--profile full] [--seed 0] [EXERCISE ...]

Run it on a quiet machine: the seconds are the point. Each result is also printed as a JSON
line; pass that output back with ``--reuse FILE`` to skip exercises already measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.pipeline import GradeOptions, grade_one, library  # noqa: E402


def measure(exercise: str, profile: str, seed: int) -> dict[str, object]:
    spec, rubric, _ = library.load(exercise)
    chosen = profile if profile == "full" or profile in spec.profiles else "full"
    t0 = time.monotonic()
    rep = grade_one(spec, rubric, spec.resolve(spec.reference), GradeOptions(profile=chosen, seed=seed))
    wall = time.monotonic() - t0
    execution = rep["execution"]
    fits = execution.get("training") or []
    return {
        "exercise": exercise, "profile": chosen, "seed": seed, "score": rep["score"], "max": rep["max_score"],
        "status": execution["status"],
        "metrics": {c["id"]: c["measured"] for c in rep["checks"]
                    if c["kind"] in ("metric", "predictions") and isinstance(c["measured"], float)},
        "epochs": [f["epochs_run"] for f in fits],
        "early_stopped": sum(bool(f["stopped_by_callback"]) for f in fits),
        "train_s": round(sum(f["seconds"] or 0 for f in fits), 1),
        "notebook_s": round(execution["duration_s"] or 0, 1),
        "check_s": round(rep["timings_s"]["check"], 1),
        "wall_s": round(wall, 1),
        "isolation": execution["isolation"]["level"],
        "versions": {k: v for k, v in execution["versions"].items() if k in ("python", "keras", "tensorflow", "numpy")},
    }


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _epochs(row: dict[str, object]) -> str:
    epochs = row["epochs"]
    assert isinstance(epochs, list)
    if not epochs:
        return "—"
    text = " + ".join(str(e) for e in epochs) if len(epochs) <= 4 else f"{sum(epochs)} in {len(epochs)} fits"
    return text + (f" ({row['early_stopped']} stopped early)" if row["early_stopped"] else "")


def render(rows: list[dict[str, object]], profile: str, seed: int) -> str:
    versions = rows[0]["versions"] if rows else {}
    assert isinstance(versions, dict)
    isolation = ", ".join(sorted({str(r["isolation"]) for r in rows}))
    lines = [
        "# What each reference takes to grade",
        "",
        f"Written by `scripts/library_results.py` on {time.strftime('%Y-%m-%d')}: every reference graded once with "
        f"`grader grade`'s engine (profile `{profile}`, seed {seed}, CPU, sandbox `{isolation}`, warm checker), one "
        f"after the other on a quiet machine: {_cpu()}, {len(os.sched_getaffinity(0))} cores; in the kernel "
        + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        "*Training* is the seconds the grader logged inside `Model.fit` (every call), *notebook* the whole "
        "notebook in its kernel (imports and data loading included), *check* the grader's own checks in "
        "their clean process (loading the saved models and scoring them on data the grader holds), and "
        "*total* the whole grading of one submission, kernel start included.",
        "",
        "| exercise | score | the grader's metrics | epochs trained | training (s) | notebook (s) | check (s) | total (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        metrics = r["metrics"]
        assert isinstance(metrics, dict)
        shown = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()) or "— (values and structure)"
        lines.append(f"| `{r['exercise']}` | {r['score']} / {r['max']} | {shown} | {_epochs(r)} | {r['train_s']} "
                     f"| {r['notebook_s']} | {r['check_s']} | {r['wall_s']} |")
    total = sum(float(r["wall_s"]) for r in rows)  # type: ignore[arg-type]
    lines += ["", f"All {len(rows)} references, one after the other: {total / 60:.1f} min. "
              f"Full marks: {sum(r['score'] == r['max'] for r in rows)} of {len(rows)}.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--profile", default="full")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "library-results.md")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="JSON lines printed by an earlier run: exercises found there are not graded again")
    args = parser.parse_args()
    done: dict[str, dict[str, object]] = {}
    if args.reuse is not None:
        rows_before = (json.loads(line) for line in args.reuse.read_text().splitlines() if line.startswith("{"))
        done = {str(row["exercise"]): row for row in rows_before}
    rows = []
    for ex in args.exercises or library.exercise_ids():
        row = done.get(ex) or measure(ex, args.profile, args.seed)
        rows.append(row)
        print(json.dumps(row), flush=True)
    text = render(rows, args.profile, args.seed)
    args.out.write_text(text)
    print(text)
    return 0 if all(r["score"] == r["max"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
