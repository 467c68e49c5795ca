"""Benchmark the grader on real notebooks; print the figures and write docs/benchmarks.md.

    .venv/bin/python scripts/benchmark.py [--copies 4] [--workers 1 2] [--exercises titanic early_stopping]

(a) overhead: each reference graded by ``grade_one`` (sandbox, limits, exports, checker,
    report) against the same notebook run bare with nbclient in the same provisioned folder;
(b) throughput: ``grader grade`` on COPIES submissions of each exercise with 1, 2 … workers
    (a fresh results store each time, so nothing is skipped);
(c) what a warm kernel would save: the time from starting a kernel to having TensorFlow and
    Keras imported in it, which the grader pays once per submission today;
(d) GPU throughput: only on a machine with a GPU (this script says when there is none).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import library, provision, sandbox  # noqa: E402
from grader.pipeline import GradeOptions, grade_one  # noqa: E402
from grader.spec import load_rubric, load_spec  # noqa: E402


def bare_run(spec: object, notebook: Path) -> float:
    """The notebook executed by nbclient as a student would, in a provisioned folder."""
    import nbformat
    from nbclient import NotebookClient

    ws = provision.provision(spec)  # type: ignore[arg-type]
    try:
        nb = nbformat.read(notebook, as_version=4)
        t0 = time.monotonic()
        NotebookClient(nb, timeout=1800, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(ws.workdir)}}).execute()
        seconds = time.monotonic() - t0
        failed = [i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
        if failed:  # e.g. keras.datasets.*.load_data() without network: not a fair comparison
            raise SystemExit(f"the bare run of {notebook.name} failed in cells {failed}: pick an exercise whose "
                             "data the bare notebook can read offline (CSV files)")
        return seconds
    finally:
        ws.cleanup()


def overhead(exercise: str) -> dict[str, object]:
    spec_file = library.spec_path(exercise)
    spec = load_spec(spec_file)
    rubric = load_rubric(library.rubric_path(spec_file, spec.id), spec)
    notebook = spec.resolve(spec.reference)
    bare = bare_run(spec, notebook)
    t0 = time.monotonic()
    report = grade_one(spec, rubric, notebook, GradeOptions())
    graded = time.monotonic() - t0
    return {"exercise": exercise, "bare_s": round(bare, 1), "grader_s": round(graded, 1),
            "execute_s": report["timings_s"]["execute"], "check_s": report["timings_s"]["check"],
            "overhead_pct": round(100 * (graded - bare) / bare, 1), "score": report["score"]}


def throughput(exercise: str, copies: int, workers: int) -> dict[str, object]:
    spec = load_spec(library.spec_path(exercise))
    reference = spec.resolve(spec.reference).read_text()
    with tempfile.TemporaryDirectory(prefix="dlg-bench-") as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        for i in range(copies):  # distinct bytes, so the store does not skip any
            nb = json.loads(reference)
            nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": f"copia {i}"})
            (subs / f"s{i}.ipynb").write_text(json.dumps(nb))
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-m", "grader", "grade", exercise, str(subs), "--out", str(Path(tmp) / "out"),
                        "--workers", str(workers), "--quiet"], check=True, cwd=ROOT)
        wall = time.monotonic() - t0
    return {"exercise": exercise, "copies": copies, "workers": workers, "wall_s": round(wall, 1),
            "per_hour": round(copies * 3600 / wall, 1)}


def warm_saving() -> dict[str, float]:
    """Seconds from starting a kernel to TensorFlow + Keras imported in it (median of 3)."""
    from jupyter_client.manager import start_new_kernel

    samples = []
    for _ in range(3):
        t0 = time.monotonic()
        km, kc = start_new_kernel(kernel_name="python3")
        started = time.monotonic() - t0
        kc.execute_interactive("import tensorflow, keras", timeout=300)
        samples.append((started, time.monotonic() - t0))
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    samples.sort(key=lambda s: s[1])
    return {"kernel_start_s": round(samples[1][0], 2), "start_and_import_s": round(samples[1][1], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", nargs="*", default=["titanic", "early_stopping"])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    over = [overhead(ex) for ex in args.exercises]
    for row in over:
        print(json.dumps(row), flush=True)
    through = [throughput(ex, args.copies, w) for ex in args.exercises for w in args.workers]
    for row in through:
        print(json.dumps(row), flush=True)
    warm = warm_saving()
    print(json.dumps(warm), flush=True)
    gpu = shutil.which("nvidia-smi") is not None
    cores = len(os.sched_getaffinity(0))
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("tensorflow-cpu", "keras", "nbclient") if _has(p))
    lines = [
        "# Benchmarks", "",
        f"Written by `scripts/benchmark.py` on {time.strftime('%Y-%m-%d')}. Machine: {platform.machine()}, "
        f"{cores} cores, {mem:.0f} GiB, {'a GPU' if gpu else 'no GPU'}; Python {platform.python_version()}, {versions}; "
        f"isolation `{sandbox.choose('auto')}`. Other jobs may have shared the machine: compare rows of one run.", "",
        "## (a) Grader overhead against running the notebook bare", "",
        "Bare: nbclient runs the reference in a folder with the exercise's files, nothing else. Grader: "
        "`grade_one` (sandbox, limits, exports after every cell, the checker process, the report and plots).", "",
        "| exercise | bare (s) | grader (s) | of which execute / check (s) | overhead | score |",
        "|---|---:|---:|---|---:|---:|",
    ]
    lines += [f"| {r['exercise']} | {r['bare_s']} | {r['grader_s']} | {r['execute_s']} / {r['check_s']} | "
              f"{r['overhead_pct']} % | {r['score']} |" for r in over]
    lines += ["", f"## (b) Throughput: {args.copies} submissions per exercise", "",
              "| exercise | workers | wall (s) | submissions per hour |", "|---|---:|---:|---:|"]
    lines += [f"| {r['exercise']} | {r['workers']} | {r['wall_s']} | {r['per_hour']} |" for r in through]
    lines += ["", "## (c) What a warm kernel would save", "",
              f"Starting a kernel takes {warm['kernel_start_s']} s; starting it and importing TensorFlow and "
              f"Keras takes {warm['start_and_import_s']} s (median of 3). The grader starts a fresh kernel per "
              "submission and does not yet start the next one ahead of time, so this is the time per "
              "submission that a warm kernel would hide.", "",
              "## (d) GPU", "",
              "Measured only on a machine with a GPU; " + ("run on this one." if gpu else "this one has none."), ""]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


def _has(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
