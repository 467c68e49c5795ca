"""GPU memory per submission, on a real GPU (skipped where PyTorch sees no CUDA device: run it
on the lent GPU machine). The grader's kernel module caps the process, then the student's
code allocates past the cap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.pipeline.execute import ship_kernel_package

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

STUDENT = """
import importlib, sys, json
sys.path.insert(0, sys.argv[1])
m = importlib.import_module('_dl_grader_kernel')
cap = int(sys.argv[3]) or None
m.setup({'seed': 0, 'artifacts_dir': sys.argv[2], 'artifacts': [], 'device': 'gpu', 'gpu_memory_mb': cap})
import torch
out = {}
try:
    big = torch.empty(int(sys.argv[4]) * 2**20, dtype=torch.uint8, device='cuda')
    out['big'] = 'ok'
    del big
except torch.cuda.OutOfMemoryError:
    out['big'] = 'oom'
small = torch.empty(256 * 2**20, dtype=torch.uint8, device='cuda')
out['small'] = 'ok'
out['cap'] = sys.modules['_dl_grader_kernel.state'].STATE.get('gpu_cap')
print(json.dumps(out))
"""


def _run(tmp_path: Path, cap_mb: int, alloc_mb: int) -> dict[str, object]:
    (tmp_path / "rt").mkdir()
    lib = ship_kernel_package(tmp_path / "rt")  # as the grader ships it into each kernel
    done = subprocess.run([sys.executable, "-c", STUDENT, str(lib), str(tmp_path), str(cap_mb), str(alloc_mb)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_submission_cannot_pass_its_gpu_memory_share(tmp_path: Path) -> None:
    out = _run(tmp_path, cap_mb=1024, alloc_mb=2048)
    assert out == {"big": "oom", "small": "ok", "cap": {"backend": "torch", "mb": 1024}}


def test_without_a_share_the_same_allocation_works(tmp_path: Path) -> None:
    out = _run(tmp_path, cap_mb=0, alloc_mb=2048)
    assert out["big"] == "ok" and out["cap"] is None
