"""The kernel side as a package: only the standard library, entry points in one table, shipped
into the kernel as files (so its tracebacks show source), and imported only where it is shipped."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import grader.kernel
from grader.pipeline.cells import kernel_call
from grader.pipeline.execute import KERNEL_MODULE, KERNEL_PACKAGE, ship_kernel_package

ROOT = Path(__file__).resolve().parents[1]
# libraries the kernel side may touch inside a function, and only once the student's code (or
# the kernel itself) has loaded them: IPython is the kernel; NumPy comes with any Keras notebook
LOADED_BY_THE_KERNEL = {"numpy", "IPython"}


def _imports(path: Path) -> list[tuple[str, bool, int]]:
    """(top-level name, at module level, line) of every absolute import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name.partition(".")[0], id(node) in top_level, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module.partition(".")[0], id(node) in top_level, node.lineno))
    return out


def test_the_kernel_package_imports_only_the_standard_library() -> None:
    files = sorted(KERNEL_PACKAGE.glob("*.py"))
    assert len(files) >= 10
    wrong = []
    for path in files:
        for name, module_level, line in _imports(path):
            allowed = set(sys.stdlib_module_names) | {"__future__"}
            if not module_level:
                allowed |= LOADED_BY_THE_KERNEL
            if name not in allowed:
                wrong.append(f"{path.name}:{line} imports {name}")
    assert not wrong, wrong


def test_the_rule_catches_a_third_party_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nimport numpy\n\ndef f():\n    import keras\n")
    names = {(n, level) for n, level, _ in _imports(bad)}
    assert ("numpy", True) in names and ("keras", False) in names


def test_entry_points_are_the_only_calls_the_grader_makes() -> None:
    for name in grader.kernel.ENTRY_POINTS:
        assert callable(getattr(grader.kernel, name)), name
        assert f".{name}(" in kernel_call(name).source
    with pytest.raises(ValueError, match="not an entry point"):
        kernel_call("_write_manifest")
    # every call the grader makes goes through kernel_call with a name of the table
    used = set()
    for path in (ROOT / "grader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "kernel_call":
                assert isinstance(node.args[0], ast.Constant), f"{path.name}:{node.lineno}"
                used.add(node.args[0].value)
    assert used and used <= set(grader.kernel.ENTRY_POINTS) - {"setup"}, used


def test_the_shipped_package_runs_alone_and_its_tracebacks_show_source(tmp_path: Path) -> None:
    """Imported from its shipped copy by a Python that has nothing but the standard library on its
    path (``-I -S``: no site-packages, no grader), it loads no third-party module; an error inside
    it shows the line of source that failed."""
    runtime = tmp_path / "rt"
    runtime.mkdir()
    lib = ship_kernel_package(runtime)
    shipped = sorted(p.name for p in (lib / KERNEL_MODULE).iterdir())
    assert shipped == sorted(p.name for p in KERNEL_PACKAGE.glob("*.py"))
    assert all(((lib / KERNEL_MODULE / n).stat().st_mode & 0o222) == 0 for n in shipped)
    script = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(lib)!r})\n"
        f"m = importlib.import_module({KERNEL_MODULE!r})\n"
        "before = set(sys.modules)\n"
        "third = sorted(n for n in sys.modules if n.partition('.')[0] not in sys.stdlib_module_names\n"
        f"               and n != '__main__' and not n.startswith({KERNEL_MODULE!r}))\n"
        "print('THIRD', third)\n"
        "m.setup({'seed': 1})\n"  # no artifacts_dir: a KeyError raised inside the package
    )
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, timeout=60)
    assert "THIRD []" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1
    assert f"{KERNEL_MODULE}/__init__.py" in done.stderr
    assert 'os.makedirs(config["artifacts_dir"], exist_ok=True)' in done.stderr, done.stderr[-2000:]


def test_only_the_execute_stage_imports_the_kernel_package() -> None:
    """The kernel package is shipped by ``execute``/``cells``; everything else may read only its
    contract, ``grader.kernel.manifest``."""
    shippers = {"execute.py", "cells.py"}
    wrong = []
    for path in sorted((ROOT / "grader").rglob("*.py")):
        if KERNEL_PACKAGE in path.parents or path.name in shippers:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                contract = name == "grader.kernel.manifest" or name.startswith("grader.kernel.manifest.")
                if (name == "grader.kernel" or name.startswith("grader.kernel.")) and not contract:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not wrong, wrong
