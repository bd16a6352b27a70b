"""Figure of a dispersion relation: mu against Lambda, connectome modes marked."""

import numpy as np
from matplotlib.figure import Figure

from neuralmass.io import atomic_path


def plot_dispersion(table, path, title: str, time_unit: str) -> None:
    """Real and imaginary parts of the leading exponent against Lambda.

    `table` has the columns of the dispersion CSV; rows without `alpha` form
    the continuous curve, rows with it are the connectome's modes.
    """
    grid = table[table["alpha"].isna()]
    modes = table[table["alpha"].notna()]
    figure = Figure(figsize=(6.5, 5.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)

    top.axhline(0.0, color="0.6", lw=0.8)
    top.plot(grid["lambda_re"], grid["mu"], color="C0", lw=1.5, label="continuous")
    transverse = modes[modes["alpha"] >= 2]
    top.plot(transverse["lambda_re"], transverse["mu"], "o", ms=3.5, color="C3",
             label="connectome modes")  # fmt: skip
    uniform = modes[modes["alpha"] == 1]
    top.plot(uniform["lambda_re"], uniform["mu"], "s", ms=5, color="k",
             label=r"uniform mode $\Lambda_1$")  # fmt: skip
    top.set_ylabel(rf"$\mu$ (1/{time_unit})")
    top.set_title(f"{title}: {table['state'].iloc[0]}")
    top.legend(fontsize=8)
    finite = grid["mu"][np.isfinite(grid["mu"])]
    if finite.size:
        low = max(finite.min(), finite.max() - 5 * (np.ptp(finite) or 1.0))
        top.set_ylim(low - 0.05 * np.ptp(finite), finite.max() + 0.1 * np.ptp(finite))

    bottom.plot(grid["lambda_re"], grid["mu_im"], color="C0", lw=1.5)
    bottom.plot(transverse["lambda_re"], transverse["mu_im"], "o", ms=3.5, color="C3")
    bottom.set_ylabel(rf"Im $\mu$ (rad/{time_unit})")
    bottom.set_xlabel(r"$\Lambda$")
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=120)
