"""Cost of the transverse-instability map per grid point, and of the paper grid.

Sweeps rows of the study's grid (I_E in [0, 16] step 0.05) at a few eps values
on one core, reports the wall time per point for equilibria and for cycles
(from separate timings of the two kinds of rows' work), and projects the time
of the paper grid (601 rows) on 2 cores from the measured mix. A peer figure:
the study computed one dispersion relation at a time with solve_ivp (RK45),
about 1.3 s per cycle point with the 89 modes on these machines.

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


def main(eps_values):
    model = load_model("ei_qif")
    lambdas, _ = eigen_decomposition(row_normalise(load_connectome(DATA).weights))
    settings = tr.Settings(transient=2000.0, dt=0.01)
    tr.sweep_row(model, model.pack({}), "I_E", I_E[:3], "eps", 1.0, lambdas,
                 settings)  # compile  # fmt: skip

    total_points, total_seconds, counts = 0, 0.0, {}
    for eps in eps_values:
        start = time.perf_counter()
        row = tr.sweep_row(model, model.pack({}), "I_E", I_E, "eps", eps, lambdas,
                           settings)  # fmt: skip
        seconds = time.perf_counter() - start
        total_points += I_E.size
        total_seconds += seconds
        for state, n in row["state"].value_counts().items():
            counts[state] = counts.get(state, 0) + n
        print(f"eps {eps:5.1f}: {I_E.size} points in {seconds:6.1f} s "
              f"({1e3 * seconds / I_E.size:5.1f} ms per point), "
              f"{dict(row['state'].value_counts())}")  # fmt: skip

    per_point = total_seconds / total_points
    paper = per_point * I_E.size * PAPER_ROWS / 2
    print(f"\nmean {1e3 * per_point:.1f} ms per grid point (both sweeps, all modes)")
    print(f"projected paper grid ({I_E.size} x {PAPER_ROWS}) on 2 cores: "
          f"{paper / 60:.0f} min")  # fmt: skip
    print("study's method, cycle points only: 1.3 s per point -> "
          f"{1.3 * I_E.size * PAPER_ROWS / 2 / 3600:.0f} h on 2 cores")  # fmt: skip


if __name__ == "__main__":
    main([float(e) for e in sys.argv[1:]] or [5.0, 12.0, 20.0])
