#!/usr/bin/env bash
# Install what tests/test_slurm.py needs: a single-node SLURM from Debian
# packages (munge, slurmctld, slurmd, slurm-client) and the SLURM executor
# plugin of Snakemake. Safe to run again: each part is skipped when present.
#
# The daemons are not started here (the test starts its own, with state in a
# temporary folder, and stops them). The plugin goes into .venv/slurm-plugin,
# outside the venv's site-packages, so that the default environment stays
# without it: installed there, every `snakemake` start on a machine with the
# SLURM tools but no running controller waits for `scontrol` to time out. The
# test puts that folder on PYTHONPATH for its own Snakemake calls.
#
# Installing packages needs root (as in CI). Without root and without the
# packages, this says so and exits 0: the SLURM test then fails naming what
# is missing, and the rest of test.sh still runs.
set -euo pipefail
cd "$(dirname "$0")/../.."

PACKAGES=(munge slurmctld slurmd slurm-client)
BINARIES=(munged slurmctld slurmd sbatch squeue scontrol srun)
PLUGIN_DIR=.venv/slurm-plugin

missing=()
for binary in "${BINARIES[@]}"; do
    command -v "$binary" >/dev/null || PATH=$PATH:/usr/sbin command -v "$binary" \
        >/dev/null || missing+=("$binary")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "tests/slurm/install.sh: ${missing[*]} missing and not root;" \
            "run 'sudo bash tests/slurm/install.sh' for the SLURM test" >&2
    else
        echo "tests/slurm/install.sh: installing ${PACKAGES[*]}" >&2
        # Keep dpkg from starting the packaged services (where an init system
        # would): the test runs its own daemons. Left alone if the machine
        # already has a policy.
        policy=/usr/sbin/policy-rc.d
        if [ ! -e "$policy" ]; then
            printf '#!/bin/sh\nexit 101\n' >"$policy"
            chmod +x "$policy"
            trap 'rm -f "$policy"' EXIT
        fi
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" \
            >/dev/null; then
            apt-get update -q >/dev/null
            apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >/dev/null
        fi
    fi
fi

stamp=$PLUGIN_DIR/.installed-$(sha256sum envs/requirements-slurm.txt | cut -c1-16)
if [ -x .venv/bin/python ] && [ ! -f "$stamp" ]; then
    echo "tests/slurm/install.sh: installing the SLURM executor plugin into" \
        "$PLUGIN_DIR" >&2
    rm -rf "$PLUGIN_DIR"
    # --no-deps: its dependencies are in the venv already, pinned by
    # envs/constraints.txt; the import check below fails if one is not.
    .venv/bin/python -m pip install --quiet --no-deps --target "$PLUGIN_DIR" \
        -r envs/requirements-slurm.txt
    PYTHONPATH=$PLUGIN_DIR .venv/bin/python -c \
        "import snakemake_executor_plugin_slurm, snakemake_executor_plugin_slurm_jobstep"
    touch "$stamp"
fi
