#!/usr/bin/env bash
# Set up, lint, and run every test: the fast ones and those marked slow (real kernels,
# whole notebooks, real data). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DLGRADER_DATA_DIR=${DLGRADER_DATA_DIR:-$(cd .. && pwd)/shared/datasets}
.venv/bin/ruff check grader tests
.venv/bin/mypy grader
.venv/bin/python -m pytest -m "slow or not slow" -n 2 "$@"
