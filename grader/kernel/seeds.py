"""Seeds (Python, NumPy and the Keras backend the moment Keras is imported) and the GPU
memory cap of a submission that shares a GPU."""

from __future__ import annotations

import sys

from .state import CONFIG, STATE, event


# --------------------------------------------------------------------------- seeds
def seed_keras() -> None:
    if STATE["seeded"]:
        return
    STATE["seeded"] = True
    seed = CONFIG.get("seed", 0)
    try:
        keras = sys.modules["keras"]
        keras.utils.set_random_seed(seed)
    except Exception as exc:  # keras partially imported or an old version
        event("internal", detail=f"could not seed keras: {exc!r}"[:300])
    tf = sys.modules.get("tensorflow")
    if tf is not None and CONFIG.get("deterministic", True):
        try:
            tf.config.experimental.enable_op_determinism()
        except Exception:
            pass


# --------------------------------------------------------------------------- GPU memory per submission
# Several submissions may share one GPU: each gets at most ``gpu_memory_mb``. JAX reads its cap
# from XLA_PYTHON_CLIENT_MEM_FRACTION, set by the grader before the kernel starts.
def cap_gpu_tensorflow() -> None:
    tf = sys.modules["tensorflow"]
    mb = int(CONFIG["gpu_memory_mb"])
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.set_logical_device_configuration(gpu, [tf.config.LogicalDeviceConfiguration(memory_limit=mb)])
    STATE["gpu_cap"] = {"backend": "tensorflow", "mb": mb}


def cap_gpu_torch() -> None:
    torch = sys.modules["torch"]
    if not torch.cuda.is_available():
        return
    mb = int(CONFIG["gpu_memory_mb"])
    for i in range(torch.cuda.device_count()):
        total = torch.cuda.get_device_properties(i).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, mb * 1024 * 1024 / total), i)
    STATE["gpu_cap"] = {"backend": "torch", "mb": mb}
