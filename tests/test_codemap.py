"""The code map (grader.pipeline.codemap) and the reasons it gives for a missing artifact
(grader.checks.diagnose): read from the cells' code, true for the notebook at hand."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from grader.checks import diagnose
from grader.messages import render
from grader.model.outcomes import CellOutcome, ExecutionOutcome
from grader.pipeline import codemap


def _nb(*cells: str | tuple[str, int]) -> Any:
    """A notebook whose code cells are ``cells`` (with an execution count when a tuple), each
    after a Markdown cell, as students write them."""
    nb = nbformat.v4.new_notebook()
    for cell in cells:
        source, count = cell if isinstance(cell, tuple) else (cell, None)
        nb.cells.append(nbformat.v4.new_markdown_cell("## Paso"))
        nb.cells.append(nbformat.v4.new_code_cell(source, execution_count=count))
    return nb


def _outcome(nb: Any, statuses: dict[int, str] | None = None, ename: str = "ModuleNotFoundError",
             evalue: str = "No module named 'mis_utilidades'") -> ExecutionOutcome:
    """The outcome of running ``nb`` as the grader does: every code cell ok except those in
    ``statuses`` (keyed by code-cell number, from 1); the run goes on after an error, and stops
    after a timeout or a dead kernel (the cells after it are not run)."""
    statuses = statuses or {}
    code = codemap.build(nb)
    out = ExecutionOutcome(status="ok", code=code, timeout_s=60)
    stopped = False
    for rec in code:
        status = "not_run" if stopped else statuses.get(rec["number"], "ok")
        failed = status in ("error", "timeout")
        out.cells.append(CellOutcome(index=rec["index"], status=status,  # type: ignore[arg-type]
                                     ename=ename if failed else None, evalue=evalue if failed else None))
        if failed and out.failing_cell is None:
            out.status = "error" if status == "error" else "timeout"
            out.failing_cell = rec["index"]
        stopped = stopped or status == "timeout" or (status == "error" and ename == "DeadKernelError")
    return out


# --- reading one cell --------------------------------------------------------------------------
def test_scopes_of_assignments() -> None:
    cell = codemap.read_cell(
        "import numpy as np\nfrom sklearn.metrics import confusion_matrix\n"
        "x, (y, *rest) = 1, (2, 3)\nacc: float = 0.9\nn += 1\n"
        "if acc > 0.5:\n    model = 1\nfor epoch in range(3):\n    h = epoch\n"
        "def train():\n    global trained\n    local = 1\n    trained = local\n"
        "class Net:\n    layers = 3\n"
        "squares = [k * k for k in range(3)]\nany((w := v) for v in range(3))\n"
        "with open('f') as fh:\n    pass\ndel x\n"
    )
    assert cell["parsed"] is True
    a = cell["assigns"]
    assert {k: a[k] for k in ("x", "y", "rest", "acc", "n", "squares", "w", "fh")} == {
        k: "top" for k in ("x", "y", "rest", "acc", "n", "squares", "w", "fh")}
    assert {a[k] for k in ("np", "confusion_matrix", "train", "Net")} == {"code"}  # imports, def, class
    assert (a["model"], a["epoch"], a["h"]) == ("branch", "branch", "branch")
    assert (a["local"], a["trained"], a["layers"]) == ("function:train", "global:train", "class:Net")
    assert "k" not in a and "v" not in a  # a comprehension's variables are its own
    assert cell["deletes"] == {"x": "top"}
    assert "range" in cell["calls"] and "train" not in cell["calls"]


def test_the_surest_place_wins() -> None:
    a = codemap.read_cell("def f():\n    m = 1\nif True:\n    m = 2\nm = 3\n")["assigns"]
    assert a["m"] == "top"
    assert codemap.read_cell("def f():\n    m = 1\nif True:\n    m = 2\n")["assigns"]["m"] == "branch"


def test_magics_and_shell_lines_are_read_as_ipython_does() -> None:
    cell = codemap.read_cell("%matplotlib inline\n!pip install -q seaborn\nfiles = !ls\nmodel = 3\n")
    assert cell["parsed"] is True
    assert set(cell["assigns"]) >= {"files", "model"}


def test_a_cell_with_a_syntax_error_is_read_from_its_text() -> None:
    cell = codemap.read_cell("model = Sequential(\nacc, loss = 1, 2\nprint 'hola'\nx == 3\n")
    assert cell["parsed"] is False
    assert set(cell["assigns"]) == {"model", "acc"}  # `==` is not an assignment


def test_labels_are_what_a_student_sees() -> None:
    nb = _nb(("import seaborn as sns", 7), "\n\n  model = build()  # the `net`\x07", "x = 1")
    out = _outcome(nb)
    assert [(c["index"], c["number"], c["count"]) for c in out.code] == [(1, 1, 7), (3, 2, None), (5, 3, None)]
    assert out.cell_label(1) == "1 ([7] `import seaborn as sns`)"
    assert out.cell_label(3) == "2 (`model = build()  # the 'net''`)"
    long = _outcome(_nb("y = " + "1 + " * 40 + "1"))
    assert long.cell_label(1).endswith("…`)") and len(long.code[0]["head"]) == codemap.HEAD_CHARS
    assert ExecutionOutcome(status="ok").cell_label(4) == "4"  # stored before the code map
    assert out.cell_label(None) == "?"


# --- why an artifact is missing ----------------------------------------------------------------
def _why(out: ExecutionOutcome, names: list[str]) -> tuple[str, dict[str, Any]] | None:
    """diagnose.absent without the words for the assignment (``subject``), checked on their own."""
    reason = diagnose.absent(out, names)
    if reason is not None and "assigned" in reason[1]:
        subject = reason[1].pop("subject")
        assert subject["es"].startswith("se asigna") and subject["en"].startswith("it is assigned")
        assert (f"`{reason[1]['assigned']}`" in subject["en"]) == (reason[1]["assigned"] != names[0])
    return reason


HELPER_FIRST = _nb("from mis_utilidades import dibujar", "import numpy as np\nX = np.zeros((3, 2))", "history = None")


def test_never_assigned_is_not_blamed_on_the_failed_cell() -> None:
    out = _outcome(HELPER_FIRST, {1: "error"})
    assert _why(out, ["model"]) == ("artifact.never_assigned", {})
    assert _why(out, ["model", "modelo", "clf"]) == (
        "artifact.never_assigned_aliases", {"aliases": "`modelo`, `clf`"})
    es = render("artifact.never_assigned", {"name": "model"}, "es")
    assert "ninguna celda" in es and "mis_utilidades" not in es and "Corrige ese error" not in es


def test_assigned_in_a_cell_that_did_not_run() -> None:
    out = _outcome(HELPER_FIRST, {1: "timeout"})
    key, params = _why(out, ["X"]) or ("", {})
    assert key == "artifact.assigned_not_run"
    assert params == {"assigned": "X", "cell": "2 (`import numpy as np`)",
                      "stopped": "1 (`from mis_utilidades import dibujar`)"}
    en = render(key, {"name": "X", **params, "subject": {"es": "se asigna", "en": "it is assigned"}}, "en")
    assert en.startswith("Variable `X` was not found: it is assigned in code cell 2 (`import numpy as np`)")
    assert "code cell 1 (`from mis_utilidades import dibujar`)" in en


def test_assigned_in_the_cell_that_failed() -> None:
    nb = _nb("import numpy as np", "model = build_model()")
    out = _outcome(nb, {2: "error"}, ename="NameError", evalue="name 'build_model' is not defined")
    key, params = diagnose.absent(out, ["modelo", "model"]) or ("", {})
    assert key == "artifact.assigned_in_failed_cell"
    assert params["assigned"] == "model" and params["cell"] == "2 (`model = build_model()`)"
    es = render(key, {"name": "modelo", **params}, "es")
    assert "se asigna como `model` en la celda de código 2 (`model = build_model()`), que falló (NameError" in es
    en = render(*(diagnose.absent(out, ["model"]) or ("", {})), "en")  # type: ignore[misc]
    assert en.startswith("Variable `{name}` was not found: it is assigned in code cell 2")


def _fail(out: ExecutionOutcome, number: int, ename: str, evalue: str) -> ExecutionOutcome:
    """``out`` with code cell ``number`` failed with that error."""
    cell = next(c for c in out.cells if c.index == out.code[number - 1]["index"])
    cell.status, cell.ename, cell.evalue = "error", ename, evalue  # type: ignore[assignment]
    return out


def test_a_cell_that_failed_only_because_an_earlier_one_had_names_that_one() -> None:
    """AndersonSingh's iris notebook: the CSV is not found in cell 1, so `iris_df` is never
    assigned, so cell 2, which builds `model`, fails on a NameError; fixing that NameError means
    fixing cell 1, and the message says so. A chain of such failures leads back to its start."""
    nb = _nb("import pandas as pd\niris_df = pd.read_csv('iris_data.csv')", "X = iris_df.values",
             "model = build(X)", "otra = sin_definir()")
    out = _outcome(nb)
    _fail(out, 1, "FileNotFoundError", "[Errno 2] No such file or directory: 'iris_data.csv'")
    _fail(out, 2, "NameError", "name 'iris_df' is not defined")
    _fail(out, 3, "NameError", "name 'X' is not defined")
    _fail(out, 4, "NameError", "name 'sin_definir' is not defined")
    key, params = _why(out, ["model"]) or ("", {})
    assert key == "artifact.assigned_in_failed_cell_root"
    assert (params["cell"], params["root_cell"], params["root_ename"]) == (
        "3 (`model = build(X)`)", "1 (`import pandas as pd`)", "FileNotFoundError")
    es = render(key, {"name": "model", **params, "subject": {"es": "se asigna", "en": ""}}, "es")
    assert "porque antes había fallado la celda de código 1 (`import pandas as pd`), de la que depende " \
           "(FileNotFoundError: [Errno 2] No such file or directory: 'iris_data.csv')" in es
    # a name the notebook never assigns: the NameError is the cell's own
    assert _why(out, ["otra"]) == ("artifact.assigned_in_failed_cell", {
        "assigned": "otra", "cell": "4 (`otra = sin_definir()`)", "ename": "NameError",
        "evalue": "name 'sin_definir' is not defined"})


def test_a_name_local_to_a_function_in_a_failed_cell_is_local_only() -> None:
    """Yasir-Rehman's iris notebook: `model` exists only inside `create_baseline`, in a cell that
    then fails; fixing that error would not leave a `model` behind, so the message is that."""
    out = _outcome(_nb("def create_baseline():\n    model = Sequential()\n    return model\nr = cv(x)"), {1: "error"},
                   ename="NameError", evalue="name 'x' is not defined")
    assert _why(out, ["model"]) == ("artifact.returned_not_kept", {
        "assigned": "model", "cell": "1 (`def create_baseline():`)", "owner": "create_baseline"})


def test_timeout_and_dead_kernel_in_the_assigning_cell() -> None:
    nb = _nb("import numpy as np", "model.fit(x, y, epochs=10**6)\nh = 1")
    assert _why(_outcome(nb, {2: "timeout"}), ["h"]) == (
        "artifact.absent_timeout", {"cell": "2 (`model.fit(x, y, epochs=10**6)`)", "limit": 60})
    dead = _outcome(nb, {2: "error"}, ename="DeadKernelError")
    dead.detail = "memory"
    assert _why(dead, ["h"]) == (
        "artifact.absent_dead_kernel", {"cell": "2 (`model.fit(x, y, epochs=10**6)`)", "detail": "memory"})


def test_deleted_after_it_was_assigned() -> None:
    out = _outcome(_nb("model = 1", "print(model)", "del model"))
    assert _why(out, ["model"]) == (
        "artifact.deleted", {"assigned": "model", "cell": "1 (`model = 1`)", "deleted_in": "3 (`del model`)"})
    # assigned again after the `del`: not deleted, and nothing the code map can tell
    assert _why(_outcome(_nb("model = 1", "del model", "model = 2")), ["model"]) is None


def test_local_to_a_function() -> None:
    out = _outcome(_nb("def entrenar(x):\n    model = build(x)\n    model.fit(x)", "entrenar(1)"))
    assert _why(out, ["model"]) == (
        "artifact.local_only", {"assigned": "model", "cell": "1 (`def entrenar(x):`)", "owner": "entrenar"})


def test_returned_by_a_function_the_message_never_asks_for_the_return_it_has() -> None:
    """issue 17: "return it with `return`" was said to functions that already did; what is
    missing is keeping the result, under the exercise's name."""
    src = "def entrenar(x):\n    model = build(x)\n    return model"
    assert _why(_outcome(_nb(src, "entrenar(1)")), ["model"]) == (
        "artifact.returned_not_kept", {"assigned": "model", "cell": "1 (`def entrenar(x):`)", "owner": "entrenar"})
    key, params = _why(_outcome(_nb(src, "m = entrenar(1)")), ["model"]) or ("", {})
    assert (key, params) == ("artifact.returned_as", {
        "assigned": "model", "cell": "1 (`def entrenar(x):`)", "owner": "entrenar",
        "bound": "m", "bound_cell": "2 (`m = entrenar(1)`)"})
    es = render(key, {"name": "model", **params, "subject": {"es": "se asigna", "en": "it is assigned"}})
    assert "guarda lo que devuelve en `m`" in es and "`model = entrenar(…)`" in es and "la devuelve con `return`" in es
    assert "devolviéndola" not in es


def test_global_in_a_function_called_or_not() -> None:
    src = "def entrenar():\n    global model\n    if False:\n        model = 1"
    assert _why(_outcome(_nb(src)), ["model"]) == (
        "artifact.function_not_called", {"assigned": "model", "cell": "1 (`def entrenar():`)", "owner": "entrenar"})
    key, _ = _why(_outcome(_nb(src, "entrenar()")), ["model"]) or ("", {})
    assert key == "artifact.function_did_not_assign"


def test_inside_a_branch_that_did_not_reach_it() -> None:
    out = _outcome(_nb("try:\n    import tensorflow\n    model = 1\nexcept ImportError:\n    pass"))
    assert _why(out, ["model"]) == ("artifact.branch_not_taken", {"assigned": "model",
                                                                          "cell": "1 (`try:`)"})


def test_an_alias_bound_to_an_import_is_not_the_answer() -> None:
    """`from sklearn.metrics import confusion_matrix` binds an alias of `matriz_confusion` to a
    function; the kernel skips it, and the message says so instead of "convert it"."""
    nb = _nb("from sklearn.metrics import confusion_matrix", "cm = confusion_matrix(y, p)")
    key, params = _why(_outcome(nb), ["matriz_confusion", "confusion_matrix"]) or ("", {})
    assert (key, params) == ("artifact.alias_is_code", {
        "alias": "confusion_matrix", "cell": "1 (`from sklearn.metrics import confusion_matrix`)"})
    es = render(key, {"name": "matriz_confusion", **params}, "es")
    assert "no tu resultado" in es and "Guarda tu resultado en `matriz_confusion`" in es
    # assigned a value after the import: that is an assignment like any other
    assert _why(_outcome(_nb("from sklearn.metrics import confusion_matrix", "confusion_matrix = 3")),
                ["matriz_confusion", "confusion_matrix"]) is None


def test_no_code_map_or_an_assignment_that_held_gives_no_reason() -> None:
    assert _why(ExecutionOutcome(status="ok"), ["model"]) is None
    assert _why(_outcome(_nb("model = 1")), ["model"]) is None  # lost elsewhere


@pytest.mark.parametrize("key", [
    "artifact.never_assigned", "artifact.never_assigned_aliases", "artifact.alias_is_code",
    "artifact.assigned_in_failed_cell", "artifact.assigned_in_failed_cell_root",
    "artifact.assigned_not_run", "artifact.deleted", "artifact.local_only", "artifact.function_not_called",
    "artifact.function_did_not_assign", "artifact.branch_not_taken", "artifact.returned_as",
    "artifact.returned_not_kept"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_reason_renders_whole_in_each_language(key: str, lang: str) -> None:
    params = {"name": "model", "assigned": "modelo", "subject": {"es": "se asigna como `modelo`",
                                                                  "en": "it is assigned as `modelo`"}, "aliases": "`modelo`", "cell": "2 ([5] `x = 1`)",
              "stopped": "1 (`import seaborn as sns`)", "alias": "modelo", "deleted_in": "3 (`del modelo`)", "owner": "entrenar",
              "ename": "NameError", "evalue": "name 'f' is not defined", "root_cell": "1 (`import pandas as pd`)",
              "root_ename": "FileNotFoundError", "root_evalue": "[Errno 2] No such file or directory: 'x.csv'", "bound": "m",
              "bound_cell": "3 (`m = entrenar()`)"}
    text = render(key, params, lang)
    assert "{" not in text and "}" not in text
    assert ("celda" in text and " cell" not in text) if lang == "es" else ("cell" in text and "celda" not in text)
    assert (text.startswith("No se encontró la variable `model`") if lang == "es"
            else text.startswith("Variable `model` was not found"))


def test_a_cell_the_grader_stopped_at_a_limit_is_not_an_error_to_fix() -> None:
    """issue 17: "failed (LimitExceeded: memory limit (8 GiB) reached) … fix that error" read as
    a bug in the student's code; the grader stopped it for using too much, and says that."""
    out = _outcome(_nb("import numpy as np", "x = np.ones((10**6, 10**4))\nmodel = 1"), {2: "error"},
                   ename="LimitExceeded", evalue="memory limit (8 GiB) reached")
    out.limit = {"kind": "memory", "value": "8 GiB", "training": False}
    key, params = _why(out, ["model"]) or ("", {})
    assert (key, params) == ("artifact.absent_limit", {"assigned": "model", "cell": "2 (`x = np.ones((10**6, 10**4))`)",
                                                        "limit_what_key": "limit.what.memory", "value": "8 GiB"})
    es = render(key, {"name": "model", **params, "subject": {"es": "se asigna", "en": "it is assigned"}})
    assert "superó ahí el límite de memoria (8 GiB)" in es and "Corrige ese error" not in es
