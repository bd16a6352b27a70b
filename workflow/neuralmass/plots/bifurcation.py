"""Figures of the bifurcation stage: one- and two-parameter diagrams, cascade.

Markers of special points (MARKERS): LP fold, HB Hopf, BP branch point, LPC
fold of cycles, PD period doubling, NS Neimark-Sacker, BT Bogdanov-Takens,
CP cusp, GH generalised Hopf, SNIC saddle-node on an invariant circle, HC
homoclinic orbit (where a cycle branch ends with a diverging period).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from neuralmass.io import atomic_path

MARKERS = {"LP": "o", "HB": "s", "BP": "D", "LPC": "^", "PD": "v", "NS": "P",
           "BT": "*", "CP": "X", "GH": "h", "SNIC": "<", "HC": ">"}  # fmt: skip


def _runs(stable: np.ndarray):
    """(start, stop) of runs of equal stability, overlapping by one point."""
    edges = np.flatnonzero(np.diff(stable.astype(int))) + 1
    bounds = np.concatenate([[0], edges, [stable.size]])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        yield max(a - 1, 0), b, bool(stable[a])


def _stability_lines(ax, x, y, stable, color, label=None):
    for a, b, s in _runs(np.asarray(stable, bool)):
        ax.plot(x[a:b], y[a:b], color=color, lw=1.4, ls="-" if s else "--",
                label=label if a == 0 else None)  # fmt: skip


def plot_one_parameter(branches, special, path, parameter: str, variable: str,
                       title: str, variables, weights=None) -> None:  # fmt: skip
    """max/min of `variable` (top) and cycle frequency (bottom) against
    `parameter`; stable solid, unstable dashed; special points marked.

    `variable` is one of `variables` or the recorded signal with `weights`
    over them (n,), e.g. v_pyr = y1 - y2 for Jansen-Rit; the tables hold
    max_<variable> and min_<variable> for either. Equilibrium-type points
    (LP, HB, BP) are drawn at the signal of their state.
    """
    if weights is None:
        weights = np.eye(len(variables))[list(variables).index(variable)]
    figure = Figure(figsize=(7.0, 6.0), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    for i, (bid, b) in enumerate(branches.groupby("branch", sort=True)):
        color = "k" if b["type"].iloc[0] == "equilibrium" else f"C{i % 10}"
        x = b[parameter].to_numpy()
        stable = b["stable"].to_numpy(bool)
        label = f"{b['type'].iloc[0]} {bid}"
        _stability_lines(top, x, b[f"max_{variable}"].to_numpy(), stable, color, label)
        if b["type"].iloc[0] == "cycle":
            _stability_lines(top, x, b[f"min_{variable}"].to_numpy(), stable, color)
            _stability_lines(bottom, x, b["frequency_hz"].to_numpy(), stable, color)
    for kind, group in special.groupby("kind"):
        if kind.startswith("UZ"):
            continue
        y = [np.array(x.split(","), float) @ weights if kind in ("LP", "HB", "BP")
             else np.nan for x in group["x"]]  # fmt: skip
        top.plot(group[parameter], y, MARKERS.get(kind, "."), color="r", label=kind)
        freq = group["frequency_hz"].to_numpy(float)
        bottom.plot(group[parameter], freq, MARKERS.get(kind, "."), color="r", ms=5)
    top.set_ylabel(f"max / min {variable}")
    top.set_title(title)
    top.legend(fontsize=7, ncol=2)
    bottom.set_ylabel("frequency (Hz)")
    bottom.set_xlabel(parameter)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=120)


def plot_two_parameter(curves, special, cycle_points, path, names, zoom) -> None:
    """Fold (LP) and Hopf (HB) curves, neutral saddles dotted, codimension-two
    points marked; fold-of-cycles (LPC) and period-doubling (PD) curves, and
    the LPC and PD points of the one-parameter cycle branches as markers.
    Right: the zoom box `zoom` = ((x0, x1), (y0, y1))."""
    figure = Figure(figsize=(11.0, 5.0), layout="constrained")
    axes = figure.subplots(1, 2)
    colors = {"LP curve": "C0", "HB curve": "C3", "LPC curve": "C4", "PD curve": "C2"}
    for ax in axes:
        for _, c in curves.groupby("branch"):
            kind = c["type"].iloc[0]
            x, y = c[names[0]].to_numpy(), c[names[1]].to_numpy()
            if kind in ("LPC curve", "PD curve"):
                ax.plot(x, y, color=colors[kind], lw=1.0, ls="-.")
                continue
            ns = c["neutral_saddle"].to_numpy(bool)
            ax.plot(np.where(ns, np.nan, x), y, color=colors[kind], lw=1.3)
            if ns.any():
                ax.plot(np.where(ns, x, np.nan), y, color=colors[kind], lw=0.8,
                        ls=":")  # fmt: skip
        for kind, g in special.groupby("kind"):
            ax.plot(g[names[0]], g[names[1]], MARKERS.get(kind, "."), color="k",
                    ms=8, label=kind)  # fmt: skip
        for kind, g in cycle_points.groupby("kind"):
            color = "C2" if kind == "PD" else "C4"
            ax.plot(g[names[0]], g[names[1]], MARKERS.get(kind, "."), ms=5,
                    color=color, label=f"{kind} (cycles)")  # fmt: skip
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    axes[0].plot([], [], color="C0", label="fold (LP)")
    axes[0].plot([], [], color="C3", label="Hopf (HB)")
    for kind in ("LPC", "PD"):
        if (curves["type"] == f"{kind} curve").any():
            axes[0].plot([], [], color=colors[f"{kind} curve"], ls="-.",
                         label=f"{kind} curve")  # fmt: skip
    axes[0].legend(fontsize=7)
    (x0, x1), (y0, y1) = zoom
    axes[1].set_xlim(x0, x1)
    axes[1].set_ylim(y0, y1)
    axes[1].set_title(f"zoom: {names[0]} {x0:g}..{x1:g}, {names[1]} {y0:g}..{y1:g}")
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=120)


def plot_cascade(peaks, branches, path, parameter: str, variable: str,
                 title: str) -> None:  # fmt: skip
    """Peaks of `variable` in simulation (dots) beside the continuation."""
    figure = Figure(figsize=(9.0, 4.5), layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    moving = peaks[~peaks["resting"].astype(bool)]
    left.plot(moving[parameter], moving["peak"], ",", color="k")
    left.plot(peaks[parameter][peaks["resting"]], peaks["peak"][peaks["resting"]],
              ",", color="0.5")  # fmt: skip
    left.set_title(f"{title}: simulation (peaks of {variable})")
    left.set_xlabel(parameter)
    left.set_ylabel(variable)
    for i, (_, b) in enumerate(branches.groupby("branch")):
        color = "k" if b["type"].iloc[0] == "equilibrium" else f"C{i % 10}"
        x = b[parameter].to_numpy()
        stable = b["stable"].to_numpy(bool)
        _stability_lines(right, x, b[f"max_{variable}"].to_numpy(), stable, color)
    right.set_title("continuation (max over the cycle)")
    right.set_xlabel(parameter)
    lo, hi = peaks[parameter].min(), peaks[parameter].max()
    right.set_xlim(lo, hi)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=120)
