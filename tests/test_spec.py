"""Stage 1 — loading and validating specs and rubrics.

Each broken copy of the real cnn_params spec/rubric has exactly one thing wrong, and the
error text is compared in full: it must name the file, the field and what is allowed.
"""

from __future__ import annotations

import subprocess
import sys
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
from grader.model.errors import GraderError, SpecError
from grader.model.spec import ExerciseSpec, Rubric
from grader.pipeline.spec import load_rubric, load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "exercises" / "cnn_params" / "spec.yaml"
RUBRIC = ROOT / "rubrics" / "cnn_params.yaml"

CHECK_IDS = [
    "params_ejemplo", "salida_ejemplo", "params_ejercicio", "salida_ejercicio",
    "valor_convolucion", "capa_ejemplo", "params_capa_ejemplo", "capa_ejercicio",
    "forma_capa_ejercicio", "params_capa_ejercicio", "ejecucion_limpia",
]
DECLARED = ("modelo_ejemplo, modelo_ejercicio, params_ejemplo, params_ejercicio, "
            "salida_ejemplo, salida_ejercicio, valor_convolucion")


def _broken(tmp_path: Path, source: Path, old: str, new: str, name: str = "spec.yaml") -> Path:
    """A copy of ``source`` with exactly one occurrence of ``old`` replaced by ``new``."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture text {old!r} must occur once in {source}"
    target = tmp_path / name
    target.write_text(text.replace(old, new), encoding="utf-8")
    return target.resolve()


def _spec_error(path: Path) -> str:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return str(info.value)


def _rubric_error(path: Path, spec: ExerciseSpec) -> str:
    with pytest.raises(SpecError) as info:
        load_rubric(path, spec)
    return str(info.value)


@pytest.fixture(scope="module")
def spec() -> ExerciseSpec:
    return load_spec(SPEC)


# ----------------------------------------------------------------------------- real files
def test_real_spec_loads(spec: ExerciseSpec) -> None:
    assert spec.id == "cnn_params"
    assert spec.schema_version == 1
    assert spec.path == SPEC
    assert [c.id for c in spec.checks] == CHECK_IDS
    assert spec.title.get("en") == "Parameters and output size of a convolutional layer"
    assert spec.title.get("es").startswith("Parámetros")
    assert spec.budget.cell_timeout == 60
    assert spec.budget.notebook_timeout == 300
    model = spec.artifact("modelo_ejercicio")
    assert model is not None
    assert model.kind == "model" and model.discover is True
    assert model.aliases == ["model_ejercicio", "modelo", "model"]
    plain = spec.artifact("params_ejemplo")
    assert plain is not None and plain.kind == "value" and plain.discover is False
    assert spec.artifact("nope") is None
    assert spec.resolve("statement.ipynb") == SPEC.parent / "statement.ipynb"
    first = spec.checks[0]
    assert (first.kind, first.artifact, first.expect) == ("value", "params_ejemplo",
                                                          {"equals": 456, "type": "int"})


def test_real_rubric_loads(spec: ExerciseSpec) -> None:
    rubric = load_rubric(RUBRIC, spec)
    assert isinstance(rubric, Rubric)
    assert rubric.exercise == "cnn_params"
    assert rubric.path == RUBRIC
    assert list(rubric.checks) == CHECK_IDS
    assert rubric.max_points == pytest.approx(10.0)
    assert rubric.checks["params_ejercicio"].points == 2
    assert rubric.checks["capa_ejemplo"].proportional is True
    assert rubric.checks["params_capa_ejemplo"].proportional is False
    feedback = rubric.checks["params_ejemplo"].feedback
    assert feedback is not None and feedback.get("en").startswith("Each filter has")


def test_spec_error_is_a_grader_error() -> None:
    assert issubclass(SpecError, GraderError)
    assert issubclass(SpecError, ValueError)
    assert SpecError.exit_code == 3


# ----------------------------------------------------------------------------- broken specs
def test_missing_schema_version(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "schema_version: 1\n", "")
    assert _spec_error(path) == (
        f"{path}: field 'schema_version': required; this grader reads version 1"
    )


def test_unsupported_schema_version(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "schema_version: 1\n", "schema_version: 99\n")
    assert _spec_error(path) == (
        f"{path}: field 'schema_version': version 99 is not supported; "
        "this grader reads version 1"
    )


def test_unknown_check_kind_lists_valid_kinds(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "kind: ran_cleanly,", "kind: ran_clean,")
    message = _spec_error(path)
    assert "valid kinds: metric, model_structure, output_shapes, param_count, predictions, ran_cleanly, text_answer, training, value" in message
    assert message == (
        f"{path}: field 'checks.10.kind': unknown check kind 'ran_clean'; valid kinds: "
        "metric, model_structure, output_shapes, param_count, predictions, ran_cleanly, text_answer, training, value"
    )


def test_unknown_expect_key_for_value(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "expect: {equals: 456, type: int}", "expect: {equal: 456, type: int}")
    assert _spec_error(path) == (
        f"{path}: field 'checks.0.expect': unknown key(s) equal for kind 'value'; "
        "allowed: equals, one_of, rel_tolerance, shape, tolerance, type"
    )


def test_check_with_undeclared_artifact(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "artifact: salida_ejercicio,", "artifact: salida,")
    assert _spec_error(path) == (
        f"{path}: field 'checks.3.artifact': 'salida' is not declared under 'artifacts'; "
        f"declared: {DECLARED}"
    )


def test_duplicate_check_id(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "{id: salida_ejemplo,", "{id: params_ejemplo,")
    assert _spec_error(path) == f"{path}: field 'checks.1.id': duplicate check id 'params_ejemplo'"


def test_unknown_top_level_field(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "data: []", "dificultad: 3\ndata: []")
    assert _spec_error(path) == (
        f"{path}: field 'dificultad': unknown field (check its spelling against "
        "docs/spec-format.md)"
    )


def test_missing_required_field(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "reference: ../../reference/cnn_params.ipynb\n", "")
    assert _spec_error(path) == f"{path}: field 'reference': required field is missing"


def test_invalid_yaml(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "id: cnn_params\n", "id: cnn_params\n  oops: 1\n")
    assert _spec_error(path) == (
        f"{path}: not valid YAML: mapping values are not allowed here\n"
        '  in "<unicode string>", line 4, column 7:\n'
        "      oops: 1\n"
        "          ^"
    )


def test_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert _spec_error(path.resolve()) == (
        f"{path.resolve()}: must be a YAML mapping (key: value pairs) at the top level"
    )


def test_spec_file_not_found(tmp_path: Path) -> None:
    path = (tmp_path / "nope.yaml").resolve()
    assert _spec_error(path) == f"{path}: file not found"


def test_check_kind_needs_model_artifact(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "{id: params_capa_ejemplo, kind: param_count, artifact: modelo_ejemplo,",
                   "{id: params_capa_ejemplo, kind: param_count, artifact: params_ejemplo,")
    assert _spec_error(path) == (
        f"{path}: field 'checks.6.artifact': kind 'param_count' reads a model, but "
        "'params_ejemplo' is declared as kind 'value'"
    )


def test_bad_value_type_rejected(tmp_path: Path) -> None:
    path = _broken(tmp_path, SPEC, "expect: {equals: 147, type: int}", "expect: {equals: 147, type: integer}")
    assert _spec_error(path) == (
        f"{path}: field 'checks.2.expect.type': type 'integer' is not one of: "
        "array, bool, int, number, sequence, str"
    )


ALL_KINDS = ["metric", "model_structure", "output_shapes", "param_count", "predictions", "ran_cleanly", "text_answer", "training", "value"]


def test_registry_is_complete() -> None:
    from grader.checks import kinds

    assert sorted(kinds()) == ALL_KINDS


# grader/checks/__init__.py kinds(): ``if not REGISTRY: _load_kinds()`` -- once any single kind
# module has been imported (e.g. ``from grader.checks.values import check_value``), REGISTRY is
# non-empty but partial, and load_spec rejects every other kind. Run in a fresh interpreter
# because this test session has already imported every kind module.
def test_registry_is_complete_after_importing_one_kind_module() -> None:
    code = ("import grader.checks.values\n"
            "from grader.pipeline.spec import load_spec\n"
            f"load_spec({str(SPEC)!r})\n"
            "from grader.checks import kinds\n"
            "print(','.join(sorted(kinds())))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
    assert done.stdout.strip() == ",".join(ALL_KINDS)


# ----------------------------------------------------------------------------- broken rubrics
def test_rubric_missing_points_for_a_check(tmp_path: Path, spec: ExerciseSpec) -> None:
    path = _broken(tmp_path, RUBRIC, "  ejecucion_limpia: {points: 0.5}\n", "", "rubric.yaml")
    assert _rubric_error(path, spec) == (
        f"{path}: field 'checks': no points given for check(s): ejecucion_limpia"
    )


def test_rubric_names_a_check_not_in_spec(tmp_path: Path, spec: ExerciseSpec) -> None:
    path = _broken(tmp_path, RUBRIC, "  ejecucion_limpia: {points: 0.5}\n",
                   "  ejecucion_limpia: {points: 0.5}\n  bonus: {points: 1}\n", "rubric.yaml")
    assert _rubric_error(path, spec) == (
        f"{path}: field 'checks.bonus': no such check in the spec; its checks: "
        + ", ".join(CHECK_IDS)
    )


def test_rubric_band_worth_more_than_check(tmp_path: Path, spec: ExerciseSpec) -> None:
    path = _broken(tmp_path, RUBRIC, "  capa_ejemplo: {points: 0.5, proportional: true}",
                   "  capa_ejemplo: {points: 0.5, bands: [{min: 0.9, points: 1}]}", "rubric.yaml")
    assert _rubric_error(path, spec) == (
        f"{path}: field 'checks.capa_ejemplo.bands': a band gives 1.0 points, more than the "
        "check's 0.5"
    )


def test_rubric_for_another_exercise(tmp_path: Path, spec: ExerciseSpec) -> None:
    path = _broken(tmp_path, RUBRIC, "exercise: cnn_params", "exercise: iris", "rubric.yaml")
    assert _rubric_error(path, spec) == (
        f"{path}: field 'exercise': is 'iris' but the spec is for 'cnn_params'"
    )


def test_rubric_negative_points(tmp_path: Path, spec: ExerciseSpec) -> None:
    path = _broken(tmp_path, RUBRIC, "  ejecucion_limpia: {points: 0.5}",
                   "  ejecucion_limpia: {points: -1}", "rubric.yaml")
    assert _rubric_error(path, spec) == (
        f"{path}: field 'checks.ejecucion_limpia.points': Input should be greater than or "
        "equal to 0"
    )


def test_rubric_schema_version(tmp_path: Path, spec: ExerciseSpec) -> None:
    path = _broken(tmp_path, RUBRIC, "schema_version: 1", "schema_version: 2", "rubric.yaml")
    assert _rubric_error(path, spec) == (
        f"{path}: field 'schema_version': version 2 is not supported; this grader reads version 1"
    )


def test_rubric_without_spec_skips_cross_checks(tmp_path: Path) -> None:
    path = _broken(tmp_path, RUBRIC, "exercise: cnn_params", "exercise: iris", "rubric.yaml")
    rubric = load_rubric(path)
    assert rubric.exercise == "iris"
    assert rubric.max_points == pytest.approx(10.0)


# ----------------------------------------------------------------------------- profiles, data
IRIS = ROOT / "exercises" / "iris" / "spec.yaml"
PROFILES = """profiles:
  ci:
    why: measured
    budget: {max_epochs: 2, data_fraction: 0.5}
    expect: {exactitud: {min: 0.4}}
"""


def _with_profiles(tmp_path: Path, text: str = PROFILES) -> Path:
    target = tmp_path / "spec.yaml"
    source = IRIS.read_text(encoding="utf-8").replace("../../reference/", str(ROOT / "reference") + "/")
    target.write_text(source + text, encoding="utf-8")
    return target


def test_profile_overrides_budget_and_expectations_only(tmp_path: Path) -> None:
    base = load_spec(_with_profiles(tmp_path))
    ci = base.with_profile("ci")
    assert ci.profile == "ci" and base.profile == "full"
    assert (ci.budget.max_epochs, ci.budget.data_fraction, ci.budget.cell_timeout) == (2, 0.5, 300)
    metric = next(c for c in ci.checks if c.id == "exactitud")
    assert metric.expect["min"] == 0.4 and metric.expect["dataset"] == "iris"  # other keys kept
    assert next(c for c in base.checks if c.id == "exactitud").expect["min"] == 0.6  # base untouched
    assert base.with_profile("full") is base and base.with_profile(None) is base


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(GraderError, match="no profile 'fast'; its profiles: full, ci"):
        load_spec(_with_profiles(tmp_path)).with_profile("fast")


def test_profile_expect_for_unknown_check(tmp_path: Path) -> None:
    bad = _with_profiles(tmp_path, PROFILES.replace("exactitud:", "precision:"))
    assert "field 'profiles.ci.expect.precision': no such check" in _spec_error(bad)


def test_profile_expect_is_validated_like_the_check(tmp_path: Path) -> None:
    bad = _with_profiles(tmp_path, PROFILES.replace("{min: 0.4}", "{minimum: 0.4}"))
    assert "profiles.ci.expect.exactitud" in _spec_error(bad)


def test_unknown_dataset_is_named(tmp_path: Path) -> None:
    bad = _broken(tmp_path, IRIS, "data: [iris]", "data: [irises]")
    text = _spec_error(bad)
    assert "field 'data'" in text and "unknown dataset(s) irises" in text and "mnist" in text


def test_budget_fraction_must_be_a_share(tmp_path: Path) -> None:
    bad = _with_profiles(tmp_path, PROFILES.replace("data_fraction: 0.5", "data_fraction: 5"))
    assert "profiles.ci.budget.data_fraction" in _spec_error(bad)


def test_metric_dataset_must_be_declared_under_data(tmp_path: Path) -> None:
    bad = _broken(tmp_path, IRIS, "data: [iris]", "data: [sonar]")
    assert "expect.dataset': 'iris' must also be listed under 'data'" in _spec_error(bad)


def test_aliases_may_be_written_with_accents_but_names_may_not(tmp_path: Path) -> None:
    old = "{name: modelo_ejercicio, kind: model, aliases: [model_ejercicio, modelo, model], discover: true}"
    path = _broken(tmp_path, SPEC, old, old.replace("[model_ejercicio,", "[model_ejercicio, modelo_ejercício,"))
    assert "modelo_ejercício" in load_spec(path).artifact("modelo_ejercicio").aliases  # type: ignore[union-attr]
    path = _broken(tmp_path, SPEC, old, old.replace("name: modelo_ejercicio", "name: modelo_ejercício"))
    assert "'modelo_ejercício' is not a Python variable name in plain ASCII" in _spec_error(path)
    path = _broken(tmp_path, SPEC, old, old.replace("[model_ejercicio,", "[model_ejercicio, class,"))
    assert "'class' is not a Python variable name" in _spec_error(path)


@pytest.mark.parametrize(("kind", "expect", "problem"), [
    ("metric", {"dataset": "iris", "min": 0.9, "holdout": {"test_size": 2}},
     "expect.holdout.test_size: Input should be less than 1"),
    ("metric", {"dataset": "iris", "min": 0.9, "preprocess": {"divid": 255}},
     "expect.preprocess: unknown key 'divid'; allowed: divide, reshape"),
    ("model_structure", {"layers": [{"type": "Dense", "units": 8}, {"type": "Dense", "unit": 3}]},
     "expect.layers.1: unknown key 'unit'"),
    ("training", {"batch_sizes": [32, 0]}, "expect.batch_sizes.1: Input should be greater than 0"),
    ("training", {"not_trained_on": {"dataset": "mnist", "split": "val"}},
     "expect.not_trained_on.split: Input should be 'train' or 'test'"),
    ("ran_cleanly", {"max_failed_cells": -1}, "expect.max_failed_cells: Input should be greater"),
])
def test_expectations_errors_name_the_nested_field(kind: str, expect: dict[str, Any], problem: str) -> None:
    """Per-kind pydantic models (issue 15): the path down to the wrong field, and what is allowed."""
    from grader.checks import expect_problem

    assert str(expect_problem(kind, expect)).startswith(problem)


def test_every_kind_registers_an_expect_model_with_its_defaults() -> None:
    from grader.checks import Expect, kinds

    for kind in kinds().values():
        assert issubclass(kind.expect, Expect), kind.name
    metric = kinds()["metric"].expect.model_validate({"dataset": "iris", "min": 0.5})
    assert (metric.split, metric.metric, metric.holdout) == ("test", "accuracy", None)  # type: ignore[attr-defined]
    assert kinds()["metric"].required == {"dataset", "min"}


def test_has_layer_narrows_discovery_only() -> None:
    """`has_layer` (a CIFAR-10 CNN found by its Conv2D layers) needs `discover: true`."""
    from pydantic import ValidationError

    from grader.model.spec import ArtifactSpec

    art = ArtifactSpec(name="modelo_cnn", kind="model", discover=True, has_layer="Conv2D")
    assert art.has_layer == "Conv2D"
    with pytest.raises(ValidationError, match="has_layer narrows discovery: it needs `discover: true`"):
        ArtifactSpec(name="modelo_cnn", kind="model", has_layer="Conv2D")
    cifar = load_spec(ROOT / "exercises" / "cifar10" / "spec.yaml")
    assert cifar.artifact("modelo_cnn") is not None and cifar.artifact("modelo_cnn").has_layer == "Conv2D"  # type: ignore[union-attr]
