"""After each cell: the declared artifacts saved (Keras models as ``.keras``, plain values as
JSON or ``.npy``, never pickle) and ``manifest.json`` rewritten."""

from __future__ import annotations

import json
import math
import os
import sys
import time
import types
from typing import Any

from .manifest import ABSENT, EXPORT_ERROR, MANIFEST, MAX_JSON_ITEMS, OK, SAVE_FAILED, UNSUPPORTED
from .state import CONFIG, STATE


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
        # unfreezing layers for fine-tuning changes no weight until the next fit
        lambda: sum(int(w.numpy().size) for w in model.trainable_weights),
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


def _is_code(value: Any) -> bool:
    """A function, class or module: what ``from sklearn.metrics import confusion_matrix`` binds
    to a name that is also an artifact's alias, never the student's answer."""
    return isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.ModuleType, type,
                              types.MethodType))


def _lookup(spec: dict[str, Any], ns: dict[str, Any]) -> tuple[str | None, Any]:
    # an alias never binds code (``from sklearn.metrics import confusion_matrix``); the artifact's
    # own name bound to code is reported as what it is
    names = [n for n in [spec["name"], *spec.get("aliases", [])] if n in ns
             and (n == spec["name"] or not _is_code(ns[n]))]
    if names:
        return _trained_instead(spec, ns, names[0])
    if spec.get("kind") == "model" and spec.get("discover"):
        return _discover(spec, ns)
    if spec.get("kind", "value") == "value" and spec.get("role"):
        return _discover_value(spec, ns)
    return None, None


def _discover_value(spec: dict[str, Any], ns: dict[str, Any]) -> tuple[str | None, Any]:
    """A pandas DataFrame with the role's rows and columns (``role``: a Kaggle submission kept
    as ``sub``), when no declared name holds the value; of several, the one created last."""
    role = spec["role"]
    seen = STATE.setdefault("first_seen", {})
    frames: dict[int, tuple[str, Any]] = {}
    for k, v in ns.items():
        t = type(v)
        if k.startswith("_") or t.__name__ != "DataFrame" or not (t.__module__ or "").startswith("pandas"):
            continue
        try:
            fits = len(v) == role["rows"] and all(c in list(v.columns) for c in role["columns"])
        except Exception:
            fits = False
        if fits:
            frames.setdefault(id(v), (k, v))
            seen.setdefault(id(v), len(seen))
    if not frames:
        return None, None
    chosen = max(frames, key=lambda i: seen[i])
    found: dict[str, Any] = {"chosen_by": "role"}
    if len(frames) > 1:
        found["candidates"] = sorted(name for name, _ in frames.values())
    STATE["discovered"] = found
    return frames[chosen]


def _shape_fits(shape: Any, want: Any) -> bool:
    """A model's input or output shape against the exercise's (None: any size)."""
    if want is None:
        return True
    if not isinstance(shape, tuple) or len(shape) != len(want):
        return False
    return all(w is None or s == w for s, w in zip(shape, want))


def _layer_types(model: Any, depth: int = 0) -> set[str]:
    """The class names of ``model``'s layers, those of nested models included."""
    names: set[str] = set()
    for layer in list(getattr(model, "layers", None) or [])[:1000]:
        names.add(type(layer).__name__)
        if depth < 3 and getattr(layer, "layers", None):
            names |= _layer_types(layer, depth + 1)
    return names


def _fits_role(model: Any, shapes: dict[str, Any] | None, has_layer: str | None = None) -> bool:
    """Whether ``model`` takes the exercise's input and gives its output (``shapes`` from the
    spec's ``output_shapes`` check; True when the spec gives none) and has a ``has_layer``
    layer when the spec asks for one."""
    if has_layer:
        try:
            if has_layer not in _layer_types(model):
                return False
        except Exception:
            return False
    if not shapes:
        return True
    try:
        return _shape_fits(tuple(model.input_shape), shapes.get("input")) and _shape_fits(
            tuple(model.output_shape), shapes.get("output"))
    except Exception:  # not built, several inputs: cannot tell, so it does not qualify
        return False


def _trained_ids() -> set[int]:
    return {f.get("model") for f in STATE.get("fits", []) if not f.get("error") and (f.get("epochs_run") or 0) > 0}


def _cut(fit: dict[str, Any]) -> bool:
    """A fit the grader's cell time limit interrupted after at least one epoch: the student
    trained that model, and the grader cut it short."""
    return fit.get("error") == "KeyboardInterrupt" and (fit.get("epochs_run") or 0) > 0


def _trained_instead(spec: dict[str, Any], ns: dict[str, Any], name: str) -> tuple[str | None, Any]:
    """``name``'s model, unless the exercise grades a trained network, it was never trained and
    another model that fits the exercise's data was: a leftover ``model`` beside the ``model_d``
    the student trained. The choice is written beside the artifact (``chosen_by: trained``)."""
    obj = ns[name]
    if not (spec.get("kind") == "model" and spec.get("discover") and spec.get("trained") and _is_model(obj)):
        return name, obj
    trained = _trained_ids()
    if id(obj) in trained:
        return name, obj
    other, found = _discover(spec, ns)
    if (found is None or found is obj or id(found) not in trained
            or str(STATE.get("discovered", {}).get("chosen_by", "")).endswith("_any")):  # fits no data either
        STATE.pop("discovered", None)
        return name, obj
    STATE["discovered"] = {**STATE.get("discovered", {}), "chosen_by": "trained", "instead_of": name}
    return other, found


def _discover(spec: dict[str, Any], ns: dict[str, Any]) -> tuple[str | None, Any]:
    """The model the exercise asks for, found by its role when no declared name holds it:
    among the models in the namespace (not bound to another declared model), those whose input
    and output fit the exercise; of those, the last one trained (the fit log), else the one
    created last. The choice and why are written beside the artifact (``chosen_by``)."""
    claimed = {id(ns[n]) for other in CONFIG.get("artifacts", [])
               if other is not spec and other.get("kind") == "model"
               for n in [other["name"], *other.get("aliases", [])] if n in ns}
    seen = STATE.setdefault("first_seen", {})
    names: dict[int, str] = {}
    objects: dict[int, Any] = {}
    for k, v in ns.items():
        if k.startswith("_") or id(v) in claimed or not _is_model(v):
            continue
        names.setdefault(id(v), k)
        objects[id(v)] = v
        seen.setdefault(id(v), len(seen))  # the order in which models appeared, cell after cell
    if not objects:
        return None, None
    # never a model with no layers at all (a Sequential() left empty by a cell that failed stands
    # for no attempt), whether or not the spec gives shapes to tell
    built = [i for i in objects if _layer_types(objects[i])]
    pool = [i for i in built if _fits_role(objects[i], spec.get("shapes"), spec.get("has_layer"))]
    if not pool and spec.get("has_layer"):  # no CNN at all: nothing stands in for one
        return None, None
    # by the exercise's data only when the spec says what that is and some model fits it
    by_role = bool(pool) and bool(spec.get("shapes") or spec.get("has_layer"))
    role = by_role and len(pool) < len(objects)
    pool = pool or built  # none fits: the student's attempt with other shapes is graded
    if not pool:
        return None, None
    done = _trained_ids()  # the last fit of each model: finished, or cut by the cell time limit
    last = {f.get("model"): (pos, f) for pos, f in enumerate(STATE.get("fits", []))
            if f.get("model") in done or _cut(f)}
    extra: dict[str, Any] = {}
    if len(pool) == 1:
        chosen, why = pool[0], "role" if role else "only"
    elif any(i in last for i in pool):
        chosen = max((i for i in pool if i in last), key=lambda i: last[i][0])
        why = "last_trained"
        if chosen not in done:  # its only training was cut short by the grader
            why, extra = "last_trained_cut", {"epochs": last[chosen][1].get("epochs_run")}
    else:
        chosen, why = max(pool, key=lambda i: seen[i]), "last_created"
    if why != "role" and why != "only" and not by_role:  # the words "among those that fit" would be untrue
        why += "_any"
    if len(objects) > 1:
        STATE["discovered"] = {"candidates": sorted(names.values()), "chosen_by": why, **extra}
    else:
        STATE["discovered"] = {"chosen_by": why, **extra}
    return names[chosen], objects[chosen]


def _export_model(spec: dict[str, Any], found_as: str, obj: Any, cell: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": OK, "kind": "model", "found_as": found_as, "cell": cell,
                             "object_id": id(obj)}
    if not _is_model(obj):
        t = type(obj)
        entry.update(status=UNSUPPORTED, type=f"{t.__module__}.{t.__qualname__}")
        return entry
    fp = _model_fingerprint(obj)
    previous = STATE["manifest"].get(spec["name"], {})
    if STATE["fingerprints"].get(spec["name"]) == fp and previous.get("status") == OK:
        return previous
    keras = sys.modules["keras"]
    path = os.path.join(CONFIG["artifacts_dir"], spec["name"] + ".keras")
    tmp = path + ".tmp.keras"
    try:
        keras.saving.save_model(obj, tmp)
        os.replace(tmp, path)
    except Exception as exc:
        entry.update(status=SAVE_FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
        return entry
    entry["file"] = os.path.basename(path)
    STATE["fingerprints"][spec["name"]] = fp
    history = getattr(getattr(obj, "history", None), "history", None)
    if isinstance(history, dict) and history:  # a dict, or compat's that also answers to 'acc'
        try:
            hist = {str(k): [float(x) for x in v] for k, v in dict.items(history)}
            with open(os.path.join(CONFIG["artifacts_dir"], spec["name"] + ".history.json"), "w") as f:
                json.dump(hist, f)
            entry["history"] = spec["name"] + ".history.json"
        except Exception:
            pass
    return entry


def _export_value(spec: dict[str, Any], found_as: str, obj: Any, cell: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": OK, "kind": "value", "found_as": found_as, "cell": cell}
    arr = _as_array(obj)
    if arr is not None:
        import numpy as np

        path = os.path.join(CONFIG["artifacts_dir"], spec["name"] + ".npy")
        np.save(path, arr, allow_pickle=False)
        entry.update(file=os.path.basename(path), type="ndarray", shape=list(arr.shape))
        return entry
    try:
        entry["value"] = _plain(obj)
        entry["type"] = type(obj).__name__
    except TypeError as exc:
        t = type(obj)
        entry.update(status=UNSUPPORTED, type=f"{t.__module__}.{t.__qualname__}", error=str(exc))
    return entry


def export(cell_index: int) -> None:
    for event in [*STATE["events"], *STATE.get("fits", [])]:
        event.setdefault("cell", cell_index)
    ns = _user_ns()
    for spec in CONFIG.get("artifacts", []):
        STATE.pop("discovered", None)  # written by _discover for this artifact only
        try:
            found_as, obj = _lookup(spec, ns)
            if found_as is None:
                if spec["name"] not in STATE["manifest"]:
                    STATE["manifest"][spec["name"]] = {"status": ABSENT, "kind": spec["kind"]}
                continue
            if spec["kind"] == "model":
                entry = _export_model(spec, found_as, obj, cell_index)
            else:
                entry = _export_value(spec, found_as, obj, cell_index)
            discovered = STATE.pop("discovered", None)
            for key in ("candidates", "chosen_by", "instead_of", "epochs"):  # an entry kept from an earlier cell
                entry.pop(key, None)
            if discovered:  # only _discover writes it, for this artifact
                entry.update(discovered)
            STATE["manifest"][spec["name"]] = entry
        except Exception as exc:
            STATE["manifest"][spec["name"]] = {
                "status": EXPORT_ERROR,
                "kind": spec.get("kind"),
                "error": f"{type(exc).__name__}: {exc}"[:500],
            }
    write_manifest()


def write_manifest(extra: dict[str, Any] | None = None) -> None:
    path = os.path.join(CONFIG["artifacts_dir"], MANIFEST)
    data = {"artifacts": STATE["manifest"], "events": STATE["events"], "fits": STATE.get("fits", []),
            "time": time.time()}
    if extra:
        data.update(extra)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)
