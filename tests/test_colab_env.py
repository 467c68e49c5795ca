"""The kernel's environment as Colab and Kaggle have it: the `colab` extra is installed, and a
display-only library that is still missing gets a stand-in that shows nothing (the kernel test
is `test_adapt.py::test_missing_libraries_and_the_files_students_download`)."""

from __future__ import annotations

import importlib.util
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from grader.kernel.standins import _DISPLAY_ONLY, _DisplayStandIns, _StandIn
from tests.conftest import ROOT

# distribution -> the module a notebook imports
IMPORT_NAMES = {
    "seaborn": "seaborn", "plotly": "plotly", "altair": "altair", "missingno": "missingno",
    "ipywidgets": "ipywidgets", "pydot": "pydot", "graphviz": "graphviz", "prettytable": "prettytable",
    "tabulate": "tabulate", "tqdm": "tqdm", "tensorboard": "tensorboard", "xgboost-cpu": "xgboost",
    "xgboost": "xgboost", "lightgbm": "lightgbm", "statsmodels": "statsmodels",
    "imbalanced-learn": "imblearn", "openpyxl": "openpyxl", "opencv-python-headless": "cv2",
}


def test_every_package_of_the_colab_extra_is_installed_and_importable() -> None:
    tomllib = pytest.importorskip("tomllib")
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["colab"]
    wanted = [Requirement(spec) for spec in extra]
    assert {r.name for r in wanted} == set(IMPORT_NAMES)
    for req in wanted:
        if req.marker is not None and not req.marker.evaluate():
            continue
        assert metadata.version(req.name), req.name  # PackageNotFoundError when not installed
        assert importlib.util.find_spec(IMPORT_NAMES[req.name]) is not None, req.name
    # libraries that compute are never stood in for
    assert not {"xgboost", "lightgbm", "statsmodels", "imblearn", "cv2", "tqdm", "tensorboard"} & _DISPLAY_ONLY


def test_stand_in_takes_any_call_and_shows_nothing() -> None:
    fig = _StandIn("plotly")
    assert fig.update_layout(width=3).data[0].marker is fig
    assert (fig | fig) is fig and (fig + 1) is fig and list(fig) == [] and len(fig) == 0
    fig.title = "x"
    fig["a"] = 1
    with fig.batch_update():
        pass
    assert getattr(fig, "_repr_html_", None) is None  # IPython shows its plain text, nothing more
    assert "plotly" in repr(fig) and "dl-grader" in repr(fig)

    class Widget(_StandIn("ipywidgets")):  # type: ignore[misc]  # subclassing a stood-in class
        pass

    assert isinstance(Widget(1, value=2).observe, _StandIn)


def test_stand_ins_only_for_the_students_own_imports() -> None:
    # called from here (not a notebook cell): a library's optional import, never stood in for
    assert _DisplayStandIns().find_spec("plotly", None) is None
    assert _DisplayStandIns().find_spec("xgboost", None) is None
    with pytest.raises(ModuleNotFoundError, match="xgboost"):
        _DisplayStandIns(frozenset({"xgboost"})).find_spec("xgboost", None)
    assert _DisplayStandIns(frozenset({"xgboost"})).find_spec("numpy", None) is None
