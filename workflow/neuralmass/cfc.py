"""Spectral analysis and cross-frequency coupling of stored network runs.

The stages behind the rules in ``workflow/rules/cfc.smk`` (issue #6): band
powers and the study's figure set (spectra, spectrogram, space-time plots,
traces), and phase-amplitude coupling (PAC) of the gamma rhythm with the
slow rhythm that modulates it. Each stage function takes paths and plain
settings (the ``cfc`` block of the config, plus the ``spectra`` block for
the Welch estimate), writes its outputs atomically and logs through
:mod:`logging`.

Every stage analyses the same part of a recording: what follows the first
``discard`` ms, because a run that starts near the homogeneous state can
take a second or two to leave it (at (13, 5) in 20 s runs the network mean
still carries the decaying synchronous oscillation for about 1.5 s). The
spectrogram alone shows the whole recording, to make that visible.

How the PAC bands are chosen from the data (:func:`choose_bands`):

1. the *dominant gamma frequency* ``f_gamma`` is the peak of the Welch
   spectrum of the network-mean v_E within ``pac.gamma_range``;
2. the *amplitude band* is ``f_gamma +- pac.amplitude_bandwidth / 2``;
3. the *slow modulation frequency* ``f_mod`` is the peak, within
   ``pac.modulation_range``, of the Welch spectrum of the envelope (Hilbert
   amplitude) of the amplitude band of the network mean;
4. the *phase band* is ``f_mod +- pac.phase_bandwidth / 2``.

The modulation index (Tort et al. 2010, :mod:`neuralmass.pac`) of that
pair, and of the fixed pairs of named bands in ``pac.phase_bands`` x
``pac.amplitude_bands``, is computed for the network mean and for every
region, each tested against ``pac.n_surrogates`` circular-shift surrogates.
Every pair draws its lags from a fresh ``numpy.random.default_rng(seed)``,
so the result of one pair does not depend on which other pairs are
configured. The signals are decimated to ``pac.sampling_rate`` first (the
filters of slow bands are better conditioned and everything is ten times
faster at 1 kHz than at the stored 10 kHz).

Scope: the bands are chosen from the network mean and used for every
region; a region whose gamma peak lies outside the amplitude band is still
measured there. Step 3 assumes the envelope spectrum has a peak. When it is
broad instead (at (13, 5) it is flat from about 0.5 to 3 Hz and falls
beyond), the maximum within the range is the top of that plateau and moves
by a few tenths of a Hz with ``envelope_window`` or the recording; the
figure of :func:`cfc_pac` shows the spectrum so that this can be judged,
and the comodulogram shows the MI at the neighbouring phase frequencies.
Tort's MI also rises when a node's mean level follows its gamma amplitude
(a waveform effect, not a separate slow rhythm): the preferred phase then
sits at the crest or the trough of the slow component.

The per-region p-values are also given adjusted for the false discovery rate
(Benjamini and Hochberg 1995) over the regions of one pair; the pairs
themselves are not corrected for.

References
----------
A. B. L. Tort, R. Komorowski, H. Eichenbaum, N. Kopell, J. Neurophysiol.
104, 1195-1210 (2010).

Y. Benjamini, Y. Hochberg, J. R. Stat. Soc. B 57, 289-300 (1995).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import signal, stats

from neuralmass import pac
from neuralmass import spectra as sp
from neuralmass.connectome import HEMISPHERES, read_region_table
from neuralmass.io import atomic_path

__all__ = [
    "BandChoice",
    "Recording",
    "SIGNIFICANCE",
    "band_table",
    "cfc_pac",
    "cfc_spacetime",
    "cfc_spectra",
    "check_settings",
    "choose_bands",
    "decimate",
    "node_order",
    "pac_table",
    "read_recording",
]

log = logging.getLogger(__name__)

NETWORK_MEAN = "network_mean"
"""The `signal` of the network-mean rows in every table."""

NODE_MEDIAN = "node_median"
"""The `signal` of the comodulogram summarised over regions."""

ENVELOPE_MARGIN_S = 1.0
"""Envelope (s) dropped at each end, or filtered beyond each end of a figure's
window: the Hilbert envelope is distorted for about 0.1 s at the ends of a
24 Hz wide band."""

SIGNIFICANCE = 0.05
"""False discovery rate at which a region counts as coupled in the summary."""

MEAN_REMOVAL = sp.MEAN_REMOVAL
"""Allowed values of ``cfc.periodogram.mean_removal``: each node minus its own
mean, or the study's code (minus the across-node mean at each instant)."""

SUMMARY_COLUMNS = [
    "model",
    "point",
    "signal",
    "dominant_gamma_hz",
    "modulation_hz",
    "phase_lo_hz",
    "phase_hi_hz",
    "amplitude_lo_hz",
    "amplitude_hi_hz",
    "mi",
    "p_value",
    "z_score",
    "preferred_phase_rad",
    "n_surrogates",
    "seed",
    "n_nodes",
    "nodes_mi_median",
    "nodes_significant",
    "nodes_preferred_phase_rad",
    "analysis_start_ms",
    "analysis_duration_s",
    "fs_hz",
]
"""Columns of ``cfc_summary.csv``: one row, the data-chosen pair."""


class Recording(NamedTuple):
    """A stored run: v of every region, uniformly sampled.

    Attributes
    ----------
    times_ms : ndarray, shape (n_times,)
        Time (ms) after the simulation's transient.
    v : ndarray, shape (n_times, n_nodes)
        The observable (v_E) of every region, matrix order.
    regions : list of str
        Region names, matrix order.
    name : str
        Name of the observable.
    fs : float
        Sampling frequency (Hz).
    """

    times_ms: np.ndarray
    v: np.ndarray
    regions: list[str]
    name: str
    fs: float


class BandChoice(NamedTuple):
    """The PAC pair chosen from the data, see :func:`choose_bands`.

    Attributes
    ----------
    dominant_gamma_hz : float
        Peak of the network-mean spectrum in the gamma range (Hz).
    modulation_hz : float
        Peak of the spectrum of the gamma-band envelope (Hz).
    phase_band, amplitude_band : (float, float)
        Band edges (Hz).
    envelope_frequency_hz, envelope_power : ndarray, shape (n_freq,)
        Welch spectrum of the envelope (v^2 / Hz), for the figure.
    """

    dominant_gamma_hz: float
    modulation_hz: float
    phase_band: tuple[float, float]
    amplitude_band: tuple[float, float]
    envelope_frequency_hz: np.ndarray
    envelope_power: np.ndarray


# ---------------------------------------------------------------------------
# Settings and input
# ---------------------------------------------------------------------------


def _check_range(name: str, pair, lowest: float = 0.0) -> tuple[float, float]:
    lo, hi = (float(edge) for edge in pair)
    if not (np.isfinite(lo) and np.isfinite(hi) and lowest <= lo < hi):
        raise ValueError(
            f"cfc.{name} must be [lo, hi] with {lowest} <= lo < hi, got {list(pair)}"
        )
    return lo, hi


def check_settings(settings: Mapping) -> None:
    """Check (part of) the ``cfc`` config block beyond what the schema says.

    Each rule gets only the keys it uses; those present are checked.

    Raises
    ------
    ValueError
        Naming the key, the constraint and the value: a band with lo >= hi,
        a PAC band name that is not a key of ``bands``, a modulation range
        whose phase bands would reach 0 Hz or whose side bands would not fit
        in the amplitude band, or an unknown periodogram mean removal.
    """
    bands = settings.get("bands", {})
    for name, edges in bands.items():
        _check_range(f"bands.{name}", edges)
    removal = settings.get("periodogram", {}).get("mean_removal", "node")
    if removal not in MEAN_REMOVAL:
        raise ValueError(
            f"cfc.periodogram.mean_removal must be one of {MEAN_REMOVAL}, "
            f"got {removal!r}"
        )
    if "pac" not in settings:
        return
    p = settings["pac"]
    for key in ("phase_bands", "amplitude_bands"):
        for name in p[key]:
            if name not in bands:
                raise ValueError(
                    f"cfc.pac.{key}: {name!r} is not one of the bands {list(bands)}"
                )
    _check_range("pac.gamma_range", p["gamma_range"])
    mod_lo, mod_hi = _check_range("pac.modulation_range", p["modulation_range"])
    half_phase = p["phase_bandwidth"] / 2
    if mod_lo - half_phase <= 0:
        raise ValueError(
            f"cfc.pac.modulation_range must start above phase_bandwidth / 2 = "
            f"{half_phase} Hz so that every phase band stays above 0 Hz, "
            f"got {list(p['modulation_range'])}"
        )
    if mod_hi + half_phase > p["amplitude_bandwidth"] / 2:
        raise ValueError(
            "cfc.pac.amplitude_bandwidth must be at least twice the highest phase "
            "frequency (modulation_range[1] + phase_bandwidth / 2 = "
            f"{mod_hi + half_phase} Hz) to pass the side bands that carry the "
            f"modulation, got {p['amplitude_bandwidth']}"
        )
    for axis in ("phase", "amplitude"):
        start, stop, step = p["comodulogram"][axis]
        if not (0 < start <= stop and step > 0):
            raise ValueError(
                f"cfc.pac.comodulogram.{axis} must be [start, stop, step] with "
                f"0 < start <= stop and step > 0, got {p['comodulogram'][axis]}"
            )


def read_recording(path) -> Recording:
    """Read a network run written by the rule network_simulate."""
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as data:
        name = list(data.data_vars)[0]
        v = data[name].to_numpy()
        times_ms = data["time"].to_numpy()
        regions = [str(r) for r in data["region"].to_numpy()]
    fs = 1e3 / float(np.mean(np.diff(times_ms)))
    return Recording(times_ms, v, regions, name, fs)


def analysis_part(recording: Recording, discard_ms: float) -> Recording:
    """The recording after its first `discard_ms` ms.

    Raises
    ------
    ValueError
        If fewer than 2 samples would be left.
    """
    keep = recording.times_ms - recording.times_ms[0] >= discard_ms
    if np.count_nonzero(keep) < 2:
        length = recording.times_ms[-1] - recording.times_ms[0]
        raise ValueError(
            f"cfc.discard must leave part of the {length:g} ms recording, "
            f"got {discard_ms!r} ms"
        )
    return recording._replace(times_ms=recording.times_ms[keep], v=recording.v[keep])


def decimate(v: np.ndarray, fs: float, rate_hz: float) -> tuple[np.ndarray, float]:
    """Downsample `v` along axis 0 by the integer factor ``fs // rate_hz``.

    Zero-phase FIR anti-aliasing (:func:`scipy.signal.decimate`), so that
    phases are not shifted. A factor below 2 returns `v` unchanged.

    Returns
    -------
    v_decimated : ndarray, shape (ceil(n_times / q), ...)
    fs_decimated : float
        ``fs / q`` (Hz).
    """
    q = int(fs // rate_hz)
    if q < 2:
        return v, fs
    return signal.decimate(v, q, ftype="fir", zero_phase=True, axis=0), fs / q


def _welch(recording: Recording, spectra_settings: Mapping) -> sp.Spectra:
    return sp.welch_spectra(
        recording.v,
        recording.fs,
        window_s=spectra_settings["window"],
        overlap=spectra_settings["overlap"],
        fmax_hz=spectra_settings["fmax"],
    )


def _peak(frequency_hz, power, lo_hz: float, hi_hz: float) -> float | np.ndarray:
    """:func:`neuralmass.spectra.dominant_frequency` within [lo_hz, hi_hz].

    NaN (per column) when fewer than 3 frequencies fall in the range.
    """
    inside = (frequency_hz >= lo_hz) & (frequency_hz <= hi_hz)
    if np.count_nonzero(inside) < 3:
        shape = np.shape(power)[1:]
        return np.full(shape, np.nan) if shape else np.nan
    return sp.dominant_frequency(frequency_hz[inside], power[inside], lo_hz)


# ---------------------------------------------------------------------------
# Band powers
# ---------------------------------------------------------------------------


def band_table(
    spectra: sp.Spectra, regions: list[str], bands: Mapping[str, tuple[float, float]]
) -> pd.DataFrame:
    """Band powers and in-band peaks of the network mean and of every region.

    Parameters
    ----------
    spectra : Spectra
        Welch spectra of the recording.
    regions : list of str
        Region names, one per column of ``spectra.power_nodes``.
    bands : mapping of str to (float, float)
        Band name to edges (Hz).

    Returns
    -------
    pandas.DataFrame
        One row per signal (``network_mean``, then the regions) and band:
        ``signal``, ``band``, ``lo_hz``, ``hi_hz``; ``power``, the PSD
        integrated over the band (v^2); ``relative_power``, that power over
        the signal's power from the lowest to the highest band edge;
        ``peak_hz``, the spectral peak inside the band (NaN when the band
        holds fewer than 3 frequencies).

    Raises
    ------
    ValueError
        If a band reaches outside the spectrum (naming the band).
    """
    f = spectra.frequency_hz
    power = np.column_stack([spectra.power_mean, spectra.power_nodes])
    span = (min(lo for lo, _ in bands.values()), max(hi for _, hi in bands.values()))
    try:
        total = sp.band_power(f, power, *span)
    except ValueError as error:
        raise ValueError(f"cfc.bands (span {span}): {error}") from None
    frames = []
    for name, (lo, hi) in bands.items():
        try:
            in_band = sp.band_power(f, power, lo, hi)
        except ValueError as error:
            raise ValueError(f"cfc.bands.{name}: {error}") from None
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(total > 0, in_band / total, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "signal": [NETWORK_MEAN, *regions],
                    "band": name,
                    "lo_hz": float(lo),
                    "hi_hz": float(hi),
                    "power": in_band,
                    "relative_power": relative,
                    "peak_hz": _peak(f, power, lo, hi),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    order = {s: i for i, s in enumerate([NETWORK_MEAN, *regions])}
    return table.sort_values("signal", key=lambda s: s.map(order), kind="stable")


# ---------------------------------------------------------------------------
# Phase-amplitude coupling
# ---------------------------------------------------------------------------


def choose_bands(
    x: np.ndarray, fs: float, spectra: sp.Spectra, settings: Mapping
) -> BandChoice:
    """Gamma peak, slow modulation frequency and the PAC bands, from the data.

    The dominant gamma frequency is the peak of ``spectra.power_mean`` within
    ``gamma_range``; the amplitude band is that peak +- ``amplitude_bandwidth
    / 2``. The slow modulation frequency is the peak, within
    ``modulation_range``, of the Welch spectrum (Hann, segments of
    ``envelope_window`` s, half overlap) of the Hilbert envelope of `x`
    band-passed to the amplitude band, :data:`ENVELOPE_MARGIN_S` cut from
    each end; the phase band is that peak +-
    ``phase_bandwidth / 2``. Both peaks are refined by parabolic
    interpolation (:func:`neuralmass.spectra.dominant_frequency`).

    Parameters
    ----------
    x : array_like, shape (n_times,)
        The network-mean signal (decimated).
    fs : float
        Sampling frequency of `x` (Hz).
    spectra : Spectra
        Welch spectra of the same part of the recording (any sampling).
    settings : mapping
        The ``cfc.pac`` block.

    Returns
    -------
    BandChoice

    Raises
    ------
    ValueError
        If the amplitude band would reach 0 Hz or the Nyquist frequency, or
        would not lie above twice the phase band (then the two overlap or
        the phase rhythm's harmonic counts as amplitude).
    """
    f = spectra.frequency_hz
    f_gamma = float(_peak(f, spectra.power_mean, *settings["gamma_range"]))
    half = settings["amplitude_bandwidth"] / 2
    amplitude_band = (f_gamma - half, f_gamma + half)
    if not (0 < amplitude_band[0] and amplitude_band[1] < fs / 2):
        raise ValueError(
            f"the amplitude band {amplitude_band} Hz around the gamma peak "
            f"{f_gamma:.2f} Hz must lie inside (0, {fs / 2}) Hz: narrow "
            "cfc.pac.amplitude_bandwidth or raise cfc.pac.sampling_rate"
        )

    envelope = np.abs(signal.hilbert(pac.bandpass(x, fs, *amplitude_band)))
    edge = int(np.ceil(ENVELOPE_MARGIN_S * fs))
    envelope = envelope[edge : max(envelope.size - edge, edge + 2)]
    nperseg = min(int(round(settings["envelope_window"] * fs)), envelope.size)
    f_env, p_env = signal.welch(
        envelope - envelope.mean(), fs=fs, window="hann", nperseg=nperseg
    )
    mod_lo, mod_hi = settings["modulation_range"]
    f_mod = float(_peak(f_env, p_env, mod_lo, mod_hi))
    if not np.isfinite(f_mod):
        raise ValueError(
            f"cfc.pac.modulation_range {[mod_lo, mod_hi]} Hz holds fewer than 3 "
            f"frequencies of the envelope spectrum (resolution {f_env[1]:.3g} Hz): "
            "widen it or lengthen cfc.pac.envelope_window"
        )
    half = settings["phase_bandwidth"] / 2
    phase_band = (f_mod - half, f_mod + half)
    if amplitude_band[0] < 2 * phase_band[1]:
        raise ValueError(
            f"the amplitude band {amplitude_band} Hz must lie above twice the "
            f"phase band {phase_band} Hz: narrow cfc.pac.amplitude_bandwidth or "
            "lower cfc.pac.modulation_range"
        )
    log.info(
        "dominant gamma %.3f Hz, amplitude band %.2f-%.2f Hz; envelope peak "
        "(slow modulation) %.3f Hz, phase band %.2f-%.2f Hz",
        f_gamma, *amplitude_band, f_mod, *phase_band,
    )  # fmt: skip
    return BandChoice(f_gamma, f_mod, phase_band, amplitude_band, f_env, p_env)


def pac_table(
    x: np.ndarray,
    fs: float,
    signals: list[str],
    pairs: list[tuple[str, tuple[float, float], str, tuple[float, float]]],
    n_surrogates: int,
    seed: int,
    min_shift_s: float,
) -> pd.DataFrame:
    """Modulation index and surrogate p-value of every signal and band pair.

    Parameters
    ----------
    x : array_like, shape (n_times, n_signals)
        Signals; column 0 is the network mean, the others regions.
    fs : float
        Sampling frequency (Hz).
    signals : list of str
        Name of every column.
    pairs : list of (phase_name, phase_band, amplitude_name, amplitude_band)
        Band pairs (edges in Hz).
    n_surrogates, seed, min_shift_s
        See :func:`neuralmass.pac.surrogate_test`; every pair uses a fresh
        ``numpy.random.default_rng(seed)``.

    Returns
    -------
    pandas.DataFrame
        One row per pair and signal: ``signal``, ``phase_band``,
        ``phase_lo_hz``, ``phase_hi_hz``, ``amplitude_band``,
        ``amplitude_lo_hz``, ``amplitude_hi_hz``, ``mi``, ``p_value``,
        ``p_value_fdr`` (Benjamini-Hochberg over the regions of the pair;
        for the network mean its own p-value), ``z_score``,
        ``surrogate_mean``, ``surrogate_std``, ``preferred_phase_rad`` (phase
        of the slow band at which the envelope peaks; 0 is the crest),
        ``n_surrogates``.
    """
    frames = []
    for phase_name, phase_band, amplitude_name, amplitude_band in pairs:
        test = pac.surrogate_test(
            x, fs, phase_band, amplitude_band, n_surrogates,
            np.random.default_rng(seed), min_shift_s=min_shift_s,
        )  # fmt: skip
        p_fdr = test.p_value.copy()
        if p_fdr.size > 1:
            p_fdr[1:] = stats.false_discovery_control(test.p_value[1:], method="bh")
        frames.append(
            pd.DataFrame(
                {
                    "signal": signals,
                    "phase_band": phase_name,
                    "phase_lo_hz": phase_band[0],
                    "phase_hi_hz": phase_band[1],
                    "amplitude_band": amplitude_name,
                    "amplitude_lo_hz": amplitude_band[0],
                    "amplitude_hi_hz": amplitude_band[1],
                    "mi": test.mi,
                    "p_value": test.p_value,
                    "p_value_fdr": p_fdr,
                    "z_score": test.z_score,
                    "surrogate_mean": test.surrogate_mean,
                    "surrogate_std": test.surrogate_std,
                    "preferred_phase_rad": test.preferred_phase,
                    "n_surrogates": int(n_surrogates),
                }
            )
        )
        log.info(
            "%s x %s: network mean MI %.3g (p %.3g); regions: median MI %.3g, "
            "%d of %d with FDR < %g",
            phase_name, amplitude_name, test.mi[0], test.p_value[0],
            np.median(test.mi[1:]), np.count_nonzero(p_fdr[1:] < SIGNIFICANCE),
            p_fdr.size - 1, SIGNIFICANCE,
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def _grid(start: float, stop: float, step: float) -> np.ndarray:
    return start + step * np.arange(int(np.floor((stop - start) / step + 1e-9)) + 1)


def _circular_mean(angles: np.ndarray) -> float:
    return float(np.angle(np.mean(np.exp(1j * np.asarray(angles)))))


# ---------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------


def cfc_spectra(
    recording_nc,
    spectra_settings: Mapping,
    settings: Mapping,
    bands_csv,
    spectra_png,
    spectrogram_png,
    where: str,
) -> None:
    """Band powers, Welch (and periodogram) spectra and the spectrogram.

    bands_csv: :func:`band_table` of the analysed part. spectra_png: the
    Welch spectra (network mean; spread of the regions) in dB relative to
    their maximum, beside the study's raw periodogram if
    ``cfc.periodogram.show``. spectrogram_png: the network mean over
    the whole recording (frames of ``cfc.spectrogram.window`` s).
    """
    from neuralmass.plots.spectra import plot_spectra_panels, plot_spectrogram

    check_settings(settings)
    full = read_recording(recording_nc)
    part = analysis_part(full, settings["discard"])
    fmax = spectra_settings["fmax"]

    welch = _welch(part, spectra_settings)
    table = band_table(welch, part.regions, settings["bands"])
    with atomic_path(bands_csv) as tmp:
        table.to_csv(tmp, index=False)
    mean_rows = table[table["signal"] == NETWORK_MEAN]
    for row in mean_rows.itertuples():
        log.info(
            "%s: network mean %s %.3g (relative %.3g), peak %.2f Hz",
            where, row.band, row.power, row.relative_power, row.peak_hz,
        )  # fmt: skip

    start_s = (part.times_ms[0] - full.times_ms[0]) / 1e3
    span = f"{start_s:.4g}-{(full.times_ms[-1] - full.times_ms[0]) / 1e3:.4g} s"
    panels = {f"Welch, {welch.window_s:g} s Hann, overlap {welch.overlap:g}":
              welch.to_frame()}  # fmt: skip
    if settings["periodogram"]["show"]:
        removal = settings["periodogram"]["mean_removal"]
        raw = sp.periodogram_spectra(
            part.v, part.fs, fmax_hz=fmax, mean_removal=removal
        )
        label = {"node": "each node minus its mean",
                 "instant": "minus the across-node mean (study)"}  # fmt: skip
        panels[f"raw periodogram, {label[removal]}"] = raw.to_frame()
    plot_spectra_panels(
        panels, spectra_png, title=f"{where}: {full.name}, {span}", fmax_hz=fmax
    )

    s = settings["spectrogram"]
    gram = sp.spectrogram(
        full.v.mean(axis=1), full.fs, window_s=s["window"], overlap=s["overlap"],
        fmax_hz=fmax,
    )  # fmt: skip
    plot_spectrogram(
        gram.times_s, gram.frequency_hz, gram.power, spectrogram_png,
        title=f"{where}: network mean {full.name} (analysis from {start_s:g} s)",
    )  # fmt: skip


def cfc_pac(
    recording_nc,
    spectra_settings: Mapping,
    settings: Mapping,
    outputs: Mapping,
    where: str,
    model: str = "",
    point: str = "",
) -> None:
    """Phase-amplitude coupling of the network mean and of every region.

    outputs: paths for ``pac`` (:func:`pac_table`, the data-chosen pair
    ``modulation`` x ``gamma_peak`` first, then the configured named pairs),
    ``comodulogram`` (CSV: ``signal`` = ``network_mean`` or ``node_median``,
    ``phase_hz``, ``amplitude_hz``, ``mi``; NaN where a combination is not
    computed), ``summary`` (CSV, :data:`SUMMARY_COLUMNS`), ``summary_html``
    (the same numbers in words, a report item), ``figure`` (envelope
    spectrum, amplitude by phase, comodulograms) and ``traces`` (the middle
    ``cfc.figures.trace_window`` ms of the analysed part).
    """
    from neuralmass.plots.spectra import plot_coupling

    check_settings(settings)
    p = settings["pac"]
    part = analysis_part(read_recording(recording_nc), settings["discard"])
    mean = part._replace(v=part.v.mean(axis=1, keepdims=True))
    welch = _welch(mean, spectra_settings)

    v, fs = decimate(part.v, part.fs, p["sampling_rate"])
    x = np.column_stack([v.mean(axis=1), v])
    signals = [NETWORK_MEAN, *part.regions]
    log.info("%s: %d samples at %.6g Hz after decimation", where, x.shape[0], fs)
    choice = choose_bands(x[:, 0], fs, welch, p)

    bands = settings["bands"]
    pairs = [("modulation", choice.phase_band, "gamma_peak", choice.amplitude_band)]
    pairs += [(ph, tuple(bands[ph]), am, tuple(bands[am]))
              for ph in p["phase_bands"] for am in p["amplitude_bands"]]  # fmt: skip
    table = pac_table(
        x, fs, signals, pairs, p["n_surrogates"], p["seed"], p["min_shift"]
    )
    phase_hz = _grid(*p["comodulogram"]["phase"])
    amplitude_hz = _grid(*p["comodulogram"]["amplitude"])
    grid = pac.comodulogram(
        x, fs, phase_hz, amplitude_hz, p["phase_bandwidth"], p["amplitude_bandwidth"]
    )
    with atomic_path(outputs["pac"]) as tmp:
        table.to_csv(tmp, index=False)

    computed = np.isfinite(grid[:, :, 0])
    node_median = np.full(computed.shape, np.nan)
    node_median[computed] = np.median(grid[:, :, 1:][computed], axis=-1)
    fp, fa = np.meshgrid(phase_hz, amplitude_hz, indexing="ij")
    comod = pd.concat(
        pd.DataFrame({"signal": name, "phase_hz": fp.ravel(),
                      "amplitude_hz": fa.ravel(), "mi": values.ravel()})
        for name, values in ((NETWORK_MEAN, grid[:, :, 0]), (NODE_MEDIAN, node_median))
    )  # fmt: skip
    with atomic_path(outputs["comodulogram"]) as tmp:
        comod.to_csv(tmp, index=False)

    chosen = table.iloc[: len(signals)]
    nodes = chosen.iloc[1:]
    summary = {
        "model": model,
        "point": point,
        "signal": NETWORK_MEAN,
        "dominant_gamma_hz": choice.dominant_gamma_hz,
        "modulation_hz": choice.modulation_hz,
        "phase_lo_hz": choice.phase_band[0],
        "phase_hi_hz": choice.phase_band[1],
        "amplitude_lo_hz": choice.amplitude_band[0],
        "amplitude_hi_hz": choice.amplitude_band[1],
        "mi": chosen["mi"].iloc[0],
        "p_value": chosen["p_value"].iloc[0],
        "z_score": chosen["z_score"].iloc[0],
        "preferred_phase_rad": chosen["preferred_phase_rad"].iloc[0],
        "n_surrogates": int(p["n_surrogates"]),
        "seed": int(p["seed"]),
        "n_nodes": len(nodes),
        "nodes_mi_median": float(nodes["mi"].median()),
        "nodes_significant": int((nodes["p_value_fdr"] < SIGNIFICANCE).sum()),
        "nodes_preferred_phase_rad": _circular_mean(nodes["preferred_phase_rad"]),
        "analysis_start_ms": float(part.times_ms[0]),
        "analysis_duration_s": x.shape[0] / fs,
        "fs_hz": fs,
    }
    with atomic_path(outputs["summary"]) as tmp:
        pd.DataFrame([summary], columns=SUMMARY_COLUMNS).to_csv(tmp, index=False)
    write_summary_html(summary, outputs["summary_html"], where)
    log.info("%s: %s", where, summary_sentence(summary))

    phase, envelope, _ = pac.phase_and_envelope(
        x, fs, choice.phase_band, choice.amplitude_band
    )
    distribution = pac.modulation_index(phase, envelope).distribution
    plot_coupling(
        choice.envelope_frequency_hz,
        choice.envelope_power,
        distribution[:, 0],
        np.median(distribution[:, 1:], axis=1),
        phase_hz,
        amplitude_hz,
        grid[:, :, 0],
        node_median,
        welch.frequency_hz,
        sp.to_db(welch.power_mean, welch.power_mean.max()),
        outputs["figure"],
        marker=(choice.modulation_hz, choice.dominant_gamma_hz),
        modulation_range=tuple(p["modulation_range"]),
        title=f"{where}: {summary_sentence(summary, short=True)}",
    )
    _plot_traces(part, x[:, 0], fs, choice, settings, outputs["traces"], where)


def _plot_traces(part, x_decimated, fs, choice, settings, path, where) -> None:
    """The middle trace window of the network mean with its bands."""
    from neuralmass.plots.spacetime import plot_traces

    t_dec = part.times_ms[0] + np.arange(x_decimated.size) * 1e3 / fs
    slow = pac.bandpass(x_decimated, fs, *choice.phase_band)
    envelope = np.abs(
        signal.hilbert(pac.bandpass(x_decimated, fs, *choice.amplitude_band))
    )
    window = _middle(part.times_ms, settings["figures"]["trace_window"])
    t = part.times_ms[window]
    mean = part.v[window].mean(axis=1)
    gamma = pac.bandpass(part.v.mean(axis=1), part.fs, *choice.amplitude_band)[window]
    plot_traces(
        t, mean, np.interp(t, t_dec, slow), gamma, np.interp(t, t_dec, envelope),
        path,
        title=f"{where}: network mean {part.name}",
        slow_label=f"{choice.phase_band[0]:.2f}-{choice.phase_band[1]:.2f} Hz",
        gamma_label=f"{choice.amplitude_band[0]:.1f}-{choice.amplitude_band[1]:.1f} Hz",
        signal=part.name,
    )  # fmt: skip


def _middle(times_ms: np.ndarray, length_ms: float) -> np.ndarray:
    """Boolean mask of the `length_ms` ms in the middle of `times_ms`."""
    centre = 0.5 * (times_ms[0] + times_ms[-1])
    start = max(times_ms[0], centre - length_ms / 2)
    return (times_ms >= start) & (times_ms < start + length_ms)


def summary_sentence(summary: Mapping, short: bool = False) -> str:
    """The summary's numbers in one sentence (figure title, log, report)."""
    if short:
        return (
            f"gamma {summary['dominant_gamma_hz']:.2f} Hz, modulation "
            f"{summary['modulation_hz']:.2f} Hz, MI {summary['mi']:.3g} "
            f"(p = {summary['p_value']:.3g})"
        )
    return (
        f"dominant gamma frequency {summary['dominant_gamma_hz']:.2f} Hz; slow "
        f"modulation frequency {summary['modulation_hz']:.2f} Hz; network-mean "
        f"MI {summary['mi']:.3g}, p = {summary['p_value']:.3g} "
        f"({summary['n_surrogates']} surrogates, seed {summary['seed']}); "
        f"regions: median MI {summary['nodes_mi_median']:.3g}, "
        f"{summary['nodes_significant']} of {summary['n_nodes']} coupled at "
        f"FDR < {SIGNIFICANCE}"
    )


def write_summary_html(summary: Mapping, path, where: str) -> None:
    """The summary as a small HTML page: a sentence and the table row."""
    rows = "\n".join(
        f"<tr><th>{html.escape(key)}</th><td>{html.escape(_format(value))}</td></tr>"
        for key, value in summary.items()
    )
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(where)}: PAC summary</title>
<style>body{{font-family:sans-serif}} th{{text-align:left;padding-right:1em}}</style>
</head><body>
<p><b>{html.escape(where)}</b>: {html.escape(summary_sentence(summary))}.</p>
<p>Phase band {summary["phase_lo_hz"]:.2f}-{summary["phase_hi_hz"]:.2f} Hz,
amplitude band {summary["amplitude_lo_hz"]:.2f}-{summary["amplitude_hi_hz"]:.2f} Hz
(chosen from the network mean; the same bands for every region).
The same numbers are in <code>cfc_summary.csv</code>; every region and the
named band pairs are in <code>pac.csv</code>.</p>
<table>
{rows}
</table>
</body></html>
"""
    with atomic_path(path) as tmp:
        Path(tmp).write_text(page)


def _format(value) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.6g}"
    return str(value)


# ---------------------------------------------------------------------------
# Space-time figure
# ---------------------------------------------------------------------------


def node_order(
    regions: list[str], table: pd.DataFrame | None
) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    """Order regions by hemisphere (L, R), then lobe, then table row.

    Lobes are ranked by their first appearance in the table.

    Parameters
    ----------
    regions : list of str
        Region names in matrix order.
    table : pandas.DataFrame or None
        :func:`neuralmass.connectome.read_region_table`; None keeps the
        matrix order as one group.

    Returns
    -------
    order : ndarray of int, shape (n_nodes,)
        ``regions[order[k]]`` is drawn in row k.
    groups : list of (label, start, stop)
        Consecutive rows ``start:stop`` of one hemisphere and lobe, labelled
        ``"L Frontal"`` etc.

    Raises
    ------
    ValueError
        If a region is not in the table (naming it).
    """
    if table is None:
        return np.arange(len(regions)), [("matrix order", 0, len(regions))]
    rows = {name: i for i, name in enumerate(table["name"])}
    missing = [name for name in regions if name not in rows]
    if missing:
        raise ValueError(
            f"region {missing[0]!r} ({len(missing)} in all) is not in the region "
            f"table, whose names are {list(table['name'][:4])}..."
        )
    lobes = {lobe: i for i, lobe in enumerate(dict.fromkeys(table["lobe"]))}
    keys = []
    for node, name in enumerate(regions):
        row = table.iloc[rows[name]]
        hemisphere = HEMISPHERES.index(row["hemisphere"])
        keys.append((hemisphere, lobes[row["lobe"]], rows[name], node))
    order = np.array([key[-1] for key in sorted(keys)])
    labels = [
        f"{table['hemisphere'].iloc[rows[regions[i]]]} "
        f"{table['lobe'].iloc[rows[regions[i]]]}"
        for i in order
    ]
    groups, start = [], 0
    for k in range(1, len(labels) + 1):
        if k == len(labels) or labels[k] != labels[start]:
            groups.append((labels[start], start, k))
            start = k
    return order, groups


def cfc_spacetime(
    recording_nc, summary_csv, regions_table, settings: Mapping, figure, where: str
) -> None:
    """Space-time figure, regions ordered by hemisphere and lobe.

    Two windows from the middle of the analysed part: v of every region
    over ``cfc.figures.spacetime_window`` ms (the study shows 100 ms), and
    the envelope of every region's gamma band (the amplitude band of
    `summary_csv`, written by :func:`cfc_pac`) over
    ``cfc.figures.trace_window`` ms, which shows the slow modulation of the
    gamma amplitude across regions. regions_table: path, or None for the
    matrix order.
    """
    from neuralmass.plots.spacetime import plot_space_time_ordered

    check_settings(settings)
    part = analysis_part(read_recording(recording_nc), settings["discard"])
    summary = pd.read_csv(summary_csv).iloc[0]
    band = (summary["amplitude_lo_hz"], summary["amplitude_hi_hz"])
    table = read_region_table(regions_table) if regions_table else None
    order, groups = node_order(part.regions, table)
    log.info("%s: %d groups: %s", where, len(groups), [g[0] for g in groups])

    f = settings["figures"]
    short = _middle(part.times_ms, f["spacetime_window"])
    long = _middle(part.times_ms, f["trace_window"])
    # Filter the long window with a margin on each side, where the filter
    # and the Hilbert transform are distorted by the ends.
    margin = int(np.ceil(ENVELOPE_MARGIN_S * part.fs))
    first, last = np.flatnonzero(long)[[0, -1]]
    lo, hi = max(0, first - margin), min(part.v.shape[0], last + 1 + margin)
    envelope = np.abs(
        signal.hilbert(pac.bandpass(part.v[lo:hi], part.fs, *band), axis=0)
    )[first - lo : last + 1 - lo]
    plot_space_time_ordered(
        [part.times_ms[short], part.times_ms[long]],
        [part.v[short][:, order], envelope[:, order]],
        groups,
        figure,
        title=f"{where}: regions by hemisphere and lobe",
        names=[part.name, f"{part.name} envelope, {band[0]:.1f}-{band[1]:.1f} Hz"],
    )
