"""Figures of spectra, spectrograms and phase-amplitude coupling.

Every function draws one figure on matplotlib's non-interactive Agg canvas
and writes it atomically (:func:`neuralmass.io.atomic_path`; the format
follows the suffix of `path`). Figures are built with
:class:`matplotlib.figure.Figure` rather than pyplot: nothing is registered
in pyplot's global figure list and the global backend is left alone, so a
figure is closed (freed) as soon as the function returns, and sweeps that
draw many figures accumulate none.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from neuralmass.io import atomic_path
from neuralmass.spectra import FMAX_HZ, to_db

__all__ = [
    "plot_comodulogram",
    "plot_spectra",
    "plot_spectrogram",
    "plot_trace_with_envelope",
]

DPI = 150
"""Resolution of raster output: sharp lines on a page, files of ~100 kB."""

DB_RANGE = 80.0
"""Depth (dB below the maximum) shown by spectra and spectrograms: the
model's gamma peaks and their harmonics fit, the numerical noise floor of a
double-precision simulation (about -300 dB) does not."""

FIGSIZE = (6.4, 4.0)
"""Figure size (inches) of a single panel."""


def _figure(size: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    """A one-panel figure on an Agg canvas, and its axes."""
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _save(fig: Figure, path: str | os.PathLike[str]) -> None:
    """Write `fig` atomically to `path`, then drop its artists."""
    try:
        fig.tight_layout()
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=DPI)
    finally:
        fig.clear()


def plot_spectra(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    title: str = "",
    fmax_hz: float = FMAX_HZ,
) -> None:
    """Plot the network-mean spectrum and the spread of the node spectra.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :meth:`neuralmass.spectra.Spectra.to_frame`: columns
        ``frequency_hz``, ``power_db_mean``, ``power_db_node_mean``,
        ``power_db_node_min``, ``power_db_node_max``.
    path : str or os.PathLike
        Output file; its suffix selects the format.
    title : str, optional
        Axes title.
    fmax_hz : float, optional
        Upper end of the frequency axis (Hz); the study shows 0..200 Hz.

    Raises
    ------
    ValueError
        If a required column is missing.
    """
    required = [
        "frequency_hz",
        "power_db_mean",
        "power_db_node_mean",
        "power_db_node_min",
        "power_db_node_max",
    ]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"frame must have columns {required}; missing {missing}")

    f = frame["frequency_hz"].to_numpy()
    fig, ax = _figure()
    ax.fill_between(
        f,
        frame["power_db_node_min"],
        frame["power_db_node_max"],
        color="tab:blue",
        alpha=0.25,
        linewidth=0,
        label="nodes, min to max",
    )
    ax.plot(f, frame["power_db_node_mean"], color="tab:blue", label="nodes, mean")
    ax.plot(f, frame["power_db_mean"], color="black", label="network mean signal")
    ax.set_xlim(0.0, fmax_hz)
    ax.set_ylim(-DB_RANGE, 5.0)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (dB re. maximum)")
    ax.set_title(title)
    ax.legend(loc="upper right", frameon=False)
    _save(fig, path)


def plot_comodulogram(
    mi: np.ndarray,
    phase_centres: np.ndarray,
    amp_centres: np.ndarray,
    path: str | os.PathLike[str],
    title: str = "",
) -> None:
    """Plot a comodulogram, MI against phase and amplitude frequency.

    Parameters
    ----------
    mi : array_like, shape (n_phase, n_amp)
        Modulation index from :func:`neuralmass.pac.comodulogram`; NaN
        (skipped) combinations are left blank.
    phase_centres : array_like, shape (n_phase,)
        Phase-band centres (Hz), increasing.
    amp_centres : array_like, shape (n_amp,)
        Amplitude-band centres (Hz), increasing.
    path : str or os.PathLike
        Output file.
    title : str, optional
        Axes title.

    Raises
    ------
    ValueError
        If the shape of `mi` does not match the centres.
    """
    mi = np.asarray(mi, dtype=float)
    phase_centres = np.asarray(phase_centres, dtype=float)
    amp_centres = np.asarray(amp_centres, dtype=float)
    if mi.shape != (phase_centres.size, amp_centres.size):
        raise ValueError(
            f"mi must have shape (n_phase, n_amp) = "
            f"({phase_centres.size}, {amp_centres.size}), got {mi.shape}"
        )

    fig, ax = _figure()
    mesh = ax.pcolormesh(
        phase_centres,
        amp_centres,
        np.ma.masked_invalid(mi.T),
        shading="nearest",
        cmap="viridis",
    )
    fig.colorbar(mesh, ax=ax, label="modulation index")
    ax.set_xlabel("phase frequency (Hz)")
    ax.set_ylabel("amplitude frequency (Hz)")
    ax.set_title(title)
    _save(fig, path)


def plot_trace_with_envelope(
    t_ms: np.ndarray,
    x: np.ndarray,
    envelope: np.ndarray,
    path: str | os.PathLike[str],
    title: str = "",
) -> None:
    """Plot a signal with the envelope of its fast component.

    Parameters
    ----------
    t_ms : array_like, shape (n_times,)
        Time (ms).
    x : array_like, shape (n_times,)
        Signal, e.g. v_E of one node or its gamma-band part.
    envelope : array_like, shape (n_times,)
        Amplitude envelope (e.g. from :func:`neuralmass.pac.phase_and_envelope`),
        drawn as +-envelope around the mean of `x`.
    path : str or os.PathLike
        Output file.
    title : str, optional
        Axes title.

    Raises
    ------
    ValueError
        If the three arrays are not 1-D of the same length.
    """
    t_ms, x, envelope = (np.asarray(a, dtype=float) for a in (t_ms, x, envelope))
    if not (t_ms.ndim == x.ndim == envelope.ndim == 1) or not (
        t_ms.size == x.size == envelope.size
    ):
        raise ValueError(
            "t_ms, x and envelope must be 1-D of the same length, got shapes "
            f"{t_ms.shape}, {x.shape}, {envelope.shape}"
        )

    centre = x.mean()
    fig, ax = _figure((FIGSIZE[0] * 1.5, FIGSIZE[1]))
    ax.plot(t_ms, x, color="tab:gray", linewidth=0.8, label="signal")
    ax.plot(t_ms, centre + envelope, color="tab:red", label="envelope")
    ax.plot(t_ms, centre - envelope, color="tab:red")
    ax.set_xlim(t_ms[0], t_ms[-1])
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("v_E")
    ax.set_title(title)
    ax.legend(loc="upper right", frameon=False)
    _save(fig, path)


def plot_spectrogram(
    times_s: np.ndarray,
    frequency_hz: np.ndarray,
    power: np.ndarray,
    path: str | os.PathLike[str],
    title: str = "",
) -> None:
    """Plot a spectrogram in dB relative to its maximum.

    The arguments are the fields of :class:`neuralmass.spectra.Spectrogram`,
    so ``plot_spectrogram(*spectrogram(x, fs), path)`` works.

    Parameters
    ----------
    times_s : array_like, shape (n_frames,)
        Frame centres (s).
    frequency_hz : array_like, shape (n_freq,)
        Frequencies (Hz).
    power : array_like, shape (n_freq, n_frames)
        PSD, linear.
    path : str or os.PathLike
        Output file.
    title : str, optional
        Axes title.

    Raises
    ------
    ValueError
        If the shape of `power` does not match the axes.
    """
    times_s = np.asarray(times_s, dtype=float)
    frequency_hz = np.asarray(frequency_hz, dtype=float)
    power = np.asarray(power, dtype=float)
    if power.shape != (frequency_hz.size, times_s.size):
        raise ValueError(
            f"power must have shape (n_freq, n_frames) = "
            f"({frequency_hz.size}, {times_s.size}), got {power.shape}"
        )

    peak = float(power.max())
    db = to_db(power, peak if peak > 0 else 1.0)
    fig, ax = _figure()
    mesh = ax.pcolormesh(
        times_s, frequency_hz, db, shading="nearest", vmin=-DB_RANGE, vmax=0.0
    )
    fig.colorbar(mesh, ax=ax, label="power (dB re. maximum)")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    ax.set_title(title)
    _save(fig, path)
