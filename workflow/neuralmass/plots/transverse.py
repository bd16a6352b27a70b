"""Figures of transverse-instability maps and of a line of dispersion relations."""

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from neuralmass.io import atomic_path

MARKERS = {
    "HB": ("o", "k", "Hopf (equilibria)"),
    "LP": ("s", "C2", "fold (equilibria)"),
}


def _grid(table, x, y, column):
    """A (y, x) array of `column` for the first attractor of every point."""
    first = table[table["attractor"] == 1]
    pivot = first.pivot(index=y, columns=x, values=column)
    return pivot.columns.to_numpy(), pivot.index.to_numpy(), pivot.to_numpy(float)


def _overlay(axes, table, specials, x, y):
    for kind, (marker, colour, label) in MARKERS.items():
        rows = specials[specials["kind"] == kind]
        if len(rows):
            axes.plot(rows[x], rows[y], marker, ms=2.5, color=colour, label=label,
                      ls="none")  # fmt: skip
    bistable = table[table["n_attractors"] > 1]
    if len(bistable):
        axes.plot(bistable[x], bistable[y], "x", ms=4, color="m", ls="none",
                  label="two attractors")  # fmt: skip
    odd = table[~table["state"].isin(["equilibrium", "cycle"])]
    if len(odd):
        axes.plot(odd[x], odd[y], ".", ms=3, color="0.5", ls="none",
                  label="non-periodic or failed")  # fmt: skip
    axes.set_xlabel(x)
    axes.set_ylabel(y)


def _save(figure, path):
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=120)


def plot_map_panels(table, specials, x, y, outputs: dict, title: str) -> None:
    """outputs: paths for "mu_hat", "n_unstable" and "modes" figures."""
    xs, ys, mu_hat = _grid(table, x, y, "mu_hat")

    figure = Figure(figsize=(6.5, 5), layout="constrained")
    axes = figure.subplots()
    finite = mu_hat[np.isfinite(mu_hat)]
    low = min(finite.min(), -1e-12) if finite.size else -1.0
    high = max(finite.max(), 1e-12) if finite.size else 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=low, vmax=high)  # both signs visible
    mesh = axes.pcolormesh(xs, ys, mu_hat, cmap="RdBu_r", norm=norm, shading="nearest")
    if finite.size and finite.min() < 0 < finite.max():
        axes.contour(xs, ys, mu_hat, levels=[0.0], colors="k", linewidths=1.0)
    figure.colorbar(mesh, ax=axes, label=r"$\hat\mu$ (largest transverse growth rate)")
    _overlay(axes, table, specials, x, y)
    axes.legend(fontsize=7, loc="upper right")
    axes.set_title(f"{title}: transverse growth rate")
    _save(figure, outputs["mu_hat"])

    _, _, count = _grid(table, x, y, "n_unstable")
    figure = Figure(figsize=(6.5, 5), layout="constrained")
    axes = figure.subplots()
    mesh = axes.pcolormesh(xs, ys, count, cmap="viridis", shading="nearest")
    figure.colorbar(mesh, ax=axes, label="number of unstable transverse modes")
    _overlay(axes, table, specials, x, y)
    axes.set_title(f"{title}: unstable directions")
    _save(figure, outputs["n_unstable"])

    first = table[table["attractor"] == 1].copy()
    modes = first["unstable_modes"].fillna("").astype(str)
    first["lowest"] = [min(map(int, m.split(";"))) if m else np.nan for m in modes]
    first["highest"] = [max(map(int, m.split(";"))) if m else np.nan for m in modes]
    top = np.nanmax(first["highest"]) if first["highest"].notna().any() else 3
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    for axes, column in zip(figure.subplots(1, 2), ("lowest", "highest"), strict=True):
        pivot = first.pivot(index=y, columns=x, values=column)
        values = pivot.to_numpy(float)
        mesh = axes.pcolormesh(pivot.columns, pivot.index, values, cmap="plasma",
                               shading="nearest", vmin=2, vmax=top)  # fmt: skip
        figure.colorbar(mesh, ax=axes, label=f"{column} unstable mode alpha")
        _overlay(axes, table, specials, x, y)
        axes.set_title(f"{column} unstable mode (alpha 2 = slowest pattern)")
    _save(figure, outputs["modes"])


def plot_dispersion_panel(table, parameter, path, title, time_unit) -> None:
    """Real and imaginary parts of mu(Lambda) for each value of `parameter`."""
    figure = Figure(figsize=(7, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    for n, (value, rows) in enumerate(table.groupby(parameter, sort=True)):
        grid = rows[rows["alpha"].isna()]
        modes = rows[rows["alpha"] >= 2]
        label = f"{parameter} = {value:g} ({rows['state'].iloc[0]})"
        top.plot(grid["lambda_re"], grid["mu"], color=f"C{n}", label=label)
        top.plot(modes["lambda_re"], modes["mu"], ".", color=f"C{n}", ms=3)
        bottom.plot(grid["lambda_re"], grid["mu_im"], color=f"C{n}")
        bottom.plot(modes["lambda_re"], modes["mu_im"], ".", color=f"C{n}", ms=3)
    top.axhline(0, color="0.6", lw=0.8)
    top.set_ylabel(rf"Re $\mu$ (1/{time_unit})")
    bottom.set_ylabel(rf"Im $\mu$ (rad/{time_unit})")
    bottom.set_xlabel(r"$\Lambda$")
    top.legend(fontsize=8)
    top.set_title(title)
    finite = table["mu"][np.isfinite(table["mu"])]
    if finite.size:
        top.set_ylim(max(finite.min(), -0.5), finite.max() + 0.05 * np.ptp(finite))
    _save(figure, path)
