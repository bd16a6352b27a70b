"""Speed of the Lyapunov engine, and the checks too long for the tests.

The 90-node AAL90 network (540 variables) at (I_E, eps) = (11, 9), an
irregular regime of the study's scan, from the homogeneous cycle plus the
seeded perturbation, RK4 dt 0.01 ms and QR every 1 ms, one thread (BLAS and
numba). Target (issue #5): 90 exponents over 7 s of model time within
5 minutes on one core.

speed (default): wall and CPU seconds per simulated second of trajectory plus
    K tangent vectors for K = 1, 10, 90 (best of REPEATS runs of SPAN ms after
    a warm-up), and the study's run (300 ms transient, 7 s averaging, K = 90)
    extrapolated from either. On a shared machine the CPU time is the one
    that measures the code: it is the wall time of an idle core.
--full: that study run end to end through `lyapunov_spectrum`, timed.
--choices: the leading exponent over 7 s for (dt, QR interval) = (0.01, 1),
    (0.005, 1) and (0.01, 2) ms, K = 1: the changes against the block
    standard error. Halving dt changes the trajectory, so in an irregular
    regime the two estimates are nearly independent samples and their
    difference is compared with the combined error as well.

    .venv/bin/python benchmarks/lyapunov_speed.py [--full] [--choices]
"""

import os
import sys
import time
from pathlib import Path

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import numpy as np  # noqa: E402
from neuralmass import homogeneous as hom  # noqa: E402
from neuralmass.connectome import load_connectome, row_normalise  # noqa: E402
from neuralmass.lyapunov import (  # noqa: E402
    LyapunovSettings,
    lyapunov_spectrum,
    random_tangent_vectors,
)
from neuralmass.models import load_model  # noqa: E402
from neuralmass.network import BOUND, perturbed_state  # noqa: E402

CONNECTOME = Path(__file__).resolve().parents[2] / "shared/data/aal90_sc2017.dat"
POINT = {"I_E": 11.0, "eps": 9.0}
DT = 0.01  # ms, the study's RK4 step
QR_INTERVAL = 1.0  # ms, the study's
SPAN = 200.0  # ms timed per repeat
REPEATS = 3
STUDY = {"transient": 300.0, "duration": 7000.0, "n_exponents": 90}
TARGET_SECONDS = 300.0


def setup():
    model = load_model("ei_qif")
    p = model.pack(POINT)
    w = np.ascontiguousarray(row_normalise(load_connectome(CONNECTOME).weights))
    state = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, DT)
    x_hom = state.cycle.x0 if state.cycle is not None else state.equilibrium.x
    x0 = perturbed_state(x_hom, w.shape[0], 0.01, np.random.default_rng(1))
    out = np.empty((1, w.shape[0]))
    model.kernels.rk4_network(x0, p, w, DT, 30000, 10**9, 1, BOUND, out)  # 300 ms
    return model, p, w, x0


def time_tangent(model, p, w, x0, k):
    """Best (wall, cpu) seconds per simulated second over REPEATS runs."""
    per_qr = int(round(QR_INTERVAL / DT))
    n_qr = int(round(SPAN / QR_INTERVAL))
    q0 = random_tangent_vectors(x0.size, k, np.random.default_rng(2))
    log_r = np.empty((n_qr, k))
    model.kernels.rk4_tangent_network(x0.copy(), q0.copy(), p, w, DT, per_qr,
                                      per_qr, BOUND, log_r[:1])  # fmt: skip
    best_wall = best_cpu = np.inf
    for _ in range(REPEATS):
        x, q = x0.copy(), q0.copy()
        wall, cpu = time.perf_counter(), time.process_time()
        model.kernels.rk4_tangent_network(x, q, p, w, DT, n_qr * per_qr, per_qr,
                                          BOUND, log_r)  # fmt: skip
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    seconds = SPAN * 1e-3
    return best_wall / seconds, best_cpu / seconds


def time_trajectory(model, p, w, x0):
    """(wall, cpu) seconds per simulated second of the trajectory alone."""
    out = np.empty((1, w.shape[0]))
    n = int(round(SPAN / DT))
    x = x0.copy()
    wall, cpu = time.perf_counter(), time.process_time()
    model.kernels.rk4_network(x, p, w, DT, n, n + 1, 1, BOUND, out)
    seconds = SPAN * 1e-3
    return (time.perf_counter() - wall) / seconds, (time.process_time() - cpu) / seconds


def speed(model, p, w, x0):
    print(f"network: 90 nodes x 6, (I_E, eps) = ({POINT['I_E']}, {POINT['eps']}), "
          f"RK4 dt {DT} ms, QR every {QR_INTERVAL} ms, one thread\n")  # fmt: skip
    print(f"{'K':>4s} {'wall s per simulated s':>24s} {'CPU s per simulated s':>23s}")
    rates = {}
    for k in (1, 10, 90):
        rates[k] = time_tangent(model, p, w, x0, k)
        print(f"{k:4d} {rates[k][0]:24.1f} {rates[k][1]:23.1f}")
    trajectory = time_trajectory(model, p, w, x0)
    print(f"\ntrajectory alone: {trajectory[0]:.2f} wall, {trajectory[1]:.2f} CPU s "
          "per simulated s")  # fmt: skip
    for which, name in ((0, "wall"), (1, "CPU")):
        study = (STUDY["transient"] * 1e-3 * trajectory[which]
                 + STUDY["duration"] * 1e-3 * rates[90][which])  # fmt: skip
        verdict = "meets" if study <= TARGET_SECONDS else "misses"
        print(f"study run (K = 90, 300 ms + 7 s) from {name} time: {study:.0f} s, "
              f"{verdict} the {TARGET_SECONDS:.0f} s target")  # fmt: skip
    print(
        "(CPU time is the wall time on an idle core; the wall time is longer "
        "when other processes share the core)"
    )


def full(model, p, w, x0):
    settings = LyapunovSettings(STUDY["n_exponents"], duration=STUDY["duration"],
                                dt=DT, qr_interval=QR_INTERVAL,
                                transient=STUDY["transient"], n_blocks=14)  # fmt: skip
    start, cpu = time.perf_counter(), time.process_time()
    s = lyapunov_spectrum(model, p, w, x0, settings, rng=np.random.default_rng(2))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"\nfull study run: {wall:.0f} s wall, {cpu:.0f} s CPU (target "
          f"{TARGET_SECONDS:.0f} s); "
          f"lambda_1 = {s.exponents[0]:.5f} +- {s.stderr[0]:.5f} /ms, "
          f"{s.n_positive} positive, D_KY = {s.kaplan_yorke:.2f}")  # fmt: skip


def choices(model, p, w, x0):
    print("\nleading exponent over 7 s (K = 1), (dt, QR interval) in ms:")
    results = {}
    for dt, qr in ((DT, QR_INTERVAL), (DT / 2, QR_INTERVAL), (DT, 2 * QR_INTERVAL)):
        settings = LyapunovSettings(1, duration=STUDY["duration"], dt=dt,
                                    qr_interval=qr, tangent_transient=100.0,
                                    n_blocks=14)  # fmt: skip
        s = lyapunov_spectrum(model, p, w, x0, settings, rng=np.random.default_rng(2))
        results[dt, qr] = (s.exponents[0], s.stderr[0])
        print(f"  ({dt:g}, {qr:g}): {s.exponents[0]:.5f} +- {s.stderr[0]:.5f} /ms")
    base, base_err = results[DT, QR_INTERVAL]
    for key in ((DT / 2, QR_INTERVAL), (DT, 2 * QR_INTERVAL)):
        value, err = results[key]
        change = abs(value - base)
        print(f"  change for {key}: {value - base:+.5f} /ms = "
              f"{change / base_err:.2f} standard errors "
              f"({change / np.hypot(base_err, err):.2f} combined)")  # fmt: skip


if __name__ == "__main__":
    model, p, w, x0 = setup()
    speed(model, p, w, x0)
    if "--full" in sys.argv:
        full(model, p, w, x0)
    if "--choices" in sys.argv:
        choices(model, p, w, x0)
