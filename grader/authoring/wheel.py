"""dl-grader as a wheel built from this checkout, for places that install it where it is not
published: a Gradescope autograder's zip, an assignment repository's CI (``.grader/``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from grader.model.errors import UsageError


def build_wheel(dest: Path) -> Path:
    """Build the wheel into ``dest``; a clear error when this is an installed package, not a checkout."""
    source = Path(__file__).resolve().parents[2]
    if not (source / "pyproject.toml").is_file():
        raise UsageError("dl-grader runs here from an installed package, so no wheel can be built from it: pass "
                         "--install with what should be pip-installed (a pinned git URL such as "
                         "'dl-grader[tf] @ git+https://…@<commit>', or a wheel's URL)")
    dest.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest), str(source)],
                          capture_output=True, text=True, timeout=600)
    wheels = sorted(dest.glob("dl_grader-*.whl"))
    if done.returncode != 0 or not wheels:
        raise UsageError(f"could not build dl-grader's wheel: {done.stderr[-800:]}")
    return wheels[-1]
