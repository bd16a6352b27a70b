#!/usr/bin/env bash
# Install (first time) and run the checks and the test suite; extra arguments
# go to pytest, e.g. `bash test.sh -k dispersion`.
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh
bash tests/slurm/install.sh  # as root: SLURM from Debian's packages; plugin in .venv/slurm-plugin
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/snakefmt --check Snakefile workflow/rules
.venv/bin/snakemake --lint --cores 1 >/dev/null
.venv/bin/python -m pytest "$@"
