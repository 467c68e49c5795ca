"""The dataset registry, its lookup order, its errors, and provisioning into a workdir."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from grader import datasets, provision
from grader.cli import main
from grader.spec import load_spec
from tests.conftest import ROOT, SHARED_DATA

needs_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"needs the shared datasets at {SHARED_DATA}")


@pytest.fixture
def no_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with no datasets anywhere the grader looks (except /usr/share, read-only)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("DLGRADER_DATA_DIR", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg"))
    monkeypatch.setenv("KERAS_HOME", str(home / "keras"))
    return home


def _copy(dataset: str, dest: Path) -> Path:
    folder = datasets.REGISTRY[dataset].layouts[0].folder
    shutil.copytree(SHARED_DATA / folder, dest / folder)
    return dest / folder


@needs_shared
@pytest.mark.parametrize("name", sorted(datasets.REGISTRY))
def test_every_dataset_is_found_in_the_shared_copy_and_matches_its_checksums(name: str) -> None:
    found = datasets.locate(name, SHARED_DATA)
    assert datasets.verify(found) == []


@needs_shared
def test_real_shapes_and_facts() -> None:
    mnist = datasets.load("mnist", SHARED_DATA)
    assert mnist["train"][0].shape == (60000, 28, 28) and mnist["test"][0].shape == (10000, 28, 28)
    assert list(mnist["train"][1][:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert int((mnist["train"][1] == 1).sum()) == 6742
    cifar = datasets.load("cifar10", SHARED_DATA)
    assert cifar["train"][0].shape == (20000, 32, 32, 3) and cifar["test"][1].shape == (10000, 1)
    x, y = datasets.load("sonar", SHARED_DATA)["all"]
    assert x.shape == (208, 60) and int(y.sum()) == 111  # M (mine) = 1
    titanic = datasets.load("titanic", SHARED_DATA)
    assert len(titanic["test"][1]) == 418 and titanic["test"][0][0] == 892
    digits = datasets.load("optdigits", SHARED_DATA)
    assert list(np.bincount(digits["train"][1])) == [376, 389, 380, 389, 387, 376, 377, 387, 380, 382]


def test_missing_dataset_error_names_the_dataset_the_places_and_the_fix(no_data: Path) -> None:
    with pytest.raises(datasets.DatasetMissing) as err:
        datasets.locate("sonar", no_data / "empty")
    text = str(err.value)
    assert "dataset 'sonar' not found" in text
    assert str(no_data / "empty" / "sonar") in text
    assert str(no_data / "keras" / "datasets" / "sonar") in text
    assert "grader data fetch sonar" in text and "--data-dir" in text


@needs_shared
def test_lookup_order_flag_then_env_then_user_folder_then_keras_cache(
        tmp_path: Path, no_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flag, env, keras_cache = tmp_path / "flag", tmp_path / "env", no_data / "keras" / "datasets"
    for d in (flag, env, keras_cache):
        _copy("sonar", d)
    monkeypatch.setenv("DLGRADER_DATA_DIR", str(env))
    assert datasets.locate("sonar", flag).folder == flag / "sonar"
    assert datasets.locate("sonar").folder == env / "sonar"
    monkeypatch.delenv("DLGRADER_DATA_DIR")
    assert datasets.locate("sonar").folder == keras_cache / "sonar"


def test_keras_cache_layout_of_mnist_is_used(no_data: Path) -> None:
    cache = no_data / "keras" / "datasets"
    cache.mkdir(parents=True)
    x = np.zeros((3, 28, 28), "uint8")
    np.savez(cache / "mnist.npz", x_train=x, y_train=np.arange(3, dtype="uint8"), x_test=x[:1],
             y_test=np.zeros(1, "uint8"))
    found = datasets.locate("mnist")
    assert found.folder == cache and found.layout.format == "npz"
    assert datasets.load("mnist")["train"][1].tolist() == [0, 1, 2]
    # the Keras copy has a published checksum: this home-made one is reported as corrupt
    assert datasets.verify(found) and "checksum" in datasets.verify(found)[0]


@needs_shared
def test_corrupt_file_is_reported_by_verify_and_by_load(tmp_path: Path) -> None:
    folder = _copy("mnist", tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    found = datasets.locate("mnist", tmp_path)
    assert any("t10k-labels" in p for p in datasets.verify(found))
    with pytest.raises(datasets.DatasetCorrupt, match="grader data verify mnist"):
        datasets.load("mnist", tmp_path)


def test_no_hidden_file_is_ever_given_to_students() -> None:
    for ds in datasets.REGISTRY.values():
        for source in ds.student_names:
            known = ds.file(source)
            assert known is not None, f"{ds.name}: {source} is not a registered file"
            assert not known.hidden, f"{ds.name}: hidden {source} would reach students"
    assert "test_labels.csv" not in datasets.REGISTRY["titanic"].student_names
    assert "titanic3.csv" not in datasets.REGISTRY["titanic"].student_names


@needs_shared
def test_provision_copies_student_files_under_student_names_and_nothing_hidden(tmp_path: Path) -> None:
    spec = load_spec(ROOT / "exercises" / "iris" / "spec.yaml").model_copy(
        update={"data": ["sonar", "titanic", "mnist", "optdigits"]})
    ws = provision.provision(spec, SHARED_DATA)
    try:
        names = sorted(str(p.relative_to(ws.workdir)) for p in ws.workdir.rglob("*") if p.is_file())
        assert {"Sonar.csv", "sonar.csv", "sonar.all-data", "train.csv", "test.csv", "titanic/train.csv",
                "titanic/test.csv", "optdigits_train.csv", "optdigits.tes"} <= set(names)
        assert not any("label" in n or "titanic3" in n for n in names)
        everything = [p.name for p in ws.root.rglob("*")]
        assert "test_labels.csv" not in everything and "titanic3.csv" not in everything
        assert (ws.workdir / "Sonar.csv").read_bytes() == (SHARED_DATA / "sonar" / "sonar.csv").read_bytes()
        mnist = ws.kernel_data["datasets"]["mnist"]
        assert mnist["format"] == "idx" and len(mnist["files"]) == 4
        assert ws.kernel_data["known_urls"]  # the UCI sonar URL answers from the local copy
    finally:
        ws.cleanup()
    assert not ws.root.exists()


def test_grade_with_a_missing_dataset_is_a_clear_error_not_a_traceback(
        no_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text((ROOT / "exercises" / "iris" / "spec.yaml").read_text().replace(
        "data: [iris]", "data: [iris, sonar]").replace("../../reference/", str(ROOT / "reference") + "/"))
    nb = tmp_path / "nb.ipynb"
    nb.write_text("{}")
    code = main(["grade", str(spec), str(nb), "--rubric", str(ROOT / "rubrics" / "iris.yaml"),
                 "--out", str(tmp_path / "out"), "--data-dir", str(tmp_path / "nothing")])
    err = capsys.readouterr().err
    assert code == 2
    assert "dataset 'sonar' not found" in err and "grader data fetch sonar" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # stopped before grading anything


@needs_shared
def test_data_list_and_verify_commands(capsys: pytest.CaptureFixture[str], no_data: Path) -> None:
    assert main(["data", "verify", "sonar", "titanic", "--data-dir", str(SHARED_DATA)]) == 0
    out = capsys.readouterr().out
    assert "sonar: ok" in out and "titanic: ok" in out
    assert main(["data", "list", "--data-dir", str(SHARED_DATA)]) == 0
    out = capsys.readouterr().out
    assert "cifar10" in out and "found" in out
    assert main(["data", "verify", "nosuch"]) == 3


def test_data_fetch_command_names_unknown_datasets_before_downloading(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "fetch", "iris", "nosuch", "--dest", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "unknown dataset 'nosuch'" in err and "mnist" in err
    assert list(tmp_path.iterdir()) == []  # nothing fetched
    assert main(["data", "fetch", "iris", "--dest", str(tmp_path)]) == 0
    assert "iris: ready" in capsys.readouterr().out


def test_spirals_generator_copied_into_notebooks_is_the_graders() -> None:
    """Statement and fixture notebooks carry their own copy of make_spirals (students have no
    grader to import); it must give exactly the grader's points."""
    import numpy as np

    from grader.datasets import make_spirals
    from tests.fixtures.variants.spirals import GENERATOR

    source = GENERATOR[GENERATOR.index("def make_spirals"):GENERATOR.index("\nX, y =")]
    scope: dict[str, object] = {"np": np}
    exec(source, scope)  # noqa: S102 - our own fixture text
    for args in ((400, 0.1, 0), (2000, 0.1, 2024)):
        mine, theirs = make_spirals(*args), scope["make_spirals"](*args)  # type: ignore[operator]
        assert np.array_equal(mine[0], theirs[0]) and np.array_equal(mine[1], theirs[1])
