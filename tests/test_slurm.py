"""The workflow on a real SLURM cluster: one node on this machine.

A module fixture starts munged, slurmctld and slurmd from Debian's packages
(tests/slurm/install.sh installs them and the executor plugin; CI runs it as
root) with their state in a temporary folder, and stops them by pid when the
module ends, also after a failure (tests/slurm/cluster.py). The small
configuration of tests/slurm/workflow.py then runs through `--executor slurm`
with the project's profile, config/profiles/slurm, plus tests/slurm/profile
(no accounting database here: job states from squeue), and its results must
equal those of the same configuration run locally. Where SLURM cannot start,
the test fails and says why; it is not skipped.
"""

import subprocess

import pytest

from tests.slurm.cluster import Cluster, ClusterError
from tests.slurm.workflow import (
    ROOT,
    all_jobs,
    differences,
    planned_jobs,
    prepare,
    reference_run,
    snakemake,
    targets,
)

pytestmark = pytest.mark.slow
PROFILES = ["--profile", str(ROOT / "config" / "profiles" / "slurm"),
            "--profile", str(ROOT / "tests" / "slurm" / "profile")]  # fmt: skip
SLURM_TIMEOUT = 900  # s for the whole run through SLURM


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("slurm"))
    try:
        cluster.start()
        reason = None
    except ClusterError as error:
        reason = str(error)
    if reason:
        pytest.fail(reason, pytrace=False)
    try:
        yield cluster
    finally:
        left = cluster.stop()
        assert not left, f"had to be killed: {left}"


def test_slurm_run_equals_the_local_run(cluster, tmp_path, tmp_path_factory):
    reference = reference_run(tmp_path_factory)
    workdir = prepare(tmp_path / "slurm")
    try:
        result = snakemake(workdir, *PROFILES, *targets(), env=cluster.env,
                           check=False, timeout=SLURM_TIMEOUT)  # fmt: skip
    except subprocess.TimeoutExpired as timeout:
        output = timeout.output or ""
        if isinstance(output, bytes):  # what was read before the timeout
            output = output.decode(errors="replace")
        pytest.fail(f"no result after {SLURM_TIMEOUT} s; jobs {cluster.jobs()}\n"
                    f"{output[-6000:]}\n{cluster.logs()}")  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + "\n" + cluster.logs()
    assert set(planned_jobs(result.stdout)) == all_jobs()

    # one SLURM job each for the connectome and the table, and one group job
    # with both points' chains, which asks for one core and the memory of
    # its largest job (spectra_welch), as its jobs run one after another
    jobs = cluster.jobs()
    assert [job["state"] for job in jobs] == ["COMPLETED"] * 3, jobs
    (group,) = [job for job in jobs if job["comment"].startswith("rule_point")]
    assert (group["cpus"], group["memory"]) == ("1", "4000M")
    assert int(group["cpus"]) <= cluster.cpus

    assert differences(reference, workdir) == []
