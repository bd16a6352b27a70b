"""CPU cost of the transverse-instability map per grid point, and of the paper grid.

Method: rows of the study's grid (I_E in [0, 16] step 0.05, 321 points, both
sweeps, the connectome's 89 transverse modes) are swept at eps values spread
evenly over the study's [0, 30] (by default every 2.5: 13 of its 601 rows),
on one thread, after every kernel has been compiled on a short row through
the chaotic band. Each row is timed in CPU time of this process
(time.process_time, not wall time: the machine may be shared), and its cost
per point is that time over 321. CPU time still grows with the load on the
other core (shared caches), so two versions are compared by running both at
once, each with its package first on PYTHONPATH. Rows are grouped by kind,
by their most common state with non-periodic points counted tenfold (they
are the dear ones): "chaotic", "cycle-led" or "equilibrium-led". The projection for the
paper grid is the mean over the sampled rows (evenly spaced, so each stands
for the same share of the grid) times 321 x 601 points, on 2 cores. The cost
includes every cycle's accuracy estimate (`exponent_error`: the orbit re-shot
with half the RK4 steps and a degree-6 Chebyshev run of the difference of
monodromies, about a quarter of its Floquet cost). A peer
figure: the study computed one dispersion relation at a time with solve_ivp
(RK45), about 1.3 s per cycle point with the 89 modes on these machines.

    .venv/bin/python benchmarks/transverse_speed.py [eps ...]
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from neuralmass import transverse as tr  # noqa: E402
from neuralmass.connectome import (  # noqa: E402
    eigen_decomposition,
    load_connectome,
    row_normalise,
)
from neuralmass.models import load_model  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared/data/aal90_sc2017.dat"
I_E = np.round(np.arange(0.0, 16.0 + 1e-9, 0.05), 10)
PAPER_ROWS = 601
CORES = 2
DEFAULT_EPS = np.round(np.arange(0.0, 30.0 + 1e-9, 2.5), 10)


def kind(counts: dict) -> str:
    """The row kind: its most common state, non-periodic points weighted 10."""
    weighted = {s: n * (10 if s == "non-periodic" else 1) for s, n in counts.items()}
    state = max(weighted, key=weighted.get)
    return {"non-periodic": "chaotic", "cycle": "cycle-led"}.get(
        state, "equilibrium-led"
    )


def main(eps_values):
    model = load_model("ei_qif")
    lambdas, _ = eigen_decomposition(row_normalise(load_connectome(DATA).weights))
    settings = tr.Settings(transient=2000.0, dt=0.01)
    # compile every kernel: equilibria, cycles, and the chaotic band (eps 12)
    tr.sweep_row(model, model.pack({}), "I_E", np.arange(9.0, 11.0, 0.5), "eps",
                 12.0, lambdas, settings)  # fmt: skip

    per_row, by_kind = [], {}
    for eps in eps_values:
        start = time.process_time()
        row = tr.sweep_row(model, model.pack({}), "I_E", I_E, "eps", eps, lambdas,
                           settings)  # fmt: skip
        ms = 1e3 * (time.process_time() - start) / I_E.size
        counts = {k: int(v) for k, v in row["state"].value_counts().items()}
        per_row.append(ms)
        by_kind.setdefault(kind(counts), []).append(ms)
        print(f"eps {eps:5.1f}: {ms:6.1f} CPU ms per point  {kind(counts):16s} "
              f"{counts}", flush=True)  # fmt: skip

    print()
    for name, values in sorted(by_kind.items()):
        low, high = min(values), max(values)
        print(f"{name:16s} rows: {len(values):2d}, mean {np.mean(values):6.1f} "
              f"CPU ms per point (range {low:.1f}-{high:.1f})")  # fmt: skip
    mean = float(np.mean(per_row))
    paper = mean * 1e-3 * I_E.size * PAPER_ROWS / CORES
    print(f"\nmean over the sampled rows: {mean:.1f} CPU ms per grid point "
          "(both sweeps, all modes)")  # fmt: skip
    print(f"projected paper grid ({I_E.size} x {PAPER_ROWS}) on {CORES} cores: "
          f"{paper / 60:.0f} min")  # fmt: skip
    hours = 1.3 * I_E.size * PAPER_ROWS / CORES / 3600
    print(f"study's method, cycle points only: 1.3 s per point -> {hours:.0f} h "
          f"on {CORES} cores")  # fmt: skip


if __name__ == "__main__":
    main([float(e) for e in sys.argv[1:]] or list(DEFAULT_EPS))
