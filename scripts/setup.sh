#!/usr/bin/env bash
# Creates .venv (if needed) and installs dl-grader with TensorFlow (CPU) and the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".[tf,test]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import grader, keras, nbclient; print('dl-grader', grader.__version__, '| keras', keras.__version__)"
