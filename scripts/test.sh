#!/usr/bin/env bash
# Set up, lint, and run every test: the fast ones and those marked slow (real kernels,
# whole notebooks, real data). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DLGRADER_DATA_DIR=${DLGRADER_DATA_DIR:-$(cd .. && pwd)/shared/datasets}
.venv/bin/ruff check grader tests
.venv/bin/mypy grader
# one worker per core, 2 to 4: each worker runs whole notebooks in their own kernels
workers=${PYTEST_WORKERS:-$(( $(nproc) < 2 ? 2 : ($(nproc) > 4 ? 4 : $(nproc)) ))}
.venv/bin/python -m pytest -m "slow or not slow" -n "$workers" --dist loadgroup --no-loadscope-reorder --durations=15 "$@"
