"""scripts/real_notebooks.py: the manifest is read as written, and a report is compared with the
TA's verdicts as issue 16 defines agreement (the grading itself is the pipeline's, tested elsewhere)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("real_notebooks", ROOT / "scripts" / "real_notebooks.py")
assert spec is not None and spec.loader is not None
real = importlib.util.module_from_spec(spec)
sys.modules["real_notebooks"] = real  # dataclasses look their module up
spec.loader.exec_module(real)

ENTRY = {"id": "alumno-mlp", "exercise": "mnist_mlp", "repo": "someone/course", "path": "p3/mlp.ipynb",
         "commit": "0" * 40, "score": [7, 9],
         "verdicts": {"arquitectura": {"verdict": "pass", "why": "as asked"},
                      "exactitud": {"verdict": "fail", "why": "trained 1 epoch on raw pixels"}}}


def _report(arquitectura: str, exactitud: str, score: float) -> dict[str, Any]:
    return {"score": score, "max_score": 10, "execution": {"status": "ok"}, "timings_s": {"total": 3.0},
            "checks": [{"id": "arquitectura", "status": arquitectura, "message": "m1"},
                       {"id": "exactitud", "status": exactitud, "message": "la exactitud es 0.41"}]}


@pytest.fixture
def entry(tmp_path: Path) -> Any:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(yaml.safe_dump({"notebooks": [ENTRY]}), encoding="utf-8")
    return real.load(manifest)[0]


@pytest.mark.parametrize(("arq", "exa", "score", "outcome"), [
    ("pass", "fail", 8, "agree"),
    ("pass", "missing", 3, "agree"),  # not passing is what the TA said, whatever the status
    ("pass", "pass", 9.5, "partly"),  # a wrong verdict, but the score is near the TA's range
    ("fail", "pass", 2, "disagree"),
])
def test_agreement_follows_the_issue_s_definition(entry: Any, arq: str, exa: str, score: float, outcome: str) -> None:
    result = real.compare(entry, _report(arq, exa, score))
    assert result["outcome"] == outcome
    assert [w["check"] for w in result["wrong"]] == ([] if outcome == "agree" else
                                                     [c for c, s in (("arquitectura", arq), ("exactitud", exa))
                                                      if (s == "pass") != (c == "arquitectura")])


def test_the_markdown_names_each_difference_with_both_reasons(entry: Any) -> None:
    text = real.write([real.compare(entry, _report("pass", "pass", 9.5))], {"other": "not in /mirror"}, 120.0, "full")
    assert "partly 1" in text and "trained 1 epoch on raw pixels" in text and "not in /mirror" in text


def test_a_notebook_is_taken_from_a_mirror_when_offline(entry: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(real, "CACHE", tmp_path / "cache")
    mirror = tmp_path / "mirror"
    (mirror / "someone+course" / "p3").mkdir(parents=True)
    (mirror / "someone+course" / "p3" / "mlp.ipynb").write_text("{}", encoding="utf-8")
    assert real.fetch(entry, mirror) is None and entry.file.read_text() == "{}"
    other = real.Entry(**{**entry.__dict__, "id": "x", "path": "gone.ipynb"})
    assert "not in" in str(real.fetch(other, mirror))


def test_a_notebook_is_read_from_a_git_mirror_at_the_manifest_s_commit(entry: Any, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    monkeypatch.setattr(real, "CACHE", tmp_path / "cache")
    work = tmp_path / "mirror" / "someone+course" / "repo"
    (work / "p3").mkdir(parents=True)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(work), *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    (work / "p3" / "mlp.ipynb").write_text('{"v": 1}', encoding="utf-8")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    first = git("rev-parse", "HEAD").strip()
    (work / "p3" / "mlp.ipynb").write_text('{"v": 2}', encoding="utf-8")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "two")
    pinned = real.Entry(**{**entry.__dict__, "commit": first})
    assert real.fetch(pinned, tmp_path / "mirror") is None
    assert pinned.file.read_text() == '{"v": 1}'  # the manifest's commit, not the newest


def test_message_truth_counts_what_a_reviewer_read(entry: Any) -> None:
    """issue 17: misleading messages are counted from the review, and a message whose text
    changed since it was read counts as unread, so a count cannot go stale silently."""
    report = _report("pass", "fail", 8)
    report["checks"][0]["details"] = ["Se usó la variable `red`.", "Se usó la variable `red`."]
    found = real.messages(report)
    assert [m["text"] for m in found] == ["m1", "Se usó la variable `red`.", "la exactitud es 0.41"]  # once each
    m1, red, low = (m["digest"] for m in found)
    review = {"read": [m1, red], "misleading": {low: "the model was never trained"}}
    result = real.compare(entry, report, review)
    assert [m["why"] for m in result["misleading"]] == ["the model was never trained"] and result["unread"] == []
    text = real.write([result], {}, 60.0, "full")
    assert "misleading: 1**" in text and "agree with every message read and true (issue 16's full definition): 0" in text
    assert "the model was never trained" in text
    report["checks"][1]["message"] = "la exactitud es 0.41; el modelo no se entrenó"  # changed: read again
    result = real.compare(entry, report, review)
    assert (result["misleading"], [m["text"] for m in result["unread"]]) == ([], [report["checks"][1]["message"]])
    assert real.compare(entry, _report("pass", "fail", 8), {"read": [m1, low]})["unread"] == []
    assert "full definition): 1 (100 %)" in real.write([real.compare(entry, _report("pass", "fail", 8),
                                                                     {"read": [m1, low]})], {}, 60.0, "full")
