"""Power spectra of simulated network recordings.

A recording is a 2-D array ``v`` of shape ``(n_times, n_nodes)`` holding the
excitatory mean membrane variable v_E of every node, sampled at ``fs`` Hz.
Power spectral densities are one-sided, in (units of v)^2 / Hz, so that
integrating over frequency in Hz gives the variance.

Two estimators share one result type, :class:`Spectra`:

- :func:`welch_spectra`, the estimator used here: Welch's averaged, Hann
  windowed periodograms (Welch 1967), with a stated window and overlap.
- :func:`periodogram_spectra`, the study's estimator: one raw FFT periodogram
  of the whole recording (boxcar window), kept for side-by-side comparison.
  Its variance does not shrink with the recording length, which is why the
  Welch estimate is preferred.

References
----------
P. D. Welch, "The use of fast Fourier transform for the estimation of power
spectra", IEEE Trans. Audio Electroacoust. 15, 70-73 (1967).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import signal

__all__ = [
    "BANDS",
    "DB_FLOOR",
    "FMAX_HZ",
    "Spectra",
    "Spectrogram",
    "band_power",
    "band_powers",
    "dominant_frequency",
    "periodogram_spectra",
    "spectrogram",
    "to_db",
    "welch_spectra",
]

FMAX_HZ = 200.0
"""Highest frequency kept (Hz): the study plots its spectra over 0..200 Hz."""

WELCH_WINDOW_S = 2.0
"""Welch segment length (s): 0.5 Hz resolution, 49 segments in a 50 s run."""

WELCH_OVERLAP = 0.5
"""Welch segment overlap: 50 % is the usual choice for a Hann window, where
successive segments are nearly uncorrelated yet no samples are down-weighted
to zero."""

WINDOW = "hann"
"""Taper of the Welch segments and spectrogram frames."""

DB_FLOOR = -300.0
"""Value (dB) given to zero power instead of -inf, far below any real level
(double precision spans about 600 dB)."""

BANDS: dict[str, tuple[float, float]] = {
    "delta": (1.0, 4.0),
    "theta": (4.0, 8.0),
    "alpha": (8.0, 13.0),
    "beta": (13.0, 30.0),
    "low_gamma": (30.0, 60.0),
    "high_gamma": (60.0, 150.0),
}
"""Conventional EEG bands (Hz); the PING gamma of the model spans both gamma
bands."""

MEAN_REMOVAL = ("node", "instant")
"""Allowed ways to centre the recording in :func:`periodogram_spectra`."""


@dataclass(frozen=True)
class Spectra:
    """Per-node and network-mean power spectral densities.

    Attributes
    ----------
    frequency_hz : ndarray, shape (n_freq,)
        Frequencies (Hz) from 0 up to at most the requested maximum.
    power_nodes : ndarray, shape (n_freq, n_nodes)
        One-sided PSD of every node ((units of v)^2 / Hz, linear scale).
    power_mean : ndarray, shape (n_freq,)
        One-sided PSD of the network mean signal (mean of v over nodes).
    window_s : float
        Segment length (s); the whole recording for a periodogram.
    overlap : float
        Fraction of a segment shared with the next one, in [0, 1).
    resolution_hz : float
        Frequency spacing, ``fs / samples per segment`` (Hz).
    method : str
        ``"welch"`` or ``"periodogram"``.
    """

    frequency_hz: np.ndarray
    power_nodes: np.ndarray
    power_mean: np.ndarray
    window_s: float
    overlap: float
    resolution_hz: float
    method: str

    def to_frame(self) -> pd.DataFrame:
        """Summarise the spectra in dB, one row per frequency.

        Returns
        -------
        pandas.DataFrame
            Columns ``frequency_hz``; ``power_db_mean``, the network-mean
            spectrum in dB relative to its own maximum; and
            ``power_db_node_mean``, ``power_db_node_std``,
            ``power_db_node_min``, ``power_db_node_max``, the per-node
            spectra, each in dB relative to the maximum over all nodes and
            frequencies, summarised across nodes (the standard deviation
            with ``ddof=0``). Zero power maps to :data:`DB_FLOOR`.
        """
        mean_db = to_db(self.power_mean, _positive_max(self.power_mean))
        nodes_db = to_db(self.power_nodes, _positive_max(self.power_nodes))
        return pd.DataFrame(
            {
                "frequency_hz": self.frequency_hz,
                "power_db_mean": mean_db,
                "power_db_node_mean": nodes_db.mean(axis=1),
                "power_db_node_std": nodes_db.std(axis=1),
                "power_db_node_min": nodes_db.min(axis=1),
                "power_db_node_max": nodes_db.max(axis=1),
            }
        )

    def dominant_frequency(self, fmin_hz: float = 1.0) -> tuple[float, np.ndarray]:
        """Peak frequency (Hz) of the network mean and of every node.

        See :func:`dominant_frequency`.

        Returns
        -------
        mean_hz : float
            Peak of `power_mean`.
        nodes_hz : ndarray, shape (n_nodes,)
            Peak of each column of `power_nodes`.
        """
        mean_hz = dominant_frequency(self.frequency_hz, self.power_mean, fmin_hz)
        nodes_hz = dominant_frequency(self.frequency_hz, self.power_nodes, fmin_hz)
        return float(mean_hz), nodes_hz


class Spectrogram(NamedTuple):
    """Time-resolved PSD of one signal.

    Attributes
    ----------
    times_s : ndarray, shape (n_frames,)
        Centre of each frame (s) from the first sample.
    frequency_hz : ndarray, shape (n_freq,)
        Frequencies (Hz), up to the requested maximum.
    power : ndarray, shape (n_freq, n_frames)
        One-sided PSD ((units of x)^2 / Hz) of each frame.
    """

    times_s: np.ndarray
    frequency_hz: np.ndarray
    power: np.ndarray


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def _check_fs(fs: float) -> float:
    if not (np.isfinite(fs) and fs > 0):
        raise ValueError(f"fs must be a finite sampling frequency > 0 Hz, got {fs!r}")
    return float(fs)


def _check_fmax(fmax_hz: float) -> float:
    if not (np.isfinite(fmax_hz) and fmax_hz > 0):
        raise ValueError(f"fmax_hz must be finite and > 0 Hz, got {fmax_hz!r}")
    return float(fmax_hz)


def _check_finite(name: str, x: np.ndarray) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold finite samples; {np.count_nonzero(bad)} are not, "
            f"the first at index {first} (value {x[first]!r})"
        )


def _check_recording(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if v.ndim != 2 or v.shape[0] < 2 or v.shape[1] < 1:
        raise ValueError(
            "v must be 2-D with shape (n_times >= 2, n_nodes >= 1), "
            f"got shape {v.shape}"
        )
    _check_finite("v", v)
    return v


def _check_segment(
    window_s: float, overlap: float, fs: float, n_times: int
) -> tuple[int, int]:
    """Return (samples per segment, overlapping samples)."""
    if not (np.isfinite(window_s) and window_s > 0):
        raise ValueError(f"window_s must be finite and > 0 s, got {window_s!r}")
    if not (np.isfinite(overlap) and 0.0 <= overlap < 1.0):
        raise ValueError(f"overlap must be in [0, 1), got {overlap!r}")
    nperseg = int(round(window_s * fs))
    if nperseg < 2:
        raise ValueError(
            f"window_s must span at least 2 samples at fs = {fs} Hz, "
            f"got {window_s!r} s ({nperseg} samples)"
        )
    if nperseg > n_times:
        raise ValueError(
            f"window_s must not exceed the signal length "
            f"({n_times} samples = {n_times / fs} s), got {window_s!r} s"
        )
    return nperseg, int(round(overlap * nperseg))


def _positive_max(power: np.ndarray) -> float:
    """Largest value of `power`, or 1 when all is zero (everything floors)."""
    peak = float(np.max(power))
    return peak if peak > 0 else 1.0


def _interpolate_rows(
    frequency_hz: np.ndarray, columns: np.ndarray, at_hz: np.ndarray
) -> np.ndarray:
    """Linear interpolation of every column of `columns` at `at_hz`."""
    i = np.searchsorted(frequency_hz, at_hz, side="right") - 1
    i = np.clip(i, 0, frequency_hz.size - 2)
    weight = (at_hz - frequency_hz[i]) / (frequency_hz[i + 1] - frequency_hz[i])
    return columns[i] * (1.0 - weight[:, None]) + columns[i + 1] * weight[:, None]


def _truncate(frequency_hz: np.ndarray, fmax_hz: float) -> np.ndarray:
    """Boolean mask of the frequencies <= fmax_hz."""
    return frequency_hz <= fmax_hz


# ---------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------


def welch_spectra(
    v: np.ndarray,
    fs: float,
    window_s: float = WELCH_WINDOW_S,
    overlap: float = WELCH_OVERLAP,
    fmax_hz: float = FMAX_HZ,
    detrend: str | bool = "constant",
) -> Spectra:
    """Welch PSD of every node and of the network mean signal.

    Each node's own temporal mean is subtracted before the estimate, and the
    network mean signal ``v.mean(axis=1)`` is centred on its temporal mean.
    The study's code instead subtracted the across-node mean at each instant,
    ``v - v.mean(axis=1, keepdims=True)``. That removes from every node the
    component shared by all nodes, so a synchronised (homogeneous)
    oscillation vanishes from the per-node spectra and only the transverse
    part remains; it also leaves each node's own offset in place. Removing
    each node's own mean keeps the node's full dynamics and drops only its
    DC level, which is what a per-node spectrum is meant to show.

    Parameters
    ----------
    v : array_like, shape (n_times, n_nodes)
        v_E of every node, uniformly sampled.
    fs : float
        Sampling frequency (Hz).
    window_s : float, optional
        Segment length (s); the resolution is ``1 / window_s`` Hz.
    overlap : float, optional
        Fraction of each segment shared with the next, in [0, 1).
    fmax_hz : float, optional
        Highest frequency kept (Hz); above the Nyquist frequency ``fs / 2``
        everything is kept.
    detrend : {"constant", "linear", False}, optional
        Per-segment detrending passed to :func:`scipy.signal.welch`. With
        ``"constant"`` the segment means are removed as well, which matters
        only for the lowest two or three bins.

    Returns
    -------
    Spectra
        ``method="welch"``; `window_s` and `overlap` as used after rounding
        the segment to whole samples.

    Raises
    ------
    ValueError
        If `fs` <= 0, `v` is not 2-D or holds non-finite samples, `overlap`
        is outside [0, 1), or the window is shorter than 2 samples or longer
        than the recording.
    """
    fs = _check_fs(fs)
    fmax_hz = _check_fmax(fmax_hz)
    v = _check_recording(v)
    nperseg, noverlap = _check_segment(window_s, overlap, fs, v.shape[0])

    centred = v - v.mean(axis=0)
    network = v.mean(axis=1)
    network = network - network.mean()

    options = dict(
        fs=fs,
        window=WINDOW,
        nperseg=nperseg,
        noverlap=noverlap,
        detrend=detrend,
        scaling="density",
    )
    frequency_hz, power_nodes = signal.welch(centred, axis=0, **options)
    _, power_mean = signal.welch(network, **options)

    keep = _truncate(frequency_hz, fmax_hz)
    return Spectra(
        frequency_hz=frequency_hz[keep],
        power_nodes=power_nodes[keep],
        power_mean=power_mean[keep],
        window_s=nperseg / fs,
        overlap=noverlap / nperseg,
        resolution_hz=fs / nperseg,
        method="welch",
    )


def periodogram_spectra(
    v: np.ndarray,
    fs: float,
    fmax_hz: float = FMAX_HZ,
    mean_removal: str = "node",
) -> Spectra:
    """Raw FFT periodogram of every node and of the network mean (the study's).

    One boxcar-windowed periodogram (:func:`scipy.signal.periodogram`) of the
    whole recording, no segment averaging and no further detrending: its
    relative standard deviation is about 1 at every frequency, however long
    the recording. Prefer :func:`welch_spectra`; this is for comparison.

    Parameters
    ----------
    v : array_like, shape (n_times, n_nodes)
        v_E of every node, uniformly sampled.
    fs : float
        Sampling frequency (Hz).
    fmax_hz : float, optional
        Highest frequency kept (Hz).
    mean_removal : {"node", "instant"}, optional
        ``"node"`` subtracts each node's own temporal mean, as
        :func:`welch_spectra` does. ``"instant"`` reproduces the study's
        code, subtracting the across-node mean at each instant (see
        :func:`welch_spectra` for what that removes). The network mean
        signal is centred on its temporal mean either way.

    Returns
    -------
    Spectra
        ``method="periodogram"``, ``window_s = n_times / fs``, ``overlap=0``.

    Raises
    ------
    ValueError
        If `fs` <= 0, `v` is not 2-D or holds non-finite samples, or
        `mean_removal` is not one of the allowed values.
    """
    fs = _check_fs(fs)
    fmax_hz = _check_fmax(fmax_hz)
    v = _check_recording(v)
    if mean_removal not in MEAN_REMOVAL:
        raise ValueError(
            f"mean_removal must be one of {MEAN_REMOVAL}, got {mean_removal!r}"
        )

    if mean_removal == "node":
        centred = v - v.mean(axis=0)
    else:
        centred = v - v.mean(axis=1, keepdims=True)
    network = v.mean(axis=1)
    network = network - network.mean()

    options = dict(fs=fs, window="boxcar", detrend=False, scaling="density")
    frequency_hz, power_nodes = signal.periodogram(centred, axis=0, **options)
    _, power_mean = signal.periodogram(network, **options)

    keep = _truncate(frequency_hz, fmax_hz)
    n_times = v.shape[0]
    return Spectra(
        frequency_hz=frequency_hz[keep],
        power_nodes=power_nodes[keep],
        power_mean=power_mean[keep],
        window_s=n_times / fs,
        overlap=0.0,
        resolution_hz=fs / n_times,
        method="periodogram",
    )


def spectrogram(
    x: np.ndarray,
    fs: float,
    window_s: float = WELCH_WINDOW_S,
    overlap: float = WELCH_OVERLAP,
    fmax_hz: float = FMAX_HZ,
) -> Spectrogram:
    """Short-time PSD of one signal (Hann frames, :func:`scipy.signal.spectrogram`).

    Parameters
    ----------
    x : array_like, shape (n_times,)
        One signal, e.g. v_E of a node or the network mean. Its temporal mean
        is subtracted and each frame is detrended to its own mean.
    fs : float
        Sampling frequency (Hz).
    window_s : float, optional
        Frame length (s): frequency resolution ``1 / window_s`` Hz against
        time resolution ``window_s``.
    overlap : float, optional
        Fraction of each frame shared with the next, in [0, 1).
    fmax_hz : float, optional
        Highest frequency kept (Hz).

    Returns
    -------
    Spectrogram
        ``(times_s, frequency_hz, power)`` with power of shape
        (n_freq, n_frames).

    Raises
    ------
    ValueError
        If `x` is not 1-D or holds non-finite samples, `fs` <= 0, `overlap`
        is outside [0, 1), or the frame is longer than the signal.
    """
    fs = _check_fs(fs)
    fmax_hz = _check_fmax(fmax_hz)
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be 1-D with at least 2 samples, got shape {x.shape}")
    _check_finite("x", x)
    nperseg, noverlap = _check_segment(window_s, overlap, fs, x.size)

    frequency_hz, times_s, power = signal.spectrogram(
        x - x.mean(),
        fs=fs,
        window=WINDOW,
        nperseg=nperseg,
        noverlap=noverlap,
        detrend="constant",
        scaling="density",
        mode="psd",
    )
    keep = _truncate(frequency_hz, fmax_hz)
    return Spectrogram(times_s, frequency_hz[keep], power[keep])


# ---------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------


def to_db(power: np.ndarray, reference: float) -> np.ndarray:
    """Power in decibels relative to `reference`, ``10 log10(power / ref)``.

    Parameters
    ----------
    power : array_like
        Non-negative power (any shape).
    reference : float
        Level that maps to 0 dB, > 0, same units as `power`.

    Returns
    -------
    ndarray
        Same shape as `power`; zero power (and anything below the floor)
        gives :data:`DB_FLOOR` instead of -inf.

    Raises
    ------
    ValueError
        If `reference` is not finite and > 0, or `power` holds negative or
        non-finite values.
    """
    if not (np.isfinite(reference) and reference > 0):
        raise ValueError(f"reference must be finite and > 0, got {reference!r}")
    power = np.asarray(power, dtype=float)
    _check_finite("power", power)
    if np.any(power < 0):
        raise ValueError(f"power must be >= 0, got minimum {float(power.min())!r}")
    with np.errstate(divide="ignore"):
        db = 10.0 * np.log10(power / reference)
    return np.maximum(db, DB_FLOOR)


def dominant_frequency(
    frequency_hz: np.ndarray, power: np.ndarray, fmin_hz: float = 1.0
) -> float | np.ndarray:
    """Frequency of the spectral peak, refined by parabolic interpolation.

    The largest value at ``frequency >= fmin_hz`` is located, then a parabola
    is fitted through the natural log of the power at that bin and its two
    neighbours (Gaussian interpolation); its vertex gives the frequency. For
    a Hann-windowed sinusoid the error is a few hundredths of a bin. A peak
    on the first or last bin of the searched range is returned unrefined.

    Parameters
    ----------
    frequency_hz : array_like, shape (n_freq,)
        Uniformly spaced, increasing frequencies (Hz).
    power : array_like, shape (n_freq,) or (n_freq, n_nodes)
        Non-negative PSD; one spectrum per column.
    fmin_hz : float, optional
        Lowest frequency searched (Hz), to skip the DC region.

    Returns
    -------
    float or ndarray, shape (n_nodes,)
        Peak frequency (Hz), one per column of a 2-D `power`.

    Raises
    ------
    ValueError
        If the shapes disagree, fewer than 3 frequencies are >= `fmin_hz`,
        or `power` holds negative or non-finite values.
    """
    frequency_hz = np.asarray(frequency_hz, dtype=float)
    power = np.asarray(power, dtype=float)
    if frequency_hz.ndim != 1 or power.shape[:1] != frequency_hz.shape:
        raise ValueError(
            "power must have shape (n_freq,) or (n_freq, n_nodes) matching "
            f"frequency_hz of shape {frequency_hz.shape}, got {power.shape}"
        )
    _check_finite("power", power)
    if np.any(power < 0):
        raise ValueError(f"power must be >= 0, got minimum {float(power.min())!r}")
    search = np.flatnonzero(frequency_hz >= fmin_hz)
    if search.size < 3:
        raise ValueError(
            f"fmin_hz must leave at least 3 frequencies up to "
            f"{frequency_hz[-1]} Hz to search, got {fmin_hz!r}"
        )

    columns = power.reshape(power.shape[0], -1)[search]
    tiny = np.finfo(float).tiny
    log_power = np.log(np.maximum(columns, tiny))
    k = np.argmax(columns, axis=0)
    step = frequency_hz[search[1]] - frequency_hz[search[0]]
    peak_hz = frequency_hz[search[k]]

    inner = (k > 0) & (k < search.size - 1)
    cols = np.flatnonzero(inner)
    left = log_power[k[cols] - 1, cols]
    centre = log_power[k[cols], cols]
    right = log_power[k[cols] + 1, cols]
    curvature = left - 2.0 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = np.where(curvature < 0, 0.5 * (left - right) / curvature, 0.0)
    peak_hz[cols] += offset * step

    return float(peak_hz[0]) if power.ndim == 1 else peak_hz


def band_power(
    frequency_hz: np.ndarray, power: np.ndarray, lo_hz: float, hi_hz: float
) -> np.ndarray:
    """Integrate a PSD over [lo_hz, hi_hz] with the trapezoid rule.

    The PSD is linearly interpolated at the band edges, so the result is the
    exact integral of the piecewise-linear PSD and adjacent bands add up to
    the power of their union.

    scipy's one-sided PSD does not double the 0 Hz and Nyquist bins, so a
    band that starts at 0 Hz (or ends at ``fs / 2``) gets only half of the
    power of that half bin; the discrete Parseval sum ``power.sum() *
    resolution`` is the exact total. After mean removal the 0 Hz bin holds
    little power, and EEG-style bands stay clear of both ends.

    Parameters
    ----------
    frequency_hz : array_like, shape (n_freq,)
        Increasing frequencies (Hz).
    power : array_like, shape (n_freq,) or (n_freq, n_nodes)
        One-sided PSD per column.
    lo_hz, hi_hz : float
        Band edges (Hz), ``frequency_hz[0] <= lo_hz < hi_hz <=
        frequency_hz[-1]``.

    Returns
    -------
    ndarray, shape () or (n_nodes,)
        Power in the band (units of PSD times Hz).

    Raises
    ------
    ValueError
        If the band is empty or reaches outside the frequency range.
    """
    frequency_hz = np.asarray(frequency_hz, dtype=float)
    power = np.asarray(power, dtype=float)
    if not (frequency_hz[0] <= lo_hz < hi_hz <= frequency_hz[-1]):
        raise ValueError(
            f"band must satisfy {frequency_hz[0]} <= lo_hz < hi_hz <= "
            f"{frequency_hz[-1]} Hz (the spectrum's range), "
            f"got ({lo_hz!r}, {hi_hz!r})"
        )
    inside = np.flatnonzero((frequency_hz > lo_hz) & (frequency_hz < hi_hz))
    grid = np.concatenate(([lo_hz], frequency_hz[inside], [hi_hz]))
    columns = power.reshape(power.shape[0], -1)
    edges = _interpolate_rows(frequency_hz, columns, np.array([lo_hz, hi_hz]))
    values = np.concatenate((edges[:1], columns[inside], edges[1:]), axis=0)
    integral = np.trapezoid(values, grid, axis=0)
    return integral.reshape(power.shape[1:])


def band_powers(
    spectra: Spectra, bands: Mapping[str, tuple[float, float]] | None = None
) -> pd.DataFrame:
    """Power in frequency bands for the network mean and every node.

    Parameters
    ----------
    spectra : Spectra
        Result of :func:`welch_spectra` or :func:`periodogram_spectra`.
    bands : mapping of str to (float, float), optional
        Band name to (lo, hi) edges in Hz; default :data:`BANDS`.

    Returns
    -------
    pandas.DataFrame
        One row per band, in the order given, with columns ``band``,
        ``lo_hz``, ``hi_hz``; ``power_mean``, the integrated PSD of the
        network mean; ``relative_power_mean``, that power divided by the
        network mean's power over the span of all bands (from the lowest
        lower edge to the highest upper edge, so tiling bands sum to 1);
        ``power_node_median`` and ``relative_power_node_median``, the same
        two quantities per node, summarised by the median over nodes.
        Relative powers are NaN where the span holds no power at all.

    Raises
    ------
    ValueError
        If `bands` is empty or a band is empty or outside the spectrum.
    """
    bands = BANDS if bands is None else bands
    if not bands:
        raise ValueError("bands must name at least one (lo, hi) band, got none")
    f = spectra.frequency_hz
    span_lo = min(lo for lo, _ in bands.values())
    span_hi = max(hi for _, hi in bands.values())
    total_mean = band_power(f, spectra.power_mean, span_lo, span_hi)
    total_nodes = band_power(f, spectra.power_nodes, span_lo, span_hi)

    rows = []
    for name, (lo, hi) in bands.items():
        try:
            mean = band_power(f, spectra.power_mean, lo, hi)
        except ValueError as error:
            raise ValueError(f"bands[{name!r}]: {error}") from None
        nodes = band_power(f, spectra.power_nodes, lo, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative_nodes = nodes / total_nodes
        rows.append(
            {
                "band": name,
                "lo_hz": float(lo),
                "hi_hz": float(hi),
                "power_mean": float(mean),
                "relative_power_mean": float(mean / total_mean)
                if total_mean > 0
                else np.nan,
                "power_node_median": float(np.median(nodes)),
                "relative_power_node_median": float(np.median(relative_nodes)),
            }
        )
    return pd.DataFrame(rows)
