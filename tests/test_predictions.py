"""Check kind ``predictions``: a student's predictions scored on labels only the grader holds.

No kernel: the artifacts are written by the kernel side's own export function
(``grader.kernel.save._export_value``, the code that runs after every cell), so a pandas
DataFrame reaches the checker exactly as it would from a notebook. Most tests use a small
synthetic Titanic folder (20 test passengers) so they run without the shared datasets; the
ones that need the real 418 passengers skip when ``../shared/datasets`` is absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

# Import every check module so that the kind registry is complete whichever test module is
# collected first.
import grader.checks.execution  # noqa: F401
import grader.checks.metrics  # noqa: F401
import grader.checks.model  # noqa: F401
import grader.checks.predictions  # noqa: F401
import grader.checks.values  # noqa: F401
from grader.checks import kinds, run_check, validate_check
from grader.checks.context import CheckContext
from grader.kernel import save as kernel_save
from grader.messages import render
from grader.model.outcomes import CheckResult, ExecutionOutcome
from grader.model.spec import CheckSpec, ExerciseSpec
from grader.pipeline.score import points_for
from grader.pipeline.spec import load_rubric, load_spec
from tests.conftest import ROOT, SHARED_DATA

SPEC = ExerciseSpec(schema_version=1, id="t", title={"es": "t"}, statement="s.ipynb",
                    reference="r.ipynb", data=["titanic"],
                    artifacts=[{"name": "predicciones"}], checks=[])
N_TRAIN, N_TEST = 30, 20
TEST_IDS = np.arange(892, 892 + N_TEST)
# hidden labels of the synthetic test passengers: 8 survivors
LABELS = np.array([1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1])
WOMEN_RULE_ACCURACY = 320 / 418  # 0.7656: "women survive" on the real test.csv


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    """A Titanic folder shaped like the real one: train.csv, test.csv, test_labels.csv."""
    folder = tmp_path / "data" / "titanic"
    folder.mkdir(parents=True)
    pd.DataFrame({"PassengerId": np.arange(1, N_TRAIN + 1), "Survived": np.arange(N_TRAIN) % 2,
                  "Sex": "male"}).to_csv(folder / "train.csv", index=False)
    pd.DataFrame({"PassengerId": TEST_IDS, "Sex": "female"}).to_csv(folder / "test.csv", index=False)
    pd.DataFrame({"PassengerId": TEST_IDS, "Survived": LABELS}).to_csv(folder / "test_labels.csv", index=False)
    return folder.parent


def _export(obj: Any, folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The manifest entry the kernel writes for ``predicciones = obj``."""
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setitem(kernel_save.CONFIG, "artifacts_dir", str(folder))
    return kernel_save._export_value({"name": "predicciones", "kind": "value"}, "predicciones", obj, 3)


def _grade(obj: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: Path | None,
           **expect: Any) -> CheckResult:
    artifacts = tmp_path / "artifacts"
    entry = _export(obj, artifacts, monkeypatch)
    outcome = ExecutionOutcome(status="ok", artifacts={"predicciones": entry})
    check = CheckSpec(id="prediccion_test", kind="predictions", artifact="predicciones",
                      expect={"dataset": "titanic", "min": 0.77, **expect})
    return run_check(check, CheckContext(SPEC, outcome, artifacts, data))


def _kaggle(pred: np.ndarray, ids: np.ndarray = TEST_IDS) -> pd.DataFrame:
    return pd.DataFrame({"PassengerId": ids, "Survived": pred})


def _en(r: CheckResult) -> str:
    return render(r.message, r.params, "en")


def _es(r: CheckResult) -> str:
    return render(r.message, r.params, "es")


def _details(r: CheckResult) -> list[str]:
    return [d["message"] for d in r.details]


# ----------------------------------------------------------------------------- scoring
def test_perfect_predictions_pass_with_accuracy_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    data_dir: Path) -> None:
    r = _grade(LABELS.copy(), tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message, r.measured, r.found, r.expected) == ("pass", "predictions.ok", 1.0, 1.0, 0.77)
    assert r.details == []
    assert _es(r) == ("La exactitud (accuracy) de tus predicciones para los 20 pasajeros de `test.csv`, calculada por el "
                      "grader con las etiquetas reales (que tú no tienes): 1; se pedía al menos 0.77.")
    assert _en(r) == ("Accuracy of your predictions for the 20 passengers in `test.csv`, computed by the "
                      "grader with the real labels (which you do not have): 1; at least 0.77 was asked.")


def test_plain_list_and_booleans_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          data_dir: Path) -> None:
    assert _grade([int(v) for v in LABELS], tmp_path, monkeypatch, data_dir).measured == 1.0
    assert _grade(LABELS.astype(bool), tmp_path, monkeypatch, data_dir).measured == 1.0
    assert _grade(LABELS.reshape(-1, 1), tmp_path, monkeypatch, data_dir).measured == 1.0
    assert _grade(pd.Series(LABELS, index=TEST_IDS), tmp_path, monkeypatch, data_dir).measured == 1.0


def test_low_accuracy_fails_and_keeps_the_measure_for_bands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            data_dir: Path) -> None:
    pred = LABELS.copy()
    pred[:6] = 1 - pred[:6]  # 14 of 20 right
    r = _grade(pred, tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message, r.found) == ("fail", "predictions.low", 0.7)
    assert r.measured == pytest.approx(0.7)
    assert "Revisa el preprocesamiento" in _es(r) and "Check the preprocessing" in _en(r)


@pytest.mark.skipif(not (SHARED_DATA / "titanic" / "test_labels.csv").is_file(),
                    reason="needs the shared Titanic files (../shared/datasets/titanic)")
def test_women_survive_rule_scores_0_7656_on_the_real_test_set(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    test = pd.read_csv(SHARED_DATA / "titanic" / "test.csv")
    rule = (test["Sex"] == "female").astype(int).to_numpy()
    r = _grade(rule, tmp_path, monkeypatch, SHARED_DATA)
    assert r.measured == pytest.approx(WOMEN_RULE_ACCURACY)
    assert (r.status, r.found) == ("fail", 0.7656)
    assert "418 pasajeros de `test.csv`" in _es(r)
    # and as a Kaggle submission, rows shuffled: the same score
    shuffled = _kaggle(rule, test["PassengerId"].to_numpy()).sample(frac=1, random_state=3)
    again = _grade(shuffled, tmp_path, monkeypatch, SHARED_DATA)
    assert again.measured == r.measured and _details(again) == ["predictions.reordered"]
    # a student who dropped the passenger with no Fare is told what is expected
    dropped = _grade(rule[test["Fare"].notna().to_numpy()], tmp_path, monkeypatch, SHARED_DATA)
    assert (dropped.status, dropped.message, dropped.measured) == ("fail", "predictions.wrong_length", None)
    assert _es(dropped).startswith(
        "`predicciones` tiene 417 predicciones; se esperaban 418: una por pasajero de `test.csv`, en el "
        "mismo orden que el archivo.")


def test_the_exercise_rubric_keeps_full_marks_above_the_sex_only_rule() -> None:
    spec = load_spec(ROOT / "exercises" / "titanic" / "spec.yaml")
    rubric = load_rubric(ROOT / "rubrics" / "titanic.yaml", spec)
    item = rubric.checks["prediccion_test"]

    def points(acc: float) -> float:
        status = "pass" if acc >= 0.77 else "fail"
        return points_for(CheckResult(id="prediccion_test", kind="predictions", status=status,  # type: ignore[arg-type]
                                      message="", measured=acc), item)

    assert points(WOMEN_RULE_ACCURACY) < item.points  # the sex-only rule: partial credit
    assert points(325 / 418) == item.points  # the reference's worst seed (docs/results-titanic.md)
    assert points(260 / 418) == 0  # "everybody dies": 0.622
    assert rubric.max_points == 10


# ----------------------------------------------------------------------------- forms students hand in
def test_kaggle_submission_shuffled_scores_like_ordered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        data_dir: Path) -> None:
    pred = LABELS.copy()
    pred[[0, 5, 7]] = 1 - pred[[0, 5, 7]]
    ordered = _grade(_kaggle(pred), tmp_path, monkeypatch, data_dir)
    shuffled = _grade(_kaggle(pred).sample(frac=1, random_state=0), tmp_path, monkeypatch, data_dir)
    assert ordered.measured == shuffled.measured == pytest.approx(17 / 20)
    assert ordered.details == []
    assert _details(shuffled) == ["predictions.reordered"]
    note = shuffled.details[0]
    assert render(note["message"], note["params"]) == (
        "Las filas de `predicciones` no seguían el orden de `test.csv`; el grader las ordenó por "
        "PassengerId antes de calificar.")


def test_kaggle_submission_with_columns_swapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                data_dir: Path) -> None:
    frame = _kaggle(LABELS)[["Survived", "PassengerId"]]
    r = _grade(frame, tmp_path, monkeypatch, data_dir)
    assert r.measured == 1.0 and _details(r) == ["predictions.id_column"]


def test_kaggle_submission_with_mixed_types_is_exported_as_text(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                data_dir: Path) -> None:
    frame = _kaggle(LABELS.astype(bool))  # int ids + bool column: the kernel saves strings
    entry = _export(frame, tmp_path / "probe", monkeypatch)
    assert np.load(tmp_path / "probe" / entry["file"]).dtype.kind == "U"
    r = _grade(frame, tmp_path, monkeypatch, data_dir)
    assert r.measured == 1.0


def test_kaggle_submission_with_float_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    frame = pd.DataFrame({"PassengerId": TEST_IDS, "Survived": LABELS.astype("float32")})
    assert _grade(frame, tmp_path, monkeypatch, data_dir).measured == 1.0


def test_probabilities_are_thresholded_at_one_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   data_dir: Path) -> None:
    rng = np.random.default_rng(0)
    prob = np.where(LABELS == 1, rng.uniform(0.5, 1, N_TEST), rng.uniform(0, 0.49, N_TEST))
    r = _grade(prob.reshape(-1, 1).astype("float32"), tmp_path, monkeypatch, data_dir)
    assert (r.status, r.measured) == ("pass", 1.0)
    assert _details(r) == ["predictions.thresholded"]
    note = r.details[0]
    assert "tomó 1 cuando son ≥ 0.5" in render(note["message"], note["params"])


def test_two_softmax_columns_take_the_most_likely_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        data_dir: Path) -> None:
    p1 = np.where(LABELS == 1, 0.8, 0.3)
    r = _grade(np.stack([1 - p1, p1], axis=1), tmp_path, monkeypatch, data_dir)
    assert (r.status, r.measured, _details(r)) == ("pass", 1.0, ["predictions.argmax"])


def test_swapped_classes_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    r = _grade(1 - LABELS, tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message, r.measured) == ("fail", "predictions.swapped", 0.0)
    assert "1 debe significar `survived`" in _es(r)


def test_constant_predictions_get_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    r = _grade(np.zeros(N_TEST, dtype=int), tmp_path, monkeypatch, data_dir)
    assert r.measured == pytest.approx(12 / 20)
    assert _details(r) == ["predictions.constant"]
    note = r.details[0]
    assert render(note["message"], note["params"]).startswith("Todas tus predicciones son 0:")


def test_other_metrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    pred = np.ones(N_TEST, dtype=int)  # everybody survives: recall 1, precision 8/20
    assert _grade(pred, tmp_path, monkeypatch, data_dir, metric="recall", min=0.5).measured == 1.0
    assert _grade(pred, tmp_path, monkeypatch, data_dir, metric="precision", min=0.5).measured == pytest.approx(0.4)


# ----------------------------------------------------------------------------- the labels are the grader's
def test_labels_are_never_read_from_the_artifact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 data_dir: Path) -> None:
    # A "submission" whose Survived column is the student's guess: all zeros. It is scored against
    # the grader's labels (8 survivors of 20), not against anything the student wrote.
    r = _grade(_kaggle(np.zeros(N_TEST, dtype=int)), tmp_path, monkeypatch, data_dir)
    assert r.measured == pytest.approx(12 / 20)
    # Same artifact, other hidden labels: the score follows the grader's file.
    labels = data_dir / "titanic" / "test_labels.csv"
    pd.DataFrame({"PassengerId": TEST_IDS, "Survived": 0}).to_csv(labels, index=False)
    assert _grade(_kaggle(np.zeros(N_TEST, dtype=int)), tmp_path, monkeypatch, data_dir).measured == 1.0
    # A third column claiming to be the truth is not a form the grader reads at all.
    claimed = _kaggle(np.ones(N_TEST, dtype=int)).assign(label=np.ones(N_TEST, dtype=int))
    r = _grade(claimed, tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message, r.measured) == ("fail", "predictions.wrong_shape", None)


# ----------------------------------------------------------------------------- what is refused, and why
def test_wrong_length_fails_with_the_expected_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   data_dir: Path) -> None:
    r = _grade(LABELS[:-3], tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message, r.measured) == ("fail", "predictions.wrong_length", None)
    assert r.found == {"found_len": 17}
    assert r.expected == {"shape": [20], "values": [0, 1], "order": "test.csv"}
    assert _es(r) == (
        "`predicciones` tiene 17 predicciones; se esperaban 20: una por pasajero de `test.csv`, en el "
        "mismo orden que el archivo. Si quitaste filas de `test.csv` (por ejemplo con `dropna()`), no lo "
        "hagas: rellena los datos que faltan y predice para todos los pasajeros.")
    assert _en(r).startswith("`predicciones` has 17 predictions; 20 were expected: one per passenger in "
                             "`test.csv`, in the file's order.")


def test_predictions_for_the_training_file_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     data_dir: Path) -> None:
    r = _grade(np.zeros(N_TRAIN, dtype=int), tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message) == ("fail", "predictions.other_split")
    assert _es(r).startswith("`predicciones` tiene 30 predicciones, tantas como pasajeros hay en "
                             "`train.csv`; se piden las de `test.csv`: 20")


def test_submission_with_missing_or_repeated_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 data_dir: Path) -> None:
    frame = _kaggle(LABELS).drop(index=[2, 3])
    r = _grade(frame, tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message) == ("fail", "predictions.ids_mismatch")
    assert _es(r).startswith("La columna PassengerId de `predicciones` no coincide con los 20 pasajeros de "
                             "`test.csv`: faltan 2 (por ejemplo 894, 895) y sobran o se repiten 0")
    ids = TEST_IDS.copy()
    ids[0] = ids[1]
    r = _grade(_kaggle(LABELS, ids), tmp_path, monkeypatch, data_dir)
    assert (r.message, r.params["missing"], r.params["extra"]) == ("predictions.ids_mismatch", 1, 1)


@pytest.mark.parametrize(("value", "shape"), [
    (np.zeros((N_TEST, 3)), [N_TEST, 3]),
    (np.zeros((1, N_TEST)), [1, N_TEST]),
    (np.zeros((N_TEST, 2, 2)), [N_TEST, 2, 2]),
    (np.float64(1.0), []),
])
def test_other_shapes_fail_saying_what_is_expected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   data_dir: Path, value: Any, shape: list[int]) -> None:
    r = _grade(value, tmp_path, monkeypatch, data_dir)
    if not shape:  # a NumPy scalar is exported as a plain number
        assert (r.status, r.message) == ("fail", "predictions.not_array")
        return
    assert (r.status, r.message, r.params["found"]) == ("fail", "predictions.wrong_shape", shape)
    shown = ", ".join(str(s) for s in shape)
    assert _es(r).startswith(f"`predicciones` tiene forma ({shown}); se esperaban 20 predicciones, una por "
                             "pasajero de `test.csv` y en el mismo orden: un vector de forma (20,) o (20, 1)")


def test_none_and_other_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    r = _grade(None, tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message) == ("fail", "predictions.none")
    assert _es(r).startswith("`predicciones` vale `None`: todavía no guardaste ahí tus predicciones.")
    r = _grade("sobreviven las mujeres", tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message, r.params["found_type"]) == ("fail", "predictions.not_array", "str")


@pytest.mark.parametrize("value", [
    np.linspace(-3, 3, N_TEST),  # logits: no sigmoid on the last layer
    LABELS * 2,  # classes 0/2
    np.where(LABELS == 1, np.nan, 0.0),
    np.array(["si" if v else "quizás" for v in LABELS]),
])
def test_values_that_are_not_classes_or_probabilities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      data_dir: Path, value: np.ndarray) -> None:
    r = _grade(value, tmp_path, monkeypatch, data_dir)
    assert (r.status, r.message, r.measured) == ("fail", "predictions.bad_values", None)
    assert "(p >= 0.5).astype(int)" in _es(r) and "(p >= 0.5).astype(int)" in _en(r)


def test_a_few_nan_predictions_are_counted_as_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     data_dir: Path) -> None:
    """jeanarnon's Titanic notebook: the last passenger's features are NaN, so is its prediction;
    the other 417 probabilities are scored, the NaN counted as a miss and named."""
    probs = np.where(LABELS == 1, 0.9, 0.1)
    probs[-1] = np.nan
    r = _grade(probs, tmp_path, monkeypatch, data_dir)
    assert r.status == "pass"
    assert r.measured == pytest.approx((N_TEST - 1) / N_TEST)
    nan_note = next(d for d in r.details if d["message"] == "predictions.nan_counted_wrong")
    assert render(nan_note["message"], nan_note["params"]).startswith(
        "`predicciones` tiene 1 predicción(es) NaN: a esas filas de test.csv les quedó alguna característica sin "
        "valor, y se contaron como fallos. Revisa cómo construyes las características de prueba")
    many = probs.copy()
    many[:20] = np.nan  # more than a few: not predictions of this file
    assert _grade(many, tmp_path, monkeypatch, data_dir).message == "predictions.bad_values"


def test_missing_artifact_is_reported_by_the_registry(tmp_path: Path, data_dir: Path) -> None:
    outcome = ExecutionOutcome(status="ok", artifacts={"predicciones": {"status": "absent", "kind": "value"}})
    check = CheckSpec(id="p", kind="predictions", artifact="predicciones", expect={"dataset": "titanic", "min": 0.7})
    r = run_check(check, CheckContext(SPEC, outcome, tmp_path, data_dir))
    assert (r.status, r.message) == ("missing", "artifact.absent")


# ----------------------------------------------------------------------------- spec validation
def test_kind_is_registered_and_needs_a_value() -> None:
    kind = kinds()["predictions"]
    assert kind.needs == "value"
    assert kind.required == {"dataset", "min"}


@pytest.mark.parametrize(("expect", "field", "problem"), [
    ({"dataset": "iris", "min": 0.7}, "expect.dataset", "dataset 'iris' has no per-row ids and hidden labels; "
                                                        "predictions can be scored on: titanic"),
    ({"dataset": "titanic", "min": 0.7, "metric": "auc"}, "expect.metric",
     "metric 'auc' is not one of: accuracy, precision, recall, f1"),
    ({"dataset": "titanic", "min": 0.7, "split": "all"}, "expect.split", "split 'all' is not one of: test, train"),
    ({"dataset": "titanic", "min": 77}, "expect.min", "min (the pass threshold) must be a number between 0 and 1"),
    ({"dataset": "titanic", "min": 0.7, "limit": 10}, "expect",
     "unknown key(s) limit for kind 'predictions'; allowed: dataset, metric, min, split"),
    ({"dataset": "titanic"}, "expect", "kind 'predictions' requires: min"),
])
def test_bad_expectations_are_refused(expect: dict[str, Any], field: str, problem: str) -> None:
    check = CheckSpec(id="p", kind="predictions", artifact="predicciones", expect=expect)
    assert validate_check(check, SPEC) == (field, problem)
