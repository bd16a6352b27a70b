"""Spectra of network recordings: Welch and periodogram against known answers."""

import numpy as np
import pytest
from neuralmass import spectra as sp
from scipy import signal

FS = 1000.0  # Hz
WINDOW_S = 2.0  # resolution 0.5 Hz
OVERLAP = 0.5


def sinusoids(t, components, phase=0.0):
    """Sum of A sin(2 pi f t + phase + k) over components (f Hz, A)."""
    return sum(
        a * np.sin(2 * np.pi * f * t + phase + k) for k, (f, a) in enumerate(components)
    )


# ---------------------------------------------------------------------------
# Welch estimates
# ---------------------------------------------------------------------------


def test_sinusoid_peaks_and_relative_powers():
    # 40.25 Hz lies half-way between two bins: its peak bin loses 1.4 dB to
    # the Hann window's scalloping, while the other two sit on bins. The
    # power of a sinusoid is spread over the main lobe (+-2 bins), so
    # integrating +-2 Hz (+-4 bins) around each peak recovers A^2 / 2 no
    # matter where the frequency falls on the grid.
    components = [(10.0, 1.0), (40.25, 0.5), (73.0, 0.25)]
    rng = np.random.default_rng(1)
    t = np.arange(int(20 * FS)) / FS
    v = np.stack([sinusoids(t, components, phase) for phase in (0.0, 1.3, 2.9)], 1)
    v += 0.01 * rng.standard_normal(v.shape)

    s = sp.welch_spectra(v, FS, WINDOW_S, OVERLAP)
    assert s.resolution_hz == pytest.approx(0.5)
    assert s.frequency_hz[-1] == pytest.approx(200.0)

    f = s.frequency_hz
    power = {}
    for f0, a in components:
        near = (f >= f0 - 5) & (f <= f0 + 5)
        peaks = sp.dominant_frequency(f[near], s.power_nodes[near], fmin_hz=0.0)
        np.testing.assert_allclose(peaks, f0, atol=0.5 * s.resolution_hz)
        power[f0] = sp.band_power(f, s.power_nodes, f0 - 2.0, f0 + 2.0)
        np.testing.assert_allclose(power[f0], a**2 / 2, rtol=0.02)

    for f0, a in components[1:]:
        measured_db = 10 * np.log10(power[f0] / power[10.0])
        np.testing.assert_allclose(measured_db, 20 * np.log10(a / 1.0), atol=0.5)


def test_each_node_loses_its_own_mean_only():
    rng = np.random.default_rng(2)
    t = np.arange(int(10 * FS)) / FS
    v = np.stack([np.sin(2 * np.pi * 12 * t), np.cos(2 * np.pi * 31 * t)], 1)
    v += 0.1 * rng.standard_normal(v.shape)
    offset = v.copy()
    offset[:, 0] += 1.0e3

    # No per-segment detrending, so only the module's own mean removal acts.
    base = sp.welch_spectra(v, FS, WINDOW_S, OVERLAP, detrend=False)
    shifted = sp.welch_spectra(offset, FS, WINDOW_S, OVERLAP, detrend=False)
    scale = base.power_nodes.max()
    np.testing.assert_allclose(
        shifted.power_nodes, base.power_nodes, rtol=1e-8, atol=1e-12 * scale
    )

    # Without that removal the offset would leak into the low bins through
    # the Hann window: the comparison above is not vacuous.
    _, raw = signal.welch(offset[:, 0], FS, nperseg=2000, detrend=False)
    assert raw[1] > 1e6 * base.power_nodes[1, 0]


def test_network_mean_spectrum_is_spectrum_of_mean_signal():
    rng = np.random.default_rng(3)
    t = np.arange(int(10 * FS)) / FS
    shared = np.sin(2 * np.pi * 20 * t)
    v = shared[:, None] + rng.standard_normal((t.size, 8)) + 5.0 * np.arange(8)

    s = sp.welch_spectra(v, FS, 1.0, 0.25, fmax_hz=150.0)
    mean = v.mean(axis=1)
    f, expected = signal.welch(
        mean - mean.mean(), FS, window="hann", nperseg=1000, noverlap=250
    )
    keep = f <= 150.0
    np.testing.assert_allclose(s.frequency_hz, f[keep])
    np.testing.assert_allclose(s.power_mean, expected[keep], rtol=1e-12)
    # Averaging the nodes first cancels their independent noise: away from
    # 20 Hz the spectrum of the mean is ~8 times below the mean node spectrum.
    off_peak = (s.frequency_hz > 40) & (s.frequency_hz < 140)
    ratio = s.power_nodes[off_peak].mean() / s.power_mean[off_peak].mean()
    assert ratio == pytest.approx(8.0, rel=0.1)


def test_dominant_frequency_interpolates_between_bins():
    t = np.arange(int(20 * FS)) / FS
    v = np.stack([np.sin(2 * np.pi * 37.3 * t + ph) for ph in (0.0, 2.0)], 1)
    s = sp.welch_spectra(v, FS, WINDOW_S, OVERLAP)
    # 37.3 Hz is 0.6 bins past 37 Hz; without interpolation the error would
    # be 0.2 Hz = 0.4 bins.
    mean_hz, nodes_hz = s.dominant_frequency()
    tolerance = 0.1 * s.resolution_hz
    assert mean_hz == pytest.approx(37.3, abs=tolerance)
    np.testing.assert_allclose(nodes_hz, 37.3, atol=tolerance)
    single = sp.dominant_frequency(s.frequency_hz, s.power_nodes[:, 0])
    assert isinstance(single, float)
    assert single == pytest.approx(37.3, abs=tolerance)


def test_band_powers_of_white_noise_follow_band_widths():
    # White noise of unit variance has the one-sided PSD 2 / fs, so a band of
    # width B holds 2 B / fs. The statistical error of the node average is
    # estimated from the spread over 32 independent nodes; 4 standard errors
    # two-sided (a false failure about 1 in 16 000 per band).
    fs, n_nodes = 500.0, 32
    rng = np.random.default_rng(4)
    v = rng.standard_normal((int(40 * fs), n_nodes))
    s = sp.welch_spectra(v, fs, 4.0, 0.5)

    for lo, hi in sp.BANDS.values():
        per_node = sp.band_power(s.frequency_hz, s.power_nodes, lo, hi) / (hi - lo)
        error = per_node.std(ddof=1) / np.sqrt(n_nodes)
        assert abs(per_node.mean() - 2.0 / fs) < 4.0 * error
        assert error < 0.1 * 2.0 / fs  # the bound above is informative

    table = sp.band_powers(s)
    assert list(table["band"]) == list(sp.BANDS)
    assert {"lo_hz", "hi_hz", "power_mean", "power_node_median"} <= set(table)
    # The default bands tile 1..150 Hz, so relative powers add up to one.
    assert table["relative_power_mean"].sum() == pytest.approx(1.0, rel=1e-12)
    widths = table["hi_hz"] - table["lo_hz"]
    # A single node's delta-band power scatters by ~9 %; the median over 32
    # nodes by ~2 %.
    np.testing.assert_allclose(
        table["relative_power_node_median"], widths / 149.0, rtol=0.1
    )


def test_band_power_interpolates_at_the_edges():
    # A linear PSD is integrated exactly, band edges between bins included.
    f = np.arange(0.0, 10.5, 0.5)
    power = 3.0 + 2.0 * f
    expected = 3.0 * (7.3 - 1.2) + (7.3**2 - 1.2**2)
    assert sp.band_power(f, power, 1.2, 7.3) == pytest.approx(expected, rel=1e-12)


def test_welch_parseval_integral_equals_variance():
    # Coloured noise (AR(1), correlation time 20 ms) plus a sinusoid. The
    # discrete Parseval sum of the one-sided PSD is an unbiased estimate of
    # the variance; its scatter between realisations is about 0.5 % here.
    # Per-segment detrending also removes the power below about 1 / window
    # (1 % of the total for this low-pass spectrum), hence the looser bound.
    fs = 500.0
    rng = np.random.default_rng(5)
    n = int(60 * fs)
    noise = signal.lfilter([1.0], [1.0, -0.9], rng.standard_normal((n, 4)), axis=0)
    t = np.arange(n) / fs
    v = noise + 3.0 * np.sin(2 * np.pi * 23.4 * t)[:, None]
    variance = v.var(axis=0)
    for detrend, rtol in ((False, 0.02), ("constant", 0.03)):
        s = sp.welch_spectra(v, fs, 2.0, 0.5, fmax_hz=fs / 2, detrend=detrend)
        total = s.power_nodes.sum(axis=0) * s.resolution_hz
        np.testing.assert_allclose(total, variance, rtol=rtol)


# ---------------------------------------------------------------------------
# The study's periodogram
# ---------------------------------------------------------------------------


def test_periodogram_parseval_is_exact():
    rng = np.random.default_rng(6)
    v = rng.standard_normal((4000, 3)) + np.array([1.0, -2.0, 7.0])
    s = sp.periodogram_spectra(v, FS, fmax_hz=FS / 2)
    assert s.method == "periodogram"
    assert s.resolution_hz == pytest.approx(FS / 4000)
    total = s.power_nodes.sum(axis=0) * s.resolution_hz
    np.testing.assert_allclose(total, v.var(axis=0), rtol=1e-10)
    mean = v.mean(axis=1)
    assert s.power_mean.sum() * s.resolution_hz == pytest.approx(mean.var())


def test_instant_mean_removal_hides_synchronous_activity():
    # The study subtracted the across-node mean at each instant: a perfectly
    # synchronous oscillation then leaves nothing in the node spectra, while
    # removing each node's temporal mean keeps it.
    t = np.arange(4000) / FS
    v = np.repeat(np.sin(2 * np.pi * 25 * t)[:, None], 5, axis=1) + 3.0
    node = sp.periodogram_spectra(v, FS, mean_removal="node")
    instant = sp.periodogram_spectra(v, FS, mean_removal="instant")
    peak = np.argmin(np.abs(node.frequency_hz - 25.0))
    # A sinusoid on a bin puts A^2 / 2 / resolution into it.
    np.testing.assert_allclose(node.power_nodes[peak], 0.5 / node.resolution_hz)
    np.testing.assert_allclose(
        node.power_mean, node.power_nodes[:, 0], atol=1e-12 * node.power_mean.max()
    )
    assert np.all(instant.power_nodes < 1e-25)
    with pytest.raises(ValueError, match="mean_removal"):
        sp.periodogram_spectra(v, FS, mean_removal="global")


# ---------------------------------------------------------------------------
# Decibels and summary table
# ---------------------------------------------------------------------------


def test_to_db_and_floor():
    np.testing.assert_allclose(sp.to_db([1.0, 10.0, 0.01], 1.0), [0.0, 10.0, -20.0])
    assert sp.to_db(0.0, 1.0) == sp.DB_FLOOR
    with pytest.raises(ValueError, match="reference"):
        sp.to_db([1.0], 0.0)
    with pytest.raises(ValueError, match="power must be >= 0"):
        sp.to_db([-1.0], 1.0)


def test_to_frame_columns_and_values():
    s = sp.Spectra(
        frequency_hz=np.array([0.0, 1.0]),
        power_nodes=np.array([[1.0, 10.0], [100.0, 1000.0]]),
        power_mean=np.array([4.0, 0.0]),
        window_s=2.0,
        overlap=0.0,
        resolution_hz=1.0,
        method="test",
    )
    frame = s.to_frame()
    assert list(frame.columns) == [
        "frequency_hz",
        "power_db_mean",
        "power_db_node_mean",
        "power_db_node_std",
        "power_db_node_min",
        "power_db_node_max",
    ]
    # Node dB relative to the overall maximum 1000: [[-30, -20], [-10, 0]].
    np.testing.assert_allclose(frame["power_db_mean"], [0.0, sp.DB_FLOOR])
    np.testing.assert_allclose(frame["power_db_node_mean"], [-25.0, -5.0])
    np.testing.assert_allclose(frame["power_db_node_std"], [5.0, 5.0])
    np.testing.assert_allclose(frame["power_db_node_min"], [-30.0, -10.0])
    np.testing.assert_allclose(frame["power_db_node_max"], [-20.0, 0.0])


# ---------------------------------------------------------------------------
# Spectrogram
# ---------------------------------------------------------------------------


def test_spectrogram_follows_a_frequency_switch():
    fs = 500.0
    t = np.arange(int(10 * fs)) / fs
    x = np.where(t < 5.0, np.sin(2 * np.pi * 20 * t), np.sin(2 * np.pi * 60 * t))
    times, f, power = sp.spectrogram(x, fs, 0.5, 0.5, fmax_hz=100.0)
    assert f[-1] == pytest.approx(100.0)
    assert power.shape == (f.size, times.size)
    peak = f[np.argmax(power, axis=0)]
    first = times + 0.25 < 5.0  # frames entirely before the switch
    second = times - 0.25 > 5.0
    np.testing.assert_allclose(peak[first], 20.0)
    np.testing.assert_allclose(peak[second], 60.0)
    # Each clean frame holds the power A^2 / 2 of its sinusoid.
    frame_power = sp.band_power(f, power, 0.0, 100.0)
    np.testing.assert_allclose(frame_power[first | second], 0.5, rtol=0.02)


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fs": 0.0}, r"fs must be .* got 0\.0"),
        ({"window_s": 20.0}, r"window_s must not exceed the signal length"),
        ({"overlap": 1.0}, r"overlap must be in \[0, 1\), got 1\.0"),
        ({"overlap": -0.1}, r"overlap must be in \[0, 1\)"),
        ({"fmax_hz": -5.0}, r"fmax_hz must be"),
    ],
)
def test_welch_rejects_bad_arguments(kwargs, message):
    arguments = {"v": np.zeros((1000, 2)), "fs": FS, "window_s": 0.5}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        sp.welch_spectra(**arguments)


def test_non_finite_samples_name_the_first_bad_index():
    v = np.zeros((1000, 3))
    v[700, 1] = np.inf
    v[412, 2] = np.nan
    with pytest.raises(ValueError, match=r"2 are not, the first at index \(412, 2\)"):
        sp.welch_spectra(v, FS, 0.5)
    with pytest.raises(ValueError, match=r"v must be 2-D"):
        sp.welch_spectra(np.zeros(1000), FS, 0.5)


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------


def test_figures_are_written_atomically(tmp_path):
    import matplotlib.image
    import matplotlib.pyplot as plt
    from neuralmass.plots import spectra as plots

    t = np.arange(int(4 * FS)) / FS
    v = np.stack([np.sin(2 * np.pi * 40 * t + ph) for ph in (0.0, 1.0)], 1)
    frame = sp.welch_spectra(v, FS, 1.0, 0.5).to_frame()
    paths = [tmp_path / f"{name}.png" for name in ("spec", "como", "trace", "sgram")]

    plots.plot_spectra(frame, paths[0], "spectra")
    mi = np.array([[0.1, np.nan], [0.2, 0.3]])
    plots.plot_comodulogram(mi, [4.0, 6.0], [40.0, 60.0], paths[1], "MI")
    plots.plot_trace_with_envelope(1e3 * t, v[:, 0], np.ones_like(t), paths[2])
    plots.plot_spectrogram(*sp.spectrogram(v[:, 0], FS, 0.5, 0.5), paths[3])

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    for path in paths:
        image = matplotlib.image.imread(path)
        assert image.shape[0] > 100 and image[..., :3].std() > 0.01  # not blank
    assert plt.get_fignums() == []
    with pytest.raises(ValueError, match="missing"):
        plots.plot_spectra(frame.drop(columns="power_db_mean"), paths[0])
    with pytest.raises(ValueError, match="mi must have shape"):
        plots.plot_comodulogram(mi, [4.0], [40.0, 60.0], paths[1])
