#!/usr/bin/env bash
# Install (first time) and run the quick reproduction; extra arguments go to
# snakemake, e.g. `bash reproduce.sh --configfile config/paper.yaml`.
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh
.venv/bin/snakemake --profile config/profiles/local "$@"
for arg in "$@"; do
    case "$arg" in -n | --dry-run | --dryrun | -n*) exit 0 ;; esac
done
.venv/bin/snakemake --profile config/profiles/local "$@" --report results/report.html
echo "Figures: results/figures/   Report: results/report.html"
