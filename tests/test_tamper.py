"""Tamper evidence before a batch: a changed dataset file, a changed installed Python file, a
stray start-up hook each stop grading with the file named; the cache never hides a rewrite."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.data import datasets
from grader.runtime import tamper

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DLGRADER_DATA_DIR") or ROOT.parent / "shared" / "datasets")


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@pytest.fixture()
def fake_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site-packages folder on sys.path holding one installed distribution, ``fakepkg``."""
    site = tmp_path / "lib" / "site-packages"
    (site / "fakepkg").mkdir(parents=True)
    code = b"VALUE = 1\n"
    (site / "fakepkg" / "__init__.py").write_bytes(code)
    info = site / "fakepkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakepkg\nVersion: 1.0\n")
    (info / "RECORD").write_text(f"fakepkg/__init__.py,{_record_hash(code)},{len(code)}\n"
                                 "fakepkg-1.0.dist-info/METADATA,,\nfakepkg-1.0.dist-info/RECORD,,\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return site


def _ours(problems: list[str], site: Path) -> list[str]:
    return [p for p in problems if p.startswith(str(site.resolve()))]


def test_an_untouched_installation_passes(fake_site: Path) -> None:
    assert _ours(tamper.installation_problems(), fake_site) == []


def test_a_changed_file_is_found_even_with_its_old_modification_time(fake_site: Path) -> None:
    target = fake_site / "fakepkg" / "__init__.py"
    assert _ours(tamper.installation_problems(), fake_site) == []  # hashed and cached
    st = target.stat()
    target.write_bytes(b"VALUE = 2\n")  # same size
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # the modification time put back
    problems = _ours(tamper.installation_problems(), fake_site)
    assert problems and "changed since fakepkg was installed" in problems[0]


def test_start_up_hooks_nobody_installed_are_found(fake_site: Path) -> None:
    (fake_site / "zz_evil.pth").write_text("import os\n")
    (fake_site / "sitecustomize.py").write_text("print('hi')\n")
    problems = _ours(tamper.installation_problems(), fake_site)
    assert any("zz_evil.pth" in p for p in problems)
    assert any("sitecustomize.py" in p for p in problems)
    assert all("no installed package put there" in p for p in problems)


def test_the_real_installation_is_clean() -> None:
    assert tamper.installation_problems() == []


def test_a_changed_dataset_stops_grading_before_any_notebook(tmp_path: Path) -> None:
    data = tmp_path / "datos"
    shutil.copytree(DATA / "sonar", data / "sonar")
    found = datasets.locate("sonar", data)
    assert tamper.dataset_problems([found]) == []
    csv = data / "sonar" / "sonar.csv"
    csv.chmod(0o644)
    with open(csv, "a") as f:
        f.write("0.0\n")
    problems = tamper.dataset_problems([datasets.locate("sonar", data)])
    assert len(problems) == 1 and "sonar.csv" in problems[0]
    # the command line: exit 2, the file named, nothing graded
    done = subprocess.run([sys.executable, "-m", "grader", "check", str(ROOT / "reference" / "sonar_roc.ipynb"),
                           "--exercise", "sonar_roc", "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "sonar.csv" in done.stdout + done.stderr
    assert "grader data fetch" in done.stdout + done.stderr
