#!/usr/bin/env bash
# The main job: set up, then grade the bundled example submissions of each exercise into
# reports under out/ (one folder per notebook: report.json, report.md, executed.ipynb).
# Exercises that train on real data run under their `ci` profile here (fewer epochs);
# drop `--profile ci` to grade as an instructor would.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DLGRADER_DATA_DIR=${DLGRADER_DATA_DIR:-$(cd .. && pwd)/shared/datasets}
.venv/bin/grader data list
shopt -s nullglob
for ex in cnn_params iris basics xor mnist_mlp sonar_roc titanic; do
  opts=(--cell-timeout 60)
  case "$ex" in mnist_mlp|sonar_roc|titanic) opts=(--cell-timeout 180 --profile ci) ;; esac
  .venv/bin/grader grade "$ex" "reference/$ex.ipynb" tests/fixtures/"$ex"/*.ipynb \
    --out "out/$ex" "${opts[@]}"
done
echo "Reports: out/*/*/report.md (summary per exercise: out/*/summary.json)"
