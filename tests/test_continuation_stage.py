"""The bifurcation stage end to end on a coarse mesh, without Snakemake."""

import numpy as np
import pandas as pd
import pytest
from neuralmass.continuation import stage
from neuralmass.plots.bifurcation import (
    plot_cascade,
    plot_one_parameter,
    plot_two_parameter,
)

SETTINGS = {
    "parameter": "I_E",
    "bounds": [-5.0, 20.0],
    "second": "eps",
    "second_bounds": [0.0, 130.0],
    "values": [0.0, 29.0],
    "ntst": 40,
    "ncol": 4,
    "max_period": 1000.0,
    "period_doubling_depth": 1,
    "zoom": {"I_E": [7.0, 13.0], "eps": [8.0, 16.0]},
    "cascade": {"second_value": 12.0, "start": 10.0, "stop": 12.0, "n": 5,
                "variable": "s_E", "transient": 300.0, "duration": 200.0,
                "dt": 0.01},
}  # fmt: skip


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("bifurcation")
    branch_csvs, special_csvs = [], []
    for value in SETTINGS["values"]:
        b, s = root / f"b{value:g}.csv", root / f"s{value:g}.csv"
        stage.write_one_parameter("ei_qif", {}, SETTINGS, value, b, s)
        branch_csvs.append(b)
        special_csvs.append(s)
    curves, curve_special = root / "curves.csv", root / "curve_special.csv"
    stage.write_two_parameter("ei_qif", {}, SETTINGS, special_csvs, curves,
                              curve_special)  # fmt: skip
    cascade = root / "cascade.csv"
    stage.write_cascade("ei_qif", {}, SETTINGS, cascade)
    branches, special = root / "branches.csv", root / "special_points.csv"
    stage.write_tables(branch_csvs, special_csvs, curves, curve_special, branches,
                       special)  # fmt: skip
    return root, pd.read_csv(branches), pd.read_csv(special), pd.read_csv(cascade)


def test_tables(outputs):
    _, branches, special, _ = outputs
    for column in ["branch", "type", "I_E", "eps", "stable", "norm", "max_v_E",
                   "min_s_I", "period", "frequency_hz"]:  # fmt: skip
        assert column in branches
    for column in ["kind", "I_E", "eps", "period", "frequency_hz",
                   "lyapunov_coefficient", "residual"]:  # fmt: skip
        assert column in special
    one = special[special["type"].isna()]
    hopf = one[(one["kind"] == "HB") & (one["eps"] == 0)]
    assert sorted(hopf["I_E"]) == pytest.approx([5.99319], abs=1e-4)
    assert hopf["frequency_hz"].iloc[0] == pytest.approx(26.79, abs=0.01)
    folds = one[(one["kind"] == "LP") & (one["eps"] == 29)]
    assert sorted(folds["I_E"]) == pytest.approx([2.9393, 4.1491], abs=1e-4)
    assert set(branches["type"]) >= {"equilibrium", "cycle", "LP curve", "HB curve"}
    assert {"CP", "GH"} <= set(special["kind"])
    # the period of the cycles at (10, 0) on the coarse mesh
    cyc = branches[(branches["type"] == "cycle") & (branches["eps"] == 0)]
    period = np.interp(10.0, cyc["I_E"], cyc["period"])
    assert period == pytest.approx(21.3655, rel=1e-3)
    assert len(branches["branch"].unique()) == branches.groupby(
        ["branch", "type"]).ngroups  # fmt: skip


def test_cascade_and_figures(outputs):
    root, branches, special, peaks = outputs
    assert sorted(set(peaks["I_E"])) == pytest.approx(list(np.linspace(10, 12, 5)))
    assert not peaks["resting"].any()
    diagram = branches[branches["type"].isin(["equilibrium", "cycle"])]
    on = diagram[diagram["eps"] == 0]
    at = special[(special["eps"] == 0) & special["type"].isna()]
    plot_one_parameter(on, at, root / "one.png", "I_E", "v_E", "eps 0",
                       ("r_E", "v_E", "s_E", "r_I", "v_I", "s_I"))  # fmt: skip
    curves = branches[branches["type"].str.endswith("curve")]
    plot_two_parameter(curves, special[special["kind"].isin(["BT", "CP", "GH"])],
                       special[special["kind"].isin(["LPC", "PD"])], root / "two.png",
                       ("I_E", "eps"), ((7, 13), (8, 16)))  # fmt: skip
    plot_cascade(peaks, on, root / "cascade.png", "I_E", "s_E", "eps 12")
    for name in ["one.png", "two.png", "cascade.png"]:
        assert (root / name).stat().st_size > 10_000


JR_SETTINGS = {
    "parameter": "p",
    "bounds": [-100.0, 400.0],
    "second": "eps",
    "second_bounds": [0.0, 100.0],
    "values": [0.0, 50.0],
    "ntst": 20,
    "ncol": 4,
    "max_period": 500.0,
    "period_doubling_depth": 1,
    "zoom": {"p": [50.0, 200.0], "eps": [30.0, 70.0]},
    "cascade": {"second_value": 50.0, "start": 150.0, "stop": 250.0, "n": 3,
                "variable": "v_pyr", "transient": 2000.0, "duration": 1000.0,
                "dt": 0.1},
}  # fmt: skip


@pytest.fixture(scope="module")
def jansen_rit(tmp_path_factory):
    """Jansen-Rit diagrams at eps 0 and 50 (time in s, settings in ms)."""
    root = tmp_path_factory.mktemp("jansen_rit")
    out = {}
    for value in JR_SETTINGS["values"]:
        b, s = root / f"b{value:g}.csv", root / f"s{value:g}.csv"
        stage.write_one_parameter("jansen_rit", {}, JR_SETTINGS, value, b, s)
        out[value] = (pd.read_csv(b), pd.read_csv(s))
    cascade = root / "cascade.csv"
    stage.write_cascade("jansen_rit", {}, JR_SETTINGS, cascade)
    return root, out, pd.read_csv(cascade)


def test_jansen_rit_at_eps_0(jansen_rit):
    """science.md section 7; the spike cycles from the first Hopf point fold
    at p = 137.38 and end in a SNIC on the upper fold (Grimbert and Faugeras
    2006), their period past max_period = 500 ms = 0.5 s there."""
    _, out, _ = jansen_rit
    branches, special = out[0.0]
    kinds = special.groupby("kind")["p"].apply(sorted).to_dict()
    assert kinds["HB"] == pytest.approx([-12.1475, 89.8291, 315.6964], abs=1e-4)
    assert kinds["LP"] == pytest.approx([-41.301, 113.586], abs=1e-3)
    assert kinds["LPC"] == pytest.approx([137.38], abs=0.05)
    assert kinds["SNIC"] == pytest.approx([113.586], abs=1e-3)  # at the fold
    assert "HC" not in kinds
    (snic,) = special[special["kind"] == "SNIC"].itertuples()
    assert 0.5 < snic.period < 0.55
    spikes = branches[branches["branch"] == snic.branch]
    assert 113.586 < spikes["p"].iloc[-1] < 120  # the last cycle, T = 0.5 s
    # the recorded signal v_pyr = y1 - y2 has its own columns
    eq = branches[branches["type"] == "equilibrium"]
    np.testing.assert_allclose(eq["max_v_pyr"], eq["max_y1"] - eq["max_y2"])
    cyc = branches[branches["type"] == "cycle"]
    assert (cyc["max_v_pyr"] <= cyc["max_y1"] - cyc["min_y2"] + 1e-9).all()


def test_jansen_rit_at_eps_50(jansen_rit):
    """The lower fold has left the bounds: the first equilibrium branch turns
    at the upper fold and leaves through p = -100, so the upper branch, with
    the Hopf point of the alpha rhythm, is reached from p = 400."""
    _, out, peaks = jansen_rit
    branches, special = out[50.0]
    eq = branches[branches["type"] == "equilibrium"]
    assert sorted(eq["branch"].unique()) == [0, 1]
    (hopf,) = special[special["kind"] == "HB"].itertuples()
    assert hopf.p == pytest.approx(329.48, abs=0.01)
    assert 9.0 < hopf.frequency_hz < 10.0
    (fold,) = special[special["kind"] == "LP"].itertuples()
    (snic,) = special[special["kind"] == "SNIC"].itertuples()
    assert snic.p == fold.p
    # the simulated sweep (in s after conversion from ms) oscillates there
    assert not peaks["resting"].any()
    assert np.isfinite(peaks["peak"]).all()


def test_jansen_rit_figure(jansen_rit):
    from neuralmass.models import load_model

    root, out, _ = jansen_rit
    model = load_model("jansen_rit")
    branches, special = out[0.0]
    plot_one_parameter(branches, special, root / "one.png", "p", model.observable,
                       "jansen_rit, eps = 0", model.variables,
                       model.observable_weights)  # fmt: skip
    assert (root / "one.png").stat().st_size > 10_000
