"""After the last cell: the device actually used and the versions of the libraries loaded."""

from __future__ import annotations

import sys
from typing import Any

from . import save
from .state import CONFIG, STATE


# --------------------------------------------------------------------------- finish
def _device_info() -> dict[str, Any]:
    info: dict[str, Any] = {"requested": CONFIG.get("device", "auto"), "gpus": []}
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
    if STATE.get("gpu_cap"):
        info["gpu_memory_cap"] = STATE["gpu_cap"]
    return info


def finish() -> None:
    versions = {"python": sys.version.split()[0]}
    for name in ("numpy", "keras", "tensorflow", "torch", "jax", "sklearn", "pandas"):
        mod = sys.modules.get(name)
        if mod is not None:
            versions[name] = str(getattr(mod, "__version__", "?"))
    save.write_manifest({"device": _device_info(), "versions": versions})
