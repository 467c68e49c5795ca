"""Check kinds that read a saved Keras model: model_structure, param_count, output_shapes.

Tiny models are built in this process, saved in the native ``.keras`` format (as the kernel
side does) and read back by a real CheckContext in safe mode. No Jupyter kernel is started.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Import every check module so that the kind registry is complete whichever test module is
# collected first: grader.checks.kinds() only loads the kinds when REGISTRY is empty, so importing
# one kind module alone leaves it partial (test_spec.py::test_registry_is_complete_...).
import grader.checks.execution  # noqa: F401
import grader.checks.metrics  # noqa: F401
import grader.checks.model  # noqa: F401
import grader.checks.values  # noqa: F401
from grader.checks import run_check
from grader.checks.context import CheckContext
from grader.messages import render
from grader.model.outcomes import CheckResult, ExecutionOutcome
from grader.model.spec import CheckSpec, ExerciseSpec

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

pytestmark = pytest.mark.kernel

SPEC = ExerciseSpec(schema_version=1, id="t", title={"es": "t"}, statement="s.ipynb",
                    reference="r.ipynb", artifacts=[{"name": "m", "kind": "model"}], checks=[])
EXPECTED_LAYERS = [
    {"type": "Dense", "units": 2, "activation": "tanh"},
    {"type": "Dense", "units": 3, "activation": "softmax"},
]
L = keras.layers


def _seq(*layers: Any) -> Any:
    return keras.Sequential([keras.Input((4,)), *layers])


def _compiled(model: Any, loss: Any) -> Any:
    model.compile(optimizer="adam", loss=loss)
    return model


MODELS: dict[str, Callable[[], Any]] = {
    "good": lambda: _seq(L.Dense(2, activation="tanh"), L.Dense(3, activation="softmax")),
    "units4": lambda: _seq(L.Dense(4, activation="tanh"), L.Dense(3, activation="softmax")),
    "no_softmax": lambda: _seq(L.Dense(2, activation="tanh"), L.Dense(3)),
    "first_only": lambda: _seq(L.Dense(2, activation="tanh")),
    "extra": lambda: _seq(L.Dense(2, activation="tanh"), L.Dense(3, activation="softmax"),
                          L.Dense(3)),
    "dropout": lambda: _seq(L.Dropout(0.5), L.Dense(3, activation="softmax")),
    "folded": lambda: _seq(L.Dense(2, activation="tanh"), L.Dense(3), L.Activation("softmax")),
    "softmax_layer": lambda: _seq(L.Dense(2, activation="tanh"), L.Dense(3), L.Softmax()),
    "batchnorm": lambda: _seq(L.Dense(2), L.BatchNormalization()),
    "lambda": lambda: _seq(L.Dense(2), L.Lambda(lambda x: x * 2)),
    "unbuilt": lambda: keras.Sequential([L.Dense(2)]),
    # issue 17: a model with nothing to learn, and one with no layers, are told so
    "pooling_only": lambda: _seq(L.Reshape((2, 2, 1)), L.MaxPooling2D(2), L.Flatten()),
    "empty": lambda: keras.Sequential([]),
    # Keras 1's way: each activation a layer of its own
    "act_layers": lambda: _seq(L.Dense(2), L.Activation("tanh"), L.Dense(3), L.Activation("softmax")),
    # logits out, and a loss that takes them (the TensorFlow tutorials' way)
    "logits": lambda: _compiled(_seq(L.Dense(2, activation="tanh"), L.Dense(3)),
                                keras.losses.CategoricalCrossentropy(from_logits=True)),
    # a whole other network where one layer is asked for (a LeNet kept as `model` in cnn_params)
    "other_net": lambda: _seq(L.Reshape((2, 2, 1)), L.Conv2D(2, 2, activation="tanh"), L.Flatten(),
                              L.Dense(5, activation="tanh"), L.Dense(3, activation="softmax")),
    # xenoxido's way: noise and normalization around every layer, its activations after the noise
    "noisy_net": lambda: _seq(L.Reshape((4,)), L.GaussianNoise(0.1), L.Dense(2), L.GaussianNoise(0.1),
                              L.Activation("tanh"), L.BatchNormalization(), L.Dense(3, activation="softmax")),
    "extra_middle": lambda: _seq(L.Dense(2, activation="tanh"), L.Dense(5), L.Dense(3, activation="softmax")),
    "softmax_only": lambda: _seq(L.Dense(3, activation="softmax")),
    # mnist_dropout's two accepted shapes: with and without a Dropout right after the input
    "drop_first": lambda: _seq(L.Dropout(0.5), L.Dense(2, activation="tanh"), L.Dropout(0.5),
                               L.Dense(3, activation="softmax")),
    "drop_between": lambda: _seq(L.Dense(2, activation="tanh"), L.Dropout(0.5), L.Dense(3, activation="softmax")),
    "drop_after_output": lambda: _seq(L.Dense(2, activation="tanh"), L.Dense(3, activation="softmax"),
                                      L.Dropout(0.5)),
    # no Dropout after the input (optional) but one after the output: as long as the spec
    "skip_optional_add_last": lambda: _seq(L.Dense(2, activation="tanh"), L.Dropout(0.5),
                                           L.Dense(3, activation="softmax"), L.Dropout(0.5)),
}
OPTIONAL_DROPOUT = [{"type": "Dropout", "rate": 0.5, "optional": True},
                    {"type": "Dense", "units": 2, "activation": "tanh"}, {"type": "Dropout", "rate": 0.5},
                    {"type": "Dense", "units": 3, "activation": "softmax"}]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("artifacts")
    for name, build in MODELS.items():
        with warnings.catch_warnings():  # Keras warns about saving unbuilt models
            warnings.simplefilter("ignore")
            keras.saving.save_model(build(), folder / f"{name}.keras")
    return folder


def _ctx(saved: Path, model: str, **entry: Any) -> CheckContext:
    manifest = {"m": {"status": "ok", "kind": "model", "found_as": "m", "cell": 1,
                      "file": f"{model}.keras", **entry}}
    return CheckContext(SPEC, ExecutionOutcome(status="ok", artifacts=manifest), saved)


def _run(saved: Path, model: str, kind: str, **expect: Any) -> CheckResult:
    check = CheckSpec(id="c", kind=kind, artifact="m", expect=expect)
    return run_check(check, _ctx(saved, model))


def _keys(result: CheckResult) -> list[str]:
    return [d["message"] for d in result.details]


# ----------------------------------------------------------------------------- structure
def test_structure_matches(saved: Path) -> None:
    r = _run(saved, "good", "model_structure", layers=EXPECTED_LAYERS)
    assert (r.status, r.message) == ("pass", "structure.ok")
    assert r.details == []
    assert r.fraction == 1.0
    assert r.params["summary"] == "Dense(2, tanh) → Dense(3, softmax)"
    assert render(r.message, r.params, "en") == (
        "The architecture matches the one asked for: Dense(2, tanh) → Dense(3, softmax).")
    assert [f["type"] for f in r.found] == ["Dense", "Dense"]
    assert r.found[1]["output_shape"] == [None, 3]
    assert all("name" not in f for f in r.found)


def test_structure_wrong_units(saved: Path) -> None:
    r = _run(saved, "units4", "model_structure", layers=EXPECTED_LAYERS)
    assert (r.status, r.message) == ("fail", "structure.wrong")
    assert r.details == [{"message": "structure.attr", "params": {
        "pos": 1, "layer": "Dense", "attr": "units", "found": 4, "expected": 2}}]
    assert r.fraction == pytest.approx(5 / 6)
    assert render(r.details[0]["message"], r.details[0]["params"]) == (
        "Capa 1 (Dense): `units` es 4; el ejercicio pide 2. Cambia `units=4` por `units=2`.")


def test_structure_missing_softmax(saved: Path) -> None:
    r = _run(saved, "no_softmax", "model_structure", layers=EXPECTED_LAYERS)
    assert r.status == "fail"
    assert r.details == [{"message": "structure.attr", "params": {
        "pos": 2, "layer": "Dense", "attr": "activation", "found": "'linear'",
        "expected": "'softmax'"}}]
    assert r.params["summary_found"] == "Dense(2, tanh) → Dense(3)"
    assert r.params["summary_expected"] == "Dense(2, tanh) → Dense(3, softmax)"


def test_a_logits_output_names_the_loss_too(saved: Path) -> None:
    """issue 17: "change activation='linear' to 'softmax'" alone, with a from_logits=True loss,
    applies softmax twice; the loss is named beside the activation. Without that loss, as before."""
    r = _run(saved, "logits", "model_structure", layers=EXPECTED_LAYERS)
    assert r.details == [{"message": "structure.logits_output", "params": {
        "pos": 2, "layer": "Dense", "expected": "'softmax'"}}]
    assert "quita `from_logits=True` de la pérdida" in render(r.details[0]["message"], r.details[0]["params"])
    assert _keys(_run(saved, "no_softmax", "model_structure", layers=EXPECTED_LAYERS)) == ["structure.attr"]


def test_structure_accepts_any_of_listed_activations(saved: Path) -> None:
    layers = [EXPECTED_LAYERS[0], {"type": "Dense", "units": 3, "activation": ["sigmoid", "softmax"]}]
    assert _run(saved, "good", "model_structure", layers=layers).status == "pass"


def test_structure_only_first_layer_fails_on_count(saved: Path) -> None:
    r = _run(saved, "first_only", "model_structure", layers=EXPECTED_LAYERS)
    assert (r.status, r.message) == ("fail", "structure.wrong")
    assert _keys(r) == ["structure.count", "structure.missing_layer"]
    assert r.details[0]["params"] == {"found": 1, "expected": 2}
    assert r.details[1]["params"] == {"expected": "Dense(3, softmax)", "where_key": "layer.where.after",
                                      "pos": 1, "after": "Dense(2, tanh)"}
    assert render("structure.missing_layer", r.details[1]["params"]) == (
        "Falta `Dense(3, softmax)` después de la capa 1 (`Dense(2, tanh)`).")
    assert render("structure.missing_layer", r.details[1]["params"], "en") == (
        "`Dense(3, softmax)` is missing after layer 1 (`Dense(2, tanh)`).")
    assert r.fraction == pytest.approx(0.5)


def test_structure_extra_layer(saved: Path) -> None:
    r = _run(saved, "extra", "model_structure", layers=EXPECTED_LAYERS)
    assert r.status == "fail"
    assert _keys(r) == ["structure.count", "structure.extra_layer"]
    assert r.details[0]["params"] == {"found": 3, "expected": 2}
    assert r.details[1]["params"] == {"pos": 3, "found": "Dense(3)"}


def test_structure_other_network_is_named_not_rebuilt(saved: Path) -> None:
    """Five layers where one is asked for: no layer-by-layer changes (they would turn the
    student's other network into the exercise's), one message saying it is another network."""
    r = _run(saved, "other_net", "model_structure", layers=[{"type": "Conv2D", "filters": 3, "kernel_size": 4}])
    assert (r.status, r.message) == ("fail", "structure.wrong")
    assert r.details == [{"message": "structure.other_model", "params": {"name": "m", "found": 5, "expected": 1}}]
    assert render("structure.other_model", r.details[0]["params"]).startswith(
        "`m` tiene 5 capas y el ejercicio pide 1: es otra red")
    # one extra layer beside two asked for is still told layer by layer
    assert _keys(_run(saved, "extra", "model_structure", layers=EXPECTED_LAYERS)) == [
        "structure.count", "structure.extra_layer"]


def test_structure_wrong_layer_type(saved: Path) -> None:
    r = _run(saved, "dropout", "model_structure", layers=EXPECTED_LAYERS)
    assert r.status == "fail"
    assert r.details[0] == {"message": "structure.type",
                            "params": {"pos": 1, "found": "Dropout", "expected": "Dense"}}


def test_structure_folds_activation_layer(saved: Path) -> None:
    r = _run(saved, "folded", "model_structure", layers=EXPECTED_LAYERS)
    assert (r.status, r.message) == ("pass", "structure.ok"), r.details
    assert r.found[1]["folded"] == "Activation"


def test_structure_folds_softmax_layer(saved: Path) -> None:
    r = _run(saved, "softmax_layer", "model_structure", layers=EXPECTED_LAYERS)
    assert r.status == "pass", r.details
    assert r.found[1]["folded"] == "Softmax"


def test_structure_without_folding_sees_three_layers(saved: Path) -> None:
    r = _run(saved, "folded", "model_structure", layers=EXPECTED_LAYERS, fold_activations=False)
    assert r.status == "fail"
    assert _keys(r)[0] == "structure.count"
    assert r.details[0]["params"] == {"found": 3, "expected": 2}


def test_optional_layer_may_be_there_or_not(saved: Path) -> None:
    for model in ("drop_first", "drop_between"):
        r = _run(saved, model, "model_structure", layers=OPTIONAL_DROPOUT)
        assert (r.status, r.fraction) == ("pass", 1.0), (model, r.details)


def test_optional_layer_does_not_excuse_a_misplaced_one(saved: Path) -> None:
    r = _run(saved, "drop_after_output", "model_structure", layers=OPTIONAL_DROPOUT)
    assert r.status == "fail"
    # the Dropout is after the output instead of between the two Dense: said as such, not as
    # "layer 2 is a Dense where a Dropout was expected, layer 3 a Dropout where a Dense was"
    assert r.details == [
        {"message": "structure.missing_layer", "params": {"expected": "Dropout(0.5)", "where_key": "layer.where.after",
                                                          "pos": 1, "after": "Dense(2, tanh)"}},
        {"message": "structure.extra_layer", "params": {"pos": 3, "found": "Dropout(0.5)"}}]
    assert "optional" not in str(r.expected)
    assert r.message == "structure.wrong_optional"
    assert render(r.message, r.params).startswith(
        "La arquitectura no coincide con la pedida ([Dropout(0.5)] → Dense(2, tanh) → Dropout(0.5) → Dense(3, softmax); "
        "entre corchetes, las capas que puedes poner o no)")


# issue 17: one extra layer in the middle shifted every later layer ("layer 3 should be a Dense
# with 3 units ...") when layers were compared by position
def test_an_extra_layer_in_the_middle_is_the_only_thing_named(saved: Path) -> None:
    r = _run(saved, "extra_middle", "model_structure", layers=EXPECTED_LAYERS)
    assert r.details == [{"message": "structure.count", "params": {"found": 3, "expected": 2}},
                         {"message": "structure.extra_layer", "params": {"pos": 2, "found": "Dense(5)"}}]


def test_a_missing_first_layer_is_placed_at_the_start(saved: Path) -> None:
    r = _run(saved, "softmax_only", "model_structure", layers=EXPECTED_LAYERS)
    assert r.details == [{"message": "structure.count", "params": {"found": 1, "expected": 2}},
                         {"message": "structure.missing_layer", "params": {"expected": "Dense(2, tanh)",
                                                                           "where_key": "layer.where.first"}}]
    assert render("structure.missing_layer", r.details[1]["params"]) == (
        "Falta `Dense(2, tanh)` al principio del modelo.")


def test_per_layer_counts_are_aligned_too(saved: Path) -> None:
    r = _run(saved, "extra_middle", "param_count", per_layer=[10, 9])
    assert r.status == "fail"
    # the extra Dense(5) is named once; the output layer then has 6 inputs, so its count differs
    # too, and is said to follow from it
    assert [r.message, *_keys(r)] == ["structure.count", "structure.extra_layer", "params.wrong_after_change"]
    assert r.details[0]["params"] == {"pos": 2, "found": "Dense(5)"}
    assert (r.details[1]["params"]["pos"], r.details[1]["params"]["found"]) == (3, 18)
    r = _run(saved, "extra_middle", "output_shapes", layers=[[None, 2], [None, 3]])
    assert [r.message, *_keys(r)] == ["structure.count", "structure.extra_layer"]
    r = _run(saved, "first_only", "param_count", per_layer=[10, 9])
    assert render(r.details[0]["message"], r.details[0]["params"]) == (
        "Falta una capa de 9 parámetros después de la capa 1 (`Dense(2, tanh)`).")


def test_per_layer_lists_pair_layers_as_the_architecture_check_does(saved: Path) -> None:
    """issue 17: per-layer counts and shapes were paired by their numbers alone, so a model with
    activation layers of its own or one extra layer had required layers called extra and counts
    compared with another layer's. With the spec's architecture, they pair as it does."""
    spec = SPEC.model_copy(update={"checks": [CheckSpec(id="arq", kind="model_structure", artifact="m",
                                                        expect={"layers": EXPECTED_LAYERS})]})

    def run(model: str, kind: str, **expect: Any) -> CheckResult:
        ctx = CheckContext(spec, ExecutionOutcome(status="ok", artifacts={"m": {
            "status": "ok", "kind": "model", "found_as": "m", "cell": 1, "file": f"{model}.keras"}}), saved)
        return run_check(CheckSpec(id="c", kind=kind, artifact="m", expect=expect), ctx)

    assert run("act_layers", "param_count", per_layer=[10, 9]).status == "pass"
    assert run("act_layers", "output_shapes", layers=[[None, 2], [None, 3]]).status == "pass"
    r = run("extra_middle", "param_count", per_layer=[10, 9])
    assert [r.message, *_keys(r)] == ["structure.count", "structure.extra_layer", "params.wrong_input"]
    assert (r.details[1]["params"]["pos"], r.details[1]["params"]["found"]) == (3, 18)
    assert "La capa está como se pide" in render(r.details[1]["message"], r.details[1]["params"])
    r = run("units4", "param_count", per_layer=[10, 9])  # Dense(4): its own setting, then its effect
    assert [d["message"] for d in [{"message": r.message}, *r.details]] == ["params.wrong", "params.wrong_input"]
    # another network altogether: its layers are not paired one by one with the asked ones (a
    # reviewer read "layer 1 `Reshape()` is extra" of a flatten step and an activation called extra)
    for kind, expect in (("param_count", {"per_layer": [10, 9]}), ("output_shapes", {"layers": [[None, 2], [None, 3]]})):
        r = run("noisy_net", kind, **expect)
        assert (r.status, r.message, r.details) == ("fail", "structure.count", []), (kind, r)
        assert r.params == {"found": 7, "expected": 2}


def test_a_skipped_optional_layer_and_an_extra_one_name_only_the_extra(saved: Path) -> None:
    r = _run(saved, "skip_optional_add_last", "model_structure", layers=OPTIONAL_DROPOUT)
    assert r.status == "fail"
    # 4 layers is a count the exercise allows (3 to 4): only the extra layer is said
    assert r.details == [{"message": "structure.extra_layer", "params": {"pos": 4, "found": "Dropout(0.5)"}}]
    r = _run(saved, "good", "model_structure", layers=OPTIONAL_DROPOUT)
    assert r.details[0] == {"message": "structure.count_range", "params": {"found": 2, "fewest": 3, "most": 4}}
    assert render(r.details[0]["message"], r.details[0]["params"]) == (
        "El modelo tiene 2 capas; el ejercicio admite de 3 a 4. Revisa que no falte ni sobre ninguna.")


def test_optional_key_is_valid_and_typos_are_not() -> None:
    from grader.checks import expect_problem

    assert expect_problem("model_structure", {"layers": OPTIONAL_DROPOUT}) is None
    assert "optinal" in str(expect_problem("model_structure", {"layers": [{"type": "Dense", "optinal": True}]}))


# ----------------------------------------------------------------------------- params
def test_param_count_max_total(saved: Path) -> None:
    assert _run(saved, "good", "param_count", max_total=19).status == "pass"
    r = _run(saved, "good", "param_count", max_total=15)
    assert (r.status, r.message) == ("fail", "params.too_many")
    assert render(r.message, r.params) == ("El modelo tiene 19 parámetros; para esta parte se pide como mucho 15. "
                                           "Prueba con menos neuronas o menos capas.")

def test_param_count_total(saved: Path) -> None:
    r = _run(saved, "good", "param_count", total=19)
    assert (r.status, r.message) == ("pass", "params.ok")
    assert r.found == {"total": 19, "trainable": 19, "non_trainable": 0, "per_layer": [10, 9]}
    assert render(r.message, r.params) == "Número de parámetros correcto: 19."


def test_param_count_wrong_total(saved: Path) -> None:
    r = _run(saved, "good", "param_count", total=17)
    assert (r.status, r.message) == ("fail", "params.wrong")
    assert render(r.message, r.params) == "Total del modelo: 19 parámetros; se esperaban 17."
    assert render(r.message, r.params, "en") == "Model total: 19 parameters; expected 17."


def test_param_count_per_layer_unfolded(saved: Path) -> None:
    r = _run(saved, "folded", "param_count", total=19, per_layer=[10, 9, 0])
    assert r.status == "pass", r.details
    r = _run(saved, "folded", "param_count", per_layer=[10, 8, 0])
    assert (r.status, r.message) == ("fail", "params.wrong")
    assert render(r.message, r.params, "en") == "Layer 2 (Dense): 9 parameters; expected 8."


def test_param_count_trainable_and_non_trainable(saved: Path) -> None:
    # Dense(2) on 4 inputs: 10; BatchNormalization(2): gamma+beta trainable, mean+var not
    r = _run(saved, "batchnorm", "param_count", total=18, trainable=14, non_trainable=4)
    assert r.status == "pass", r.details
    r = _run(saved, "batchnorm", "param_count", trainable=18)
    assert r.status == "fail"
    assert r.params["what_key"] == "params.what.trainable"


# ----------------------------------------------------------------------------- shapes
def test_output_shapes_match(saved: Path) -> None:
    r = _run(saved, "good", "output_shapes", input=[None, 4], output=[None, 3],
             layers=[[None, 2], [None, 3]])
    assert (r.status, r.message) == ("pass", "shapes.ok")
    assert r.found == {"layers": [[None, 2], [None, 3]], "input": [None, 4], "output": [None, 3]}
    assert render(r.message, r.params, "en") == "The model's output shape is the one asked for: (None, 3)."


def test_output_shapes_input_only_speaks_of_the_input(saved: Path) -> None:
    r = _run(saved, "good", "output_shapes", input=[None, 4])
    assert (r.status, r.message) == ("pass", "shapes.ok_input")
    assert render(r.message, r.params) == "La forma de entrada del modelo es la pedida: (None, 4)."


def test_output_shapes_wrong_output(saved: Path) -> None:
    r = _run(saved, "first_only", "output_shapes", input=[None, 4], output=[None, 3])
    assert (r.status, r.message) == ("fail", "shapes.wrong")
    assert render(r.message, r.params) == "Salida del modelo: forma (None, 2); se esperaba (None, 3)."
    assert r.details == []


def test_output_shapes_wrong_input_and_output(saved: Path) -> None:
    r = _run(saved, "good", "output_shapes", input=[None, 5], output=[None, 2])
    assert r.status == "fail"
    assert render(r.message, r.params, "en") == "Model input: shape (None, 4); expected (None, 5)."
    assert len(r.details) == 1
    assert render(r.details[0]["message"], r.details[0]["params"], "en") == (
        "Model output: shape (None, 3); expected (None, 2).")


def test_output_shapes_per_layer(saved: Path) -> None:
    r = _run(saved, "good", "output_shapes", layers=[[None, 2], [None, 4]])
    assert (r.status, r.message) == ("fail", "shapes.wrong")
    assert render(r.message, r.params, "en") == "Layer 2 (Dense): shape (None, 3); expected (None, 4)."


def test_output_shapes_layer_count(saved: Path) -> None:
    r = _run(saved, "first_only", "output_shapes", layers=[[None, 2], [None, 3]])
    assert r.status == "fail"
    assert r.params == {"found": 1, "expected": 2}  # the first detail (structure.count) fills it
    assert r.details == [{"message": "shapes.missing_layer", "params": {
        "expected": [None, 3], "where_key": "layer.where.after", "pos": 1, "after": "Dense(2, tanh)"}}]
    assert render(r.details[0]["message"], r.details[0]["params"]) == (
        "Falta una capa con salida de forma (None, 3) después de la capa 1 (`Dense(2, tanh)`).")


# grader/checks/model.py check_shapes: the result's message is always "shapes.wrong", even when
# the first problem (whose params fill the result) is a "structure.count" detail; the student
# then reads "{what}: forma 1; se esperaba 2." (check_params uses details[0]["message"]).
def test_output_shapes_layer_count_message(saved: Path) -> None:
    r = _run(saved, "first_only", "output_shapes", layers=[[None, 2], [None, 3]])
    assert r.message == "structure.count"
    assert render(r.message, r.params) == (
        "El modelo tiene 1 capas; se esperaban 2. Revisa que no falte ni sobre ninguna.")


# ----------------------------------------------------------------------------- loading
def test_found_as_alias_is_reported(saved: Path) -> None:
    check = CheckSpec(id="c", kind="param_count", artifact="m", expect={"total": 19})
    r = run_check(check, _ctx(saved, "good", found_as="model"))
    assert r.status == "pass"
    assert r.details == [{"message": "artifact.found_as", "params": {"name": "m", "found_as": "model"}}]


@pytest.mark.parametrize(("why", "es", "en"), [
    ("role", "el único cuya entrada y salida encajan", "the only one whose input and output fit"),
    ("last_trained", "el último cuyo `fit` terminó", "the last one whose `fit` finished"),
    ("last_trained_cut", "el último que se entrenó con `fit` (entre los que encajan con los datos del ejercicio); su "
     "`fit` no terminó porque se agotó el límite de tiempo de la celda tras 3 época(s)", "ran out after 3 epoch(s)"),
    ("last_created", "el último que se creó entre los que encajan", "the last one created among those that fit"),
    ("last_created_any", "el último que se creó con alguna capa (ninguno se entrenó", "the last one created with any"),
    ("last_trained_any", "el último cuyo `fit` terminó. Si", "the last one whose `fit` finished. If")])
def test_a_model_found_by_its_role_says_which_and_why(saved: Path, why: str, es: str, en: str) -> None:
    check = CheckSpec(id="c", kind="param_count", artifact="m", expect={"total": 19})
    r = run_check(check, _ctx(saved, "good", found_as="model_d", chosen_by=why, candidates=["model", "model_d"],
                              epochs=3))
    assert r.status == "pass"
    [detail] = r.details
    assert detail["message"] == "artifact.discovered"
    text_es, text_en = (render(detail["message"], detail["params"], lang) for lang in ("es", "en"))
    assert text_es.startswith("Se calificó el modelo `model_d` porque no hay ninguna `m`: de los modelos del "
                              "notebook (`model`, `model_d`), es " + es)
    assert text_en.startswith("Model `model_d` was graded because there is no `m`") and en in text_en


def test_context_refuses_lambda_in_safe_mode(saved: Path) -> None:
    model, (key, params) = _ctx(saved, "lambda").model("m")
    assert model is None
    assert key == "model.unsafe"
    assert params["error"].startswith("ValueError: ")
    assert "`Lambda` layer" in params["error"]


def test_context_unbuilt_model(saved: Path) -> None:
    model, (key, params) = _ctx(saved, "unbuilt").model("m")
    assert model is None
    assert (key, params) == ("model.not_built", {"layers": "Dense"})


@pytest.mark.parametrize(("model", "key", "params"), [
    ("pooling_only", "model.no_weighted_layers", {"layers": "Reshape, MaxPooling2D, Flatten"}),
    ("empty", "model.empty", {})])
def test_context_model_without_weights_says_why(saved: Path, model: str, key: str, params: dict[str, Any]) -> None:
    found, reason = _ctx(saved, model).model("m")
    assert found is None and reason == (key, params)
    r = _run(saved, model, "param_count", total=10)
    assert (r.status, r.message) == ("missing", key)
    es, en = (render(key, r.params, lang) for lang in ("es", "en"))
    assert "keras.Input" not in es + en  # the input shape is not what is missing
    assert "`m`" in es and "`m`" in en


def test_a_model_without_weights_is_named_as_the_notebook_names_it(saved: Path) -> None:
    """issue 17: "model `modelo_ejercicio` has no layers" was said of the student's `model`."""
    check = CheckSpec(id="c", kind="param_count", artifact="m", expect={"total": 10})
    r = run_check(check, _ctx(saved, "empty", found_as="model"))
    assert (r.message, r.params["name"]) == ("model.empty", "model")
    assert render(r.message, r.params).startswith("El modelo `model` no tiene ninguna capa.")


def test_context_loads_model_once(saved: Path) -> None:
    ctx = _ctx(saved, "good")
    first, _ = ctx.model("m")
    second, _ = ctx.model("m")
    assert first is not None and first is second


def test_lambda_model_is_missing_unsafe(saved: Path) -> None:
    r = _run(saved, "lambda", "model_structure", layers=EXPECTED_LAYERS)
    assert (r.status, r.message) == ("missing", "model.unsafe")
    assert r.params["name"] == "m"
    assert "Lambda" in r.params["error"]


def test_unbuilt_model_is_missing_not_built(saved: Path) -> None:
    r = _run(saved, "unbuilt", "param_count", total=10)
    assert (r.status, r.message) == ("missing", "model.not_built")
    assert r.params == {"name": "m", "layers": "Dense"}


def test_absent_model_is_missing(saved: Path) -> None:
    check = CheckSpec(id="c", kind="model_structure", artifact="m",
                      expect={"layers": EXPECTED_LAYERS})
    outcome = ExecutionOutcome(status="ok", artifacts={
        "m": {"status": "absent", "kind": "model", "candidates": ["a", "b"]}})
    r = run_check(check, CheckContext(SPEC, outcome, saved))
    assert (r.status, r.message) == ("missing", "artifact.candidates")
    assert r.params == {"name": "m", "candidates": "a, b"}


def test_save_failed_model_is_missing(saved: Path) -> None:
    check = CheckSpec(id="c", kind="param_count", artifact="m", expect={"total": 19})
    outcome = ExecutionOutcome(status="ok", artifacts={
        "m": {"status": "save_failed", "kind": "model", "error": "ValueError: boom"}})
    r = run_check(check, CheckContext(SPEC, outcome, saved))
    assert (r.status, r.message) == ("missing", "artifact.save_failed")
    assert r.params == {"name": "m", "error": "ValueError: boom"}


@pytest.mark.parametrize(("type_", "what"), [("builtins.function", "una función"), ("builtins.type", "una clase")])
def test_a_name_that_holds_code_is_told_so_not_to_convert_it(saved: Path, type_: str, what: str) -> None:
    """issue 17: `def mse(y, p)` where the exercise wants the value `mse` was told "convert it"."""
    ctx = CheckContext(SPEC, ExecutionOutcome(status="ok", artifacts={"m": {"status": "unsupported", "type": type_}}),
                       saved)
    r = run_check(CheckSpec(id="c", kind="value", artifact="m", expect={"value": 1.0}), ctx)
    assert (r.status, r.message) == ("missing", "artifact.is_code")
    assert render(r.message, r.params) == (f"`m` es {what}, no un valor: el ejercicio pide lo que calcula. Guarda el "
                                           "resultado en `m` (y da otro nombre a la función, si la necesitas).")


def test_an_unbuilt_model_whose_fit_failed_is_told_the_fit_failed(saved: Path) -> None:
    """issue 17: a model built by its first fit, whose fit cell failed on a missing data file,
    was told to "add keras.Input"; the cause is the failed cell."""
    import nbformat

    from grader.pipeline import codemap

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\ndf = pd.read_csv('iris.csv')"),
                nbformat.v4.new_code_cell("m = keras.Sequential([keras.layers.Dense(2)])"),
                nbformat.v4.new_code_cell("m.fit(df.values, y)")]
    from grader.model.outcomes import CellOutcome

    out = ExecutionOutcome(status="error", code=codemap.build(nb), artifacts={
        "m": {"status": "ok", "kind": "model", "found_as": "m", "object_id": 7, "file": "unbuilt.keras"}})
    out.cells = [CellOutcome(index=0, status="error", ename="FileNotFoundError", evalue="No such file: 'iris.csv'"),
                 CellOutcome(index=1, status="ok"),
                 CellOutcome(index=2, status="error", ename="NameError", evalue="name 'df' is not defined")]
    r = run_check(CheckSpec(id="c", kind="param_count", artifact="m", expect={"total": 10}),
                  CheckContext(SPEC, out, saved))
    assert (r.message, r.params["cause_key"]) == ("model.not_built_because", "training.cause.fit_cell_failed_root")
    es = render(r.message, r.params)
    assert "ningún `fit` suyo terminó" in es and "FileNotFoundError: No such file: 'iris.csv'" in es
