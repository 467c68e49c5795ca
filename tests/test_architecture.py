"""Who may import whom (docs/architecture.md): the folders name the stages, and these rules keep
them honest. Each rule is a package and the grader packages it may import; a module imported
from outside its package's allowance must be named as an exception, with the reason."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GRADER = ROOT / "grader"

# package -> the grader packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "kernel": set(),  # runs in the student's kernel: the standard library only
    "messages": set(),
    "model": {"messages"},
    "data": {"model", "messages"},
    "runtime": {"model", "messages"},
    "checks": {"model", "data", "messages"},
    "pipeline": {"model", "data", "messages", "runtime", "checks", "views"},
    "views": {"model", "messages"},
    "classroom": {"model", "data", "messages", "runtime", "pipeline", "views", "cluster"},
    "cluster": {"model", "data", "messages", "runtime", "pipeline"},  # grading on Dask: the pipeline, on workers
    "authoring": {"model", "data", "messages", "pipeline"},  # data: the datasets a repository or autograder ships
    "selfcheck": {"messages"},
    "cli": {"model", "data", "messages", "runtime", "pipeline", "views", "classroom", "authoring", "cli_class",
            "cluster"},
    "cli_class": {"model", "data", "messages", "runtime", "pipeline", "views", "classroom", "authoring", "cli"},
    "__main__": {"cli"},
    "__init__": {"selfcheck"},
}
# single modules another package may import, and why
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("checks", "grader.kernel.manifest"): "the manifest is the contract between kernel and checker",
    ("pipeline", "grader.kernel.manifest"): "the manifest is the contract between kernel and checker",
    ("checks", "grader.pipeline.export"): "checks read artifacts only through the export stage's safe readers",
    ("views", "grader.pipeline.export"): "training curves are read with the export stage's safe reader",
}
# inside pipeline, only the execute stage ships the kernel package
KERNEL_SHIPPERS = {"grader/pipeline/execute.py", "grader/pipeline/cells.py"}


def _package(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _grader_imports(path: Path) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "grader":
            out += [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "grader"]
    return out


def violations(root: Path = GRADER) -> list[str]:
    wrong = []
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        here = _package(path, root)
        rel = str(path.relative_to(root.parent))
        for name, line in _grader_imports(path):
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else "grader"
            if target in ("__version__",) or target == here:
                continue
            if here not in ALLOWED:
                wrong.append(f"{rel}: package '{here}' has no rule in ALLOWED")
                break
            module = ".".join(parts[:3])
            if target == "kernel" and module == "grader.kernel.manifest":
                if (here, module) in EXCEPTIONS or rel in KERNEL_SHIPPERS:
                    continue
            if target == "kernel" and rel in KERNEL_SHIPPERS:
                continue
            if target in ALLOWED[here] or (here, module) in EXCEPTIONS:
                continue
            wrong.append(f"{rel}:{line} imports {name} ({here} may import: {', '.join(sorted(ALLOWED[here])) or 'nothing'})")
    return wrong


def test_every_import_follows_the_layers() -> None:
    assert violations() == []


def test_every_package_has_a_rule_and_a_docstring() -> None:
    packages = {p.name for p in GRADER.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert packages <= set(ALLOWED), packages - set(ALLOWED)
    for name in packages:
        tree = ast.parse((GRADER / name / "__init__.py").read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"grader/{name}/__init__.py says what the package is for"


@pytest.mark.parametrize("source, package, expected", [
    ("from grader.views import figures\n", "checks", "imports grader.views.figures"),
    ("from grader.classroom.store import Store\n", "pipeline", "imports grader.classroom.store.Store"),
    ("import grader.pipeline.execute\n", "kernel", "imports grader.pipeline.execute"),
    ("from grader.kernel import save\n", "classroom", "imports grader.kernel.save"),
])
def test_the_rules_catch_a_wrong_import(tmp_path: Path, source: str, package: str, expected: str) -> None:
    folder = tmp_path / "grader" / package
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text('"""x"""\n')
    (folder / "bad.py").write_text(source)
    found = violations(tmp_path / "grader")
    assert any(expected in v for v in found), found


def test_the_jail_runs_on_the_standard_library_alone() -> None:
    """``python -I -S grader/runtime/jail.py`` is the last step before the kernel: no grader
    package, no site-packages."""
    tree = ast.parse((GRADER / "runtime" / "jail.py").read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert names <= set(sys.stdlib_module_names) | {"__future__"}, names


def test_no_module_is_over_500_lines() -> None:
    """The house rule (issue 15): a module that grows past it is split by job."""
    lines = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in GRADER.rglob("*.py") if "__pycache__" not in p.parts}
    assert {k: v for k, v in lines.items() if v > 500} == {}
