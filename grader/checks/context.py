"""What a check can see: the exported artifacts and the execution outcome — nothing live.

Runs in the checker process, which never executed student code. Models are loaded from
their ``.keras`` files with Keras safe mode (no Lambda layers, no custom classes, no
pickle); values come from JSON or ``.npy`` files loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.checks import diagnose
from grader.kernel import manifest
from grader.model.outcomes import CheckResult, ExecutionOutcome
from grader.model.spec import CheckSpec, ExerciseSpec


class ArtifactTooLarge(ValueError):
    """An exported value larger than the exercise allows (read from its header, not loaded),
    or one that is not what the kernel writes. ``key`` is the message for the student."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key


def _mb(n: float) -> str:
    return f"{n / 2 ** 20:.0f} MB"


def oversized_array(path: Path, limit_mb: int) -> tuple[str, str] | None:
    """Why the ``.npy`` file at ``path`` must not be loaded, from its header alone, as
    (message key, detail); or None (an unreadable file is left to the loader to report)."""
    import numpy as np

    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = reader(f, max_header_size=10_000)
    except OSError:
        return None
    except Exception as exc:  # not an .npy file as the kernel writes them
        return "artifact.tampered", f"not a NumPy array file: {type(exc).__name__}"
    if dtype.hasobject:
        return "artifact.tampered", "an array of Python objects"
    size = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    if size > limit_mb * 2 ** 20:
        return "artifact.too_large", f"{_mb(size)} for an array of shape {tuple(shape)}; at most {limit_mb} MB"
    return None


def oversized_model(path: Path, limit_mb: int, max_members: int = 10_000) -> tuple[str, str] | None:
    """Why the ``.keras`` archive at ``path`` must not be loaded (its central directory says it
    would unpack to more than ``limit_mb``, or holds too many files), as (message key,
    detail); or None."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except OSError:
        return None
    except (zipfile.BadZipFile, ValueError) as exc:
        return "artifact.tampered", f"not a .keras archive: {type(exc).__name__}"
    if len(members) > max_members:
        return "artifact.too_large", f"{len(members)} files in the archive; at most {max_members}"
    total = sum(m.file_size for m in members)
    if total > limit_mb * 2 ** 20:
        return "artifact.too_large", f"it unpacks to {_mb(total)}; at most {limit_mb} MB"
    return None


class CheckContext:
    def __init__(self, spec: ExerciseSpec, outcome: ExecutionOutcome, artifacts_dir: Path | None,
                 data_dir: Path | None = None):
        self.spec = spec
        self.data_dir = data_dir
        self.outcome = outcome
        self.artifacts_dir = artifacts_dir
        self.manifest: dict[str, dict[str, Any]] = outcome.artifacts or {}
        self._models: dict[str, Any] = {}
        self._model_errors: dict[str, tuple[str, dict[str, Any]]] = {}

    # ------------------------------------------------------------------ lookup
    def entry(self, name: str) -> dict[str, Any]:
        return self.manifest.get(name, {"status": manifest.ABSENT})

    def found_as(self, name: str | None) -> str | None:
        if name is None:
            return None
        found = self.entry(name).get("found_as")
        return found if found and found != name else None

    def missing_reason(self, check: CheckSpec, needs: str) -> CheckResult | None:
        """A result explaining why the artifact cannot be checked, or None when it can."""
        name = check.artifact
        assert name is not None
        entry = self.entry(name)
        status = entry.get("status", manifest.ABSENT)

        def result(message: str, **params: Any) -> CheckResult:
            return CheckResult(id=check.id, kind=check.kind, status="missing", message=message,
                               params={"name": name, **params})

        if status == manifest.OK:
            if needs == "model":
                model, error = self.model(name)
                if model is None:  # named as the notebook names it (an alias, a model found by its role)
                    params = {**error[1], "name": entry.get("found_as") or name}
                    if error[0] == "model.not_built":  # built by its first fit: did one finish?
                        from grader.checks import causes

                        cause = causes.untrained(self, name)
                        if cause is not None and cause[0] != "metric.cause.no_fit":
                            return result("model.not_built_because", **params, **cause[1],
                                          cause_key=cause[0].replace("metric.cause.", "training.cause."))
                    return result(error[0], **params)
            return None
        if status == manifest.UNSUPPORTED and str(entry.get("type", "")).endswith("NoneType"):
            return result("artifact.placeholder")
        code = _CODE_TYPES.get(str(entry.get("type", "")))
        if status == manifest.UNSUPPORTED and code is not None and needs != "model":
            return result("artifact.is_code", code_what_key=f"code.what.{code}")
        if status in (manifest.UNSUPPORTED, manifest.EXPORT_ERROR):
            expected = "model.expected" if needs == "model" else "value.expected"
            return result("artifact.unsupported", type=entry.get("type", "?"),
                          expected_kind_key=expected, error=entry.get("error", ""))
        if status == "tampered":
            return result("artifact.tampered", error=entry.get("error", ""))
        if status == manifest.SAVE_FAILED:
            return result("artifact.save_failed", error=entry.get("error", ""))
        if entry.get("candidates"):
            return result("artifact.candidates", candidates=", ".join(entry["candidates"]))
        return self._absent(result, name)

    def names(self, name: str) -> list[str]:
        """The names the grader accepts for artifact ``name``: itself, then its aliases."""
        spec = self.spec.artifact(name)
        return [name, *(spec.aliases if spec is not None else [])]

    def _absent(self, result: Any, name: str) -> CheckResult:
        out = self.outcome
        if out.status in ("invalid_notebook", "kernel_failed"):
            return result("artifact.not_run", detail=out.detail or out.status)
        reason = diagnose.absent(out, self.names(name))
        if reason is not None:
            return result(reason[0], **reason[1])
        if out.status == "dead_kernel":
            return result("artifact.absent_dead_kernel", cell=out.cell_label(out.failing_cell), detail=out.detail or "")
        if out.status == "timeout":
            cell = next((c for c in out.cells if c.status == "timeout"), None)
            return result("artifact.absent_timeout", cell=out.cell_label(cell.index if cell else None),
                          limit=out.timeout_s)
        failed = out.failed_cells
        if failed:
            first = failed[0]
            return result("artifact.absent_after_error", cell=out.cell_label(first.index), ename=first.ename,
                          evalue=(first.evalue or "")[:120])
        return result("artifact.absent")

    # ------------------------------------------------------------------ loading
    def value(self, name: str) -> Any:
        entry = self.entry(name)
        if "file" in entry and entry.get("type") == "ndarray":
            import numpy as np

            assert self.artifacts_dir is not None
            path = self.artifacts_dir / entry["file"]
            problem = oversized_array(path, self.spec.budget.artifact_mb)
            if problem is not None:
                raise ArtifactTooLarge(*problem)
            return np.load(path, allow_pickle=False)
        return entry.get("value")

    def value_type(self, name: str) -> str:
        return str(self.entry(name).get("type", "?"))

    def model(self, name: str) -> tuple[Any, tuple[str, dict[str, Any]]]:
        """(model, _) or (None, (message key, params)). Loaded once, in safe mode."""
        if name in self._models:
            return self._models[name], ("", {})
        if name in self._model_errors:
            return None, self._model_errors[name]
        entry = self.entry(name)
        assert self.artifacts_dir is not None
        path = self.artifacts_dir / entry["file"]
        problem = oversized_model(path, self.spec.budget.model_mb)
        if problem is not None:
            self._model_errors[name] = (problem[0], {"error": problem[1]})
            return None, self._model_errors[name]
        import keras

        try:
            model = keras.saving.load_model(path, safe_mode=True, compile=False)
        except Exception as exc:
            text = str(exc).strip().splitlines()
            error = f"{type(exc).__name__}: {text[0][:300] if text else ''}"
            self._model_errors[name] = ("model.unsafe", {"error": error})
            return None, self._model_errors[name]
        if not model.built or not model.weights:
            self._model_errors[name] = _unweighted(model)
            return None, self._model_errors[name]
        self._models[name] = model
        return model, ("", {})

    def from_logits(self, name: str) -> bool:
        """Whether ``name``'s model was compiled with a loss that takes logits
        (``from_logits=True``), read from the saved file's compile configuration (JSON, never
        deserialised into objects). False when the file does not say."""
        import json
        import zipfile

        entry = self.entry(name)
        if self.artifacts_dir is None or not entry.get("file"):
            return False
        try:
            with zipfile.ZipFile(self.artifacts_dir / entry["file"]) as z:
                if z.getinfo("config.json").file_size > 8_000_000:
                    return False
                config = json.loads(z.read("config.json"))
        except Exception:
            return False
        loss = (config.get("compile_config") or {}).get("loss") if isinstance(config, dict) else None
        losses = loss if isinstance(loss, list) else list(loss.values()) if isinstance(loss, dict) and \
            "class_name" not in loss else [loss]
        return any(isinstance(x, dict) and isinstance(x.get("config"), dict) and x["config"].get("from_logits") is True
                   for x in losses)

    def history(self, name: str) -> dict[str, list[float]] | None:
        entry = self.entry(name)
        if not entry.get("history") or self.artifacts_dir is None:
            return None
        from grader.pipeline.export import UnsafeJSON, read_history

        try:  # size, depth and shape checked before and after parsing: a forged file is None
            return read_history(self.artifacts_dir / entry["history"])
        except (OSError, UnsafeJSON):
            return None


# what a name holds when it holds code, not a value (the manifest's ``type``: module.qualname)
_CODE_TYPES = {"builtins.function": "function", "builtins.builtin_function_or_method": "function",
               "builtins.method": "function", "functools.partial": "function", "builtins.type": "class",
               "abc.ABCMeta": "class", "builtins.module": "module"}


def _unweighted(model: Any) -> tuple[str, dict[str, Any]]:
    """Why a loaded model has no weights, as it is: no layers at all, layers that have no weights
    of their own (only pooling, Flatten, Dropout…), or layers waiting for an input shape."""
    layers = [layer for layer in getattr(model, "layers", []) if type(layer).__name__ != "InputLayer"]
    if not layers:
        return "model.empty", {}
    names = ", ".join(type(layer).__name__ for layer in layers[:8]) + (", …" if len(layers) > 8 else "")
    if model.built:  # built, and still nothing to learn
        return "model.no_weighted_layers", {"layers": names}
    return "model.not_built", {"layers": names}
