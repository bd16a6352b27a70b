"""Space-time figures with regions grouped by hemisphere and lobe, and traces.

Like :mod:`neuralmass.plots.spectra`, every function draws one figure on a
:class:`matplotlib.figure.Figure` with an Agg canvas (pyplot's global state
is left alone) and writes it atomically with
:func:`neuralmass.io.atomic_path`.
"""

from __future__ import annotations

import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from neuralmass.io import atomic_path

__all__ = ["plot_space_time_ordered", "plot_traces"]

DPI = 150
"""Resolution of raster output, as in :mod:`neuralmass.plots.spectra`."""

CMAP = "viridis"
"""Colour map of the space-time panels (perceptually uniform)."""


def _save(fig: Figure, path: str | os.PathLike[str]) -> None:
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=DPI)
    finally:
        fig.clear()


def plot_space_time_ordered(
    times_ms: list[np.ndarray],
    values: list[np.ndarray],
    groups: list[tuple[str, int, int]],
    path: str | os.PathLike[str],
    title: str = "",
    names: list[str] | None = None,
) -> None:
    """Regions (rows, in the given order) against time, one panel per window.

    Parameters
    ----------
    times_ms : list of ndarray, each shape (n_times_k,)
        Time (ms) of each panel.
    values : list of ndarray, each shape (n_times_k, n_nodes)
        The observable, columns already in drawing order (row 0 at the top).
    groups : list of (label, start, stop)
        Consecutive rows sharing a label (e.g. ``"L Frontal"``), from
        :func:`neuralmass.cfc.node_order`; drawn as ticks and separators.
    path : str or os.PathLike
        Output file.
    title : str, optional
        Figure title.
    names : list of str, optional
        Colour bar label of each panel; each panel has its own colour scale.

    Raises
    ------
    ValueError
        If the panels' shapes do not match their times or the groups.
    """
    names = names or [""] * len(values)
    if not values or not (len(times_ms) == len(values) == len(names)):
        raise ValueError(
            "times_ms, values and names must be lists of the same non-zero length, "
            f"got {len(times_ms)}, {len(values)} and {len(names)}"
        )
    n_nodes = groups[-1][2] if groups else 0
    for t, v in zip(times_ms, values, strict=True):
        if v.shape != (t.size, n_nodes):
            raise ValueError(
                f"each panel must have shape (n_times, n_nodes) = ({t.size}, "
                f"{n_nodes}) (n_nodes from groups), got {v.shape}"
            )

    fig = Figure(figsize=(8.0, 3.2 * len(values) + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(len(values), 1))
    centres = [(start + stop - 1) / 2 for _, start, stop in groups]
    for ax, t, v, name in zip(axes, times_ms, values, names, strict=True):
        image = ax.imshow(
            v.T, aspect="auto", origin="upper", cmap=CMAP,
            extent=(t[0], t[-1], n_nodes - 0.5, -0.5), interpolation="nearest",
        )  # fmt: skip
        for _, start, _stop in groups[1:]:
            ax.axhline(start - 0.5, color="white", linewidth=0.6)
        ax.set_yticks(centres, [label for label, _, _ in groups], fontsize=7)
        ax.set_ylabel("region")
        ax.set_xlabel(f"time (ms), {t[-1] - t[0]:.0f} ms shown")
        fig.colorbar(image, ax=ax, label=name)
    axes[0].set_title(title)
    _save(fig, path)


def plot_traces(
    t_ms: np.ndarray,
    x: np.ndarray,
    slow: np.ndarray,
    gamma: np.ndarray,
    envelope: np.ndarray,
    path: str | os.PathLike[str],
    title: str = "",
    slow_label: str = "slow band",
    gamma_label: str = "gamma band",
    signal: str = "v_E",
) -> None:
    """A signal with its slow component, and its gamma band with the envelope.

    Top: `x`. Bottom: its gamma-band component with +- its envelope, and
    its slow (phase-band) component on its own scale (right axis), so that
    one can see whether the gamma amplitude follows the slow rhythm's phase
    however weak that rhythm is.

    Parameters
    ----------
    t_ms : array_like, shape (n_times,)
        Time (ms).
    x : array_like, shape (n_times,)
        The signal (e.g. the network-mean v_E).
    slow : array_like, shape (n_times,)
        Its phase-band component (zero mean).
    gamma : array_like, shape (n_times,)
        Its amplitude-band component.
    envelope : array_like, shape (n_times,)
        Envelope of the amplitude band (>= 0).
    path : str or os.PathLike
        Output file.
    title : str, optional
        Figure title.
    slow_label, gamma_label : str, optional
        Legend entries naming the bands.
    signal : str, optional
        Name of the signal for the axis labels (the model's observable).

    Raises
    ------
    ValueError
        If the arrays are not 1-D of the same length.
    """
    arrays = [np.asarray(a, dtype=float) for a in (t_ms, x, slow, gamma, envelope)]
    if any(a.ndim != 1 or a.size != arrays[0].size for a in arrays):
        raise ValueError(
            "t_ms, x, slow, gamma and envelope must be 1-D of the same length, "
            f"got shapes {[a.shape for a in arrays]}"
        )
    t_ms, x, slow, gamma, envelope = arrays

    fig = Figure(figsize=(9.6, 5.2), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(t_ms, x, color="tab:gray", linewidth=0.5)
    top.set_ylabel(f"{signal}, network mean")
    top.set_title(title)
    lines = bottom.plot(t_ms, gamma, color="tab:gray", linewidth=0.5,
                        label=f"{gamma_label} component")  # fmt: skip
    lines += bottom.plot(t_ms, envelope, color="tab:red", linewidth=1.2,
                         label="its envelope")  # fmt: skip
    bottom.plot(t_ms, -envelope, color="tab:red", linewidth=1.2)
    bottom.set_xlim(t_ms[0], t_ms[-1])
    bottom.set_xlabel("time (ms)")
    bottom.set_ylabel(f"{signal}, band-passed")
    slow_axis = bottom.twinx()
    lines += slow_axis.plot(t_ms, slow, color="tab:blue", linewidth=1.5,
                            label=f"{slow_label} component (right axis)")  # fmt: skip
    slow_axis.set_ylabel(f"{signal}, {slow_label}", color="tab:blue")
    bottom.legend(handles=lines, loc="upper right", frameon=False, fontsize=8)
    _save(fig, path)
