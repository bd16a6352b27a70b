"""Phase-amplitude coupling: Tort modulation index against closed forms."""

import numpy as np
import pytest
from neuralmass import pac
from scipy import stats

PHASE_HZ = 6.0
CARRIER_HZ = 60.0
PHASE_BAND = (4.0, 8.0)
# Wide enough to pass the side bands at 60 +- 6 Hz with < 0.2 % loss.
AMPLITUDE_BAND = (40.0, 80.0)


def binned_mi(m, n_bins=18):
    """MI of A(phi) = 1 + m cos(phi) for uniformly distributed phase.

    The mean of A over bin [a, b) is 1 + m (sin b - sin a) / (b - a); the
    bin means sum to n_bins because the sines telescope to sin(pi) -
    sin(-pi) = 0.
    """
    edges = np.linspace(-np.pi, np.pi, n_bins + 1)
    a, b = edges[:-1], edges[1:]
    p = (1.0 + m * (np.sin(b) - np.sin(a)) / (b - a)) / n_bins
    return (np.log(n_bins) + np.sum(p * np.log(p))) / np.log(n_bins), p


def coupled_signal(m, fs, duration_s, rng, noise_sd=1.0, diffusion=2.0):
    """A 6 Hz rhythm whose phase modulates a 60 Hz carrier, plus white noise.

    The slow phase diffuses (D = 2 rad^2/s, a 0.6 Hz line width), as a real
    rhythm does; with a strictly periodic phase every lag that is a multiple
    of the period would realign the surrogates.
    """
    n = int(duration_s * fs)
    t = np.arange(n) / fs
    steps = np.sqrt(2.0 * diffusion / fs) * rng.standard_normal(n)
    steps[0] = 0.0
    phi = 2 * np.pi * PHASE_HZ * t + np.cumsum(steps)
    carrier = (1.0 + m * np.cos(phi)) * np.cos(2 * np.pi * CARRIER_HZ * t)
    return np.cos(phi) + carrier + noise_sd * rng.standard_normal(n)


# ---------------------------------------------------------------------------
# Modulation index
# ---------------------------------------------------------------------------


def test_modulation_index_of_known_distributions():
    # Exact phases on a fine grid: the binned distribution must be the
    # closed form above, and the preferred phase is 0, where cos peaks.
    phase = np.linspace(-np.pi, np.pi, 18 * 1000, endpoint=False) + np.pi / 18000
    ms = np.array([0.0, 0.3, 1.0])
    amplitude = 1.0 + ms[None, :] * np.cos(phase)[:, None]
    phases = np.repeat(phase[:, None], 3, axis=1)
    result = pac.modulation_index(phases, amplitude)
    for k, m in enumerate(ms):
        expected_mi, expected_p = binned_mi(m)
        np.testing.assert_allclose(result.distribution[:, k], expected_p, atol=1e-7)
        assert result.mi[k] == pytest.approx(expected_mi, abs=1e-8)
    np.testing.assert_allclose(result.preferred_phase[1:], 0.0, atol=1e-9)

    # All amplitude in one bin: H = 0, MI = 1; the preferred phase is the
    # centre of that bin.
    spike = np.where((phase >= np.pi / 3) & (phase < np.pi / 3 + np.pi / 9), 1.0, 0.0)
    one_bin = pac.modulation_index(phase, spike)
    assert one_bin.mi == pytest.approx(1.0, abs=1e-12)
    assert one_bin.preferred_phase == pytest.approx(np.pi / 3 + np.pi / 18)


def test_modulation_index_rejects_bad_input():
    phase = np.linspace(-np.pi, np.pi, 100, endpoint=False)
    with pytest.raises(ValueError, match="amplitude must be >= 0"):
        pac.modulation_index(phase, -np.ones(100))
    with pytest.raises(ValueError, match="same shape"):
        pac.modulation_index(phase, np.ones(99))
    with pytest.raises(ValueError, match=r"bin 0 of column 0 is empty"):
        pac.modulation_index(np.full(100, 1.0), np.ones(100))


def test_pac_mi_matches_closed_form_for_noiseless_signal():
    # x = cos(phi) + (1 + m cos phi) cos(2 pi 60 t): the 4-8 Hz band holds
    # cos(phi), whose Hilbert phase is phi, and the 40-80 Hz envelope is
    # 1 + m cos(phi). The filters attenuate the side bands by < 0.2 % in
    # amplitude, so the MI (~ m^2) may be low by ~0.3 %: tolerance 1 %.
    fs = 1000.0
    t = np.arange(int(10 * fs)) / fs
    phi = 2 * np.pi * PHASE_HZ * t
    for m in (0.25, 0.5, 1.0):
        x = np.cos(phi) + (1 + m * np.cos(phi)) * np.cos(2 * np.pi * CARRIER_HZ * t)
        result = pac.pac_mi(x, fs, PHASE_BAND, AMPLITUDE_BAND)
        expected_mi, expected_p = binned_mi(m)
        assert result.mi == pytest.approx(expected_mi, rel=0.01)
        # Absolute: at m = 1 the bins at +-pi hold only P = 0.001.
        np.testing.assert_allclose(result.distribution, expected_p, atol=2e-4)
        assert result.preferred_phase == pytest.approx(0.0, abs=0.01)


def test_pac_mi_vectorises_over_nodes():
    fs = 500.0
    rng = np.random.default_rng(7)
    x = np.stack([coupled_signal(m, fs, 6.0, rng) for m in (0.0, 1.0)], axis=1)
    both = pac.pac_mi(x, fs, PHASE_BAND, AMPLITUDE_BAND)
    for k in range(2):
        alone = pac.pac_mi(x[:, k], fs, PHASE_BAND, AMPLITUDE_BAND)
        assert both.mi[k] == pytest.approx(float(alone.mi), rel=1e-12)
    assert both.mi[1] > 10 * both.mi[0]


# ---------------------------------------------------------------------------
# Surrogates
# ---------------------------------------------------------------------------

FS_SURROGATE = 250.0  # Hz: Nyquist 125 Hz clears the 80 Hz amplitude band
DURATION_S = 20.0  # 18.5 s kept; the 0.5 s minimum lag excludes 5 % of lags
MIN_SHIFT_S = 0.5


def test_coupling_is_significant_and_grows_with_depth():
    noise_seed = 8
    mi = []
    for m in (0.0, 0.25, 0.5, 1.0):
        x = coupled_signal(
            m, FS_SURROGATE, DURATION_S, np.random.default_rng(noise_seed)
        )
        result = pac.surrogate_test(
            x,
            FS_SURROGATE,
            PHASE_BAND,
            AMPLITUDE_BAND,
            200,
            np.random.default_rng(9),
            min_shift_s=MIN_SHIFT_S,
        )
        assert result.surrogate_mi.shape == (200,)
        assert np.all(result.shifts >= MIN_SHIFT_S * FS_SURROGATE)
        if m == 0.5:
            assert result.p_value < 0.01
            assert result.z_score > 5
            assert result.preferred_phase == pytest.approx(0.0, abs=0.3)
        mi.append(float(result.mi))
    assert np.all(np.diff(mi) > 0), mi


def test_uncoupled_signals_are_rejected_at_the_nominal_rate():
    # With 99 surrogates p takes the values k / 100, and under the null
    # P(p <= 0.05) = 0.05 exactly when the lags cover every shift; with 5 %
    # of them excluded it is close to that (see surrogate_test's Notes).
    # 400 independent signals: the count must lie in the central 99.9 %
    # of Binomial(400, 0.05), which is [7, 36].
    n_seeds = 400
    rejected = 0
    for seed in range(n_seeds):
        x = coupled_signal(0.0, FS_SURROGATE, DURATION_S, np.random.default_rng(seed))
        result = pac.surrogate_test(
            x,
            FS_SURROGATE,
            PHASE_BAND,
            AMPLITUDE_BAND,
            99,
            np.random.default_rng(10_000 + seed),
            min_shift_s=MIN_SHIFT_S,
        )
        rejected += bool(result.p_value <= 0.05)
    lo, hi = stats.binom.interval(0.999, n_seeds, 0.05)
    assert lo <= rejected <= hi, rejected


def test_surrogate_test_checks_its_arguments():
    x = coupled_signal(0.5, FS_SURROGATE, 6.0, np.random.default_rng(11))
    args = (x, FS_SURROGATE, PHASE_BAND, AMPLITUDE_BAND, 20)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        pac.surrogate_test(*args, 12345)
    with pytest.raises(ValueError, match="n_surrogates"):
        pac.surrogate_test(
            x, FS_SURROGATE, PHASE_BAND, AMPLITUDE_BAND, 0, np.random.default_rng(0)
        )
    with pytest.raises(ValueError, match="min_shift_s must leave lags"):
        pac.surrogate_test(*args, np.random.default_rng(0), min_shift_s=3.0)
    # 6 s keeps 4.5 s, of which a 1 s minimum lag excludes 44 %.
    with pytest.warns(UserWarning, match="excludes 44% of the circular lags"):
        pac.surrogate_test(*args, np.random.default_rng(0), min_shift_s=1.0)


# ---------------------------------------------------------------------------
# Filters and comodulogram
# ---------------------------------------------------------------------------


def test_bandpass_is_zero_phase_and_validates_the_band():
    fs = 500.0
    t = np.arange(int(8 * fs)) / fs
    slow, fast = np.sin(2 * np.pi * 5 * t), np.sin(2 * np.pi * 50 * t + 0.7)
    y = pac.bandpass(np.stack([slow + fast, 2 * fast], 1), fs, 30.0, 70.0)
    inner = slice(500, -500)
    # 50 Hz is in the flat part of the pass band: gain 1, no phase shift.
    np.testing.assert_allclose(y[inner, 0], fast[inner], atol=1e-3)
    np.testing.assert_allclose(y[inner, 1], 2 * fast[inner], atol=2e-3)
    with pytest.raises(ValueError, match=r"0 < lo < hi < fs / 2 = 250\.0 Hz"):
        pac.bandpass(slow, fs, 70.0, 30.0)
    with pytest.raises(ValueError, match=r"0 < lo < hi < fs / 2"):
        pac.bandpass(slow, fs, 30.0, 260.0)


def test_comodulogram_peaks_at_the_coupled_frequencies(monkeypatch):
    fs = 500.0
    x = coupled_signal(1.0, fs, 10.0, np.random.default_rng(12), noise_sd=0.5)
    phase_centres = np.arange(2.0, 15.0, 2.0)
    amplitude_centres = np.arange(20.0, 160.0, 10.0)
    bandwidth = 30.0

    calls = []
    original = pac._analytic

    def counting(signal_, fs_, band):
        calls.append(band)
        return original(signal_, fs_, band)

    monkeypatch.setattr(pac, "_analytic", counting)
    mi = pac.comodulogram(x, fs, phase_centres, amplitude_centres, 2.0, bandwidth)

    assert mi.shape == (phase_centres.size, amplitude_centres.size)
    skipped = amplitude_centres[None, :] - bandwidth / 2 < 2 * phase_centres[:, None]
    np.testing.assert_array_equal(np.isnan(mi), skipped)
    i, j = np.unravel_index(np.nanargmax(mi), mi.shape)
    assert (phase_centres[i], amplitude_centres[j]) == (PHASE_HZ, CARRIER_HZ)
    # Each band filtered once: 7 phase bands and the 14 amplitude bands, all
    # of which some phase band uses here.
    assert len(calls) == phase_centres.size + amplitude_centres.size
    assert len(set(calls)) == len(calls)
