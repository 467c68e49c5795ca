"""The dataset registry, its lookup order, its errors, and provisioning into a workdir."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.cli import main
from grader.data import datasets
from grader.pipeline import provision
from grader.pipeline.spec import load_spec
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
        update={"data": ["sonar", "titanic", "mnist", "optdigits", "iris"]})
    ws = provision.provision(spec, SHARED_DATA)
    try:
        names = sorted(str(p.relative_to(ws.workdir)) for p in ws.workdir.rglob("*") if p.is_file())
        assert {"Sonar.csv", "sonar.csv", "sonar.all-data", "train.csv", "test.csv", "titanic/train.csv",
                "titanic/test.csv", "optdigits_train.csv", "optdigits.tes", "sonar_dataset.csv",
                "sonar.all-data.csv", "Copy of sonar data.csv", "gender_submission.csv", "titanic.zip",
                "iris.csv", "Iris.csv", "iris.data", "iris_training.csv", "iris_test.csv"} <= set(names)
        assert set(ws.kernel_data["student_files"]) == set(names)
        # every known URL is answered by a file that is there
        assert set(ws.kernel_data["known_urls"]) == set(datasets.KNOWN_URLS)
        assert all(name in names for name in ws.kernel_data["known_urls"].values())
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

    from grader.data.datasets import make_spirals
    from tests.fixtures.variants.spirals import GENERATOR

    source = GENERATOR[GENERATOR.index("def make_spirals"):GENERATOR.index("\nX, y =")]
    scope: dict[str, object] = {"np": np}
    exec(source, scope)  # noqa: S102 - our own fixture text
    for args in ((400, 0.1, 0), (2000, 0.1, 2024)):
        mine, theirs = make_spirals(*args), scope["make_spirals"](*args)  # type: ignore[operator]
        assert np.array_equal(mine[0], theirs[0]) and np.array_equal(mine[1], theirs[1])


# the files a student downloads, generated (compared byte for byte with the published copies when
# the generators were written: seaborn-data's iris.csv, UCI's iris.data as jbrownlee/Datasets
# serves it, TensorFlow's iris_training.csv / iris_test.csv — 2,194 and 573 bytes; Iris.csv has
# Kaggle's layout and size)
IRIS_FILES = {
    "iris.csv": (3858, "9cc1c345c71bcc9b486b74cbf6063fa66f4bb5e0f603a4b3c3471ec2e5e8e355"),
    "Iris.csv": (5107, "600ac44f23c2e6e0ae37daac8ceb2baba4df963efa580eb31b3b576b28e34c55"),
    "iris.data": (4551, "6f608b71a7317216319b4d27b4d9bc84e6abd734eda7872b71a458569e2656c0"),
    "iris_training.csv": (2194, "c4c7652b14da06ba63b37f9f47d2e9aa4edced85701c9f8fce37501a1ca792e4"),
    "iris_test.csv": (573, "3b6dde8ad159a8545d4b4d8290a9cc7d49a9a8803d6ffe755884269371cc1eb1"),
}


def test_iris_files_under_the_names_and_formats_students_download() -> None:
    import hashlib

    import pandas as pd
    from sklearn.datasets import load_iris

    files = datasets.derived_files(datasets.locate("iris"))
    assert list(files) == list(IRIS_FILES)
    for name, (size, digest) in IRIS_FILES.items():
        assert (len(files[name]), hashlib.sha256(files[name]).hexdigest()) == (size, digest), name
    ref = load_iris()
    seaborn = pd.read_csv(io.BytesIO(files["iris.csv"]))
    assert np.array_equal(seaborn.iloc[:, :4].to_numpy(), ref.data)  # scikit-learn's values
    assert list(seaborn["species"].unique()) == ["setosa", "versicolor", "virginica"]
    uci = pd.read_csv(io.BytesIO(files["iris.data"]), header=None)
    kaggle = pd.read_csv(io.BytesIO(files["Iris.csv"]))
    assert uci.shape == (150, 5) and list(kaggle.columns)[0] == "Id" and kaggle["Species"][0] == "Iris-setosa"
    assert np.array_equal(kaggle.iloc[:, 1:5].to_numpy(), uci.iloc[:, :4].to_numpy())
    # UCI's two known errata (rows 35 and 38) are the only differences from scikit-learn's copy
    assert sorted({int(i) for i in np.nonzero(uci.iloc[:, :4].to_numpy() != ref.data)[0]}) == [34, 37]
    # TensorFlow's split: a header row, then 120 + 30 rows that together are UCI's 150
    train = files["iris_training.csv"].decode().splitlines()
    test = files["iris_test.csv"].decode().splitlines()
    assert train[0] == "120,4,setosa,versicolor,virginica" and test[0] == "30,4,setosa,versicolor,virginica"
    assert train[1:3] == ["6.4,2.8,5.6,2.2,2", "5.0,2.3,3.3,1.0,1"] and test[1] == "5.9,3.0,4.2,1.5,1"
    species = {"Iris-setosa": "0", "Iris-versicolor": "1", "Iris-virginica": "2"}
    uci_rows = [line.rsplit(",", 1) for line in files["iris.data"].decode().split()]
    assert sorted(train[1:] + test[1:]) == sorted(f"{x},{species[s]}" for x, s in uci_rows)


@needs_shared
def test_titanic_kaggle_files_come_from_the_public_files_only() -> None:
    import zipfile

    import pandas as pd

    found = datasets.locate("titanic", SHARED_DATA)
    files = datasets.derived_files(found)
    gender = pd.read_csv(io.BytesIO(files["gender_submission.csv"]))
    test = pd.read_csv(found.path("test.csv"))
    assert list(gender.columns) == ["PassengerId", "Survived"] and len(gender) == 418
    assert gender["Survived"].tolist() == (test["Sex"] == "female").astype(int).tolist()
    # Kaggle's published score of its gender submission, 0.76555, i.e. 320 of 418: the labels are
    # right, and the baseline is not them
    labels = pd.read_csv(found.path("test_labels.csv"))
    assert int((gender.merge(labels, on="PassengerId").pipe(lambda m: m.Survived_x == m.Survived_y)).sum()) == 320
    with zipfile.ZipFile(io.BytesIO(files["titanic.zip"])) as archive:
        assert sorted(archive.namelist()) == ["gender_submission.csv", "test.csv", "train.csv"]
        assert archive.read("train.csv") == found.path("train.csv").read_bytes()
        assert archive.read("test.csv") == found.path("test.csv").read_bytes()
        assert archive.read("gender_submission.csv") == files["gender_submission.csv"]
    assert datasets.derived_files(found) == files  # the same bytes every time (fixed zip dates)


def test_known_urls_name_registered_or_derived_files() -> None:
    for url, (name, file) in datasets.KNOWN_URLS.items():
        ds = datasets.REGISTRY[name]
        assert file in ds.student_names or file in ds.derived, url
    assert datasets.KNOWN_URLS["https://storage.googleapis.com/download.tensorflow.org/data/iris_training.csv"] \
        == ("iris", "iris_training.csv")
