"""Figures of Lyapunov spectra: convergence, scans and the homogeneous map."""

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from neuralmass.io import atomic_path

N_SHOWN = 10  # running estimates drawn in the convergence figure


def plot_convergence(convergence, table, path, title: str) -> None:
    """Running estimates of the leading exponents against time (log axis),
    with the final value +- one standard error; below, the whole spectrum."""
    figure = Figure(figsize=(7.0, 6.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))
    times = convergence["time_ms"].to_numpy()
    shown = min(N_SHOWN, len(table))
    for i in range(shown):
        colour = f"C{i % 10}"
        top.plot(times, convergence[f"lambda_{i + 1}"], lw=1, color=colour,
                 label=rf"$\lambda_{{{i + 1}}}$")  # fmt: skip
        value, error = table["exponent"].iloc[i], table["stderr"].iloc[i]
        top.axhspan(value - error, value + error, color=colour, alpha=0.15, lw=0)
    top.axhline(0.0, color="0.5", lw=0.8)
    top.set_xscale("log")
    top.set_xlabel("averaging time (ms)")
    top.set_ylabel("running estimate (1/ms)")
    final = table["exponent"].iloc[:shown]
    spread = max(float(np.ptp(final)), float(table["stderr"].iloc[:shown].max()), 1e-3)
    top.set_ylim(final.min() - 1.5 * spread, final.max() + 1.5 * spread)
    top.set_title(title)
    top.legend(fontsize=7, ncol=5, loc="lower right")

    bottom.axhline(0.0, color="0.5", lw=0.8)
    bottom.errorbar(table["index"], table["exponent"], yerr=table["stderr"],
                    fmt="o", ms=3, lw=0.8, color="k")  # fmt: skip
    bottom.set_xlabel("index")
    bottom.set_ylabel("exponent (1/ms)")
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=110)


def plot_scan(spectra, summary, parameter: str, path) -> None:
    """All exponents against the scan parameter (leading one with its error
    bar), and below the number of positive exponents and the Kaplan-Yorke
    dimension."""
    figure = Figure(figsize=(7.5, 6.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    pivot = spectra.pivot(index=parameter, columns="index", values="exponent")
    top.plot(pivot.index, pivot.to_numpy(), color="0.6", lw=0.6)
    top.errorbar(summary[parameter], summary["lambda_max"],
                 yerr=summary["lambda_max_stderr"], fmt="o-", ms=3, lw=1.2,
                 color="C3", label=r"$\lambda_{max}$")  # fmt: skip
    top.axhline(0.0, color="k", lw=0.8)
    leading = summary["lambda_max"]
    low = min(float(pivot.to_numpy().min()), float(leading.min()))
    top.set_ylim(max(low, float(leading.min()) - 3 * (np.ptp(leading) or 0.1)),
                 float(leading.max()) + 0.3 * (np.ptp(leading) or 0.1))  # fmt: skip
    top.set_ylabel("Lyapunov exponents (1/ms)")
    top.set_title(f"{spectra['index'].max()} leading exponents of the network")
    top.legend(fontsize=8)

    bottom.plot(summary[parameter], summary["n_positive"], "s-", ms=3, color="C0",
                label="positive exponents")  # fmt: skip
    bottom.plot(summary[parameter], summary["kaplan_yorke_dimension"], "o-", ms=3,
                color="C2", label="Kaplan-Yorke dimension")  # fmt: skip
    bottom.set_xlabel(parameter)
    bottom.legend(fontsize=8)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=110)


def plot_homogeneous_map(table, x: str, y: str, path, title: str) -> None:
    """Largest exponent of the homogeneous system over the plane (colour,
    centred at 0), failed points blank; points with a significantly positive
    exponent (chaos) marked with a dot. On cycles lambda_1 is 0 up to the
    finite-time error, so its sign alone does not separate them from chaos."""
    grid = table.pivot(index=y, columns=x, values="lambda_1")
    values = grid.to_numpy()
    figure = Figure(figsize=(6.5, 5.0), layout="constrained")
    axes = figure.subplots()
    finite = values[np.isfinite(values)]
    span = max(float(np.abs(finite).max()) if finite.size else 1.0, 1e-6)
    norm = TwoSlopeNorm(0.0, -span, span)
    mesh = axes.pcolormesh(grid.columns, grid.index, values, shading="nearest",
                           cmap="RdBu_r", norm=norm)  # fmt: skip
    figure.colorbar(mesh, ax=axes, label=r"$\lambda_1$ (1/ms)")
    if "n_positive" in table and (table["n_positive"] > 0).any():
        chaotic = table[table["n_positive"] > 0]
        axes.plot(chaotic[x], chaotic[y], "k.", ms=3,
                  label="significantly positive")  # fmt: skip
        axes.legend(fontsize=7, loc="upper right")
    axes.set_xlabel(x)
    axes.set_ylabel(y)
    axes.set_title(f"{title}: largest exponent of the homogeneous system")
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=110)
