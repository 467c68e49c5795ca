"""Benchmark the grader on real notebooks; print the figures and write docs/benchmarks.md.

    .venv/bin/python scripts/benchmark.py [--copies 3] [--throughput-copies 6] [--workers 1 2] [--exercises titanic regularization]

For each exercise, COPIES submissions (the reference, each copy with a comment of its own so
that the results store skips none) are graded with ``grader grade`` as an instructor would:

(a) overhead: the notebook run bare by nbclient in a fresh kernel (what running it costs
    without the grader) against the grader's time per submission in a batch with one worker
    (sandbox, limits, exports after every cell, the checks, the reports and plots);
(b) throughput in submissions per hour with 1, 2 … workers;
(c) what the warm kernel (``--no-warm`` turns it off) and the warm checker
    (``DLGRADER_FRESH_CHECKER=1`` turns it off) each save per submission;
(d) GPU throughput: only on a machine with a GPU (the script says when there is none).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.pipeline import library, provision  # noqa: E402
from grader.pipeline.spec import load_spec  # noqa: E402
from grader.runtime import sandbox  # noqa: E402


def bare_median(exercise: str, runs: int = 3) -> float:
    """Median of ``runs`` bare runs: one alone may pay for a cold disk cache (TensorFlow's files)."""
    return statistics.median(bare_run(exercise) for _ in range(runs))


def bare_run(exercise: str) -> float:
    """The reference executed by nbclient in a fresh kernel, in a provisioned folder."""
    import nbformat
    from nbclient import NotebookClient

    spec = load_spec(library.spec_path(exercise))
    ws = provision.provision(spec)
    try:
        nb = nbformat.read(spec.resolve(spec.reference), as_version=4)
        t0 = time.monotonic()
        NotebookClient(nb, timeout=1800, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(ws.workdir)}}).execute()
        seconds = time.monotonic() - t0
        failed = [i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
        if failed:  # e.g. keras.datasets.*.load_data() without network: not a fair comparison
            raise SystemExit(f"the bare run of {exercise} failed in cells {failed}: pick an exercise whose "
                             "data the bare notebook can read offline (CSV files)")
        return seconds
    finally:
        ws.cleanup()


def batch(exercise: str, copies: int, workers: int, *extra: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """``grader grade`` of COPIES submissions: wall time, and each report's own timings."""
    spec = load_spec(library.spec_path(exercise))
    reference = spec.resolve(spec.reference).read_text()
    with tempfile.TemporaryDirectory(prefix="dlg-bench-") as tmp:
        subs, out = Path(tmp) / "subs", Path(tmp) / "out"
        subs.mkdir()
        for i in range(copies):
            nb = json.loads(reference)
            nb["cells"].append({"cell_type": "markdown", "id": f"copia-{i}", "metadata": {}, "source": f"copia {i}"})
            (subs / f"s{i}.ipynb").write_text(json.dumps(nb))
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-m", "grader", "grade", exercise, str(subs), "--out", str(out),
                        "--workers", str(workers), "--quiet", *extra], check=True, cwd=ROOT,
                       env={**os.environ, **(env or {})})
        wall = time.monotonic() - t0
        reports = [json.loads((out / f"s{i}" / "report.json").read_text()) for i in range(copies)]
    scores = sorted({r["score"] for r in reports})
    ahead = [r for r in reports if r["execution"].get("kernel", {}).get("started_ahead")]
    return {"exercise": exercise, "copies": copies, "workers": workers, "mode": " ".join(extra) or "default",
            "wall_s": round(wall, 1), "per_submission_s": round(wall / copies, 1),
            "per_hour": round(copies * 3600 / wall, 1), "scores": scores,
            "execute_s": round(statistics.median(r["timings_s"]["execute"] for r in reports), 1),
            "check_s": round(statistics.median(r["timings_s"]["check"] for r in reports), 2),
            "started_ahead": len(ahead)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # titanic trains for seconds, regularization for about a minute (the case the <10 % target is about)
    parser.add_argument("--exercises", nargs="*", default=["titanic", "regularization"])
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--throughput-copies", type=int, default=6,
                        help="submissions per throughput batch (enough for every worker to get several)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    rows = []
    for ex in args.exercises:
        bare = bare_median(ex)
        default = batch(ex, args.copies, 1)
        cold_kernel = batch(ex, args.copies, 1, "--no-warm")
        cold_checker = batch(ex, args.copies, 1, env={"DLGRADER_FRESH_CHECKER": "1"})
        old = batch(ex, args.copies, 1, "--no-warm", env={"DLGRADER_FRESH_CHECKER": "1"})
        wide = [batch(ex, args.throughput_copies, w) for w in args.workers]
        row = {"exercise": ex, "bare_s": round(bare, 1), "default": default, "no_warm_kernel": cold_kernel,
               "fresh_checker": cold_checker, "neither": old, "workers": wide}
        print(json.dumps(row), flush=True)
        rows.append(row)
    text = render(rows, args)
    before = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
    start, end = "<!-- cluster -->", "<!-- /cluster -->"
    if start in before and end in before:  # scripts/benchmark_cluster.py's section stays
        text = text.rstrip() + "\n\n" + before[before.index(start):before.index(end) + len(end)] + "\n"
    args.out.write_text(text)
    print(args.out.read_text())
    return 0


def _pct(grader: float, bare: float) -> str:
    return f"{100 * (grader - bare) / bare:+.1f} %"


def render(rows: list[dict], args: argparse.Namespace) -> str:  # type: ignore[type-arg]
    gpu = shutil.which("nvidia-smi") is not None
    cores = len(os.sched_getaffinity(0))
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("tensorflow-cpu", "keras", "nbclient") if _has(p))
    n = args.copies
    lines = [
        "# Benchmarks", "",
        f"Written by `scripts/benchmark.py` on {time.strftime('%Y-%m-%d')}. Machine: {platform.machine()}, "
        f"{cores} cores, {mem:.0f} GiB, {'a GPU' if gpu else 'no GPU'}; Python {platform.python_version()}, "
        f"{versions}; isolation `{sandbox.choose('auto')}`. Each batch grades {n} copies of the exercise's "
        "reference with `grader grade` (a fresh results store, so none is skipped).", "",
        "## (a) Grader overhead against running the notebook bare", "",
        "Bare: nbclient runs the reference in a fresh kernel, in a folder with the exercise's files, nothing "
        "else (median of 3 runs). Grader: the wall time of `grader grade --workers 1` divided by the submissions — sandbox, "
        "limits, exports after every cell, the checks, report.json/md/html with plots, the gradebook and the "
        "class dashboard. The first submission of a batch starts its kernel cold; each later one runs in the "
        "kernel its worker started ahead.", "",
        "| exercise | bare (s) | grader per submission (s) | overhead | execute / check per submission, median (s) | score |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        d = r["default"]
        lines.append(f"| {r['exercise']} | {r['bare_s']} | {d['per_submission_s']} | "
                     f"{_pct(d['per_submission_s'], r['bare_s'])} | {d['execute_s']} / {d['check_s']} | "
                     f"{', '.join(map(str, d['scores']))} |")
    lines += ["", f"## (b) Throughput: {args.throughput_copies} submissions per batch", "",
              "| exercise | workers | wall (s) | submissions per hour |", "|---|---:|---:|---:|"]
    for r in rows:
        lines += [f"| {r['exercise']} | {w['workers']} | {w['wall_s']} | {w['per_hour']} |" for w in r["workers"]]
    lines += ["", "## (c) What the warm kernel and the warm checker save", "",
              "Seconds per submission (wall / submissions, one worker) with each turned off.", "",
              "| exercise | default | `--no-warm` | `DLGRADER_FRESH_CHECKER=1` | both off | check (s): warm / fresh |",
              "|---|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['exercise']} | {r['default']['per_submission_s']} | {r['no_warm_kernel']['per_submission_s']} | "
                     f"{r['fresh_checker']['per_submission_s']} | {r['neither']['per_submission_s']} | "
                     f"{r['default']['check_s']} / {r['fresh_checker']['check_s']} |")
    lines += ["", "## (d) GPU", "",
              "Measured only on a machine with a GPU; " + ("run on this one." if gpu else "this one has none."), "",
              "## Reading these figures", "",
              "* A negative overhead is real: the bare run pays a fresh kernel and the TensorFlow import on the "
              "clock, while in a batch the grader has started the kernel ahead and forks its checks from a warm "
              "process. The grader's own work (sandbox, exports after every cell, checks, reports, plots) costs less "
              "than those imports.",
              "* Each row is one batch on this machine; a few seconds either way are noise. Compare rows of one run.",
              "* With TensorFlow already using every core while a notebook trains, a second worker adds less than a "
              "second core would suggest; starting the next kernel ahead saves most when the CPU has idle time "
              "(short notebooks, GPU machines).",
              "* Run it again with `.venv/bin/python scripts/benchmark.py` (`--exercises`, `--copies`, "
              "`--throughput-copies`, `--workers`).", ""]
    return "\n".join(lines)


def _has(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
