"""Stage 5 — the checker process: a warm zygote that forks a fresh child per submission gives
exactly what a cold `python -m grader.pipeline.check` gives, and none of its failures costs more than
the one request (a crash, a hang, a zygote killed from outside)."""

from __future__ import annotations

import os
import signal
import warnings
from pathlib import Path

import pytest

from grader.model.outcomes import ExecutionOutcome
from grader.model.spec import ExerciseSpec
from grader.pipeline import check, library
from grader.pipeline.spec import load_spec

pytestmark = pytest.mark.kernel

VALUES = {"params_ejemplo": 456, "salida_ejemplo": [28, 28, 6], "params_ejercicio": 146,
          "salida_ejercicio": [61, 61, 3], "valor_convolucion": 320.0}


@pytest.fixture(scope="module")
def submission(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExerciseSpec, ExecutionOutcome, Path]:
    import keras

    folder = tmp_path_factory.mktemp("artifacts")
    manifest = {k: {"status": "ok", "kind": "value", "value": v, "type": type(v).__name__, "found_as": k, "cell": 1}
                for k, v in VALUES.items()}
    models = {"modelo_ejemplo": ((32, 32, 3), 6, 5), "modelo_ejercicio": ((64, 64, 3), 3, 4)}
    for name, (shape, filters, size) in models.items():
        model = keras.Sequential([keras.Input(shape), keras.layers.Conv2D(filters, size)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            keras.saving.save_model(model, folder / f"{name}.keras")
        manifest[name] = {"status": "ok", "kind": "model", "file": f"{name}.keras", "found_as": name, "cell": 2}
    spec = load_spec(library.spec_path("cnn_params"))
    return spec, ExecutionOutcome(status="ok", artifacts=manifest), folder


def _verdicts(results: list) -> list[tuple]:
    return [(r.id, r.status, r.message, r.found, r.fraction) for r in results]


@pytest.fixture()
def zygote(monkeypatch: pytest.MonkeyPatch) -> check.Zygote:
    monkeypatch.delenv("DLGRADER_FRESH_CHECKER", raising=False)
    z = check.Zygote()
    monkeypatch.setitem(check._SHARED, "z", z)
    yield z
    z.close()


def test_the_warm_checker_gives_what_a_cold_one_gives(submission, zygote, monkeypatch) -> None:
    spec, outcome, folder = submission
    warm = check.check(spec, outcome, folder)
    again = check.check(spec, outcome, folder)
    assert zygote.requests == 2 and zygote.alive()
    monkeypatch.setenv("DLGRADER_FRESH_CHECKER", "1")
    cold = check.check(spec, outcome, folder)
    assert zygote.requests == 2  # that one did not go through the zygote
    assert _verdicts(warm) == _verdicts(again) == _verdicts(cold)
    statuses = {r.id: r.status for r in warm}
    assert statuses["params_ejercicio"] == "fail" and statuses["capa_ejercicio"] == "pass"
    assert statuses["params_capa_ejercicio"] == "pass"  # the model was really loaded and counted


def test_a_request_that_crashes_its_child_costs_only_that_request(submission, zygote, tmp_path) -> None:
    spec, outcome, folder = submission
    broken = spec.model_copy(update={"path": tmp_path / "gone" / "spec.yaml"})
    results = check.check(broken, outcome, folder)
    assert {r.status for r in results} == {"error"}
    assert "spec.yaml" in results[0].params["error"]  # the child's last line says what went wrong
    pid = zygote._proc.pid  # type: ignore[union-attr]
    assert {r.status for r in check.check(spec, outcome, folder)} == {"pass", "fail"}
    assert zygote._proc.pid == pid  # the same zygote served both


def test_a_checker_over_its_time_is_stopped_and_the_next_request_is_served(submission, zygote) -> None:
    spec, outcome, folder = submission
    check.check(spec, outcome, folder)  # imports done
    results = check.check(spec, outcome, folder, timeout=0.05)
    assert {r.status for r in results} == {"error"}
    assert "longer than 0.05 s" in results[0].params["error"]
    assert {r.status for r in check.check(spec, outcome, folder)} == {"pass", "fail"}


def test_a_zygote_killed_from_outside_does_not_lose_a_result(submission, zygote) -> None:
    spec, outcome, folder = submission
    expected = _verdicts(check.check(spec, outcome, folder))
    os.kill(zygote._proc.pid, signal.SIGKILL)  # type: ignore[union-attr]
    zygote._proc.wait()  # type: ignore[union-attr]
    assert _verdicts(check.check(spec, outcome, folder)) == expected
