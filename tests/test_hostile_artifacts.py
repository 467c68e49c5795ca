"""Hostile artifacts and output: everything the kernel wrote or sent is read with bounds.

Unit tests of the one JSON reader (``grader.pipeline.export.read_json`` / ``read_manifest`` /
``read_history``) and of the output cut (``grader.pipeline.output.BoundedClient``); then one graded
batch (a single process, ``grade_one`` per notebook, a module fixture) of notebooks that write
a 10⁶-deep JSON over the manifest and over a model's history, print 300 MB in one write, and
forge 300,000 events: each ends as an outcome with a report of bounded size, and the grading
process's memory stays bounded.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

from grader.pipeline import export
from grader.pipeline.export import (
    UnsafeJSON,
    clean_manifest,
    read_history,
    read_json,
    read_manifest,
    scan_json,
)
from grader.pipeline.output import CELL_OUTPUT_LIMIT, ERROR_LIMIT, TRUNCATED, BoundedClient

ROOT = Path(__file__).resolve().parents[1]
DEEP = b"[" * 1_000_000 + b"]" * 1_000_000


def _manifest(folder: Path, data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.json"
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return folder


# --------------------------------------------------------------------------- the reader
def test_a_million_deep_manifest_is_a_reason_not_a_recursion_error(tmp_path: Path) -> None:
    manifest = read_manifest(_manifest(tmp_path, DEEP))
    assert manifest == {"problem": "manifest.json is nested more than 64 levels deep"}
    # objects too, and just past the cap
    deep_objects = b'{"a":' * 65 + b"1" + b"}" * 65
    assert "nested more than 64" in read_manifest(_manifest(tmp_path, deep_objects))["problem"]
    assert scan_json(b'{"a":' * 64 + b"1" + b"}" * 64) is None


def test_brackets_and_escaped_quotes_inside_strings_do_not_count() -> None:
    text = json.dumps({"s": "[" * 5000 + '\\"[[{' + "\\" * 7, "t": ['"]]]"', "\\\\"]}).encode()
    assert scan_json(text) is None
    assert json.loads(text)["s"].startswith("[[[")


def test_huge_malformed_and_non_regular_manifests_say_why(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    with open(big / "manifest.json", "wb") as f:  # sparse: 17 MiB that take no disk
        f.truncate(export.MANIFEST_LIMIT + export.MiB)
    assert read_manifest(big)["problem"] == "manifest.json is 17 MB, larger than 16 MB"
    assert "not valid JSON" in read_manifest(_manifest(tmp_path / "bad", b'{"artifacts": {'))["problem"]
    assert "not valid JSON" in read_manifest(_manifest(tmp_path / "bin", b"\xff\xfe{}"))["problem"]
    assert read_manifest(_manifest(tmp_path / "list", b"[1, 2]"))["problem"] == "manifest.json is not a JSON object"
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "manifest.json")  # opening it must not wait for a writer
    assert read_manifest(fifo)["problem"] == "manifest.json is not a regular file"
    link = tmp_path / "link"
    link.mkdir()
    (link / "manifest.json").symlink_to(tmp_path / "bad" / "manifest.json")
    assert read_manifest(link)["problem"] == "manifest.json is a symbolic link"
    assert read_manifest(tmp_path / "none") == {}  # no manifest (the kernel never ran): nothing to say


def test_too_many_values_lists_events_or_fits_are_refused(tmp_path: Path) -> None:
    many_lists = read_manifest(_manifest(tmp_path / "a", {"artifacts": {}, "events": [[]] * 300_000}))
    assert many_lists["problem"] == "manifest.json holds 300,003 lists and objects (at most 200,000)"
    many_values = read_manifest(_manifest(tmp_path / "b", {"artifacts": {}, "events": [0] * 1_200_000}))
    assert many_values["problem"] == "manifest.json holds 1,200,000 values (at most 1,000,000)"
    events = {"artifacts": {}, "events": [{"kind": "epoch_cap", "requested": i, "applied": 1}
                                          for i in range(export.MAX_EVENTS + 1)]}
    assert clean_manifest(events)[1] == "manifest.json holds 1,001 events (the grader records at most 1,000)"
    fits = {"artifacts": {}, "fits": [{"epochs_run": 1}] * (export.MAX_FITS + 1)}
    assert clean_manifest(fits)[1] == "manifest.json holds 501 training runs (the grader logs at most 500)"
    assert clean_manifest({"artifacts": [], "events": []})[1] == "manifest.json does not have the grader's layout"


def test_strings_are_cut_and_unknown_shapes_dropped(tmp_path: Path) -> None:
    (tmp_path / "m.keras").write_bytes(b"PK")
    long = "x" * 10_000
    data = {
        "artifacts": {
            "m": {"status": "ok", "kind": "model", "file": "m.keras", "found_as": long, "error": long,
                  "shape": "no", "cell": "3", "extra": {"a": 1}, "candidates": [long, 5]},
            "v": {"status": "ok", "kind": "value", "type": "str", "value": long},  # a value is kept whole
            "big": {"status": "ok", "kind": "value", "type": "list", "value": [long] * 200},
            "undeclared": {"status": "ok", "value": 1},
            "not_a_dict": [1],
        },
        "events": [{"kind": "shell_skipped", "command": long, "nested": {"a": [1]}}, {"kind": "forged_kind"},
                   "text", {"no": "kind"}],
        "fits": [{"epochs_run": 3, "callbacks": [{"type": long, "deep": {"a": {"b": {"c": 1}}}}] * 80}, 7],
        "device": {"used": "cpu", "gpus": [long] * 100},
        "versions": {"python": long},
        "unknown": long,
    }
    manifest = read_manifest(_manifest(tmp_path, data), ["m", "v", "big", "not_a_dict"])
    assert "problem" not in manifest and "unknown" not in manifest
    assert sorted(manifest["artifacts"]) == ["big", "m", "v"]
    m = manifest["artifacts"]["m"]
    assert m == {"status": "ok", "kind": "model", "file": "m.keras", "found_as": "x" * 500, "error": "x" * 500,
                 "candidates": ["x" * 120]}
    assert manifest["artifacts"]["v"]["value"] == long
    big = manifest["artifacts"]["big"]
    assert big["status"] == "unsupported" and "value" not in big and "NumPy array" in big["error"]
    assert manifest["events"] == [{"kind": "shell_skipped", "command": "x" * 500}]
    callbacks = manifest["fits"][0]["callbacks"]
    assert len(manifest["fits"]) == 1 and len(callbacks) == export.MAX_ITEMS
    assert callbacks[0]["type"] == "x" * 500 and callbacks[0]["deep"] is None  # nested too deep for a fit
    assert len(manifest["device"]["gpus"]) == export.MAX_ITEMS
    assert manifest["versions"]["python"] == "x" * 500


def test_a_deep_or_forged_history_makes_its_model_tampered(tmp_path: Path) -> None:
    from grader.checks.context import CheckContext
    from grader.model.outcomes import ExecutionOutcome
    from grader.views import figures

    (tmp_path / "m.keras").write_bytes(b"PK")
    (tmp_path / "m.history.json").write_bytes(b'{"loss": ' + DEEP + b"}")
    entry = {"status": "ok", "kind": "model", "file": "m.keras", "history": "m.history.json"}
    manifest = read_manifest(_manifest(tmp_path, {"artifacts": {"m": entry}, "events": [], "fits": []}))
    assert manifest["artifacts"]["m"]["status"] == "tampered"
    assert manifest["artifacts"]["m"]["error"] == "m.history.json is nested more than 64 levels deep"
    # the readers that come later refuse it on their own too
    assert figures.histories({"m": entry}, tmp_path) == {}
    ctx = CheckContext(None, ExecutionOutcome(status="ok", artifacts={"m": entry}), tmp_path)  # type: ignore[arg-type]
    assert ctx.history("m") is None
    for bad in (b'{"loss": ["a"]}', b"[]", b"{}", json.dumps({"loss": [1.0] * 10, "x": {"y": 1}}).encode()):
        (tmp_path / "m.history.json").write_bytes(bad)
        with pytest.raises(UnsafeJSON, match="not a training history"):
            read_history(tmp_path / "m.history.json")
    (tmp_path / "m.history.json").write_bytes(json.dumps({"loss": [0.5, 0.25], "val_loss": [1, 0.5]}).encode())
    assert read_history(tmp_path / "m.history.json") == {"loss": [0.5, 0.25], "val_loss": [1, 0.5]}
    assert figures.histories({"m": entry}, tmp_path) == {"m": {"loss": [0.5, 0.25], "val_loss": [1, 0.5]}}


def test_read_json_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_bytes(b"[" + b"1," * 600 + b"1]")
    with pytest.raises(UnsafeJSON, match="larger than"):
        read_json(path, 1000)
    assert len(read_json(path, 2000)) == 601


# --------------------------------------------------------------------------- the output cut
def _client(budget: int = 20 * 2 ** 20) -> tuple[BoundedClient, Any]:
    nb = v4.new_notebook(cells=[v4.new_code_cell("x")])
    client = BoundedClient(nb)
    client.reset_execution_trackers()  # what executing a notebook and a cell do first
    client.clear_before_next_output = False
    client.output_budget = budget
    client._cell = {"text": 0, "data": 0, "error": False, "cut": False}
    return client, nb.cells[0]


def _msg(kind: str, **content: Any) -> dict[str, Any]:
    return {"msg_type": kind, "header": {"msg_type": kind}, "parent_header": {}, "content": content,
            "metadata": {}, "buffers": []}


def _stored(cell: Any) -> int:
    """Bytes the cell's outputs add to executed.ipynb, as nbformat writes it."""
    empty = v4.new_code_cell("x", id=cell.id)
    return (len(nbformat.writes(v4.new_notebook(cells=[cell])).encode())
            - len(nbformat.writes(v4.new_notebook(cells=[empty])).encode()))


def test_a_huge_first_message_is_cut_before_it_is_stored() -> None:
    client, cell = _client()
    client.process_message(_msg("stream", name="stdout", text="x" * 50_000_000), cell, 0)
    assert cell.outputs[-1].text == TRUNCATED
    assert 0 < len(cell.outputs[0].text) <= CELL_OUTPUT_LIMIT
    assert _stored(cell) <= CELL_OUTPUT_LIMIT + 200
    client.process_message(_msg("stream", name="stdout", text="more"), cell, 0)  # the cell's budget is spent
    assert len(cell.outputs) == 2
    # text that JSON or nbformat's lines make larger counts as stored: newlines, control characters
    for text in ("\n" * 1_000_000, "\x01" * 1_000_000):
        client, cell = _client()
        client.process_message(_msg("stream", name="stdout", text=text), cell, 0)
        assert CELL_OUTPUT_LIMIT / 2 < _stored(cell) <= CELL_OUTPUT_LIMIT + 200


def test_images_count_and_the_notebook_budget_holds_across_cells() -> None:
    client, cell = _client(budget=300_000)
    png = "iVBORw0KGgo" + "A" * 600_000
    client.process_message(_msg("display_data", data={"image/png": png, "text/plain": "<Figure>"}, metadata={}),
                           cell, 0)
    assert cell.outputs[0].data == {"text/plain": "<Figure>"}  # it did not fit: the image goes, the text stays
    total = 0
    for _ in range(10):  # ten cells of 90 KB each: the notebook keeps at most its 300 KB
        client._cell = {"text": 0, "data": 0, "error": False, "cut": False}
        cell.outputs = []
        client.process_message(_msg("stream", name="stdout", text="y" * 90_000), cell, 0)
        total += sum(len(o.get("text", "")) for o in cell.outputs if o.get("text") != TRUNCATED)
    assert 250_000 < total <= 300_000 and client.kept <= 300_000


def test_an_error_is_kept_when_the_budget_is_spent() -> None:
    client, cell = _client(budget=1000)
    client.process_message(_msg("stream", name="stdout", text="z" * 5000), cell, 0)
    tb = [f"line {i} " + "t" * 300 for i in range(200)] + ["ValueError: " + "e" * 100_000]
    client.process_message(_msg("error", ename="ValueError", evalue="e" * 100_000, traceback=tb), cell, 0)
    error = next(o for o in cell.outputs if o.output_type == "error")
    assert error.ename == "ValueError" and error.evalue == "e" * 1000
    assert error.traceback and error.traceback[-1].startswith("ValueError: ee")
    assert len(json.dumps(error).encode()) <= ERROR_LIMIT + 200
    client.process_message(_msg("error", ename="Forged", evalue="", traceback=[]), cell, 0)  # one per cell
    assert [o.get("ename") for o in cell.outputs if o.output_type == "error"] == ["ValueError"]


def test_a_lone_surrogate_cannot_break_writing_the_notebook(tmp_path: Path) -> None:
    client, cell = _client()
    client.process_message(_msg("stream", name="stdout", text="a\ud800b"), cell, 0)
    nb = v4.new_notebook(cells=[cell])
    nbformat.write(nb, tmp_path / "executed.ipynb")
    assert "a?b" in (tmp_path / "executed.ipynb").read_text()


# --------------------------------------------------------------------------- real kernels
SPEC = """\
schema_version: 1
id: hostile
title: {{es: "Artefactos hostiles", en: "Hostile artifacts"}}
statement: {statement}
reference: {statement}
data: []
budget: {{cell_timeout: 90, notebook_timeout: 300, output_mb: 5}}
artifacts:
  - {{name: respuesta}}
  - {{name: modelo, kind: model}}
checks:
  - {{id: respuesta, kind: value, artifact: respuesta, expect: {{equals: 42}}}}
  - {{id: modelo, kind: param_count, artifact: modelo, expect: {{total: 3}}}}
  - {{id: limpia, kind: ran_cleanly}}
"""
RUBRIC = """\
schema_version: 1
exercise: hostile
checks:
  respuesta: {points: 1}
  modelo: {points: 1}
  limpia: {points: 1}
"""
GRADER = "sys.modules['_dl_grader_kernel']"
NOTEBOOKS = {
    # the manifest, rewritten 10^6 levels deep by the grader's own (patched) writer after every cell
    "deep_manifest": [
        "respuesta = 42",
        f"import os, sys\ngrader = {GRADER}\ncarpeta = grader.CONFIG['artifacts_dir']\n"
        "def profundo(*a, **k):\n    with open(os.path.join(carpeta, 'manifest.json'), 'w') as f:\n"
        "        f.write('[' * 1_000_000 + ']' * 1_000_000)\n"
        "sys.modules['_dl_grader_kernel.save'].write_manifest = profundo\nprofundo()",
    ],
    # a trained model's history file, 10^6 levels deep (the model is unchanged: not exported again)
    "deep_history": [
        "import numpy as np\nimport keras\nmodelo = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])\n"
        "modelo.compile(optimizer='sgd', loss='mse')\nmodelo.fit(np.zeros((8, 2)), np.zeros(8), epochs=2, verbose=0)\n"
        "respuesta = 42",
        f"import os, sys\ncarpeta = {GRADER}.CONFIG['artifacts_dir']\n"
        "ruta = os.path.join(carpeta, 'modelo.history.json')\nprint(os.path.exists(ruta))\n"
        "with open(ruta, 'w') as f:\n    f.write('{\"loss\": ' + '[' * 1_000_000 + ']' * 1_000_000 + '}')",
    ],
    # 300 MB in one write: one message larger than the whole output limit
    "huge_print": ["import sys\nsys.stdout.write('x' * 300_000_000)", "respuesta = 42"],
    # 300,000 forged events (7 MB: under the manifest's size cap, the old 64 MiB and the new 16 MiB)
    "forged_events": [
        f"import json, os, sys\ngrader = {GRADER}\ncarpeta = grader.CONFIG['artifacts_dir']\n"
        "eventos = [{'kind': 'epoch_cap'} for i in range(300_000)]\n"
        "def falso(*a, **k):\n    with open(os.path.join(carpeta, 'manifest.json'), 'w') as f:\n"
        "        json.dump({'artifacts': {'respuesta': {'status': 'ok', 'kind': 'value', 'type': 'int',\n"
        "                   'value': 42}}, 'events': eventos, 'fits': []}, f)\n"
        "sys.modules['_dl_grader_kernel.save'].write_manifest = falso\nrespuesta = 42",
    ],
}
# grades every notebook in this one process (as a batch worker does), stores each report as the
# batch does, and prints its own peak memory
SCRIPT = textwrap.dedent("""\
    import json, sys
    from pathlib import Path
    from grader.pipeline import GradeOptions, grade_one
    from grader.pipeline.spec import load_rubric, load_spec
    from grader.classroom.store import Store
    spec_file, rubric_file, out, *notebooks = sys.argv[1:]
    spec = load_spec(spec_file)
    rubric = load_rubric(rubric_file, spec)
    store = Store(Path(out) / "results.sqlite")
    for nb in map(Path, notebooks):
        report = grade_one(spec, rubric, nb, GradeOptions(out_dir=Path(out) / nb.stem))
        store.put(nb.stem, nb.stem, nb, report, 0.0)
    # VmHWM: this process's own peak (ru_maxrss would carry the pytest worker's peak over exec)
    peak_kb = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM:"))
    print(json.dumps({"maxrss_mb": peak_kb / 1024}))
""")
REPORT_FOLDER_LIMIT = 5 * 2 ** 20
WORKER_MEMORY_LIMIT_MB = 600


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("hostile")
    statement = ROOT / "exercises" / "xor" / "statement.ipynb"
    (tmp / "spec.yaml").write_text(SPEC.format(statement=statement))
    (tmp / "rubric.yaml").write_text(RUBRIC)
    paths = []
    for name, cells in NOTEBOOKS.items():
        paths.append(tmp / f"{name}.ipynb")
        nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(c) for c in cells]), paths[-1])
    out = tmp / "out"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp / "spec.yaml"), str(tmp / "rubric.yaml"), str(out),
                           *map(str, paths)], capture_output=True, text=True, timeout=1500, cwd=tmp)
    assert done.returncode == 0, done.stderr[-3000:]
    db = sqlite3.connect(str(out / "results.sqlite"))
    rows = dict(db.execute("SELECT key, length(report) FROM results").fetchall())
    db.close()
    result: dict[str, Any] = {"maxrss_mb": json.loads(done.stdout.strip().splitlines()[-1])["maxrss_mb"],
                              "rows": rows, "reports": {}, "sizes": {}}
    for name in NOTEBOOKS:
        folder = out / name
        result["reports"][name] = json.loads((folder / "report.json").read_text())
        result["sizes"][name] = {"folder": _folder_bytes(folder), "executed": (folder / "executed.ipynb").stat().st_size}
    print("\nhostile sizes:", json.dumps({k: {**v, "row": rows.get(k)} for k, v in result["sizes"].items()}),
          "worker peak MB:", round(result["maxrss_mb"]))
    return result


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


@pytest.mark.slow
@pytest.mark.kernel
def test_every_hostile_notebook_ends_with_a_bounded_report(graded: dict[str, Any]) -> None:
    for name, report in graded["reports"].items():
        assert report.get("crashed") is None and isinstance(report["score"], (int, float)), name
        assert report["execution"]["status"] != "grader_error", name
        assert graded["sizes"][name]["folder"] < REPORT_FOLDER_LIMIT, (name, graded["sizes"][name])
        assert graded["rows"][name] < 1_000_000, (name, graded["rows"][name])
        assert graded["sizes"][name]["executed"] <= 5 * 2 ** 20 + 20_000, name
    assert graded["maxrss_mb"] < WORKER_MEMORY_LIMIT_MB


@pytest.mark.slow
@pytest.mark.kernel
def test_a_deep_manifest_makes_every_artifact_tampered(graded: dict[str, Any]) -> None:
    report = graded["reports"]["deep_manifest"]
    assert report["execution"]["artifacts_problem"] == (
        "El registro que el grader guarda de lo exportado (manifest.json) fue alterado (manifest.json is nested "
        "more than 64 levels deep); no se usa nada de él, y ninguna variable pudo comprobarse. No toques la "
        "carpeta del grader.")
    for check_id in ("respuesta", "modelo"):
        check = _check(report, check_id)
        assert (check["status"], check["message_key"]) == ("missing", "artifact.tampered")
        assert "nested more than 64 levels deep" in check["message"]
    assert report["score"] <= 1  # at most the clean-run point


@pytest.mark.slow
@pytest.mark.kernel
def test_a_deep_history_makes_the_model_tampered(graded: dict[str, Any]) -> None:
    report = graded["reports"]["deep_history"]
    assert report["execution"]["status"] == "ok", report["execution"]["message"]
    assert report["execution"]["artifacts_problem"] is None
    assert _check(report, "respuesta")["status"] == "pass"
    model = _check(report, "modelo")
    assert (model["status"], model["message_key"]) == ("missing", "artifact.tampered")
    assert "modelo.history.json is nested more than 64 levels deep" in model["message"]
    assert not [f for f in report.get("figures", []) if f["kind"] == "history"]


@pytest.mark.slow
@pytest.mark.kernel
def test_one_huge_print_is_an_output_limit(graded: dict[str, Any]) -> None:
    report = graded["reports"]["huge_print"]
    execution = report["execution"]
    assert execution["status"] == "output_limit", execution["message"]
    assert execution["failing_cell"] == 0 and execution["limit"]["kind"] == "output"
    assert "5 MB de salida" in execution["message"]
    assert graded["sizes"]["huge_print"]["executed"] < 200_000


@pytest.mark.slow
@pytest.mark.kernel
def test_forged_events_are_refused_whole(graded: dict[str, Any]) -> None:
    report = graded["reports"]["forged_events"]
    assert report["execution"]["status"] == "ok"
    assert "manifest.json holds 300,00" in report["execution"]["artifacts_problem"]
    assert len(report["execution"]["adaptations"]) < 10  # none of the forged ones
    check = _check(report, "respuesta")
    assert (check["status"], check["message_key"]) == ("missing", "artifact.tampered")
