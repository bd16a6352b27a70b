"""Time of one full one-parameter bifurcation diagram of the E-I node.

The diagram of `neuralmass.continuation.stage.one_parameter_diagram` in I_E
over [-5, 20] at a fixed eps: equilibria with LP/HB/BP detection and
refinement, first Lyapunov coefficients, cycle branches from every Hopf
point by collocation (NTST 100, NCOL 7, the study's AUTO settings) with
Floquet multipliers and LPC/PD/NS detection, and one period-doubling branch
switch. One thread (BLAS, numba). The first call compiles; it is timed
separately.

    .venv/bin/python benchmarks/continuation_speed.py [eps ...]
"""

import os
import sys
import time

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from neuralmass.continuation import stage  # noqa: E402
from neuralmass.continuation.system import System  # noqa: E402
from neuralmass.models import load_model  # noqa: E402


def main(values):
    model = load_model("ei_qif")
    system = System.from_model(model)
    start = time.perf_counter()
    stage.one_parameter_diagram(system, model, "I_E", (-5.0, 20.0), {"eps": 0.0},
                                ntst=10, ncol=3)  # fmt: skip
    print(f"warm-up (compilation, coarse mesh): {time.perf_counter() - start:.1f} s")
    for eps in values:
        wall, cpu = time.perf_counter(), time.process_time()
        rows, points = stage.one_parameter_diagram(
            system, model, "I_E", (-5.0, 20.0), {"eps": eps}, max_period=300.0
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        kinds = points["kind"].value_counts().to_dict() if len(points) else {}
        n_cycles = int((rows["type"] == "cycle").sum())
        print(
            f"eps = {eps:g}: {wall:.1f} s wall, {cpu:.1f} s CPU; "
            f"{len(rows) - n_cycles} equilibria, {n_cycles} cycles, "
            f"{rows['branch'].nunique()} branches; special points {kinds}"
        )


if __name__ == "__main__":
    main([float(v) for v in sys.argv[1:]] or [0.0, 12.0])
