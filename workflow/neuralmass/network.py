"""Simulations of the whole network, with progress and divergence checks.

Two integrators are offered: "rk4", the study's classical Runge-Kutta at a
fixed step, and "dop853", the adaptive Dormand-Prince 8(5,3) method with a
7th-order dense output at the sampling times (faster at equal accuracy; see
benchmarks/network_speed.py). Both run compiled in chunks so that progress
can be logged and a diverging run stops with the time and node where it
went wrong.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import DOP853

from neuralmass.models import Model

log = logging.getLogger(__name__)

METHODS = ("rk4", "dop853")
BOUND = 1e6  # |state| beyond which a run counts as blown up
CHUNK = 500.0  # model time units integrated between progress reports
_TABLEAU = (
    DOP853.A,
    DOP853.B,
    DOP853.C,
    DOP853.E3,
    DOP853.E5,
    DOP853.A_EXTRA,
    DOP853.C_EXTRA,
    DOP853.D,
)
_STATUS = {1: "a non-finite value", 2: f"a value beyond {BOUND:g}"}


class SimulationError(RuntimeError):
    """The network diverged; the message names the point, time and node."""


@dataclass
class Integrator:
    """Numerical settings of a network run (times in model units)."""

    method: str = "dop853"
    dt: float = 0.01  # RK4 step
    rtol: float = 1e-8  # DOP853 tolerances
    atol: float = 1e-8

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(
                f"integrator.method: {self.method!r} is not one of {', '.join(METHODS)}"
            )
        for name in ("dt", "rtol", "atol"):
            if not getattr(self, name) > 0:
                raise ValueError(
                    f"integrator.{name} must be > 0, got {getattr(self, name)}"
                )


@dataclass
class Run:
    times: np.ndarray  # (T,) model time units, from the end of the transient
    observable: np.ndarray  # (T, N)
    final_state: np.ndarray  # (N, n)
    counters: dict = field(default_factory=dict)


def perturbed_state(x_homogeneous, n_nodes, amplitude, rng) -> np.ndarray:
    """The homogeneous state on every node plus amplitude * U[0, 1) noise."""
    x = np.tile(np.asarray(x_homogeneous, float), (n_nodes, 1))
    return x + amplitude * rng.random(x.shape)


def _advance(model, p, w, x, n_samples, sample_interval, integrator, h, out):
    """Integrate n_samples sampling intervals; returns (status, where, evals, h)."""
    k = model.kernels
    obs = model.observable_weights
    if integrator.method == "rk4":
        every = int(round(sample_interval / integrator.dt))
        status, step, node = k.rk4_network(
            x, p, w, integrator.dt, n_samples * every, every, obs, BOUND, out
        )
        return status, (step // every, node), 4 * n_samples * every, h
    status, sample, node, n_eval, _, h = k.dop853_network(
        x, p, w, sample_interval, n_samples, integrator.rtol, integrator.atol, h,
        obs, BOUND, out, *_TABLEAU,
    )  # fmt: skip
    return status, (sample, node), n_eval, h


def simulate(
    model: Model,
    p: np.ndarray,
    w: np.ndarray,
    x0: np.ndarray,
    duration: float,
    transient: float,
    sample_interval: float,
    integrator: Integrator,
    labels=None,
    where: str = "",
) -> Run:
    """Simulate the network from x0 (N, n) and record the observable.

    The first `transient` model time units are integrated and discarded;
    then `duration` is recorded every `sample_interval`. Raises
    SimulationError naming `where`, the time and the node when the state
    becomes non-finite or exceeds BOUND.
    """
    if integrator.method == "rk4":
        ratio = sample_interval / integrator.dt
        if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
            raise ValueError(
                f"sample_interval {sample_interval} must be a multiple of the RK4 "
                f"step {integrator.dt}"
            )
    x = np.array(x0, dtype=np.float64, order="C")
    bad = np.argwhere(~np.isfinite(x))
    if bad.size:
        raise ValueError(f"{where}: initial state of node {bad[0, 0]} is not finite")
    w = np.ascontiguousarray(w, dtype=np.float64)
    n_nodes = x.shape[0]
    labels = labels if labels is not None else [f"node {j}" for j in range(n_nodes)]
    n_transient = int(round(transient / sample_interval))
    n_record = int(round(duration / sample_interval))
    chunk = max(1, int(round(CHUNK / sample_interval)))
    observable = np.empty((n_record, n_nodes))
    scratch = np.empty((chunk, n_nodes))
    h = min(sample_interval, 0.01 * max(duration, sample_interval))
    n_eval = 0
    started = time.perf_counter()

    done = 0
    total = n_transient + n_record
    while done < total:
        n = min(chunk, total - done)
        if done < n_transient:
            n = min(n, n_transient - done)
            out = scratch
        else:
            out = observable[done - n_transient : done - n_transient + n]
        status, (sample, node), evals, h = _advance(
            model, p, w, x, n, sample_interval, integrator, h, out
        )
        n_eval += evals
        if status != 0:
            t = (done + sample) * sample_interval - transient
            name = labels[node]
            raise SimulationError(
                f"{where}: the network reached {_STATUS.get(status, 'an error')} at "
                f"t = {t:.3f} {model.time_unit} (counted from the end of the transient)"
                f" in node {node} ({name}); the state blew up: try a smaller step or "
                "tolerance, or check the parameters"
            )
        done += n
        elapsed = time.perf_counter() - started
        log.info(
            "%s: %.0f / %.0f %s simulated (%.0f%%), %.1f s wall",
            where, done * sample_interval, total * sample_interval,
            model.time_unit, 100 * done / total, elapsed,
        )  # fmt: skip

    times = (np.arange(n_record) + 1) * sample_interval
    elapsed = time.perf_counter() - started
    counters = {"n_evaluations": n_eval, "wall_seconds": elapsed}
    return Run(times, observable, x, counters)
