"""Incremental reruns, through Snakemake's CLI on a small configuration.

After a complete run, a changed setting must rerun the jobs that depend on it
and nothing else; the dry run's job list says which (its reasons name the
changed params). A run killed by SIGKILL while a network simulation runs must
resume with the unfinished jobs only and give the results of a run that was
never interrupted (same seed). Outputs are written to a temporary name and
renamed (neuralmass.io.atomic_path), so a killed job leaves no file that
looks finished.

The workflow has no setting that changes a figure only (figures are written
by the rules that compute their data), so no test here reruns one figure.
"""

import contextlib
import os
import signal
import subprocess
import time

import pytest

from tests.slurm.workflow import (
    POINTS,
    ROOT,
    SNAKEMAKE,
    all_jobs,
    differences,
    finished_jobs,
    planned_jobs,
    prepare,
    process_ids_in,
    reference_run,
    small_config,
    snakemake,
    targets,
    write_config,
)

pytestmark = pytest.mark.slow
LOCAL = str(ROOT / "config" / "profiles" / "local")
PER_POINT = ("homogeneous_state", "dispersion_relation", "network_simulate",
             "spectra_welch")  # fmt: skip
KILL_TIMEOUT = 600  # s to wait for a network job to be under way


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return reference_run(tmp_path_factory)


def every_point(*rules):
    return {(rule, point) for rule in rules for point in POINTS}


def test_unchanged_config_reruns_nothing(workdir):
    result = snakemake(workdir, "--dry-run", *targets())
    assert "Nothing to be done" in result.stdout


def set_parameter(config):
    config["models"]["ei_qif"]["parameters"]["J_EE"] = 5.5


def set_point(config):
    config["models"]["ei_qif"]["points"]["I15_eps9"]["I_E"] = 14.5


@pytest.mark.parametrize(
    "edit, changed, expected",
    [
        pytest.param(
            set_parameter, every_point("homogeneous_state"),
            every_point(*PER_POINT) | {("homogeneous_table", None)},
            id="model parameter: all points, not the connectome",
        ),
        pytest.param(
            set_point, {("homogeneous_state", "I15_eps9")},
            {(rule, "I15_eps9") for rule in PER_POINT} | {("homogeneous_table", None)},
            id="one point's coordinates: that point",
        ),
        pytest.param(
            lambda c: c["spectra"].update(window=2.0), every_point("spectra_welch"),
            every_point("spectra_welch"), id="spectra.window: spectra only",
        ),
        pytest.param(
            lambda c: c["simulation"].update(seed=2), every_point("network_simulate"),
            every_point("network_simulate", "spectra_welch"),
            id="simulation.seed: network runs and their spectra",
        ),
        pytest.param(
            lambda c: c["dispersion"].update(lambda_step=0.1),
            every_point("dispersion_relation"), every_point("dispersion_relation"),
            id="dispersion grid: dispersion relations only",
        ),
        pytest.param(
            lambda c: c["connectome"].update(drop_nodes_without_inputs=True),
            {("connectome_prepare", None)},
            every_point(*PER_POINT[1:]) | {("connectome_prepare", None)},
            id="connectome option: all but the self-coupled node",
        ),
    ],
)  # fmt: skip
def test_a_changed_setting_reruns_what_depends_on_it(workdir, edit, changed, expected):
    config = small_config()
    edit(config)
    write_config(workdir, config)
    try:
        jobs = planned_jobs(snakemake(workdir, "--dry-run", *targets()).stdout)
    finally:
        write_config(workdir, small_config())
    assert set(jobs) == expected
    for job in changed:
        assert "params have changed" in jobs[job].lower(), (job, jobs[job])


def test_a_figure_option_redraws_only_the_figures(workdir):
    figures = [f"results/figures/network/ei_qif_{point}_spacetime.png"
               for point in POINTS]  # fmt: skip
    snakemake(workdir, "--cores", "2", *targets(), *figures)
    config = small_config()
    config["figures"]["network"]["window"] = 50.0
    write_config(workdir, config)
    try:
        result = snakemake(workdir, "--dry-run", *targets(), *figures)
    finally:
        write_config(workdir, small_config())
        for figure in figures:  # the reference run holds data targets only
            (workdir / figure).unlink()
    jobs = planned_jobs(result.stdout)
    assert set(jobs) == every_point("network_figure")
    assert all("params have changed" in why.lower() for why in jobs.values())


# ---- a killed run ---------------------------------------------------------------


def start_and_kill_during_a_network_run(workdir):
    """Run the workflow; SIGKILL it and all its jobs while a network job
    integrates. Returns the point of that job and the run's output."""
    log_file = workdir / "run.log"
    with open(log_file, "w") as out:
        run = subprocess.Popen(
            [*SNAKEMAKE, "-d", str(workdir), "--profile", LOCAL, *targets()],
            stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
    point = None
    deadline = time.monotonic() + KILL_TIMEOUT
    try:
        while point is None:
            assert run.poll() is None, (
                "the run ended before it could be killed:\n"
                + (log_file.read_text()[-3000:])
            )
            assert time.monotonic() < deadline, "no network job started in time"
            for name in POINTS:
                log = workdir / f"logs/network_simulate/ei_qif/{name}.v_E.log"
                output = workdir / f"results/ei_qif/network/{name}/v_E.nc"
                started = log.exists() and "simulated" in log.read_text()
                if started and not output.exists():
                    point = name
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):  # if the run ended
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 10
        while (left := process_ids_in(workdir)) and time.monotonic() < deadline:
            for pid in left:  # a job in a session of its own
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
    return point, log_file.read_text()


def test_killed_run_resumes_with_the_unfinished_jobs(workdir, tmp_path):
    killed = prepare(tmp_path / "killed")
    point, output = start_and_kill_during_a_network_run(killed)
    assert not process_ids_in(killed)
    assert not (killed / f"results/ei_qif/network/{point}/v_E.nc").exists()
    finished = finished_jobs(output)
    assert ("network_simulate", point) not in finished

    snakemake(killed, "--unlock", *targets())  # the killed run's lock is stale
    # A job killed after it wrote some outputs keeps Snakemake's incomplete
    # marker: without --rerun-incomplete Snakemake stops, never takes them.
    plain = snakemake(killed, "--dry-run", *targets(), check=False)
    assert plain.returncode == 0 or "IncompleteFilesException" in plain.stdout

    planned = planned_jobs(
        snakemake(killed, "--profile", LOCAL, "--dry-run", *targets()).stdout
    )
    assert set(planned) == all_jobs() - finished
    resumed = snakemake(killed, "--profile", LOCAL, *targets())
    assert set(planned_jobs(resumed.stdout)) == set(planned)

    assert "Nothing to be done" in snakemake(killed, "--dry-run", *targets()).stdout
    assert differences(workdir, killed) == []
