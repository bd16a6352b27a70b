"""Cross-frequency coupling stages: band choice, tables and figures.

Synthetic recordings with a known gamma carrier, a known slow rhythm and a
known coupling depth; the stages are run as the rules run them, on files.
"""

import copy
import html
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from neuralmass import cfc, connectome

from tests.conftest import REGIONS

ROOT = Path(__file__).resolve().parents[1]
FS = 2000.0
DURATION_S = 20.0
SLOW_HZ = 3.0
GAMMA_HZ = 70.0

SETTINGS = {
    "discard": 1000.0,
    "bands": {
        "delta": [1.0, 4.0],
        "theta": [4.0, 8.0],
        "alpha": [8.0, 13.0],
        "beta": [13.0, 30.0],
        "low_gamma": [30.0, 60.0],
        "high_gamma": [60.0, 150.0],
    },
    "periodogram": {"show": True, "mean_removal": "instant"},
    "spectrogram": {"window": 1.0, "overlap": 0.5},
    "pac": {
        "sampling_rate": 1000.0,
        "gamma_range": [30.0, 150.0],
        "modulation_range": [1.5, 10.0],
        "envelope_window": 4.0,
        "phase_bandwidth": 1.0,
        "amplitude_bandwidth": 24.0,
        "phase_bands": ["delta", "alpha"],
        "amplitude_bands": ["high_gamma"],
        "n_surrogates": 199,
        "min_shift": 0.5,
        "seed": 3,
        "comodulogram": {"phase": [2.0, 8.0, 1.0], "amplitude": [40.0, 100.0, 10.0]},
    },
    "figures": {"spacetime_window": 100.0, "trace_window": 2000.0},
}
SPECTRA = {"window": 2.0, "overlap": 0.5, "fmax": 200.0}


def recording(depths, rng, fs=FS, duration_s=DURATION_S, noise_sd=0.3):
    """Columns (1 + m cos phi) cos(2 pi 70 t) + 0.5 cos phi + noise.

    One slow phase phi for all columns, at 3 Hz with phase diffusion (0.3 Hz
    line width, as a real rhythm: a strictly periodic phase would realign
    the circular-shift surrogates); m per column.
    """
    n = int(duration_s * fs)
    t = np.arange(n) / fs
    steps = np.sqrt(2.0 * 1.0 / fs) * rng.standard_normal(n)
    phi = 2 * np.pi * SLOW_HZ * t + np.cumsum(steps)
    carrier = np.cos(2 * np.pi * GAMMA_HZ * t)
    m = np.asarray(depths, dtype=float)
    v = (1.0 + m * np.cos(phi)[:, None]) * carrier[:, None] + 0.5 * np.cos(phi)[:, None]
    return t * 1e3, v + noise_sd * rng.standard_normal(v.shape)


def write_recording(path, times_ms, v, regions):
    import xarray as xr

    data = xr.Dataset({"v_E": (("time", "region"), v)},
                      coords={"time": times_ms, "region": regions})  # fmt: skip
    data.to_netcdf(path, engine="h5netcdf")


@pytest.fixture(scope="module")
def table():
    return connectome.read_region_table(REGIONS)


def test_node_order_groups_hemispheres_then_lobes(table):
    matrix = connectome.region_order_for_matrix(table)
    regions = list(matrix["name"])
    order, groups = cfc.node_order(regions, table)

    assert sorted(order) == list(range(90))
    lobes = list(dict.fromkeys(table["lobe"]))
    assert [label for label, _, _ in groups] == [
        f"{h} {lobe}" for h in ("L", "R") for lobe in lobes
    ]
    assert groups[0][1] == 0 and groups[-1][2] == 90
    assert all(a[2] == b[1] for a, b in zip(groups, groups[1:], strict=False))
    by_name = table.set_index("name")
    for label, start, stop in groups:
        hemisphere, lobe = label.split(" ", 1)
        rows = by_name.loc[[regions[i] for i in order[start:stop]]]
        assert (rows["hemisphere"] == hemisphere).all()
        assert (rows["lobe"] == lobe).all()
        # Within a group, table order.
        assert list(rows.index) == [n for n in table["name"] if n in set(rows.index)]
    # The left frontal group starts with the table's first region.
    assert regions[order[0]] == "PreCG.L"


def test_node_order_without_table_and_with_unknown_region(table):
    order, groups = cfc.node_order(["a", "b", "c"], None)
    assert list(order) == [0, 1, 2] and groups == [("matrix order", 0, 3)]
    with pytest.raises(ValueError, match="'Nowhere.L'"):
        cfc.node_order(["PreCG.L", "Nowhere.L"], table)


def test_choose_bands_finds_the_carrier_and_the_modulation():
    rng = np.random.default_rng(0)
    times_ms, v = recording([0.8], rng)
    rec = cfc.Recording(times_ms, v, ["x"], "v_E", FS)
    from neuralmass.spectra import welch_spectra

    welch = welch_spectra(v, FS, 2.0, 0.5, 200.0)
    x, fs = cfc.decimate(v[:, 0], rec.fs, 1000.0)
    assert fs == 1000.0 and x.size == v.shape[0] // 2
    choice = cfc.choose_bands(x, fs, welch, SETTINGS["pac"])

    assert choice.dominant_gamma_hz == pytest.approx(GAMMA_HZ, abs=0.05)
    # Welch segments of 4 s: 0.25 Hz bins; the rhythm's line is 0.3 Hz wide.
    assert choice.modulation_hz == pytest.approx(SLOW_HZ, abs=0.2)
    assert choice.amplitude_band == pytest.approx(
        (choice.dominant_gamma_hz - 12.0, choice.dominant_gamma_hz + 12.0)
    )
    assert choice.phase_band == pytest.approx(
        (choice.modulation_hz - 0.5, choice.modulation_hz + 0.5)
    )


def test_pac_table_separates_coupled_from_uncoupled_columns():
    rng = np.random.default_rng(1)
    _, v = recording([0.5, 0.5, 0.0, 0.0], rng)
    x, fs = cfc.decimate(v, FS, 1000.0)
    pairs = [("slow", (2.5, 3.5), "gamma", (58.0, 82.0)),
             ("alpha", (8.0, 13.0), "gamma", (58.0, 82.0))]  # fmt: skip
    names = ["network_mean", "a", "b", "c"]
    table = cfc.pac_table(x, fs, names, pairs, 199, seed=5, min_shift_s=0.5)

    assert list(table.columns[:9]) == [
        "signal", "phase_band", "phase_lo_hz", "phase_hi_hz", "amplitude_band",
        "amplitude_lo_hz", "amplitude_hi_hz", "mi", "p_value",
    ]  # fmt: skip
    slow = table[table["phase_band"] == "slow"].set_index("signal")
    # Columns 0, 1 coupled (m = 0.5): p minimal, MI near that of a noiseless
    # envelope 1 + m cos(phi), m^2 / (4 log 18) = 0.0216 (the noise in the
    # amplitude band flattens it a little).
    assert (slow.loc[["network_mean", "a"], "p_value"] == 1 / 200).all()
    assert slow.loc["a", "mi"] == pytest.approx(0.5**2 / (4 * np.log(18)), rel=0.25)
    # Columns 2, 3 uncoupled: no evidence.
    assert (slow.loc[["b", "c"], "p_value"] > 0.01).all()
    assert (slow.loc[["b", "c"], "mi"] < 0.1 * slow.loc["a", "mi"]).all()
    # FDR-adjusted p-values are never below the raw ones; the network mean's
    # is its own.
    assert (table["p_value_fdr"] >= table["p_value"] - 1e-15).all()
    mean_rows = table[table["signal"] == "network_mean"]
    assert (mean_rows["p_value_fdr"] == mean_rows["p_value"]).all()
    # Each pair draws its lags from a fresh generator: same as alone.
    alone = cfc.pac_table(x, fs, names, pairs[1:], 199, seed=5, min_shift_s=0.5)
    pd.testing.assert_frame_equal(
        alone, table[table["phase_band"] == "alpha"].reset_index(drop=True)
    )


def test_band_table_integrates_sinusoids():
    fs, n = 1000.0, 20000
    t = np.arange(n) / fs
    v = np.column_stack([2.0 * np.sin(2 * np.pi * 6.0 * t),
                         np.sin(2 * np.pi * 75.0 * t)])  # fmt: skip
    from neuralmass.spectra import welch_spectra

    spectra = welch_spectra(v, fs, 2.0, 0.5, 200.0)
    table = cfc.band_table(spectra, ["six", "gamma"], SETTINGS["bands"])
    assert list(table.columns) == [
        "signal", "band", "lo_hz", "hi_hz", "power", "relative_power", "peak_hz"
    ]  # fmt: skip
    assert list(table["signal"].unique()) == ["network_mean", "six", "gamma"]
    rows = table.set_index(["signal", "band"])
    # Power of A sin: A^2 / 2, all of it in the band of the sinusoid.
    assert rows.loc[("six", "theta"), "power"] == pytest.approx(2.0, rel=1e-3)
    assert rows.loc[("six", "theta"), "relative_power"] == pytest.approx(1, abs=1e-3)
    assert rows.loc[("six", "theta"), "peak_hz"] == pytest.approx(6.0, abs=0.02)
    assert rows.loc[("gamma", "high_gamma"), "power"] == pytest.approx(0.5, rel=1e-3)
    assert rows.loc[("gamma", "high_gamma"), "peak_hz"] == pytest.approx(75, abs=0.02)
    # Network mean: (2 sin + sin) / 2 -> powers 0.5 and 0.125.
    assert rows.loc[("network_mean", "theta"), "power"] == pytest.approx(0.5, 1e-3)
    assert rows.loc[("network_mean", "high_gamma"), "relative_power"] == (
        pytest.approx(0.2, rel=1e-3)
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s["pac"].update(phase_bands=["gamma"]), "'gamma' is not one of"),
        (lambda s: s["bands"].update(theta=[8.0, 4.0]), "bands.theta"),
        (lambda s: s["pac"].update(amplitude_bandwidth=10.0), "at least twice"),
        (lambda s: s["pac"].update(modulation_range=[0.5, 5.0]), "above 0 Hz"),
        (lambda s: s["periodogram"].update(mean_removal="raw"), "must be one of"),
    ],
)
def test_check_settings_names_the_key(change, message):
    settings = copy.deepcopy(SETTINGS)
    change(settings)
    with pytest.raises(ValueError, match=message):
        cfc.check_settings(settings)


def test_config_block_passes_the_checks():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    if "cfc" not in config:
        pytest.skip("config/config.yaml has no cfc block yet")
    cfc.check_settings(config["cfc"])


def test_analysis_part_must_leave_samples():
    rec = cfc.Recording(np.arange(10.0), np.zeros((10, 2)), ["a", "b"], "v_E", 1e3)
    assert cfc.analysis_part(rec, 5.0).v.shape == (5, 2)
    with pytest.raises(ValueError, match="cfc.discard"):
        cfc.analysis_part(rec, 9.0)


def test_stages_write_consistent_tables_and_figures(tmp_path, table):
    """The three stages on a 4-region recording, as the rules call them."""
    rng = np.random.default_rng(2)
    times_ms, v = recording([0.6, 0.6, 0.3, 0.0], rng)
    regions = ["PreCG.L", "SFGdor.L", "SFGdor.R", "PreCG.R"]
    nc = tmp_path / "v_E.nc"
    write_recording(nc, times_ms, v, regions)
    regions_file = tmp_path / "regions.dat"
    lines = REGIONS.read_text().splitlines()
    regions_file.write_text("\n".join(lines[:5]) + "\n")
    where = "test point"

    out = {k: tmp_path / f"{k}.{ext}" for k, ext in [
        ("pac", "csv"), ("comodulogram", "csv"), ("summary", "csv"),
        ("summary_html", "html"), ("figure", "png"), ("traces", "png")]}  # fmt: skip
    cfc.cfc_pac(nc, SPECTRA, SETTINGS, out, where, model="m", point="p")
    cfc.cfc_spectra(nc, SPECTRA, SETTINGS, tmp_path / "bands.csv",
                    tmp_path / "spectra.png", tmp_path / "gram.png", where)  # fmt: skip
    cfc.cfc_spacetime(nc, out["summary"], regions_file, SETTINGS,
                      tmp_path / "spacetime.png", where)  # fmt: skip
    for name in ("figure", "traces"):
        assert out[name].stat().st_size > 20_000
    for name in ("spectra.png", "gram.png", "spacetime.png"):
        assert (tmp_path / name).stat().st_size > 20_000

    summary = pd.read_csv(out["summary"])
    assert list(summary.columns) == cfc.SUMMARY_COLUMNS and len(summary) == 1
    s = summary.iloc[0]
    assert s["dominant_gamma_hz"] == pytest.approx(GAMMA_HZ, abs=0.05)
    assert s["modulation_hz"] == pytest.approx(SLOW_HZ, abs=0.2)
    assert s["p_value"] == 1 / 200 and s["n_surrogates"] == 199 and s["seed"] == 3
    assert (s["n_nodes"], s["nodes_significant"]) == (4, 3)
    assert s["analysis_start_ms"] == pytest.approx(1000.0, abs=1.0)
    assert s["analysis_duration_s"] == pytest.approx(19.0, abs=0.01)

    # The summary's numbers are the network-mean row of the chosen pair.
    pac = pd.read_csv(out["pac"])
    assert len(pac) == 5 * (1 + 2)
    chosen = pac[
        (pac["phase_band"] == "modulation") & (pac["signal"] == "network_mean")
    ]
    assert chosen["mi"].item() == s["mi"] and chosen["p_value"].item() == s["p_value"]
    assert chosen["amplitude_lo_hz"].item() == s["amplitude_lo_hz"]
    # ... and the gamma peak is the in-band peak of bands.csv.
    bands = pd.read_csv(tmp_path / "bands.csv").set_index(["signal", "band"])
    assert bands.loc[("network_mean", "high_gamma"), "peak_hz"] == pytest.approx(
        s["dominant_gamma_hz"], abs=1e-9
    )
    # ... and the report item states them as rounded in the sentence.
    page = out["summary_html"].read_text()
    assert html.escape(cfc.summary_sentence(s.to_dict())) in page
    assert f"{s['mi']:.3g}" in page and f"{s['dominant_gamma_hz']:.2f} Hz" in page

    comod = pd.read_csv(out["comodulogram"])
    assert set(comod["signal"]) == {"network_mean", "node_median"}
    assert len(comod) == 2 * 7 * 7
    best = comod[comod["signal"] == "network_mean"].sort_values("mi").iloc[-1]
    assert best["phase_hz"] == SLOW_HZ
    assert best["amplitude_hz"] == pytest.approx(GAMMA_HZ, abs=10.0)


def test_figures_check_their_shapes(tmp_path):
    from neuralmass.plots.spacetime import plot_space_time_ordered, plot_traces
    from neuralmass.plots.spectra import plot_coupling, plot_spectra_panels

    t = np.arange(10.0)
    with pytest.raises(ValueError, match="n_nodes"):
        plot_space_time_ordered([t], [np.zeros((10, 3))], [("a", 0, 2)],
                                tmp_path / "x.png")  # fmt: skip
    with pytest.raises(ValueError, match="same length"):
        plot_traces(t, t, t, t, t[:-1], tmp_path / "x.png")
    with pytest.raises(ValueError, match="at least one"):
        plot_spectra_panels({}, tmp_path / "x.png")
    grid = np.zeros((2, 3))
    with pytest.raises(ValueError, match="mi_nodes"):
        plot_coupling(t, t, t, t, [1, 2], [1, 2, 3], grid, grid.T, t, t,
                      tmp_path / "x.png")  # fmt: skip
    assert not list(tmp_path.iterdir())
