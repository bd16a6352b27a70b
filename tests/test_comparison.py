"""The comparison table reduces each model's outputs as its docstring says."""

import json

import numpy as np
import pandas as pd
import pytest
from neuralmass.comparison import COLUMNS, model_summary, write_comparison

BLOCK = {
    "x": {"parameter": "p", "min": 0.0, "max": 2.0, "step": 1.0},
    "y": {"parameter": "eps", "min": 0.0, "max": 1.0, "step": 0.5},
}


def write_map(path):
    """A 3 x 2 map: rest, a stable cycle, an unstable cycle (mu_hat > 0 with
    n_unstable > 0), bistability, a rounding-level mu_hat > 0 that the map
    did not count as unstable, and a failed point."""
    rows = [
        (0.0, 0.0, "equilibrium", np.nan, -1.0, 0),
        (1.0, 0.0, "cycle", 10.0, -0.5, 0),
        (2.0, 0.0, "cycle", 40.0, 2.0, 3),
        (0.0, 0.5, "equilibrium", np.nan, -2.0, 0),
        (0.0, 0.5, "cycle", 5.0, -0.1, 0),
        (1.0, 0.5, "cycle", 12.0, 1e-15, 0),
        (2.0, 0.5, "failed", np.nan, np.nan, np.nan),
    ]
    table = pd.DataFrame(
        rows, columns=["p", "eps", "state", "frequency_hz", "mu_hat", "n_unstable"]
    )
    table.to_csv(path, index=False)


def write_runs(folder):
    """Two network spectra (1/ms): one chaotic, one on a cycle."""
    paths = []
    for run, (lam, err) in {"a": (0.004, 0.0005), "b": (1e-5, 1e-4)}.items():
        path = folder / run / "lyapunov.json"
        path.parent.mkdir()
        path.write_text(json.dumps({"lambda_max": lam, "lambda_max_stderr": err}))
        paths.append(path)
    frequencies = []
    for run, hz in {"a": 9.5, "b": 61.0}.items():
        path = folder / run / "dominant_frequency.csv"
        pd.DataFrame(
            {
                "signal": ["network_mean", "R1"],
                "dominant_frequency_hz": [hz, 3.0],
                "resolution_hz": [0.5, 0.5],
            }
        ).to_csv(path, index=False)
        frequencies.append(path)
    return paths, frequencies


def test_summary_of_a_known_map(tmp_path):
    write_map(tmp_path / "map.csv")
    runs, frequencies = write_runs(tmp_path)
    pd.DataFrame({"lambda_1": [-0.001, 0.002, np.nan]}).to_csv(
        tmp_path / "hom.csv", index=False
    )
    row = model_summary(
        "m", tmp_path / "map.csv", BLOCK, frequencies, runs, tmp_path / "hom.csv"
    )

    assert row["map_points"] == 6
    assert row["regimes"].split("; ") == [
        "cycle (transversally stable)",
        "cycle (transversally stable) + equilibrium (transversally stable)",
        "cycle (transversally unstable)",
        "equilibrium (transversally stable)",
    ]
    assert row["n_regimes"] == 4
    assert row["unstable_fraction"] == pytest.approx(1 / 6)
    assert row["unstable_area"] == pytest.approx(0.5)
    assert (row["cycle_frequency_min_hz"], row["cycle_frequency_max_hz"]) == (5, 40)
    assert row["network_frequency_min_hz"] == 9.5
    assert row["network_frequency_max_hz"] == 61.0
    assert row["lambda_max_network_per_s"] == pytest.approx(4.0)
    assert row["lambda_max_network_stderr_per_s"] == pytest.approx(0.5)
    assert row["lambda_max_network_run"] == "a"
    assert (row["n_chaotic_runs"], row["n_runs"]) == (1, 2)
    assert row["lambda_max_homogeneous_per_s"] == pytest.approx(2.0)


def test_table_and_figure_are_written(tmp_path):
    write_map(tmp_path / "map.csv")
    runs, frequencies = write_runs(tmp_path)
    inputs = {
        "transverse_map": tmp_path / "map.csv",
        "block": BLOCK,
        "dominant_frequencies": frequencies,
        "lyapunov_summaries": runs,
    }
    models = {"one": inputs, "two": {**inputs, "lyapunov_summaries": []}}
    write_comparison(models, tmp_path / "models.csv", tmp_path / "models.png")

    table = pd.read_csv(tmp_path / "models.csv")
    assert list(table.columns) == COLUMNS
    assert list(table["model"]) == ["one", "two"]
    assert np.isnan(table.loc[1, "lambda_max_network_per_s"])
    assert table.loc[1, "n_runs"] == 0
    assert (tmp_path / "models.png").stat().st_size > 20_000
