#!/usr/bin/env bash
# Creates .venv (if needed) and installs dl-grader with TensorFlow (CPU), the test tools and the
# libraries Colab and Kaggle preinstall (the `colab` extra: seaborn, plotly, xgboost …) and Dask
# with dask-jobqueue for grading on a cluster (the `cluster` extra).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".[tf,test,colab,cluster]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import grader, keras, nbclient; print('dl-grader', grader.__version__, '| keras', keras.__version__)"
# bubblewrap isolates student notebooks from the rest of the filesystem (docs/security.md).
# Installed here when this is root on Debian/Ubuntu; otherwise the grader falls back to a
# network namespace and every report says the filesystem was not isolated.
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get install -y -q bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q bubblewrap >/dev/null 2>&1; }) \
      || echo "note: could not install bubblewrap; student code will run with network isolation only"
  else
    echo "note: bubblewrap (bwrap) is not installed: install it (apt install bubblewrap) for full isolation"
  fi
fi
command -v bwrap >/dev/null 2>&1 && bwrap --version || true
