"""The workflow end to end on the real connectome, in a temporary folder.

Runs Snakemake as a user would (CLI), with a small configuration: one
transversally stable cycle, so that the network's dominant frequency can be
checked against the shooting period, and one equilibrium.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import AAL90, REGIONS

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
POINTS = {"I10_eps3": {"I_E": 10.0, "eps": 3.0}, "I15_eps9": {"I_E": 15.0, "eps": 9.0}}

pytestmark = pytest.mark.slow


def small_config() -> dict:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["models"] = {name: block for name, block in config["models"].items()
                        if name == "ei_qif"}  # fmt: skip
    config["models"]["ei_qif"]["points"] = dict(POINTS)
    config["homogeneous"]["transient"] = 1000.0
    config["dispersion"]["lambda_step"] = 0.05
    config["simulation"].update(transient=200.0, duration=4000.0)
    config["spectra"]["window"] = 1.0
    config["cfc"]["discard"] = 500.0
    config["cfc"]["pac"].update(modulation_range=[4.5, 10.0], envelope_window=1.0,
                                phase_bands=["theta"], n_surrogates=99,
                                min_shift=0.1)  # fmt: skip
    config["cfc"]["pac"]["comodulogram"]["phase"] = [4.5, 10.0, 1.0]
    for stage in ("transverse", "bifurcation", "lyapunov"):  # tested on their own
        del config["models"]["ei_qif"][stage]
    short = {"n_exponents": 2, "duration": 50.0, "n_blocks": 2, "transient": 50.0}
    config["lyapunov"]["network"].update(short, tangent_transient=10.0)
    return config


def run(workdir: Path, *args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "-d", str(workdir), "--cores",
         "2", *args],
        capture_output=True, text=True,
    )  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(result.stdout[-3000:] + result.stderr[-3000:])
    return result


def write_config(workdir: Path, config: dict) -> None:
    (workdir / "config").mkdir(exist_ok=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))


def job_counts(output: str) -> dict[str, int]:
    """Rule -> number of jobs from a dry run's job-stats table."""
    counts = {}
    for line in output.splitlines():
        match = re.fullmatch(r"(\w+)\s+(\d+)", line.strip())
        if match and match[1] != "total":
            counts[match[1]] = int(match[2])
    return counts


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("pipeline")
    cache = workdir / "resources" / "connectomes"
    cache.mkdir(parents=True)
    shutil.copy(AAL90, cache / "sc2017.dat")
    shutil.copy(REGIONS, cache / "aal.dat")
    write_config(workdir, small_config())
    run(workdir)
    return workdir


def test_outputs_are_written_with_their_columns(workdir):
    eig = pd.read_csv(workdir / "results/connectome/aal90/eigenvalues.csv")
    assert list(eig.columns) == ["alpha", "lambda_re", "lambda_im"]
    assert eig["lambda_re"].iloc[1] == pytest.approx(0.739349, abs=1e-6)

    for point, values in POINTS.items():
        table = pd.read_csv(workdir / f"results/ei_qif/dispersion/{point}.csv")
        assert list(table.columns) == [
            "I_E", "eps", "state", "lambda_re", "lambda_im", "alpha", "mu", "mu_im"
        ]  # fmt: skip
        assert table["I_E"].eq(values["I_E"]).all()
        assert table["alpha"].notna().sum() == 90
        assert table["alpha"].isna().sum() == 41
        for figure in (
            f"results/figures/dispersion/ei_qif_{point}.png",
            f"results/figures/network/ei_qif_{point}_spacetime.png",
            f"results/figures/spectra/ei_qif_{point}.png",
        ):
            assert (workdir / figure).stat().st_size > 10_000
    assert (workdir / "results/figures/connectome/aal90.png").exists()
    record = json.loads((workdir / "results/provenance.json").read_text())
    assert record["config"]["models"]["ei_qif"]["points"] == POINTS
    assert record["versions"]["numba"] and record["git_commit"]
    states = pd.read_csv(workdir / "results/ei_qif/homogeneous/states.csv")
    assert dict(zip(states["point"], states["state"], strict=True)) == {
        "I10_eps3": "cycle", "I15_eps9": "equilibrium"
    }  # fmt: skip


def test_stable_cycle_network_oscillates_at_the_cycle_frequency(workdir):
    """Simulation against shooting: a transversally stable homogeneous cycle
    synchronises the network at the frequency of the self-coupled node."""
    import xarray as xr

    record = json.loads(
        (workdir / "results/ei_qif/homogeneous/I10_eps3.json").read_text()
    )
    table = pd.read_csv(workdir / "results/ei_qif/dispersion/I10_eps3.csv")
    assert table.loc[table["alpha"] >= 2, "mu"].max() < 0
    dominant = pd.read_csv(
        workdir / "results/ei_qif/network/I10_eps3/dominant_frequency.csv"
    )
    mean = dominant.set_index("signal").loc["network_mean"]
    assert mean["dominant_frequency_hz"] == pytest.approx(
        record["cycle"]["frequency_hz"], abs=mean["resolution_hz"] / 2
    )
    with xr.open_dataset(workdir / "results/ei_qif/network/I10_eps3/v_E.nc") as data:
        assert data.attrs["seed"] == 1
        assert json.loads(data.attrs["parameters"])["I_E"] == 10.0
        assert data.sizes == {"time": 40000, "region": 90}
        assert str(data["region"][0].item()) == "PreCG.L"
        spread = np.ptp(data["v_E"].to_numpy()[-1000:], axis=1).max()
    assert spread < 1e-3


def test_second_run_does_nothing(workdir):
    result = run(workdir, "--dry-run")
    assert "Nothing to be done" in result.stdout + result.stderr


def test_changing_one_point_reruns_only_its_jobs(workdir):
    config = small_config()
    config["models"]["ei_qif"]["points"]["I15_eps9"] = {"I_E": 14.5, "eps": 9.0}
    write_config(workdir, config)
    try:
        result = run(workdir, "--dry-run")
        counts = job_counts(result.stdout)
        assert counts == {
            "homogeneous_state": 1, "homogeneous_table": 1, "dispersion_relation": 1,
            "network_simulate": 1, "spectra_welch": 1, "all": 1,
            "cfc_spectra": 1, "cfc_pac": 1, "cfc_spacetime": 1,
            "lyapunov_network": 1, "provenance": 1, "network_figure": 1,
        }  # fmt: skip
        assert "I10_eps3" not in result.stdout.split("Job stats")[0].replace(
            "results/ei_qif/homogeneous/I10_eps3.json", ""
        )
    finally:
        write_config(workdir, small_config())


def test_report_is_built(workdir):
    run(workdir, "--report", str(workdir / "report.html"))
    assert (workdir / "report.html").stat().st_size > 100_000


def test_corrupted_cached_connectome_stops_with_both_digests(tmp_path):
    cache = tmp_path / "resources" / "connectomes"
    cache.mkdir(parents=True)
    text = AAL90.read_text().replace("0.15271", "0.15272", 1)
    (cache / "sc2017.dat").write_text(text)
    shutil.copy(REGIONS, cache / "aal.dat")
    write_config(tmp_path, small_config())
    result = run(tmp_path, "results/connectome/aal90/eigenvalues.csv", check=False)
    assert result.returncode != 0
    log = (tmp_path / "logs/connectome_prepare/aal90.log").read_text()
    assert "sc2017.dat: sha256" in log
    assert "5d9d4d7e233cb20ccfec40ef09e9d87c7864124a842f983cd165cb14fa161909" in log
    assert not (tmp_path / "results/connectome/aal90").exists() or not any(
        (tmp_path / "results/connectome/aal90").iterdir()
    )


def test_config_errors_name_the_field_and_value(tmp_path):
    config = small_config()
    config["simulation"]["durration"] = 5.0
    config["models"]["ei_qif"]["parameters"] = {"tau_E": -8.0}
    write_config(tmp_path, config)
    result = run(tmp_path, "--dry-run", check=False)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "config/config.yaml" in message
    assert "'durration' was unexpected" in message
    assert "models.ei_qif.parameters.tau_E: -8.0 is less than or equal to" in message
    assert not (tmp_path / "results").exists()


def test_jansen_rit_runs_through_the_same_chain(tmp_path):
    """The classical model through the same rules, in its own units: columns
    named after its parameters, rates in 1/s, its signal y1 - y2 stored as
    v_pyr, and on a transversally stable cycle (science.md section 6, eps 50)
    the network synchronises at the frequency found by shooting."""
    import xarray as xr

    cache = tmp_path / "resources" / "connectomes"
    cache.mkdir(parents=True)
    shutil.copy(AAL90, cache / "sc2017.dat")
    shutil.copy(REGIONS, cache / "aal.dat")
    config = small_config()
    full = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    block = full["models"]["jansen_rit"]
    for stage in ("transverse", "bifurcation", "lyapunov"):
        del block[stage]
    block["points"] = {"p320_eps50": {"p": 320.0, "eps": 50.0}}
    block["simulation"].update(transient=2000.0, duration=30000.0)
    block["spectra"] = {"window": 4.0}
    config["models"] = {"jansen_rit": block}
    write_config(tmp_path, config)
    run(
        tmp_path,
        "results/jansen_rit/dispersion/p320_eps50.csv",
        "results/jansen_rit/network/p320_eps50/dominant_frequency.csv",
    )

    record = json.loads(
        (tmp_path / "results/jansen_rit/homogeneous/p320_eps50.json").read_text()
    )
    assert record["state"] == "cycle" and record["time_unit"] == "s"
    assert 8.0 < record["cycle"]["frequency_hz"] < 11.0
    table = pd.read_csv(tmp_path / "results/jansen_rit/dispersion/p320_eps50.csv")
    assert list(table.columns[:3]) == ["p", "eps", "state"]
    assert table.loc[table["alpha"] >= 2, "mu"].max() < 0
    dominant = pd.read_csv(
        tmp_path / "results/jansen_rit/network/p320_eps50/dominant_frequency.csv"
    ).set_index("signal")
    mean = dominant.loc["network_mean"]
    assert mean["dominant_frequency_hz"] == pytest.approx(
        record["cycle"]["frequency_hz"], abs=mean["resolution_hz"] / 2
    )
    path = tmp_path / "results/jansen_rit/network/p320_eps50/v_pyr.nc"
    with xr.open_dataset(path) as data:
        assert data.sizes == {"time": 30000, "region": 90}
        assert data["v_pyr"].attrs["units"] == "mV"
        assert float(data["time"][1] - data["time"][0]) == pytest.approx(1.0)
        signal = data["v_pyr"].to_numpy()
    x0 = np.array(record["cycle"]["x0"])
    assert np.ptp(signal[-1000:].mean(axis=1)) > 1.0
    assert abs(signal[-1000:].mean() - (x0[1] - x0[2])) < np.ptp(signal)
