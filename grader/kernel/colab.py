"""``google.colab`` (``drive.mount``, ``files.upload`` …) answered locally when it is not
installed, and the student's own ``from grader import check`` made a no-op while grading."""

from __future__ import annotations

import builtins
import os
import sys
import types
from importlib.abc import Loader, MetaPathFinder
from typing import Any

from .state import CONFIG, ORIGINAL, event, say


def install_selfcheck_stub() -> None:
    """``from grader import check; check()`` in a notebook being graded: a no-op that says so
    (the grader may not even be importable inside the sandbox, and must not grade recursively)."""
    import types

    stub = types.ModuleType("grader")

    def check(*args: Any, **kwargs: Any) -> None:
        event("selfcheck_skipped")
        say("check(): se omite mientras el grader califica este notebook.",
             "check(): skipped while the grader grades this notebook.")

    stub.check = check  # type: ignore[attr-defined]
    stub.__version__ = "grading"  # type: ignore[attr-defined]
    sys.modules["grader"] = stub


# ---- google.colab (drive.mount, files.upload) answered locally
class _ColabFinder(MetaPathFinder, Loader):
    """Serves a small stand-in for ``google.colab`` when the real one is not installed."""

    names = ("google", "google.colab", "google.colab.drive", "google.colab.files",
             "google.colab.output", "google.colab.patches")

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in self.names:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(fullname, self, is_package=fullname in ("google", "google.colab"))

    def create_module(self, spec: Any) -> Any:
        module = types.ModuleType(spec.name)
        if spec.name in ("google", "google.colab"):
            module.__path__ = []  # type: ignore[attr-defined]
        return module

    def exec_module(self, module: Any) -> None:
        builders = {"google.colab.drive": _colab_drive, "google.colab.files": _colab_files,
                    "google.colab.output": _colab_output, "google.colab.patches": _colab_patches}
        if module.__name__ in builders:
            builders[module.__name__](module)
        if module.__name__ == "google.colab":
            module.__dict__["_dl_grader_stub"] = True


def _colab_drive(module: Any) -> None:
    def mount(mountpoint: str = "/content/drive", *args: Any, **kwargs: Any) -> None:
        event("drive_mount", mountpoint=str(mountpoint))
        say("drive.mount() omitido: los archivos del ejercicio ya están en la carpeta de trabajo "
             "(las rutas de Drive se resuelven a ellos).",
             "drive.mount() skipped: the exercise's files are already in the working folder "
             "(Drive paths resolve to them).")

    def flush_and_unmount(*args: Any, **kwargs: Any) -> None:
        return None

    module.mount, module.flush_and_unmount = mount, flush_and_unmount


def _colab_files(module: Any) -> None:
    def upload(*args: Any, **kwargs: Any) -> dict[str, bytes]:
        workdir = CONFIG.get("workdir", ".")
        out = {}
        for name in CONFIG.get("student_files", {}):
            if "/" not in name:
                with ORIGINAL.get("open", builtins.open)(os.path.join(workdir, name), "rb") as f:
                    out[name] = f.read()
        event("files_upload", files=len(out))
        say("files.upload() respondido con los archivos del ejercicio: " + ", ".join(out),
             "files.upload() answered with the exercise's files: " + ", ".join(out))
        return out

    def download(filename: Any, *args: Any, **kwargs: Any) -> None:
        event("files_download", file=str(filename)[:200])

    module.upload, module.download = upload, download


def _colab_output(module: Any) -> None:
    def nothing(*args: Any, **kwargs: Any) -> None:
        return None

    module.clear = module.enable_custom_widget_manager = module.disable_custom_widget_manager = nothing
    module.eval_js = nothing


def _colab_patches(module: Any) -> None:
    def cv2_imshow(*args: Any, **kwargs: Any) -> None:
        event("skipped_call", call="cv2_imshow")

    module.cv2_imshow = cv2_imshow


def install_colab_shim() -> None:
    try:
        from importlib.util import find_spec

        if find_spec("google.colab") is not None:  # really on Colab: leave it alone
            return
    except Exception:
        pass
    sys.meta_path.append(_ColabFinder())
