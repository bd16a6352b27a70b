"""Speed and accuracy of the network integrators (issue: 5000 model-ms/s at 1e-6).

The 90-node AAL90 network at (I_E, eps) = (13, 5), from the same seeded
perturbed state, one core. For each integrator: model milliseconds simulated
per wall second over 200 ms, and the max-norm error of the state at 200 ms
against a tight reference (the regime is chaotic, so errors grow after that).
The peer is scipy's solve_ivp on a numpy right-hand side.

    .venv/bin/python benchmarks/network_speed.py [path/to/aal90_sc2017.dat]
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from neuralmass.connectome import load_connectome, row_normalise  # noqa: E402
from neuralmass.models import load_model  # noqa: E402
from neuralmass.network import Integrator, perturbed_state, simulate  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/aal90_sc2017.dat"
T_END = 200.0  # ms


def main(path: Path) -> None:
    model = load_model("ei_qif")
    p = model.pack({"I_E": 13.0, "eps": 5.0})
    w = row_normalise(load_connectome(path).weights)
    x0 = perturbed_state(model.module.initial_guess(p), 90, 0.01,
                         np.random.default_rng(1))  # fmt: skip

    def run(integrator):
        simulate(model, p, w, x0, 1.0, 0.0, 0.1, integrator)  # compile, warm up
        start = time.perf_counter()
        result = simulate(model, p, w, x0, T_END, 0.0, 0.1, integrator)
        return result.final_state, time.perf_counter() - start

    reference, _ = run(Integrator("dop853", rtol=1e-13, atol=1e-13))
    check, _ = run(Integrator("rk4", dt=0.001))
    print(f"reference: DOP853 rtol=atol=1e-13; RK4 dt=0.001 ms differs from it by "
          f"{np.abs(check - reference).max():.1e}\n")  # fmt: skip
    print(f"{'integrator':34s} {'model-ms per s':>15s} {'error at 200 ms':>16s}")
    rows = [
        ("rk4 dt=0.01 ms (the study)", Integrator("rk4", dt=0.01)),
        ("rk4 dt=0.02 ms", Integrator("rk4", dt=0.02)),
        ("dop853 rtol=atol=1e-7", Integrator("dop853", rtol=1e-7, atol=1e-7)),
        ("dop853 rtol=atol=1e-8 (default)", Integrator("dop853", rtol=1e-8, atol=1e-8)),
        ("dop853 rtol=atol=1e-9", Integrator("dop853", rtol=1e-9, atol=1e-9)),
    ]
    for name, integrator in rows:
        final, seconds = run(integrator)
        error = np.abs(final - reference).max()
        print(f"{name:34s} {T_END / seconds:15.0f} {error:16.1e}")

    c = np.empty(90)

    def rhs(t, y):
        x = y.reshape(90, 6)
        c[:] = w @ x[:, 2]
        return model.module.rhs_numpy(x, p, c).ravel()

    for method, tol in (("DOP853", 1e-8), ("LSODA", 1e-8)):
        start = time.perf_counter()
        sol = solve_ivp(rhs, (0, T_END), x0.ravel(), method=method, rtol=tol,
                        atol=tol)  # fmt: skip
        seconds = time.perf_counter() - start
        error = np.abs(sol.y[:, -1].reshape(90, 6) - reference).max()
        name = f"scipy {method} rtol=atol={tol:g} (peer)"
        print(f"{name:34s} {T_END / seconds:15.0f} {error:16.1e}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
