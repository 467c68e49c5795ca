"""The suite's own arrangement: the modules that share one expensive fixture stay on one xdist
worker (tests/conftest.py), so the fixture is built once per run."""

from __future__ import annotations

import os

import pytest


def test_a_grouped_module_is_sent_to_one_worker(request: pytest.FixtureRequest) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER") or not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only under xdist with --dist loadgroup (scripts/test.sh)")
    # xdist reads the group from the node id's suffix: without it the group is ignored and every
    # worker that receives one of the module's tests builds the module's fixture again
    assert request.node.nodeid.endswith("@test_suite"), request.node.nodeid
