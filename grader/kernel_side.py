"""Code that runs INSIDE the student's kernel. Nothing here decides a score.

This file is sent to the kernel as source text and executed into a private module
(``_dl_grader_kernel``), so it must import only the standard library (NumPy and Keras are
used only if the student's code has imported them). It does three things:

* ``setup(config)`` before the first cell: fixes the seeds (Python, NumPy, and the Keras
  backend the moment Keras is imported) and applies the compute budget hooks.
* ``export(cell_index)`` after each cell: saves the declared artifacts — Keras models in the
  native ``.keras`` format, plain values as JSON or ``.npy`` (never pickle) — and rewrites
  ``manifest.json``. A student can tamper with all of this; the worst they get is a different
  artifact, which the clean checker process judges like any other.
* ``finish()`` after the last cell: records the device actually used and library versions.
"""

# ruff: noqa: BLE001  (everything here must survive whatever the student's code did)
from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from importlib.abc import MetaPathFinder
from typing import Any

_CONFIG: dict[str, Any] = {}
_STATE: dict[str, Any] = {"fingerprints": {}, "manifest": {}, "seeded": False, "events": []}
MAX_JSON_ITEMS = 10_000


# --------------------------------------------------------------------------- seeds
def _seed_keras() -> None:
    if _STATE["seeded"]:
        return
    _STATE["seeded"] = True
    seed = _CONFIG.get("seed", 0)
    try:
        keras = sys.modules["keras"]
        keras.utils.set_random_seed(seed)
    except Exception as exc:  # keras partially imported or an old version
        _STATE["events"].append(f"could not seed keras: {exc!r}")
    tf = sys.modules.get("tensorflow")
    if tf is not None and _CONFIG.get("deterministic", True):
        try:
            tf.config.experimental.enable_op_determinism()
        except Exception:
            pass


class _AfterImport(MetaPathFinder):
    """Runs a callback right after a top-level module finishes importing."""

    def __init__(self, name: str, callback: Any) -> None:
        self.name, self.callback, self.busy = name, callback, False

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name or self.busy:
            return None
        self.busy = True
        try:
            from importlib.util import find_spec

            spec = find_spec(fullname)
        finally:
            self.busy = False
        if spec is None or spec.loader is None:
            return spec
        loader, callback = spec.loader, self.callback
        original_exec = loader.exec_module

        def exec_module(module: Any) -> None:
            original_exec(module)
            try:
                callback()
            except Exception:
                pass

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def setup(config: dict[str, Any]) -> None:
    _CONFIG.update(config)
    seed = int(config.get("seed", 0))
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except Exception:
        pass
    if "keras" in sys.modules:
        _seed_keras()
    else:
        sys.meta_path.insert(0, _AfterImport("keras", _seed_keras))
    os.makedirs(config["artifacts_dir"], exist_ok=True)
    _write_manifest()


# --------------------------------------------------------------------------- export
def _user_ns() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell.user_ns if shell is not None else {}
    except Exception:
        return {}


def _keras_model_class() -> Any:
    keras = sys.modules.get("keras")
    if keras is None:
        return None
    try:
        return keras.Model
    except Exception:
        return None


def _is_model(obj: Any) -> bool:
    cls = _keras_model_class()
    try:
        return cls is not None and isinstance(obj, cls)
    except Exception:
        return False


def _model_fingerprint(model: Any) -> tuple[Any, ...]:
    parts: list[Any] = [id(model)]
    for getter in (
        lambda: len(model.layers),
        lambda: int(model.optimizer.iterations.numpy()) if model.optimizer is not None else -1,
        lambda: model.count_params() if model.built else -1,
        lambda: tuple(float(w.numpy().ravel()[:1].sum()) for w in model.weights[:2]),
    ):
        try:
            parts.append(getter())
        except Exception:
            parts.append(None)
    return tuple(parts)


def _plain(value: Any, depth: int = 0) -> Any:
    """Convert to plain JSON data, or raise TypeError naming the unsupported type.

    Exact type checks (not isinstance): a subclass of int with a rigged ``__eq__`` is not a
    number here. NumPy scalars become Python numbers through NumPy's own ``item()``.
    """
    t = type(value)
    if depth > 20:
        raise TypeError("nested too deeply")
    if value is None or t in (bool, int, str):
        return value
    if t is float:
        return value if math.isfinite(value) else repr(value)
    if t.__module__ == "numpy" and hasattr(value, "dtype") and getattr(value, "shape", None) == ():
        import numpy as np

        return _plain(np.ndarray.item(np.asarray(value)), depth + 1)
    if t in (list, tuple):
        if len(value) > MAX_JSON_ITEMS:
            raise TypeError("too long for a plain value; use a NumPy array")
        return [_plain(v, depth + 1) for v in value]
    if t is dict:
        if not all(type(k) is str for k in value):
            raise TypeError("dict keys must be strings")
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    raise TypeError(f"type {t.__module__}.{t.__qualname__} is not plain data")


def _as_array(value: Any) -> Any:
    """Return a NumPy array for arrays, tensors and pandas objects, else None."""
    np = sys.modules.get("numpy")
    if np is None:
        return None
    t = type(value)
    module = t.__module__ or ""
    if t is np.ndarray:
        arr = value
    elif module.startswith(("tensorflow", "keras", "torch", "jax", "jaxlib", "pandas")):
        try:
            arr = np.asarray(value.numpy() if hasattr(value, "numpy") and not module.startswith("pandas") else value)
        except Exception:
            return None
    else:
        return None
    arr = np.ndarray.__array__(arr) if type(arr) is not np.ndarray else arr
    if arr.dtype.hasobject:
        try:
            arr = arr.astype(str)
        except Exception:
            return None
    return arr


def _lookup(spec: dict[str, Any], ns: dict[str, Any]) -> tuple[str | None, Any]:
    for name in [spec["name"], *spec.get("aliases", [])]:
        if name in ns:
            return name, ns[name]
    if spec.get("kind") == "model" and spec.get("discover"):
        # models bound to the names of the other declared model artifacts are theirs
        claimed = {
            id(ns[n])
            for other in _CONFIG.get("artifacts", [])
            if other is not spec and other.get("kind") == "model"
            for n in [other["name"], *other.get("aliases", [])]
            if n in ns
        }
        models = [(k, v) for k, v in ns.items()
                  if not k.startswith("_") and id(v) not in claimed and _is_model(v)]
        distinct = {id(v) for _, v in models}
        if len(distinct) == 1:
            return models[0]
        if len(distinct) > 1:
            _STATE["manifest"].setdefault(spec["name"], {})["candidates"] = sorted(
                k for k, _ in models
            )
    return None, None


def _export_model(spec: dict[str, Any], found_as: str, obj: Any, cell: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": "ok", "kind": "model", "found_as": found_as, "cell": cell}
    if not _is_model(obj):
        t = type(obj)
        entry.update(status="unsupported", type=f"{t.__module__}.{t.__qualname__}")
        return entry
    fp = _model_fingerprint(obj)
    previous = _STATE["manifest"].get(spec["name"], {})
    if _STATE["fingerprints"].get(spec["name"]) == fp and previous.get("status") == "ok":
        return previous
    keras = sys.modules["keras"]
    path = os.path.join(_CONFIG["artifacts_dir"], spec["name"] + ".keras")
    tmp = path + ".tmp.keras"
    try:
        keras.saving.save_model(obj, tmp)
        os.replace(tmp, path)
    except Exception as exc:
        entry.update(status="save_failed", error=f"{type(exc).__name__}: {exc}"[:500])
        return entry
    entry["file"] = os.path.basename(path)
    _STATE["fingerprints"][spec["name"]] = fp
    history = getattr(getattr(obj, "history", None), "history", None)
    if type(history) is dict and history:
        try:
            hist = {k: [float(x) for x in v] for k, v in history.items()}
            with open(os.path.join(_CONFIG["artifacts_dir"], spec["name"] + ".history.json"), "w") as f:
                json.dump(hist, f)
            entry["history"] = spec["name"] + ".history.json"
        except Exception:
            pass
    return entry


def _export_value(spec: dict[str, Any], found_as: str, obj: Any, cell: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": "ok", "kind": "value", "found_as": found_as, "cell": cell}
    arr = _as_array(obj)
    if arr is not None:
        import numpy as np

        path = os.path.join(_CONFIG["artifacts_dir"], spec["name"] + ".npy")
        np.save(path, arr, allow_pickle=False)
        entry.update(file=os.path.basename(path), type="ndarray", shape=list(arr.shape))
        return entry
    try:
        entry["value"] = _plain(obj)
        entry["type"] = type(obj).__name__
    except TypeError as exc:
        t = type(obj)
        entry.update(status="unsupported", type=f"{t.__module__}.{t.__qualname__}", error=str(exc))
    return entry


def export(cell_index: int) -> None:
    ns = _user_ns()
    for spec in _CONFIG.get("artifacts", []):
        try:
            found_as, obj = _lookup(spec, ns)
            if found_as is None:
                if spec["name"] not in _STATE["manifest"]:
                    _STATE["manifest"][spec["name"]] = {"status": "absent", "kind": spec["kind"]}
                continue
            if spec["kind"] == "model":
                entry = _export_model(spec, found_as, obj, cell_index)
            else:
                entry = _export_value(spec, found_as, obj, cell_index)
            candidates = _STATE["manifest"].get(spec["name"], {}).get("candidates")
            if candidates:
                entry["candidates"] = candidates
            _STATE["manifest"][spec["name"]] = entry
        except Exception as exc:
            _STATE["manifest"][spec["name"]] = {
                "status": "export_error",
                "kind": spec.get("kind"),
                "error": f"{type(exc).__name__}: {exc}"[:500],
            }
    _write_manifest()


def _write_manifest(extra: dict[str, Any] | None = None) -> None:
    path = os.path.join(_CONFIG["artifacts_dir"], "manifest.json")
    data = {"artifacts": _STATE["manifest"], "events": _STATE["events"], "time": time.time()}
    if extra:
        data.update(extra)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- finish
def _device_info() -> dict[str, Any]:
    info: dict[str, Any] = {"requested": _CONFIG.get("device", "auto"), "gpus": []}
    keras = sys.modules.get("keras")
    if keras is not None:
        try:
            info["backend"] = keras.backend.backend()
        except Exception:
            pass
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        try:
            info["gpus"] += [d.name for d in tf.config.list_physical_devices("GPU")]
        except Exception:
            pass
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            if torch.cuda.is_available():
                info["gpus"] += [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        except Exception:
            pass
    jax = sys.modules.get("jax")
    if jax is not None:
        try:
            info["gpus"] += [str(d) for d in jax.devices() if d.platform == "gpu"]
        except Exception:
            pass
    info["used"] = "gpu" if info["gpus"] else "cpu"
    return info


def finish() -> None:
    versions = {"python": sys.version.split()[0]}
    for name in ("numpy", "keras", "tensorflow", "torch", "jax", "sklearn", "pandas"):
        mod = sys.modules.get(name)
        if mod is not None:
            versions[name] = str(getattr(mod, "__version__", "?"))
    _write_manifest({"device": _device_info(), "versions": versions})
