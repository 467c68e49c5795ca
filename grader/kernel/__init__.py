"""What runs INSIDE the student's kernel. Nothing here decides a score.

The grader copies this folder into the kernel's runtime folder and imports it as the package
``_dl_grader_kernel`` (``grader.pipeline.execute``); so it imports only the standard library (NumPy,
Keras and pandas are used only once the student's code has imported them; a test enforces it),
and its tracebacks show its source. The grader calls only the entry points in ``ENTRY_POINTS``,
each as a one-line cell:

* ``setup(config)`` before the first cell: the seeds (``seeds``) and the adaptations for
  notebooks written for Colab, Kaggle or a laptop online — offline ``keras.datasets``
  (``datasets``), dataset paths and URLs (``paths``), ``google.colab`` (``colab``), display-only
  libraries (``standins``), ``!pip`` and magics (``shell``), code written for older Keras,
  NumPy, pandas and scikit-learn (``compat``) — and the compute budget on ``fit`` (``fit``). Every adaptation is recorded as an event that the report lists.
* ``warm(names)`` in a kernel started ahead of its notebook: the imports, off the clock.
* ``begin()`` right before the student's first cell: the seeds again.
* ``export(cell_index)`` after each cell: the declared artifacts and ``manifest.json``
  (``save``; the manifest's shape is ``manifest``, which the grader imports too).
* ``finish()`` after the last cell: the device used and the libraries' versions (``versions``).

A student can tamper with all of this; the worst they get is a different artifact, which the
clean checker process judges like any other.
"""

# ruff: noqa: BLE001  (everything here must survive whatever the student's code did)
from __future__ import annotations

import importlib
import os
import random
import sys
from typing import Any

from . import compat, compat_keras, compat_libs, save
from .colab import install_colab_shim, install_selfcheck_stub
from .datasets import patch_get_file, patch_keras_datasets
from .fit import patch_fit, patch_lineage
from .hooks import AfterImport
from .paths import install_file_redirects, patch_pandas
from .save import export
from .seeds import cap_gpu_tensorflow, cap_gpu_torch, seed_keras
from .shell import install_shell_policy
from .standins import install_display_stand_ins, patch_plot_model
from .state import CONFIG, STATE, event
from .versions import finish

# what the grader may call, each from a cell of its own (grader.pipeline.cells.kernel_call)
ENTRY_POINTS = ("setup", "warm", "begin", "export", "finish")
__all__ = ["CONFIG", "ENTRY_POINTS", "begin", "export", "finish", "setup", "warm"]


def setup(config: dict[str, Any]) -> None:
    CONFIG.update(config)
    seed = int(config.get("seed", 0))
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except Exception:
        pass
    if "keras" in sys.modules:
        _on_keras()
    else:
        sys.meta_path.insert(0, AfterImport("keras", _on_keras))
    os.makedirs(config["artifacts_dir"], exist_ok=True)
    for step in (install_file_redirects, install_colab_shim, install_shell_policy, install_selfcheck_stub,
                 install_display_stand_ins):
        try:
            step()
        except Exception as exc:
            event("internal", detail=f"{step.__name__}: {exc!r}"[:300])
    try:
        compat.install()  # old module paths; NumPy's removed aliases (compat: adapt only)
    except Exception as exc:
        event("internal", detail=f"compat.install: {exc!r}"[:300])
    for name, hook in (("pandas", _on_pandas), ("sklearn.preprocessing", _on_sklearn_preprocessing),
                       ("sklearn.metrics", compat_libs.patch_sklearn_metrics),
                       ("tensorflow", compat_libs.patch_tensorflow),
                       ("matplotlib.style", compat_libs.patch_matplotlib_style),
                       ("matplotlib.axes", compat_libs.patch_matplotlib_axes)):
        if name in sys.modules:
            hook()
        else:
            sys.meta_path.insert(0, AfterImport(name, hook))
    if config.get("gpu_memory_mb") and config.get("device") != "cpu":
        for name, cap in (("tensorflow", cap_gpu_tensorflow), ("torch", cap_gpu_torch)):
            if name in sys.modules:
                cap()
            else:
                sys.meta_path.insert(0, AfterImport(name, cap))
    save.write_manifest()


def warm(names: list[str]) -> None:
    """Import what notebooks of this exercise will import, before the notebook is known (a
    batch starts the next kernel while the current one runs). Nothing lands in the student's
    namespace; the import hooks fire as they would in the student's own import."""
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            pass


def begin() -> None:
    """Right before the student's first cell: the seeds again, so a kernel that imported
    Keras ahead of time starts the notebook in the same state as a fresh one."""
    seed = int(CONFIG.get("seed", 0))
    random.seed(seed)
    np = sys.modules.get("numpy")
    if np is not None:
        try:
            np.random.seed(seed)
        except Exception:
            pass
    if "keras" in sys.modules:
        STATE["seeded"] = False
        seed_keras()


def _on_pandas() -> None:
    patch_pandas()
    compat_libs.patch_pandas()


def _on_sklearn_preprocessing() -> None:
    compat_libs.patch_sklearn_preprocessing()
    compat_libs.patch_sklearn_imputer()


def _on_keras() -> None:
    seed_keras()
    # compat after the fit wrapper: old argument names become today's before the budget sees them
    for step in (patch_keras_datasets, patch_fit, patch_lineage, patch_get_file, patch_plot_model, compat_keras.patch_keras):
        try:
            step()
        except Exception as exc:
            event("internal", detail=f"{step.__name__}: {exc!r}"[:300])
