"""The adversarial corpus graded in ONE batch (``grader grade`` in one process), with honest
submissions before and after the attacks: the grader survives every attack, each attack gets
its own outcome and no points, the honest submissions get their usual scores, nothing is lost.

Needs bubblewrap (CI installs it): without it the filesystem is not isolated, and reading the
hidden labels would work — the report says so, see ``test_weaker_isolation_is_reported``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from grader.data import datasets
from grader.runtime import sandbox, tamper
from tests.fixtures import adversarial
from tests.fixtures.variants import titanic as titanic_variants

ROOT = Path(__file__).resolve().parents[1]
SPEC = Path(adversarial.__file__).with_name(adversarial.SPEC)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write(path: Path, cells: list[str]) -> Path:
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(c) for c in cells]), path)
    return path


@pytest.mark.slow
@pytest.mark.skipif(not sandbox.bwrap_works(), reason="needs bubblewrap (apt install bubblewrap)")
def test_attacks_in_one_batch_lose_and_honest_work_is_graded(tmp_path: Path) -> None:
    subs = tmp_path / "entregas"
    subs.mkdir()
    out = tmp_path / "reports"
    hidden = datasets.locate("titanic", None).paths["test_labels.csv"]
    honest_before = subs / "reference.ipynb"
    honest_before.write_bytes((ROOT / "reference" / "titanic.ipynb").read_bytes())
    honest_after = _write(subs / "everyone_dies.ipynb", titanic_variants.FIXTURES["everyone_dies"])
    marker = tmp_path / "pwned.txt"
    import keras

    site = Path(keras.__file__).resolve().parents[1]
    installed_before = _digest(site / "keras" / "__init__.py")
    paths = {"hidden": str(hidden), "other": str(honest_after), "out": str(out), "marker": str(marker),
             "site": str(site)}
    attacks = [_write(subs / f"{name}.ipynb", adversarial.cells(name, paths)) for name in adversarial.ATTACKS]
    batch = [honest_before, *attacks, honest_after]

    done = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(SPEC), *map(str, batch), "--out", str(out),
         "--rubric", str(ROOT / "rubrics" / "titanic.yaml")],
        capture_output=True, text=True, timeout=1500, cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr[-3000:]

    summary = json.loads((out / "summary.json").read_text())
    assert [Path(s["notebook"]).stem for s in summary] == [p.stem for p in batch]  # nothing lost
    reports = {Path(s["notebook"]).stem: json.loads(Path(s["report"]).read_text()) for s in summary}

    problems = []
    assert reports["reference"]["score"] == 10, reports["reference"]["checks"]
    assert reports["everyone_dies"]["score"] == 3
    for name, expect in adversarial.EXPECT.items():
        rep = reports[name]
        execution = rep["execution"]
        if execution["status"] != expect["status"]:
            problems.append(f"{name}: status {execution['status']} (expected {expect['status']}): "
                            f"{execution['message']}")
        if rep["score"] > expect["max_score"]:
            problems.append(f"{name}: earned {rep['score']} (at most {expect['max_score']})")
        if "message" in expect and expect["message"] not in execution["message"]:
            problems.append(f"{name}: message {execution['message']!r} lacks {expect['message']!r}")
        statuses = {c["id"]: c["status"] for c in rep["checks"]}
        for check, allowed in expect.get("checks", {}).items():
            if statuses[check] not in allowed:
                problems.append(f"{name}: check {check} is {statuses[check]} (expected one of {sorted(allowed)})")
        if "message_key" in expect and expect["message_key"] not in {c["message_key"] for c in rep["checks"]}:
            problems.append(f"{name}: no check says {expect['message_key']}")
        if "output_lacks" in expect and expect["output_lacks"] in rep["instructor"]["output_tail"]:
            problems.append(f"{name}: output shows {expect['output_lacks']}")
        if execution["isolation"]["level"] != "bwrap":
            problems.append(f"{name}: isolation {execution['isolation']['level']}")
    assert not problems, "\n".join(problems)
    # root's ways out all failed, and the installation is as it was
    tail = reports["remount_and_plant"]["instructor"]["output_tail"]
    for word in ("REMONTADO", "ESCRITO", "CGROUP", "LIMITE", "COPIADO"):
        assert word not in tail, tail
    assert _digest(site / "keras" / "__init__.py") == installed_before
    assert not (site / "zz_pwn.pth").exists()
    assert tamper.installation_problems() == []
    # the attacks left no trace outside their sandbox
    assert not marker.exists()
    assert not (out / "report.json").exists()
    assert not (Path("/tmp") / "pwned").exists()
    # every limit hit names the cell that hit it
    for name in ("allocate_50_gib", "fork_bomb", "print_200_mb", "fill_the_disk"):
        assert reports[name]["execution"]["failing_cell"] == 0, name
        assert reports[name]["execution"]["limit"]["kind"] in ("memory", "processes", "output", "disk")
