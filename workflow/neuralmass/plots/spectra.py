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
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from neuralmass.io import atomic_path
from neuralmass.spectra import FMAX_HZ, to_db

__all__ = [
    "plot_comodulogram",
    "plot_coupling",
    "plot_spectra",
    "plot_spectra_panels",
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

MI_DECADES = 3.0
"""Decades below the maximum shown by the log colour scale of
:func:`plot_coupling`'s comodulograms (MI of weak coupling is ~1e-4)."""


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
    signal: str = "v_E",
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
    signal : str, optional
        Name of the signal for the axis label (the model's observable).

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
    ax.set_ylabel(signal)
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


def plot_spectra_panels(
    panels: dict[str, pd.DataFrame],
    path: str | os.PathLike[str],
    title: str = "",
    fmax_hz: float = FMAX_HZ,
) -> None:
    """Spectra side by side (e.g. Welch and the study's periodogram).

    Each panel is drawn as by :func:`plot_spectra`, on a shared dB axis.

    Parameters
    ----------
    panels : dict of str to pandas.DataFrame
        Panel title to a :meth:`neuralmass.spectra.Spectra.to_frame` table.
    path : str or os.PathLike
        Output file.
    title : str, optional
        Figure title.
    fmax_hz : float, optional
        Upper end of the frequency axes (Hz).

    Raises
    ------
    ValueError
        If `panels` is empty or a table lacks a column.
    """
    if not panels:
        raise ValueError("panels must hold at least one spectrum table, got none")
    required = ["frequency_hz", "power_db_mean", "power_db_node_mean",
                "power_db_node_min", "power_db_node_max"]  # fmt: skip
    fig = Figure(figsize=(FIGSIZE[0] * len(panels), FIGSIZE[1] + 0.4),
                 layout="constrained")  # fmt: skip
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    for ax, (label, frame) in zip(axes, panels.items(), strict=True):
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise ValueError(f"panel {label!r} must have columns {required}; "
                             f"missing {missing}")  # fmt: skip
        f = frame["frequency_hz"].to_numpy()
        ax.fill_between(f, frame["power_db_node_min"], frame["power_db_node_max"],
                        color="tab:blue", alpha=0.25, linewidth=0,
                        label="nodes, min to max")  # fmt: skip
        ax.plot(f, frame["power_db_node_mean"], color="tab:blue", lw=0.8,
                label="nodes, mean")  # fmt: skip
        ax.plot(f, frame["power_db_mean"], color="black", lw=0.8,
                label="network mean signal")  # fmt: skip
        ax.set_xlim(0.0, fmax_hz)
        ax.set_ylim(-DB_RANGE, 5.0)
        ax.set_xlabel("frequency (Hz)")
        ax.set_title(label, fontsize=9)
    axes[0].set_ylabel("power (dB re. maximum)")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
               ncol=3, frameon=False, fontsize=8)  # fmt: skip
    fig.suptitle(title, fontsize=10)
    try:  # constrained layout: _save's tight_layout would place the legend badly
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=DPI)
    finally:
        fig.clear()


def plot_coupling(
    envelope_frequency_hz: np.ndarray,
    envelope_power: np.ndarray,
    distribution: np.ndarray,
    distribution_nodes: np.ndarray,
    phase_centres: np.ndarray,
    amp_centres: np.ndarray,
    mi: np.ndarray,
    mi_nodes: np.ndarray,
    frequency_hz: np.ndarray,
    power_db: np.ndarray,
    path: str | os.PathLike[str],
    marker: tuple[float, float] | None = None,
    modulation_range: tuple[float, float] | None = None,
    title: str = "",
) -> None:
    """How the PAC bands were chosen, and the coupling they show.

    Panels: (a) the spectrum of the gamma-band envelope, with the range
    searched for the slow modulation frequency; (b) the amplitude
    distribution over the phase bins (Tort's P) of the network mean and
    the median over regions, against the uniform 1 / N; (c, d)
    comodulograms of the network mean and the median over regions; (e) the
    network-mean spectrum against amplitude frequency, since the MI is
    normalised by the mean amplitude and can be large in bands that hold
    little power.

    Parameters
    ----------
    envelope_frequency_hz, envelope_power : array_like, shape (n_env,)
        Spectrum of the envelope (linear).
    distribution, distribution_nodes : array_like, shape (n_bins,)
        P per phase bin (bins from -pi).
    phase_centres, amp_centres : array_like, shapes (n_phase,), (n_amp,)
        Comodulogram axes (Hz).
    mi, mi_nodes : array_like, shape (n_phase, n_amp)
        Comodulograms (NaN where not computed).
    frequency_hz, power_db : array_like, shape (n_freq,)
        Network-mean spectrum (dB re. maximum).
    path : str or os.PathLike
        Output file.
    marker : (float, float), optional
        (phase, amplitude) frequency of the chosen pair (Hz).
    modulation_range : (float, float), optional
        Range searched for the modulation frequency (Hz), shaded in (a).
    title : str, optional
        Figure title.

    Raises
    ------
    ValueError
        If a comodulogram's shape does not match its axes.
    """
    phase_centres = np.asarray(phase_centres, dtype=float)
    amp_centres = np.asarray(amp_centres, dtype=float)
    for name, grid in (("mi", mi), ("mi_nodes", mi_nodes)):
        if np.shape(grid) != (phase_centres.size, amp_centres.size):
            raise ValueError(
                f"{name} must have shape (n_phase, n_amp) = ({phase_centres.size}, "
                f"{amp_centres.size}), got {np.shape(grid)}"
            )

    fig = Figure(figsize=(11.0, 7.5))
    FigureCanvasAgg(fig)
    grid_spec = fig.add_gridspec(2, 3, width_ratios=(1.0, 1.0, 0.35))
    ax_env = fig.add_subplot(grid_spec[0, 0])
    hi = 2.0 * (modulation_range[1] if modulation_range else marker[0] if marker
                else envelope_frequency_hz[-1] / 2)  # fmt: skip
    shown = envelope_frequency_hz <= hi
    ax_env.semilogy(envelope_frequency_hz[shown], envelope_power[shown], color="k")
    if modulation_range:
        ax_env.axvspan(*modulation_range, color="tab:orange", alpha=0.15,
                       label="searched")  # fmt: skip
    if marker:
        ax_env.axvline(marker[0], color="tab:red", lw=1,
                       label=f"peak {marker[0]:.2f} Hz")  # fmt: skip
        ax_env.legend(frameon=False, fontsize=8)
    ax_env.set_xlabel("frequency (Hz)")
    ax_env.set_ylabel("PSD of the gamma envelope")
    ax_env.set_title("(a) envelope spectrum, network mean", fontsize=9)

    ax_dist = fig.add_subplot(grid_spec[0, 1:])
    n_bins = np.size(distribution)
    centres = np.degrees(-np.pi + (np.arange(n_bins) + 0.5) * 2 * np.pi / n_bins)
    ax_dist.plot(centres, distribution, "o-", color="k", label="network mean")
    ax_dist.plot(centres, distribution_nodes, "s-", color="tab:blue",
                 label="regions, median")  # fmt: skip
    ax_dist.axhline(1.0 / n_bins, color="tab:gray", ls="--", lw=0.8, label="uniform")
    ax_dist.set_xlabel("phase of the slow band (degrees; 0 = crest)")
    ax_dist.set_ylabel("share of the mean envelope")
    ax_dist.set_title("(b) gamma amplitude by slow phase", fontsize=9)
    ax_dist.legend(frameon=False, fontsize=8)

    axes = [fig.add_subplot(grid_spec[1, k]) for k in range(3)]
    for ax, values, label in ((axes[0], mi, "(c) network mean"),
                              (axes[1], mi_nodes, "(d) regions, median")):  # fmt: skip
        # Log colour scale: the MI spans decades. NaN and 0 are left blank.
        shown = np.asarray(values, dtype=float).T
        shown = np.ma.masked_where(~(shown > 0), shown)
        top = float(shown.max()) if shown.count() else 1.0
        norm = LogNorm(vmin=top * 10.0**-MI_DECADES, vmax=top)
        mesh = ax.pcolormesh(
            phase_centres, amp_centres, shown, shading="nearest", norm=norm
        )
        fig.colorbar(mesh, ax=ax, label="modulation index")
        if marker:
            ax.plot(*marker, marker="x", color="tab:red", markersize=9, mew=2)
        ax.set_xlabel("phase frequency (Hz)")
        ax.set_title(f"{label}: comodulogram", fontsize=9)
    axes[0].set_ylabel("amplitude frequency (Hz)")
    axes[2].plot(power_db, frequency_hz, color="k", lw=0.8)
    axes[2].set_ylim(amp_centres[0], amp_centres[-1])
    axes[2].set_xlim(-DB_RANGE, 5.0)
    axes[2].set_xlabel("dB re. max")
    axes[2].set_title("(e) spectrum", fontsize=9)
    fig.suptitle(title, fontsize=10)
    _save(fig, path)
