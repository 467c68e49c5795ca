from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "datasets"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the golden reports of the fixture notebooks instead of comparing")


class SharedResults:
    """Results computed once per test run and shared by every xdist worker: the first test to
    ask computes it under an exclusive lock, the others (on any worker) wait for it and read the
    JSON it left. Each caller gets its own copy, so no test sees another's changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        name = hashlib.sha256(key.encode()).hexdigest()[:24]
        path = self.root / f"{name}.json"
        with open(self.root / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                tmp = path.with_suffix(".part")
                tmp.write_text(json.dumps(make()), encoding="utf-8")
                os.replace(tmp, path)
        return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def shared_results(tmp_path_factory: pytest.TempPathFactory) -> SharedResults:
    base = tmp_path_factory.getbasetemp()
    # under xdist each worker has its own basetemp inside the run's: the run's is shared
    return SharedResults((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-results")


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


# Modules whose tests share one expensive module-scoped fixture (a kernel run, a graded class):
# their tests stay on one xdist worker (`--dist loadgroup --no-loadscope-reorder`, scripts/test.sh:
# the order below is kept), so the fixture is
# built once per test run instead of once per worker that happens to receive one of them.
SHARED_FIXTURE_MODULES = {"test_checker", "test_compat", "test_hostile_artifacts", "test_legacy",
                          "test_model_checks", "test_privileges", "test_rescore", "test_suite", "test_training"}
# Heaviest first (seconds measured on the 2-core CI machine): a long test started last leaves the
# other worker idle at the end of the run. Substrings of node ids; the rest keeps its order.
HEAVY = {"test_adversarial.py::test_attacks_in_one_batch": 230,
         "test_batch.py::test_kernels_started_ahead_grade_exactly_as_fresh_ones": 176,
         "test_scaffold.py::test_the_scaffolded_repository_passes_its_ci": 176,
         "test_rescore.py": 150, "test_fixtures_golden.py::test_fixture_outcome[mnist_cnn": 110,
         "test_reproducibility.py": 98, "test_fixtures_golden.py::test_reference_scores_full_marks[cifar10": 92,
         "test_fixtures_golden.py::test_reference_scores_full_marks[mnist_cnn": 89,
         "test_cli.py::test_a_batch_goes_on_after_an_infinite_loop": 89,
         "test_batch.py::test_a_batch_killed_with_kill_9": 83, "test_fixtures_golden.py::test_fixture_outcome[cifar10": 75,
         "test_fixtures_golden.py::test_reference_scores_full_marks[regularization": 73}


def _weight(item: pytest.Item) -> int:
    heavy = max((s for key, s in HEAVY.items() if key in item.nodeid), default=0)
    if heavy:
        return heavy
    return 60 if item.get_closest_marker("slow") else (30 if item.get_closest_marker("kernel") else 0)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the group marks into node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        if module in SHARED_FIXTURE_MODULES:
            item.add_marker(pytest.mark.xdist_group(module))
    items.sort(key=_weight, reverse=True)  # stable: the same order on every worker
