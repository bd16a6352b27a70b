"""Side-by-side summary of the models' repertoires (the study's comparison).

The study's claim is comparative: on the same connectome, the
next-generation E-I model shows more kinds of behaviour than the classical
Jansen-Rit model. This module reduces each model's outputs to a few numbers
that can be read side by side, whatever the model's parameters and time unit:

- regimes: the distinct kinds of homogeneous behaviour found on the
  transverse map. A point's regime is the set of its homogeneous attractors,
  each named by its state and, for equilibria and cycles, by its transverse
  stability (n_unstable > 0: some non-uniform perturbation grows), e.g.
  "cycle (transversally unstable) + equilibrium". Failed points are not a
  regime.
- the transversally unstable region: the fraction of the map's points with
  a transversally unstable attractor, and its area in the plane's own units
  (points times the grid cell; the two models' planes have different axes,
  so only the fraction compares across models).
- frequency ranges (Hz): of the homogeneous cycles on the map, and of the
  network mean's dominant frequency at the named points.
- the largest Lyapunov exponent (1/s) of the network runs (named points and
  the scan) and of the homogeneous map, with the standard error and the count
  of runs whose largest exponent is positive by more than three standard
  errors (chaos).

Shortcoming: every number depends on the grids and points of the config.
The quick config's coarse maps can miss narrow regimes (a period-doubling
band, a thin bistable strip), so a regime count from it is a lower bound;
the paper config's grids resolve them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from neuralmass.io import atomic_path

#: Largest exponent above this many standard errors counts as chaos.
CHAOS_STDERR = 3.0
#: Exponents in the Lyapunov tables are in 1/ms; the comparison uses 1/s.
PER_MS_TO_PER_S = 1e3

COLUMNS = [
    "model",
    "x_parameter",
    "y_parameter",
    "map_points",
    "n_regimes",
    "regimes",
    "unstable_fraction",
    "unstable_area",
    "cycle_frequency_min_hz",
    "cycle_frequency_max_hz",
    "network_frequency_min_hz",
    "network_frequency_max_hz",
    "lambda_max_network_per_s",
    "lambda_max_network_stderr_per_s",
    "lambda_max_network_run",
    "n_chaotic_runs",
    "n_runs",
    "lambda_max_homogeneous_per_s",
]


def _attractor_label(row) -> str:
    if row["state"] in ("equilibrium", "cycle"):
        stability = "unstable" if row["n_unstable"] > 0 else "stable"
        return f"{row['state']} (transversally {stability})"
    return str(row["state"])


def regimes(table: pd.DataFrame, x: str, y: str) -> pd.Series:
    """The regime of every map point, indexed by (x, y); failed points dropped."""
    table = table[table["state"] != "failed"]
    labels = table.assign(label=table.apply(_attractor_label, axis=1))
    return labels.groupby([x, y])["label"].agg(lambda s: " + ".join(sorted(set(s))))


def unstable_region(table: pd.DataFrame, x: str, y: str, block: dict):
    """(fraction of points, area in x-units times y-units) of the points with
    a transversally unstable attractor (n_unstable > 0: growth rates above
    the map's accuracy estimate, not mu_hat > 0, which rounding can give)."""
    unstable = (table["n_unstable"] > 0).groupby([table[x], table[y]]).any()
    cell = block["x"]["step"] * block["y"]["step"]
    return float(unstable.mean()), float(unstable.sum() * cell)


def _lyapunov_runs(summaries: list) -> pd.DataFrame:
    rows = []
    for path in summaries:
        record = json.loads(Path(path).read_text())
        rows.append(
            {
                "run": Path(path).parent.name,
                "lambda_max": record["lambda_max"] * PER_MS_TO_PER_S,
                "stderr": record["lambda_max_stderr"] * PER_MS_TO_PER_S,
            }
        )
    return pd.DataFrame(rows, columns=["run", "lambda_max", "stderr"])


def model_summary(
    model: str,
    transverse_map,
    block: dict,
    dominant_frequencies: list,
    lyapunov_summaries: list,
    homogeneous_lyapunov=None,
) -> dict:
    """The comparison row of one model (see the module docstring)."""
    table = pd.read_csv(transverse_map)
    x, y = block["x"]["parameter"], block["y"]["parameter"]
    regime = regimes(table, x, y)
    fraction, area = unstable_region(table, x, y, block)

    cycles = table.loc[table["state"] == "cycle", "frequency_hz"].dropna()
    network = [
        pd.read_csv(path).set_index("signal").loc["network_mean"]
        for path in dominant_frequencies
    ]
    network_hz = np.array([row["dominant_frequency_hz"] for row in network])

    runs = _lyapunov_runs(lyapunov_summaries)
    best = runs.loc[runs["lambda_max"].idxmax()] if len(runs) else None
    chaotic = runs["lambda_max"] > CHAOS_STDERR * runs["stderr"]
    homogeneous_max = np.nan
    if homogeneous_lyapunov is not None:
        exponents = pd.read_csv(homogeneous_lyapunov)["lambda_1"].dropna()
        if len(exponents):
            homogeneous_max = float(exponents.max() * PER_MS_TO_PER_S)

    def extreme(values, fun):
        return float(fun(values)) if len(values) else np.nan

    return {
        "model": model,
        "x_parameter": x,
        "y_parameter": y,
        "map_points": int(table.groupby([x, y]).ngroups),
        "n_regimes": int(regime.nunique()),
        "regimes": "; ".join(sorted(regime.unique())),
        "unstable_fraction": fraction,
        "unstable_area": area,
        "cycle_frequency_min_hz": extreme(cycles, np.min),
        "cycle_frequency_max_hz": extreme(cycles, np.max),
        "network_frequency_min_hz": extreme(network_hz, np.min),
        "network_frequency_max_hz": extreme(network_hz, np.max),
        "lambda_max_network_per_s": np.nan if best is None else best["lambda_max"],
        "lambda_max_network_stderr_per_s": np.nan if best is None else best["stderr"],
        "lambda_max_network_run": "" if best is None else best["run"],
        "n_chaotic_runs": int(chaotic.sum()),
        "n_runs": int(len(runs)),
        "lambda_max_homogeneous_per_s": homogeneous_max,
    }


def write_comparison(models: dict, output, figure) -> None:
    """Write the comparison table (CSV, one row per model) and its figure.

    models: name -> dict of the inputs of `model_summary` (transverse_map,
    block, dominant_frequencies, lyapunov_summaries, homogeneous_lyapunov).
    """
    from neuralmass.plots.comparison import plot_comparison

    rows = [model_summary(name, **inputs) for name, inputs in models.items()]
    table = pd.DataFrame(rows, columns=COLUMNS)
    with atomic_path(output) as tmp:
        table.to_csv(tmp, index=False)
    maps = {
        name: pd.read_csv(inputs["transverse_map"]) for name, inputs in models.items()
    }
    blocks = {name: inputs["block"] for name, inputs in models.items()}
    plot_comparison(table, maps, blocks, figure)
