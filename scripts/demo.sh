#!/usr/bin/env bash
# The main job: set up, then grade the bundled example submissions of each exercise into
# reports under out/ (one folder per notebook: report.json, report.md, executed.ipynb).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DLGRADER_DATA_DIR=${DLGRADER_DATA_DIR:-$(cd .. && pwd)/shared/datasets}
for ex in cnn_params iris; do
  .venv/bin/grader grade "$ex" "reference/$ex.ipynb" tests/fixtures/"$ex"/*.ipynb \
    --out "out/$ex" --cell-timeout 60
done
echo "Reports: out/*/*/report.md (summary per exercise: out/*/summary.json)"
