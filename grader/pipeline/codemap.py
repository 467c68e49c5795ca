"""Where the notebook's own code assigns and deletes each name, read with ``ast`` in the grader's
process (parsed, never run), and how a student names its cells.

A missing artifact's message is true only if it knows this: "`X` was never defined because cell
3 failed" is false when no cell assigns ``X`` at all (grader.checks.diagnose). One record per
code cell, stored in the outcome (``ExecutionOutcome.code``)::

    {"index": 5, "number": 3, "count": 7, "head": "model.fit(x, y)", "parsed": True,
     "assigns": {"model": "top", "h": "branch", "w": "function:train"}, "deletes": {"w": "top"},
     "calls": ["train"]}

``number`` counts code cells from 1 (what a student counts), ``count`` is the execution count
the student's file shows, ``head`` its first line. A scope is where the assignment sits: ``top``
(runs whenever the cell runs), ``code`` (an import, ``def`` or ``class`` at top level: binds
code, which no alias accepts), ``branch`` (inside if / for / while / try / match: it may not
run), ``function:NAME`` or ``class:NAME`` (local there), ``global:NAME`` (declared
``global`` in that function: assigned when it is called). ``calls`` are the names the cell
calls (``train(...)``), to tell a function that was never called from one that was, and the
training methods it calls (``.fit``). A cell that does not parse (a
syntax error) records the names it seems to assign, from its text (``parsed`` false).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from grader.pipeline.intake import STUDENT_COUNT  # where intake keeps the count it clears

MAX_SOURCE = 100_000  # characters of one cell that are read; more is not a student's code
MAX_NAMES = 400  # names kept per cell
HEAD_CHARS = 48
# methods whose calls are recorded (as ".fit"): how a cell trains a model (grader.checks.causes)
TRAINING_METHODS = frozenset({"fit", "fit_generator", "train_on_batch", "apply_gradients", "load_weights"})
_TEXT_ASSIGN = re.compile(r"(?m)^[ \t]*([A-Za-z_]\w*)(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*[ \t]*(?::[^=\n]*)?=(?!=)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f`]")
_BRANCHES: tuple[type[ast.AST], ...] = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.Match)
if hasattr(ast, "TryStar"):  # Python 3.11+
    _BRANCHES = (*_BRANCHES, ast.TryStar)


def head(source: str) -> str:
    """The cell's first non-blank line as a student would recognise it (shortened, plain)."""
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    line = _CONTROL.sub("'", line)
    return line if len(line) <= HEAD_CHARS else line[:HEAD_CHARS - 1].rstrip() + "…"


def _python(source: str) -> str:
    """The cell as Python: IPython's own transform of magics and shell lines."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return str(TransformerManager().transform_cell(source))
    except Exception:  # no IPython, or it cannot read the cell: drop the lines Python cannot
        return "\n".join("" if s.lstrip().startswith(("%", "!")) else s for s in source.splitlines())


class _Sites(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope = ["top"]
        self.assigns: dict[str, str] = {}
        self.deletes: dict[str, str] = {}
        self.calls: set[str] = set()
        self.globals: set[str] = set()
        self.returns: dict[str, list[str]] = {}  # function -> the names it returns
        self.results: dict[str, str] = {}  # name -> the function whose result the cell stores in it

    def _bind(self, name: str, table: dict[str, str] | None = None, code: bool = False) -> None:
        table = self.assigns if table is None else table
        scope = self.scope[-1]
        if name in self.globals and scope.startswith("function:"):
            scope = "global:" + scope.split(":", 1)[1]  # module level, once the function is called
        elif code and scope == "top":
            scope = "code"  # an import, def or class: binds code, never an answer
        if len(table) < MAX_NAMES:
            # the surest place wins: top over branch over a function's locals
            old = table.get(name)
            if old is None or _rank(scope) < _rank(old):
                table[name] = scope

    def _targets(self, node: ast.AST, table: dict[str, str] | None = None) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                self._bind(sub.id, table)
            elif isinstance(sub, ast.Starred) and isinstance(sub.value, ast.Name):
                self._bind(sub.value.id, table)

    # assignments ----------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._targets(target)
            call = node.value
            if (isinstance(target, ast.Name) and self.scope[-1] == "top" and isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name) and len(self.results) < MAX_NAMES):
                self.results[target.id] = call.func.id  # `m = create_model()`
        self.visit(node.value)

    def visit_Return(self, node: ast.Return) -> None:
        scope = self.scope[-1]
        value = node.value
        if scope.startswith("function:") and value is not None:
            items = value.elts if isinstance(value, ast.Tuple) else [value]
            names = [v.id for v in items if isinstance(v, ast.Name)]
            if names and len(self.returns) < MAX_NAMES:
                self.returns.setdefault(scope.split(":", 1)[1], []).extend(names)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._targets(node.target)
        self.visit(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._targets(node.target)
            self.visit(node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._targets(node.target)
        self.visit(node.value)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name.split(".")[0], code=True)

    visit_ImportFrom = visit_Import  # type: ignore[assignment]

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._targets(target, self.deletes)

    def visit_Global(self, node: ast.Global) -> None:
        self.globals.update(node.names)

    # scopes ---------------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self._bind(node.name, code=True)
        for deco in node.decorator_list:
            self.visit(deco)
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        self.scope.append(f"{kind}:{node.name}")
        saved, self.globals = self.globals, set()
        for child in node.body:
            self.visit(child)
        self.globals = saved
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]
    visit_ClassDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return None

    def visit_Call(self, node: ast.Call) -> None:
        if len(self.calls) < MAX_NAMES:
            if isinstance(node.func, ast.Name):
                self.calls.add(node.func.id)  # what this cell calls by name (a function defined earlier)
            elif isinstance(node.func, ast.Attribute) and node.func.attr in TRAINING_METHODS:
                self.calls.add("." + node.func.attr)  # `model.fit(...)`: recorded as ".fit"
        self.generic_visit(node)

    def _comprehension(self, node: ast.AST) -> None:  # its variables are its own
        for sub in ast.walk(node):
            if isinstance(sub, ast.NamedExpr):  # except the walrus, which binds outside
                self._targets(sub.target)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension  # type: ignore[assignment]

    def generic_visit(self, node: ast.AST) -> None:
        branch = isinstance(node, _BRANCHES) and self.scope[-1] == "top"
        if branch:
            self.scope.append("branch")
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self._targets(node.target)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._targets(item.optional_vars)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self._bind(node.name)
        super().generic_visit(node)
        if branch:
            self.scope.pop()


def _rank(scope: str) -> int:
    if scope in ("top", "code"):
        return 0 if scope == "top" else 1
    return 2 if scope == "branch" or scope.startswith("global:") else 3


def read_cell(source: str) -> dict[str, Any]:
    """What one cell's code assigns and deletes (see the module's docstring)."""
    text = source[:MAX_SOURCE]
    try:
        tree = ast.parse(_python(text))
    except Exception:  # a syntax error (or code too deep to parse): read assignments from the text
        names = {m.group(1): "top" for m in _TEXT_ASSIGN.finditer(text)}
        return {"parsed": False, "assigns": dict(list(names.items())[:MAX_NAMES]), "deletes": {}, "calls": []}
    sites = _Sites()
    try:
        sites.visit(tree)
    except RecursionError:
        pass
    return {"parsed": True, "assigns": sites.assigns, "deletes": sites.deletes, "calls": sorted(sites.calls),
            "returns": sites.returns, "results": sites.results}


def build(nb: Any) -> list[dict[str, Any]]:
    """One record per code cell of ``nb`` (an nbformat notebook), in order."""
    records: list[dict[str, Any]] = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source") or ""
        source = "".join(source) if isinstance(source, list) else str(source)
        count = cell.get("metadata", {}).get(STUDENT_COUNT, cell.get("execution_count"))
        records.append({"index": index, "number": len(records) + 1,
                        "count": count if type(count) is int and count > 0 else None,
                        "head": head(source), **read_cell(source)})
    return records

