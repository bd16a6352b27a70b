"""The comparison figure: each model's regimes over its plane, and the numbers
of the comparison table side by side."""

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from neuralmass.comparison import regimes
from neuralmass.io import atomic_path


def _regime_map(axes, table, block, codes, cmap, norm, title):
    x, y = block["x"]["parameter"], block["y"]["parameter"]
    regime = regimes(table, x, y).map(codes).unstack(level=0)
    axes.pcolormesh(regime.columns, regime.index, regime.to_numpy(float),
                    cmap=cmap, norm=norm, shading="nearest")  # fmt: skip
    axes.set_xlabel(x)
    axes.set_ylabel(y)
    axes.set_title(title, fontsize=9)


def plot_comparison(table, maps: dict, blocks: dict, path) -> None:
    """table: the comparison table; maps: model -> transverse map table."""
    names = list(maps)
    labels = sorted(
        {
            label
            for name in names
            for label in regimes(
                maps[name],
                blocks[name]["x"]["parameter"],
                blocks[name]["y"]["parameter"],
            )
        }
    )
    codes = {label: n for n, label in enumerate(labels)}
    palette = colormaps["tab20"]  # 20 distinct colours; regimes beyond repeat
    colours = [palette(n % palette.N) for n in range(len(labels))]
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(len(labels) + 1) - 0.5, len(labels))

    columns = max(len(names), 3)
    figure = Figure(figsize=(4.2 * columns, 8.5), layout="constrained")
    grid = figure.add_gridspec(3, columns, height_ratios=[3, 0.9, 2.4])
    for n, name in enumerate(names):
        row = table.set_index("model").loc[name]
        _regime_map(figure.add_subplot(grid[0, n]), maps[name], blocks[name], codes,
                    cmap, norm, f"{name}: {row['n_regimes']} regimes")  # fmt: skip
    legend = figure.add_subplot(grid[1, :])
    legend.axis("off")
    patches = [
        Patch(color=c, label=lab) for c, lab in zip(colours, labels, strict=True)
    ]
    legend.legend(handles=patches, loc="center", ncol=2, fontsize=8, frameon=False)

    positions = np.arange(len(names))
    fraction = figure.add_subplot(grid[2, 0])
    fraction.bar(positions, table["unstable_fraction"], color="C3")
    fraction.set_xticks(positions, names)
    fraction.set_ylim(0, 1)
    fraction.set_ylabel("transversally unstable\nfraction of the map")

    frequency = figure.add_subplot(grid[2, 1])
    for n, row in table.reset_index().iterrows():
        frequency.plot([n - 0.1] * 2, [row["cycle_frequency_min_hz"],
                       row["cycle_frequency_max_hz"]], lw=6, color="C0",
                       label="homogeneous cycles" if n == 0 else None)  # fmt: skip
        frequency.plot([n + 0.1] * 2, [row["network_frequency_min_hz"],
                       row["network_frequency_max_hz"]], lw=6, color="C1",
                       marker="_", ms=12,
                       label="network runs (dominant)" if n == 0 else None)  # fmt: skip
    frequency.set_yscale("log")
    frequency.set_xticks(positions, names)
    frequency.set_xlim(-0.6, len(names) - 0.4)
    frequency.set_ylabel("frequency (Hz)")
    frequency.legend(fontsize=7)

    lyapunov = figure.add_subplot(grid[2, 2])
    lyapunov.bar(positions - 0.2, table["lambda_max_network_per_s"], width=0.4,
                 yerr=table["lambda_max_network_stderr_per_s"], color="C4",
                 label="network (largest over runs)")  # fmt: skip
    lyapunov.bar(positions + 0.2, table["lambda_max_homogeneous_per_s"], width=0.4,
                 color="C5", label="homogeneous map")  # fmt: skip
    lyapunov.axhline(0, color="0.5", lw=0.8)
    lyapunov.set_xticks(positions, names)
    lyapunov.set_ylabel(r"largest Lyapunov exponent (1/s)")
    lyapunov.legend(fontsize=7)
    figure.suptitle("Repertoire of the models on the same connectome")
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=120)
