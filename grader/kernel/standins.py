"""Display-only libraries that are not installed get stand-ins whose calls show nothing, and
``keras.utils.plot_model`` without Graphviz says so instead of failing."""

from __future__ import annotations

import importlib
import sys
import types
from importlib.abc import Loader, MetaPathFinder
from typing import Any

from .hooks import swap_code
from .state import CONFIG, ORIGINAL, event, say

# ---- display-only libraries that are not installed: stand-ins whose calls do nothing
# Plotting, widget and pretty-printing libraries only show things, so a notebook computes the same
# results without them: when one is missing here, importing it in the student's code gives a
# stand-in module (reported) instead of an ImportError that would skip the rest of the cell.
# Libraries that compute (xgboost, lightgbm, torch …) are never stood in for: their ImportError
# stays, and so does a library's own attempt at an optional dependency.
_DISPLAY_ONLY = frozenset({
    "plotly", "altair", "bokeh", "holoviews", "hvplot", "cufflinks", "chart_studio", "mpld3",
    "seaborn", "missingno", "ipywidgets", "pydot", "pydotplus", "pydot_ng", "graphviz", "visualkeras",
    "ann_visualizer", "keras_visualizer", "dtreeviz", "folium", "pyvis", "prettytable", "tabulate",
    "ydata_profiling", "pandas_profiling", "sweetviz",
})
# names in a display-only library that do compute something: using one fails, naming the library
_NOT_DISPLAY = {"seaborn": frozenset({"load_dataset", "get_dataset_names"})}


class _StandInBase:
    """What a class inherits when it subclasses something of a stood-in library."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return _StandIn(type(self).__name__)


class _StandIn:
    """Everything a stood-in library gives: calling it, reading or setting an attribute, indexing,
    iterating, combining (altair's ``a | b``) and ``with`` all work and show nothing. Private names
    stay missing, so IPython and ``copy`` see an ordinary object."""

    __slots__ = ("_library",)

    def __init__(self, library: str) -> None:
        object.__setattr__(self, "_library", library)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self

    def __setattr__(self, attr: str, value: Any) -> None:
        pass

    def __getitem__(self, key: Any) -> Any:
        return self

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __mro_entries__(self, bases: Any) -> tuple[type, ...]:
        return (_StandInBase,)

    def _same(self, other: Any) -> Any:
        return self

    __add__ = __radd__ = __or__ = __ror__ = __and__ = __rand__ = __mul__ = __rmul__ = _same

    def __repr__(self) -> str:
        return f"<{self._library}: no instalado, no se muestra nada / not installed, nothing shown (dl-grader)>"


def _student_import() -> bool:
    """Whether the import being resolved is written in the student's code (a cell runs in
    ``__main__``), not a library trying an optional dependency."""
    frame = sys._getframe(1)
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if not (frame.f_globals is globals() or name.startswith("importlib")
                or frame.f_code.co_filename.startswith("<frozen")):
            return name == "__main__"
        frame = frame.f_back  # type: ignore[assignment]
    return False


class _DisplayStandIns(MetaPathFinder, Loader):
    """Serves a stand-in for a display-only library the student imports and that is not
    installed. Appended to ``sys.meta_path``, it is asked only after the real finders failed.
    ``hidden`` (tests only, before the real finders): libraries to treat as not installed."""

    def __init__(self, hidden: frozenset[str] = frozenset()) -> None:
        self.hidden = hidden

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        top = fullname.partition(".")[0]
        if fullname != top and getattr(sys.modules.get(top), "_dl_grader_stand_in", False):
            from importlib.machinery import ModuleSpec

            return ModuleSpec(fullname, self, is_package=True)  # plotly.express of a stand-in
        if self.hidden and top not in self.hidden:
            return None
        if fullname != top or top not in _DISPLAY_ONLY or not _student_import():
            if self.hidden:
                raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: Any) -> Any:
        module = types.ModuleType(spec.name)
        module.__path__ = []  # type: ignore[attr-defined]
        return module

    def exec_module(self, module: Any) -> None:
        top = module.__name__.partition(".")[0]
        computes = _NOT_DISPLAY.get(top, frozenset())

        def __getattr__(attr: str) -> Any:
            if attr.startswith("_"):
                raise AttributeError(attr)
            if attr in computes:
                raise ModuleNotFoundError(f"No module named {top!r} ({top}.{attr} computes data: "
                                          "it has no stand-in)", name=top)
            return _StandIn(top)

        module.__getattr__ = __getattr__
        module._dl_grader_stand_in = True
        if module.__name__ == top:
            event("display_stand_in", module=top)
            say(f"'{top}' no está instalado aquí: solo muestra resultados, así que sus llamadas se "
                 "ejecutan sin mostrar nada (los cálculos del notebook no cambian).",
                 f"'{top}' is not installed here: it only displays results, so its calls run and "
                 "show nothing (the notebook's computations do not change).")


def install_display_stand_ins() -> None:
    hidden = frozenset(str(name) for name in CONFIG.get("hide_modules") or ())
    if hidden:
        sys.meta_path.insert(0, _DisplayStandIns(hidden))
    sys.meta_path.append(_DisplayStandIns())


_PLOT_MODEL_SOURCE = (
    "def plot_model(*args, **kwargs):\n"
    "    return __import__('sys').modules[{module!r}]._keras_plot_model(args, kwargs)\n"
)


def patch_plot_model() -> None:
    """``keras.utils.plot_model`` without pydot or Graphviz's ``dot`` program: Keras prints a
    line and draws nothing; the report says so too. With both installed it draws as usual."""
    module = importlib.import_module("keras.src.utils.model_visualization")
    original = swap_code(module.plot_model, "_keras_plot_model", _PLOT_MODEL_SOURCE.format(module=__name__))
    if original is not None:
        ORIGINAL["plot_model"] = original
        ORIGINAL["check_graphviz"] = module.check_graphviz


def _keras_plot_model(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        drawable = bool(ORIGINAL["check_graphviz"]())
    except Exception:
        drawable = False
    if drawable:
        return ORIGINAL["plot_model"](*args, **kwargs)
    event("plot_model_skipped")
    say("plot_model() no dibujó el diagrama: falta Graphviz (el programa 'dot') en el entorno del "
         "grader. El modelo no cambia.",
         "plot_model() drew no diagram: Graphviz (the 'dot' program) is missing in the grader's "
         "environment. The model does not change.")
    return None
