"""Stage 5 — check: run every check of a spec in a fresh process that never ran student code.

``check()`` starts ``python -m grader.checker REQUEST RESULTS`` with a clean environment and
a private working directory; the child loads the spec itself, reads the exported artifacts
(models in safe mode, plain data) and writes the results as JSON. If the child crashes or
hangs, every check gets status ``error`` with the reason — the grading of the batch goes on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from grader.outcomes import CheckResult, ExecutionOutcome
from grader.spec import ExerciseSpec

CHECKER_TIMEOUT = 600


def run_checks(spec: ExerciseSpec, outcome: ExecutionOutcome, artifacts_dir: Path | None,
               data_dir: Path | None = None) -> list[CheckResult]:
    """Run the checks in *this* process (the checker child calls this)."""
    from grader.checks import run_check
    from grader.checks.context import CheckContext

    ctx = CheckContext(spec, outcome, artifacts_dir, data_dir)
    return [run_check(check, ctx) for check in spec.checks]


def _clean_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "KERAS_BACKEND", "DLGRADER_DATA_DIR",
            "KERAS_HOME", "HOME", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0", CUDA_VISIBLE_DEVICES="-1",
               PYTHONWARNINGS="ignore", MPLBACKEND="Agg")
    return env


def check(spec: ExerciseSpec, outcome: ExecutionOutcome, artifacts_dir: Path | None,
          data_dir: Path | None = None, timeout: float = CHECKER_TIMEOUT) -> list[CheckResult]:
    """Run the checks in a clean child process; never raises for a check failure."""
    with tempfile.TemporaryDirectory(prefix="dlg-check-") as tmp:
        req = Path(tmp) / "request.json"
        res = Path(tmp) / "results.json"
        req.write_text(json.dumps({
            "spec": str(spec.path),
            "profile": spec.profile,
            "outcome": outcome.to_json(),
            "artifacts_dir": str(artifacts_dir) if artifacts_dir else None,
            "data_dir": str(data_dir) if data_dir else None,
        }))
        try:
            done = subprocess.run([sys.executable, "-m", "grader.checker", str(req), str(res)],
                                  cwd=tmp, env=_clean_env(), capture_output=True, text=True,
                                  timeout=timeout)
            problem = None if done.returncode == 0 and res.is_file() else (
                (done.stderr or done.stdout).strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        except subprocess.TimeoutExpired:
            problem = f"the checker ran longer than {timeout:g} s"
        if problem is not None:
            return [CheckResult(id=c.id, kind=c.kind, status="error", message="check.crashed",
                                params={"error": problem[:300]}, public=c.public) for c in spec.checks]
        return [CheckResult.from_json(r) for r in json.loads(res.read_text())]


def main(argv: list[str] | None = None) -> int:
    from dataclasses import asdict

    from grader.spec import load_spec

    req_path, out_path = (argv or sys.argv[1:])[:2]
    req: dict[str, Any] = json.loads(Path(req_path).read_text())
    spec = load_spec(req["spec"]).with_profile(req.get("profile"))
    outcome = ExecutionOutcome.from_json(req["outcome"])
    artifacts = Path(req["artifacts_dir"]) if req.get("artifacts_dir") else None
    data_dir = Path(req["data_dir"]) if req.get("data_dir") else None
    results = run_checks(spec, outcome, artifacts, data_dir)
    Path(out_path).write_text(json.dumps([asdict(r) for r in results], default=_jsonable))
    return 0


def _jsonable(obj: Any) -> Any:
    try:
        import numpy as np

        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
    except ImportError:
        pass
    return str(obj)


if __name__ == "__main__":
    raise SystemExit(main())
