"""The execution stage with a real kernel on tiny notebooks (no TensorFlow: seconds each)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat import v4

from grader.pipeline.execute import RunOptions, execute
from grader.runtime import sandbox

pytestmark = pytest.mark.kernel


def run(tmp_path: Path, cells: list[str], artifacts: list[str] = (), **opts: object):  # type: ignore[assignment]
    nb = v4.new_notebook(cells=[v4.new_code_cell(c) for c in cells])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    work = tmp_path / "work"
    work.mkdir()
    options = RunOptions(artifacts=[{"name": a, "kind": "value"} for a in artifacts], **opts)  # type: ignore[arg-type]
    return execute(path, work, tmp_path / "artifacts", options)


@pytest.mark.parametrize("level", ["bwrap", "namespace"])
def test_student_code_has_no_network(tmp_path: Path, level: str) -> None:
    available = {"bwrap": sandbox.bwrap_works, "namespace": sandbox.namespace_works}[level]
    if not available():
        pytest.skip(f"sandbox level {level} is not available on this machine")
    outcome, _ = run(tmp_path, [
        "import socket\n"
        "s = socket.socket()\ns.settimeout(3)\n"
        "resultado = s.connect_ex(('1.1.1.1', 80))",
        "import urllib.request\n"
        "try:\n    urllib.request.urlopen('http://example.com', timeout=3)\n    descarga = 'ok'\n"
        "except Exception as exc:\n    descarga = type(exc).__name__",
    ], artifacts=["resultado", "descarga"], sandbox=level)
    assert outcome.status == "ok"
    assert outcome.isolation["level"] == level
    assert outcome.isolation["network"].startswith("namespace")
    assert outcome.artifacts["resultado"]["value"] != 0  # connect_ex returns an errno, not success
    assert outcome.artifacts["descarga"]["value"] == "URLError"


def test_cells_after_an_error_still_run_and_the_last_cell_runs(tmp_path: Path) -> None:
    outcome, executed = run(tmp_path, ["a = 1", "raise ValueError('boom')", "b = 2"], artifacts=["a", "b"])
    assert outcome.status == "error"
    assert outcome.failing_cell == 1
    assert (outcome.ename, outcome.evalue) == ("ValueError", "boom")
    assert [c.status for c in outcome.cells] == ["ok", "error", "ok"]
    assert outcome.artifacts["b"]["value"] == 2
    assert executed is not None and len(executed.cells) == 3  # no grader cell left behind
    assert executed.cells[2].source == "b = 2"


def test_cell_timeout_interrupts_and_goes_on(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, ["while True:\n    pass", "after = 'yes'"], artifacts=["after"], cell_timeout=2)
    assert outcome.status == "timeout"
    assert outcome.cells[0].status == "timeout"
    assert outcome.cells[0].evalue == "the cell ran longer than 2 s"
    assert outcome.artifacts["after"]["value"] == "yes"


def test_notebook_watchdog_kills_a_kernel_that_ignores_interrupts(tmp_path: Path) -> None:
    loop = "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n        pass"
    outcome, _ = run(tmp_path, ["x = 1", loop, "y = 1"], artifacts=["x", "y"], cell_timeout=2, notebook_timeout=6)
    assert outcome.status == "timeout"
    assert outcome.artifacts["x"]["value"] == 1
    assert outcome.artifacts["y"]["status"] == "absent"
    assert outcome.duration < 30


def test_kernel_death_keeps_earlier_artifacts(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, ["x = 41 + 1", "import os\nos._exit(1)", "y = 2"], artifacts=["x", "y"])
    assert outcome.status == "dead_kernel"
    assert outcome.failing_cell == 1
    assert [c.status for c in outcome.cells] == ["ok", "error", "not_run"]
    assert outcome.artifacts["x"]["value"] == 42
    assert outcome.artifacts["y"]["status"] == "absent"


def test_values_are_exported_as_plain_data_only(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, [
        "import numpy as np\n"
        "class Siempre(int):\n    def __eq__(self, o):\n        return True\n"
        "tramposo = Siempre(3)\narreglo = np.arange(6).reshape(2, 3)\ntupla = (61, 61, 3)\nnumero = np.int64(7)",
    ], artifacts=["tramposo", "arreglo", "tupla", "numero"])
    arts = outcome.artifacts
    assert arts["tramposo"]["status"] == "unsupported"
    assert arts["arreglo"]["type"] == "ndarray" and arts["arreglo"]["shape"] == [2, 3]
    assert arts["tupla"] == {"status": "ok", "kind": "value", "found_as": "tupla", "cell": 0,
                             "value": [61, 61, 3], "type": "tuple"}
    assert arts["numero"]["value"] == 7 and arts["numero"]["type"] == "int64"  # original type kept


def test_seeds_are_fixed_and_seed_option_changes_them(tmp_path: Path) -> None:
    cells = ["import random, numpy as np\nr = random.random()\nn = float(np.random.rand())"]
    for sub in "abc":
        (tmp_path / sub).mkdir()
    first, _ = run(tmp_path / "a", cells, artifacts=["r", "n"])
    again, _ = run(tmp_path / "b", cells, artifacts=["r", "n"])
    other, _ = run(tmp_path / "c", cells, artifacts=["r", "n"], seed=1)
    assert first.artifacts["r"]["value"] == again.artifacts["r"]["value"]
    assert first.artifacts["n"]["value"] == again.artifacts["n"]["value"]
    assert first.artifacts["r"]["value"] != other.artifacts["r"]["value"]
    assert first.seed == 0 and other.seed == 1


def test_working_directory_is_private_and_fresh(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, ["import os\ncontenido = sorted(os.listdir('.'))\ncasa = os.environ['HOME']"],
                     artifacts=["contenido", "casa"])
    assert outcome.artifacts["contenido"]["value"] == []
    assert outcome.artifacts["casa"]["value"] != str(Path.home())


def test_broken_notebook_is_an_outcome(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    outcome, nb = execute(path, tmp_path, tmp_path / "art", RunOptions())
    assert nb is None
    assert outcome.status == "invalid_notebook"
    assert outcome.detail is not None and outcome.detail.startswith("not a valid notebook (JSON)")


def _needs(level: str) -> None:
    available = {"bwrap": sandbox.bwrap_works, "namespace": sandbox.namespace_works}[level]
    if not available():
        pytest.skip(f"sandbox level {level} is not available on this machine")


@pytest.mark.parametrize("level", ["bwrap", "namespace"])
def test_what_the_notebook_can_read_and_what_the_report_says(tmp_path: Path, level: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _needs(level)
    secret = tmp_path / "secret" / "hidden_labels.csv"
    secret.parent.mkdir()
    secret.write_text("PassengerId,Survived\n892,0\n")
    monkeypatch.setenv("DLGRADER_DATA_DIR", str(secret.parent))
    outcome, _ = run(tmp_path, [
        f"try:\n    leido = open({str(secret)!r}).read()\nexcept OSError as exc:\n    leido = type(exc).__name__",
        "import os\nescrito = 'ok'\ntry:\n    open('mine.txt', 'w').write('x')\nexcept OSError as exc:\n"
        "    escrito = type(exc).__name__",
        "variables = sorted(k for k in os.environ if k.startswith('DLGRADER'))",
    ], artifacts=["leido", "escrito", "variables"], sandbox=level)
    assert outcome.status == "ok", outcome.output_tail
    assert outcome.artifacts["escrito"]["value"] == "ok"  # its own folder is writable
    assert outcome.artifacts["variables"]["value"] == []  # the grader's settings (data folder) are not passed
    if level == "bwrap":
        assert outcome.artifacts["leido"]["value"] == "FileNotFoundError"
        assert outcome.isolation["warnings"] == [] or outcome.isolation["warnings"] == ["memory_watchdog"]
    else:  # the weaker level cannot hide the file, and says so
        assert outcome.artifacts["leido"]["value"].startswith("PassengerId")
        assert "filesystem" in outcome.isolation["warnings"]


def test_a_swallowed_interrupt_is_still_a_timeout(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, [
        "import time\nwhile True:\n    try:\n        time.sleep(0.2)\n    except BaseException:\n        pass",
        "after = 'yes'",
    ], artifacts=["after"], cell_timeout=3, notebook_timeout=60)
    assert outcome.status == "timeout"
    assert outcome.cells[0].status == "timeout"
    assert outcome.cells[1].status == "not_run"  # nothing more can run in that kernel


def test_an_interrupt_that_surfaces_as_another_error_is_still_a_timeout(tmp_path: Path) -> None:
    """The interrupt can land inside a library and come out as another error ("SystemError: bad
    argument to internal function" from predict): past the limit, it is the limit's doing."""
    outcome, _ = run(tmp_path, [
        "import time\ntry:\n    while True:\n        time.sleep(0.2)\nexcept KeyboardInterrupt:\n"
        "    raise SystemError('bad argument to internal function')",
        "after = 'yes'",
    ], artifacts=["after"], cell_timeout=3, notebook_timeout=60)
    assert outcome.cells[0].status == "timeout" and outcome.cells[0].ename != "SystemError"
    assert outcome.cells[1].status == "ok"  # the kernel goes on after the interrupted cell
    from grader.pipeline.report import execution_message

    assert execution_message(outcome, "es").endswith("se interrumpió; las demás celdas se ejecutaron igual.")


def test_every_cell_the_limit_cut_is_named_not_the_first_alone() -> None:
    """A reviewer read "time ran out in code cell 4; the other cells still ran" where cells 4 to 7
    (four 2000-epoch fits) were all cut: each is named."""
    from grader.model.outcomes import CellOutcome, ExecutionOutcome
    from grader.pipeline.report import execution_message

    outcome = ExecutionOutcome(status="timeout", timeout_s=60)
    outcome.cells = [CellOutcome(index=i, status=st) for i, st in  # type: ignore[arg-type]
                     enumerate(["ok", "timeout", "timeout", "ok", "timeout", "error"])]
    outcome.failing_cell = 1
    es, en = (execution_message(outcome, lang) for lang in ("es", "en"))
    assert es.startswith("Estas celdas de código superaron su límite de tiempo (60 s)") and "se ejecutaron igual" in es
    assert all(outcome.cell_label(i) in es for i in (1, 2, 4)) and outcome.cell_label(3) not in es.split(":")[1]
    assert en.startswith("These code cells ran past their time limit (60 s)")
    outcome.cells[2].status = outcome.cells[4].status = "ok"  # one cut: the message for one cell
    assert execution_message(outcome, "es").startswith("La celda de código")


def test_limits_and_peaks_are_recorded(tmp_path: Path) -> None:
    outcome, _ = run(tmp_path, ["x = bytearray(50 * 2**20)"], artifacts=[])
    assert outcome.resources["limits"]["memory_mb"] == 8192
    assert outcome.resources["peaks"]["memory_mb"] > 20
    assert outcome.isolation["memory"] in ("cgroup v1", "cgroup v2", "watchdog")


def test_a_python_installed_under_tmp_stays_visible_in_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI clones into /tmp: the sandbox's private /tmp must not hide a virtualenv there."""
    monkeypatch.setattr(sandbox, "_python_paths", lambda: ["/tmp/clone/.venv", "/usr/local/lib/python3"])
    plan = sandbox.Plan(workdir=Path("/tmp/dlg-sub-1/work"), artifacts=Path("/tmp/dlg-sub-1/artifacts"),
                        runtime=Path("/tmp/dlg-rt-1"))
    cmd = sandbox.bwrap_command(plan)
    tmpfs = cmd.index("--tmpfs")
    binds = [i for i, w in enumerate(cmd) if w in ("--bind", "--ro-bind") and cmd[i + 1].startswith("/tmp/")]
    assert len(binds) == 4 and all(i > tmpfs for i in binds)


def test_a_variable_named_with_accents_is_found_by_its_alias(tmp_path: Path) -> None:
    nb = v4.new_notebook(cells=[v4.new_code_cell("explicación = 'con dropout la red sobreajusta menos'")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "work").mkdir()
    options = RunOptions(artifacts=[{"name": "explicacion", "kind": "value", "aliases": ["explicación"]}])
    outcome, _ = execute(path, tmp_path / "work", tmp_path / "artifacts", options)
    entry = outcome.artifacts["explicacion"]
    assert (entry["status"], entry["found_as"], entry["value"]) == ("ok", "explicación", "con dropout la red sobreajusta menos")


# ----------------------------------------------------------------------------- started ahead
PROBE = [
    # what a student could see of a kernel started ahead: nothing in the namespace, fresh seeds
    "import random, sys\nimport numpy as np\n"
    "visible = sorted(k for k in globals() if not k.startswith('_') and k not in ('In', 'Out', 'exit', 'quit', 'get_ipython', 'open', 'random', 'sys', 'np'))\n"
    "draws = [random.random(), float(np.random.rand())]\n"
    "preloaded = 'pandas' in sys.modules",
]


def _session(tmp_path: Path, name: str, imports: tuple[str, ...]) -> tuple[object, dict]:
    from grader.pipeline.execute import KernelSession

    work, arts = tmp_path / name / "work", tmp_path / name / "artifacts"
    work.mkdir(parents=True)
    options = RunOptions(artifacts=[{"name": a, "kind": "value"} for a in ("visible", "draws", "preloaded")], seed=3)
    session = KernelSession(work, arts, options)
    assert session.start(imports)
    # ... time passes while another notebook runs; then this one arrives
    outcome, _ = session.run(v4.new_notebook(cells=[v4.new_code_cell(c) for c in PROBE]))
    return outcome, {k: v.get("value") for k, v in outcome.artifacts.items()}


def test_a_kernel_started_ahead_runs_the_notebook_as_a_fresh_one_would(tmp_path: Path) -> None:
    fresh, seen_fresh = _session(tmp_path, "fresh", ())
    ahead, seen_ahead = _session(tmp_path, "ahead", ("numpy", "pandas"))
    assert fresh.status == ahead.status == "ok"
    assert seen_ahead["preloaded"] is True and seen_fresh["preloaded"] is False
    assert seen_ahead["visible"] == seen_fresh["visible"] == []
    assert seen_ahead["draws"] == seen_fresh["draws"]  # same seeds at the first cell
    assert ahead.kernel["startup_s"] > 0


def test_a_session_closed_unused_leaves_nothing_running(tmp_path: Path) -> None:
    import psutil

    from grader.pipeline.execute import KernelSession

    (tmp_path / "work").mkdir()
    session = KernelSession(tmp_path / "work", tmp_path / "artifacts", RunOptions())
    assert session.start()
    pid = session.kernel_pid()
    assert pid is not None and psutil.pid_exists(pid)
    session.close()
    assert not session.runtime.exists()
    with pytest.raises(psutil.NoSuchProcess):
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            raise psutil.NoSuchProcess(pid)
    outcome, _ = session.run(v4.new_notebook(cells=[v4.new_code_cell("a = 1")]))
    assert outcome.status == "kernel_failed"  # a session runs one notebook, once


def test_freezing_a_layer_without_training_exports_the_model_again(tmp_path: Path) -> None:
    """Fine-tuning notebooks unfreeze layers and may never call fit again: no weight changes,
    but what is trainable does, and the checker must see the model as it was left."""
    nb = v4.new_notebook(cells=[v4.new_code_cell(c) for c in (
        "import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])",
        "m.layers[0].trainable = False",
    )])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "work").mkdir()
    outcome, _ = execute(path, tmp_path / "work", tmp_path / "artifacts",
                         RunOptions(artifacts=[{"name": "m", "kind": "model"}]))
    assert outcome.status == "ok"
    assert outcome.artifacts["m"]["cell"] == 1  # saved again after the cell that froze a layer


def test_an_alias_bound_to_a_function_does_not_hide_the_student_s_value(tmp_path: Path) -> None:
    """``from sklearn.metrics import confusion_matrix`` binds an alias of ``matriz_confusion`` to a
    function; the matrix the student stored as ``cm`` (a later alias) is the answer."""
    nb = v4.new_notebook(cells=[v4.new_code_cell(
        "from os.path import join as confusion_matrix\ncm = [[5, 1], [0, 4]]")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "work").mkdir()
    options = RunOptions(artifacts=[{"name": "matriz_confusion", "kind": "value",
                                     "aliases": ["confusion_matrix", "cm"]},
                                    {"name": "solo_codigo", "kind": "value", "aliases": ["confusion_matrix"]}])
    outcome, _ = execute(path, tmp_path / "work", tmp_path / "artifacts", options)
    entry = outcome.artifacts["matriz_confusion"]
    assert (entry["status"], entry["found_as"], entry["value"]) == ("ok", "cm", [[5, 1], [0, 4]])
    # an alias bound only to code binds nothing: the artifact is absent (and the report says why,
    # from the code map: tests/test_codemap.py)
    assert outcome.artifacts["solo_codigo"]["status"] == "absent"


def test_a_trained_model_s_history_is_exported_also_under_compat(tmp_path: Path) -> None:
    """compat lets ``history.history['acc']`` find 'accuracy' (a dict subclass): the training
    curves are still exported for the report's figure."""
    nb = v4.new_notebook(cells=[v4.new_code_cell(
        "import keras, numpy as np\n"
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation='softmax')])\n"
        "m.compile('sgd', 'sparse_categorical_crossentropy', metrics=['accuracy'])\n"
        "h = m.fit(np.zeros((4, 3)), np.zeros(4), epochs=2, verbose=0)\nacc = h.history['acc']")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "work").mkdir()
    outcome, _ = execute(path, tmp_path / "work", tmp_path / "artifacts",
                         RunOptions(artifacts=[{"name": "m", "kind": "model"}], cell_timeout=300))
    assert outcome.status == "ok", outcome.detail
    history = json.loads((tmp_path / "artifacts" / outcome.artifacts["m"]["history"]).read_text())
    assert set(history) == {"loss", "accuracy"} and len(history["loss"]) == 2


ROLE = {"name": "model", "kind": "model", "aliases": ["modelo"], "discover": True,
        "shapes": {"input": [None, 4], "output": [None, 3]}}
NET = "keras.Sequential([keras.Input(({n},)), keras.layers.Dense(3, activation='softmax')])"


def _discover(tmp_path: Path, cells: list[str], role: dict[str, object] = ROLE
              ) -> tuple[dict[str, object], list[dict[str, object]]]:
    """Run ``cells`` with a discovered model artifact; its manifest entry after each cell."""
    nb = v4.new_notebook(cells=[v4.new_code_cell("import keras, numpy as np")] + [v4.new_code_cell(c) for c in cells])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "work").mkdir()
    outcome, _ = execute(path, tmp_path / "work", tmp_path / "artifacts",
                         RunOptions(artifacts=[role], cell_timeout=300))
    assert outcome.status == "ok", (outcome.ename, outcome.evalue)
    return outcome.artifacts[str(role["name"])], outcome.fits


def test_discovery_by_role_prefers_the_model_that_fits_the_data_and_was_trained_last(tmp_path: Path) -> None:
    """Issue 17: among several models none of which is named `model`, the one whose input and
    output fit the exercise is graded; of those, the last one trained, whatever was built after."""
    entry, fits = _discover(tmp_path, [
        f"otra = {NET.format(n=5)}",                       # wrong input: never the exercise's
        f"model_d = {NET.format(n=4)}",
        "model_d.compile('sgd', 'sparse_categorical_crossentropy')\n"
        "model_d.fit(np.zeros((8, 4)), np.zeros(8), epochs=1, verbose=0)",
        f"sobrante = {NET.format(n=4)}",                   # built later, never trained
    ])
    assert (entry["found_as"], entry["chosen_by"]) == ("model_d", "last_trained")
    assert entry["candidates"] == ["model_d", "otra", "sobrante"]
    assert fits and fits[0]["model"] == entry["object_id"]


def test_a_model_whose_fit_the_cell_limit_cut_is_still_the_last_trained(tmp_path: Path) -> None:
    """A notebook trains `model_a`, then `model_b`, whose fit runs past the cell time limit (its
    second epoch never ends): `model_b` is what the student trained last, so it is graded, and the
    manifest says its fit was cut after the one epoch it finished."""
    nb = v4.new_notebook(cells=[v4.new_code_cell(c) for c in [
        "import keras, numpy as np, time",
        f"model_a = {NET.format(n=4)}\n"
        "model_a.compile('sgd', 'sparse_categorical_crossentropy')\n"
        "model_a.fit(np.zeros((8, 4)), np.zeros(8), epochs=1, verbose=0)",
        f"model_b = {NET.format(n=4)}\n"
        "model_b.compile('sgd', 'sparse_categorical_crossentropy')\n"
        "class Slow(keras.callbacks.Callback):\n"
        "    def on_epoch_end(self, epoch, logs=None):\n"
        "        if epoch >= 1:\n"
        "            time.sleep(3600)\n"
        "model_b.fit(np.zeros((8, 4)), np.zeros(8), epochs=5, verbose=0, callbacks=[Slow()])",
    ]])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "work").mkdir()
    outcome, _ = execute(path, tmp_path / "work", tmp_path / "artifacts",
                         RunOptions(artifacts=[ROLE], cell_timeout=20))
    entry = outcome.artifacts["model"]
    assert (entry["found_as"], entry["chosen_by"], entry.get("epochs")) == ("model_b", "last_trained_cut", 1), (
        str(entry), str(outcome.fits))
    cut = outcome.fits[-1]
    assert (cut["error"], cut["epochs_run"], cut["model"]) == ("KeyboardInterrupt", 1, entry["object_id"])


def test_a_model_chosen_while_alone_gives_way_to_the_one_built_for_the_exercise(tmp_path: Path) -> None:
    """The model found while it was the only one is not kept once the notebook builds the one that
    fits the exercise (docs/spec-format.md)."""
    entry, _ = _discover(tmp_path, [
        f"borrador = {NET.format(n=6)}",  # alone: chosen, for want of another
        f"red_final = {NET.format(n=4)}",
    ])
    assert (entry["found_as"], entry["chosen_by"]) == ("red_final", "role")
    assert entry["candidates"] == ["borrador", "red_final"]


def test_an_empty_model_is_never_discovered_for_want_of_another(tmp_path: Path) -> None:
    """Issue 17: a `Sequential()` left empty when the cell that filled it failed was graded as the
    exercise's model ("it has no layers: add the layers the statement asks for"); no model of
    the exercise exists, and that is what is said."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    entry, _ = _discover(tmp_path / "a", ["vacio = keras.Sequential()"])
    assert entry["status"] == "absent"
    entry, _ = _discover(tmp_path / "b", ["vacio = keras.Sequential()", f"borrador = {NET.format(n=6)}"])
    assert entry["found_as"] == "borrador"  # an attempt with other shapes still is graded
    # none fits the exercise: the last one with layers, and the reason does not claim it fits
    # (a reviewer read "the last one created (none of those that fit …)" beside a later empty one)
    (tmp_path / "c").mkdir()
    entry, _ = _discover(tmp_path / "c", [f"borrador = {NET.format(n=6)}", f"otro = {NET.format(n=7)}",
                                          "vacio = keras.Sequential()"])
    assert (entry["found_as"], entry["chosen_by"]) == ("otro", "last_created_any")


@pytest.mark.parametrize("graded_trained", [True, False])
def test_a_leftover_untrained_model_gives_way_to_the_trained_one(tmp_path: Path, graded_trained: bool) -> None:
    """Issue 17: `model` built and never trained beside the `model_d` the student trained: where
    the exercise grades a trained network, `model_d` is graded and the entry says why; where it
    grades only the architecture, the name decides."""
    entry, fits = _discover(tmp_path, [
        f"model = {NET.format(n=4)}",
        f"model_d = {NET.format(n=4)}",
        "model_d.compile('sgd', 'sparse_categorical_crossentropy')\n"
        "model_d.fit(np.zeros((8, 4)), np.zeros(8), epochs=1, verbose=0)",
        f"otra = {NET.format(n=5)}\n"  # trained too, but not on the exercise's data
        "otra.compile('sgd', 'sparse_categorical_crossentropy')\n"
        "otra.fit(np.zeros((8, 5)), np.zeros(8), epochs=1, verbose=0)",
    ], role={**ROLE, "trained": graded_trained})
    if graded_trained:
        assert (entry["found_as"], entry["chosen_by"], entry["instead_of"]) == ("model_d", "trained", "model")
        assert entry["object_id"] == fits[0]["model"]
    else:
        assert entry["found_as"] == "model" and "chosen_by" not in entry


def test_a_trained_model_under_its_name_is_kept(tmp_path: Path) -> None:
    entry, _ = _discover(tmp_path, [
        f"model = {NET.format(n=4)}",
        "model.compile('sgd', 'sparse_categorical_crossentropy')\n"
        "model.fit(np.zeros((8, 4)), np.zeros(8), epochs=1, verbose=0)",
        f"model_d = {NET.format(n=4)}",
        "model_d.compile('sgd', 'sparse_categorical_crossentropy')\n"
        "model_d.fit(np.zeros((8, 4)), np.zeros(8), epochs=1, verbose=0)",
    ], role={**ROLE, "trained": True})
    assert entry["found_as"] == "model" and "chosen_by" not in entry


CNN_ROLE = {"name": "model", "kind": "model", "aliases": ["modelo_cnn"], "discover": True, "has_layer": "Conv2D",
            "shapes": {"input": [None, 8, 8, 3], "output": [None, 10]}}
DENSE = "keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(10, activation='softmax')])"
CNN = ("keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(), "
       "keras.layers.Dense(10, activation='softmax')])")


@pytest.mark.parametrize("with_cnn", [True, False])
def test_a_cnn_is_found_by_its_layers_among_dense_models(tmp_path: Path, with_cnn: bool) -> None:
    """CIFAR-10 (issue 17): the CNN is often just `model`, beside dense models with the same input
    and output; only a model with Conv2D layers stands for it, and without one nothing does."""
    entry, _ = _discover(tmp_path, [f"softmax_net = {DENSE}", f"model = {CNN if with_cnn else DENSE}"],
                         role={**CNN_ROLE, "name": "cnn_graded"})  # (not `model`: found by role, not by name)
    if with_cnn:
        assert (entry["status"], entry["found_as"], entry["chosen_by"]) == ("ok", "model", "role")
    else:
        assert entry["status"] == "absent"


def test_a_fit_on_a_small_table_records_the_rows_it_trained_on(tmp_path: Path) -> None:
    """The fit log names the rows of a small table a fit trained on (not the validation_split
    tail, which Keras keeps out of training), so the checker can tell its own split's overlap."""
    from grader.kernel.manifest import row_hashes, split_row_hashes

    _, fits = _discover(tmp_path, [
        f"model = {NET.format(n=4)}\n"
        "model.compile('sgd', 'sparse_categorical_crossentropy')\n"
        "x = np.arange(40, dtype='float32').reshape(10, 4) / 7\n"
        "model.fit(x, np.zeros(10), epochs=1, verbose=0, validation_split=0.2)\n"
        "model.fit(x.astype('float64'), np.zeros(10), epochs=1, verbose=0)",
    ])
    x = np.arange(40, dtype="float32").reshape(10, 4) / 7
    assert split_row_hashes(str(fits[0]["x_rows"])) == split_row_hashes(row_hashes(x[:8]) or "")
    assert split_row_hashes(str(fits[1]["x_rows"])) == split_row_hashes(row_hashes(x) or "")


def test_a_submission_frame_is_found_by_its_rows_and_columns(tmp_path: Path) -> None:
    """Issue 17: a Kaggle submission kept as `sub` (not a declared name) is the predictions
    artifact; the test features, with the same 3 rows but other columns, are not."""
    nb = v4.new_notebook(cells=[v4.new_code_cell(
        "import pandas as pd\n"
        "test = pd.DataFrame({'PassengerId': [892, 893, 894], 'Pclass': [3, 3, 2]})\n"
        "sub = pd.DataFrame({'PassengerId': test.PassengerId, 'Survived': [0, 1, 0]})\n"
        "label = sub.copy()[['PassengerId']]")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "work").mkdir()
    role = {"name": "predicciones", "kind": "value", "aliases": ["submission"],
            "role": {"rows": 3, "columns": ["PassengerId", "Survived"]}}
    outcome, _ = execute(path, tmp_path / "work", tmp_path / "artifacts", RunOptions(artifacts=[role]))
    entry = outcome.artifacts["predicciones"]
    assert (entry["status"], entry["found_as"], entry["chosen_by"]) == ("ok", "sub", "role")
    assert entry["shape"] == [3, 2]
