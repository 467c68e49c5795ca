from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "datasets"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the golden reports of the fixture notebooks instead of comparing")


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


# Modules whose tests share one expensive module-scoped fixture (a kernel run, a graded class):
# their tests stay on one xdist worker (`--dist loadgroup --no-loadscope-reorder`, scripts/test.sh:
# the order below is kept), so the fixture is
# built once per test run instead of once per worker that happens to receive one of them.
SHARED_FIXTURE_MODULES = {"test_checker", "test_compat", "test_hostile_artifacts", "test_legacy",
                          "test_model_checks", "test_privileges", "test_rescore", "test_training"}
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        if module in SHARED_FIXTURE_MODULES:
            item.add_marker(pytest.mark.xdist_group(module))
    items.sort(key=_weight, reverse=True)  # stable: the same order on every worker
