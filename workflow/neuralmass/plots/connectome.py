"""Figure of the coupling matrix and its spectrum."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from neuralmass.io import atomic_path

__all__ = ["plot_connectome"]

#: Figure size (inches) and resolution (dots per inch) of saved figures.
FIGURE_SIZE = (11.0, 5.0)
FIGURE_DPI = 150

#: Up to this many nodes the matrix axes carry region names, else indices.
MAX_NAMED_TICKS = 40


def plot_connectome(
    W: np.ndarray,
    eigenvalues: np.ndarray,
    labels: Sequence[str],
    path: str | os.PathLike[str],
) -> None:
    """Plot the coupling matrix and its spectrum side by side, and save it.

    Left panel: ``W[i, j]`` (into target ``i`` from source ``j``) on a log
    colour scale; zero entries are left blank. Right panel: the eigenvalues
    in the complex plane with the unit circle, ``Lambda_1``, ``Lambda_2``
    and ``Lambda_min`` annotated.

    Parameters
    ----------
    W : array_like, shape (N, N)
        Row-normalised coupling matrix with at least one positive entry.
    eigenvalues : array_like, shape (N,)
        Eigenvalues of `W` sorted by real part, descending (as returned by
        :func:`neuralmass.connectome.eigen_decomposition`), so that
        ``Lambda_1`` is first and ``Lambda_min`` last.
    labels : sequence of str, length N
        Region names, in matrix order; shown as tick labels when
        N <= ``MAX_NAMED_TICKS``.
    path : str or os.PathLike
        Output file; the format follows its suffix (``.png``, ``.pdf``, ...).
        Written atomically.

    Raises
    ------
    ValueError
        If the shapes of `W`, `eigenvalues` and `labels` do not agree, or `W`
        has no positive entry.

    Notes
    -----
    The figure is drawn on its own Agg canvas, outside pyplot: no global
    backend is switched and no pyplot figure is left open.
    """
    W = np.asarray(W, dtype=np.float64)
    eigenvalues = np.asarray(eigenvalues).ravel()
    labels = list(labels)
    n = W.shape[0] if W.ndim == 2 else -1
    if W.shape != (n, n) or n < 2:
        raise ValueError(f"W: shape {W.shape}; expected (N, N) with N >= 2")
    if eigenvalues.size != n or len(labels) != n:
        raise ValueError(
            f"eigenvalues has {eigenvalues.size} and labels has {len(labels)} "
            f"entries; expected N = {n} each, as W is {n} x {n}"
        )
    positive = W[W > 0]
    if positive.size == 0:
        raise ValueError("W: has no positive entry to show on a log scale")

    figure = Figure(figsize=FIGURE_SIZE, layout="constrained")
    FigureCanvasAgg(figure)
    matrix_axes, spectrum_axes = figure.subplots(1, 2)
    _draw_matrix(matrix_axes, W, positive, labels, figure)
    _draw_spectrum(spectrum_axes, eigenvalues)

    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=FIGURE_DPI)
    figure.clear()


def _draw_matrix(axes, W, positive, labels, figure) -> None:
    """Draw W on a log colour scale, zeros masked."""
    shown = np.ma.masked_less_equal(W, 0.0)
    norm = LogNorm(vmin=positive.min(), vmax=positive.max())
    image = axes.imshow(shown, norm=norm, cmap="viridis", interpolation="nearest")
    axes.set_facecolor("white")
    axes.set_xlabel("source j")
    axes.set_ylabel("target i")
    axes.set_title("coupling matrix W (log scale; blank = 0)")
    n = W.shape[0]
    if n <= MAX_NAMED_TICKS:
        ticks = np.arange(n)
        axes.set_xticks(ticks, labels, rotation=90, fontsize="x-small")
        axes.set_yticks(ticks, labels, fontsize="x-small")
    figure.colorbar(image, ax=axes, label="W[i, j]", shrink=0.8)


def _draw_spectrum(axes, eigenvalues) -> None:
    """Draw the spectrum, the unit circle and the annotated eigenvalues."""
    angle = np.linspace(0.0, 2.0 * np.pi, 361)
    axes.plot(np.cos(angle), np.sin(angle), color="0.6", lw=0.8, label="|Λ| = 1")
    axes.axhline(0.0, color="0.85", lw=0.6, zorder=0)
    axes.axvline(0.0, color="0.85", lw=0.6, zorder=0)
    axes.plot(
        eigenvalues.real,
        np.imag(eigenvalues),
        "o",
        ms=4,
        mfc="none",
        color="tab:blue",
        label=f"eigenvalues (N = {eigenvalues.size})",
    )

    marked = (
        (0, r"$\Lambda_1$", (-40, -30)),
        (1, r"$\Lambda_2$", (-10, 28)),
        (eigenvalues.size - 1, r"$\Lambda_{\min}$", (10, 14)),
    )
    for index, name, offset in marked:
        value = eigenvalues[index]
        axes.plot(value.real, np.imag(value), "o", ms=5, color="tab:red")
        axes.annotate(
            f"{name} = {_format_complex(value)}",
            (value.real, np.imag(value)),
            xytext=offset,
            textcoords="offset points",
            fontsize="small",
            arrowprops={"arrowstyle": "-", "color": "0.4", "lw": 0.6},
        )

    axes.set_aspect("equal")
    axes.set_xlim(-1.15, 1.15)
    axes.set_ylim(-1.15, 1.15)
    axes.set_xlabel("Re Λ")
    axes.set_ylabel("Im Λ")
    axes.set_title("spectrum of W")
    axes.legend(loc="lower left", fontsize="small")


def _format_complex(value) -> str:
    """Six decimals; the imaginary part only when it is non-zero."""
    if np.imag(value) == 0:
        return f"{np.real(value):.6f}"
    return f"{np.real(value):.6f} {np.imag(value):+.6f}i"
