"""Lyapunov spectra of the network and of the homogeneous system.

The K leading Lyapunov exponents come from the tangent dynamics with the
analytic Jacobian and QR re-orthonormalisation (Benettin, Galgani, Giorgilli
and Strelcyn 1980; Geist, Parlitz and Lauterborn 1990): K tangent vectors Q
(N n, K) follow Q' = J_net(x(t)) Q along the trajectory x(t); every
`qr_interval` they are replaced by the Q factor of Q = QR, and

    lambda_i = (1 / T) sum over the QR steps of log |R_ii|,

over the averaging time T. Trajectory and tangent vectors are integrated
together with RK4 at a fixed step (`rk4_tangent_network` in
kernels_template, which uses the network's structure: one (n, n) block per
node plus the coupling through W), so any node model works, and the
homogeneous system is the network of one node with W = [[1]].

Phases of a run: a transient of the trajectory alone; a transient of
trajectory and tangent vectors, whose QR steps are discarded, so that the
vectors align with the leading Oseledets directions; the averaging. The
running estimates (cumulative means at every QR step) show the convergence,
and the averaging window cut into blocks gives a standard error
std(block estimates) / sqrt(n_blocks). Exponents are in 1 / model time unit,
in the order of the QR columns (descending up to the finite-time error).

Shortcomings: the standard error assumes that block estimates are
independent, which needs blocks much longer than the correlation time of the
finite-time exponents; on a periodic orbit the estimates converge like 1 / T
(not 1 / sqrt(T)), so there the block spread overstates the error of the
full average. Exponents that are nearly degenerate converge slowly to their
individual values (their sum converges at the usual rate).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from neuralmass.models import Model
from neuralmass.network import BOUND, SimulationError

log = logging.getLogger(__name__)

CHUNK = 500.0  # model time units integrated between progress reports
SIGNIFICANCE = 3.0  # standard errors above 0 for an exponent to count as positive
STEP_TOLERANCE = 1e-9  # relative mismatch accepted for "a multiple of dt"
_STATUS = {
    1: "a non-finite value",
    2: f"a value beyond {BOUND:g}",
    3: "a non-finite tangent vector (overflow or collapse between two QR steps)",
}


class LyapunovError(SimulationError):
    """The trajectory or the tangent vectors diverged; the message says where."""


def _check(name: str, ok: bool, constraint: str, value) -> None:
    if not ok:
        raise ValueError(f"lyapunov.{name} must be {constraint}, got {value!r}")


@dataclass(frozen=True)
class LyapunovSettings:
    """Numerical settings of a spectrum (times in model time units).

    n_exponents : number K of leading exponents, 1 <= K <= N n.
    duration : averaging time T; rounded to whole QR intervals.
    dt : RK4 step.
    qr_interval : time between re-orthonormalisations, a multiple of dt. The
        tangent vectors grow like exp(lambda_1 qr_interval) in between, so it
        must stay well below the overflow of that (and of the collapse of
        the most contracting direction, exp(lambda_K qr_interval)).
    transient : trajectory alone before the tangent vectors start; rounded to
        whole steps.
    tangent_transient : trajectory and tangent vectors, QR steps discarded;
        rounded to whole QR intervals.
    n_blocks : blocks of the averaging window for the standard error (>= 2).
    """

    n_exponents: int
    duration: float
    dt: float = 0.01
    qr_interval: float = 1.0
    transient: float = 0.0
    tangent_transient: float = 0.0
    n_blocks: int = 10

    def __post_init__(self):
        k = self.n_exponents
        _check("n_exponents", isinstance(k, int | np.integer) and k >= 1,
               "an integer >= 1", k)  # fmt: skip
        for name in ("duration", "dt", "qr_interval"):
            value = getattr(self, name)
            _check(name, value > 0 and math.isfinite(value), "> 0 and finite", value)
        for name in ("transient", "tangent_transient"):
            value = getattr(self, name)
            _check(name, value >= 0 and math.isfinite(value), ">= 0 and finite", value)
        ratio = self.qr_interval / self.dt
        _check("qr_interval", abs(ratio - round(ratio)) <= STEP_TOLERANCE * ratio,
               f"a multiple of dt = {self.dt:g}", self.qr_interval)  # fmt: skip
        nb = self.n_blocks
        _check("n_blocks", isinstance(nb, int | np.integer) and nb >= 2,
               "an integer >= 2", nb)  # fmt: skip
        _check("duration", self.n_qr >= nb,
               f"at least n_blocks = {nb} QR intervals of {self.qr_interval:g}",
               self.duration)  # fmt: skip

    @property
    def steps_per_qr(self) -> int:
        return int(round(self.qr_interval / self.dt))

    @property
    def n_qr(self) -> int:
        """QR steps in the averaging window."""
        return int(round(self.duration / self.qr_interval))

    @property
    def n_qr_transient(self) -> int:
        return int(round(self.tangent_transient / self.qr_interval))

    @property
    def n_transient_steps(self) -> int:
        return int(round(self.transient / self.dt))


@dataclass
class LyapunovSpectrum:
    """Result of `lyapunov_spectrum`; exponents in 1 / model time unit.

    exponents, stderr : (K,) average over the window and its standard error.
    block_exponents : (n_blocks, K) estimates of every block.
    times : (M,) end of every QR interval, from the start of the averaging.
    running : (M, K) cumulative estimates at those times (running[-1] is
        `exponents`).
    final_state : (N, n); final_vectors : (N n, K) orthonormal.
    counters : steps, QR steps and wall time.
    """

    exponents: np.ndarray
    stderr: np.ndarray
    block_exponents: np.ndarray
    times: np.ndarray
    running: np.ndarray
    final_state: np.ndarray
    final_vectors: np.ndarray
    settings: LyapunovSettings
    time_unit: str
    counters: dict = field(default_factory=dict)

    @property
    def kaplan_yorke(self) -> float:
        return kaplan_yorke_dimension(self.exponents, self.final_state.size)

    @property
    def n_positive(self) -> int:
        return count_positive(self.exponents, self.stderr)

    def summary(self) -> dict:
        """Plain numbers for a JSON record."""
        return {
            "n_exponents": int(self.exponents.size),
            "lambda_max": float(self.exponents.max()),
            "lambda_max_stderr": float(self.stderr[np.argmax(self.exponents)]),
            "sum": float(self.exponents.sum()),
            "n_positive": self.n_positive,
            "kaplan_yorke_dimension": self.kaplan_yorke,
            "time_unit": self.time_unit,
            "settings": asdict(self.settings),
            "counters": dict(self.counters),
        }


def kaplan_yorke_dimension(exponents, dimension: int | None = None) -> float:
    """Kaplan-Yorke dimension j + S_j / |lambda_{j+1}| (Kaplan and Yorke 1979).

    The exponents are sorted descending first; S_j is the sum of the j
    largest and j the largest index with S_j >= 0. It is 0 if lambda_1 < 0.
    When S_K >= 0 for all K exponents given, the dimension is at least K and
    not determined by them: returns K if K equals `dimension` (the full
    spectrum), else nan (compute more exponents).
    """
    values = np.sort(np.asarray(exponents, dtype=float))[::-1]
    sums = np.cumsum(values)
    if values[0] < 0:
        return 0.0
    j = int(np.flatnonzero(sums >= 0)[-1]) + 1
    if j == values.size:
        return float(j) if dimension == values.size else math.nan
    return j + float(sums[j - 1]) / abs(values[j])


def count_positive(exponents, stderr, n_sigma: float = SIGNIFICANCE) -> int:
    """Exponents above n_sigma standard errors: significantly positive.

    A flow's zero exponent is estimated as a small number of either sign;
    requiring significance keeps it from being counted.
    """
    exponents = np.asarray(exponents, dtype=float)
    return int(np.sum(exponents > n_sigma * np.asarray(stderr, dtype=float)))


def block_estimates(log_r: np.ndarray, qr_interval: float, n_blocks: int):
    """Block exponents (n_blocks, K) and the standard error of their mean.

    log_r (M, K) holds log |R_ii| of the M QR steps; the blocks are M split
    as evenly as possible into n_blocks contiguous parts.
    """
    parts = np.array_split(np.arange(log_r.shape[0]), n_blocks)
    blocks = np.stack([log_r[i].sum(axis=0) / (i.size * qr_interval) for i in parts])
    return blocks, blocks.std(axis=0, ddof=1) / np.sqrt(n_blocks)


def random_tangent_vectors(dimension: int, k: int, rng: np.random.Generator):
    """k orthonormal vectors (dimension, k), uniformly distributed."""
    q, r = np.linalg.qr(rng.standard_normal((dimension, k)))
    return np.ascontiguousarray(q * np.sign(np.diag(r)))


def _fail(model, status, step_time, node, labels, where, phase):
    if node >= 0:
        name = labels[node] if labels is not None else f"node {node}"
        place = f" in node {node} ({name})"
    else:
        place = ""
    raise LyapunovError(
        f"{where}: {phase}: the run reached {_STATUS.get(status, 'an error')} at "
        f"t = {step_time:.3f} {model.time_unit}{place}; try a smaller dt or "
        "qr_interval, or check the parameters"
    )


def _trajectory(model, p, w, x, n_steps, dt, labels, where, t0):
    """RK4 of the trajectory alone, in place, in chunks with progress."""
    chunk = max(1, int(round(CHUNK / dt)))
    out = np.empty((1, w.shape[0]))
    done = 0
    while done < n_steps:
        n = min(chunk, n_steps - done)
        status, step, node = model.kernels.rk4_network(
            x, p, w, dt, n, n + 1, model.observable_weights, BOUND, out
        )
        if status != 0:
            _fail(model, status, t0 + (done + step) * dt, node, labels, where,
                  "transient")  # fmt: skip
        done += n
        log.info("%s: transient %.0f / %.0f %s", where, done * dt, n_steps * dt,
                 model.time_unit)  # fmt: skip


def _tangent(model, p, w, x, q, log_r, settings, labels, where, phase, t0):
    """Trajectory and tangent vectors over log_r.shape[0] QR intervals."""
    s = settings
    per_qr = s.steps_per_qr
    chunk = max(1, int(round(CHUNK / s.qr_interval)))
    n_qr = log_r.shape[0]
    started = time.perf_counter()
    done = 0
    while done < n_qr:
        n = min(chunk, n_qr - done)
        status, step, node = model.kernels.rk4_tangent_network(
            x, q, p, w, s.dt, n * per_qr, per_qr, BOUND, log_r[done : done + n]
        )
        if status != 0:
            _fail(model, status, t0 + done * s.qr_interval + step * s.dt, node,
                  labels, where, phase)  # fmt: skip
        done += n
        leading = log_r[:done, 0].sum() / (done * s.qr_interval)
        log.info(
            "%s: %s %.0f / %.0f %s (%.0f%%), %.1f s wall, lambda_1 so far %.5f",
            where, phase, done * s.qr_interval, n_qr * s.qr_interval,
            model.time_unit, 100 * done / n_qr, time.perf_counter() - started,
            leading,
        )  # fmt: skip


def lyapunov_spectrum(
    model: Model,
    p: np.ndarray,
    w: np.ndarray,
    x0: np.ndarray,
    settings: LyapunovSettings,
    rng: np.random.Generator | None = None,
    q0: np.ndarray | None = None,
    labels=None,
    where: str = "lyapunov",
) -> LyapunovSpectrum:
    """The K leading Lyapunov exponents of the network from x0 (N, n).

    Parameters
    ----------
    model, p : the node model and its packed parameters.
    w : (N, N) coupling matrix (row-normalised for the study's networks).
    x0 : (N, n) initial state; not modified.
    settings : LyapunovSettings (times in model time units).
    rng : draws random orthonormal initial tangent vectors when q0 is not
        given; without either, the first K coordinate vectors are used.
    q0 : (N n, K) initial tangent vectors (orthonormalised here).
    labels : node names for error messages; where : names the run in logs.

    Returns
    -------
    LyapunovSpectrum, exponents in 1 / model time unit.

    Raises
    ------
    ValueError for bad shapes, K > N n or a non-finite x0; LyapunovError
    when the trajectory or the tangent vectors diverge (naming time, phase
    and node).
    """
    s = settings
    x = np.array(x0, dtype=np.float64, order="C")
    w = np.ascontiguousarray(w, dtype=np.float64)
    n_nodes = w.shape[0]
    if w.shape != (n_nodes, n_nodes) or x.shape != (n_nodes, model.n_variables):
        raise ValueError(
            f"{where}: x0 must have shape (N, n) = ({n_nodes}, {model.n_variables}) "
            f"for W of shape {w.shape}, got {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where}: the initial state is not finite")
    dimension = x.size
    k = int(s.n_exponents)
    _check("n_exponents", k <= dimension, f"<= N n = {dimension}", k)
    if q0 is not None:
        q0 = np.asarray(q0, dtype=float)
        if q0.shape != (dimension, k):
            raise ValueError(f"{where}: q0 must have shape ({dimension}, {k}), "
                             f"got {q0.shape}")  # fmt: skip
        q = np.ascontiguousarray(np.linalg.qr(q0)[0])
    elif rng is not None:
        q = random_tangent_vectors(dimension, k, rng)
    else:
        q = np.ascontiguousarray(np.eye(dimension, k))
    started = time.perf_counter()

    # transient of the trajectory alone
    _trajectory(model, p, w, x, s.n_transient_steps, s.dt, labels, where, 0.0)
    t0 = s.n_transient_steps * s.dt

    # transient of the tangent vectors: QR steps discarded
    scratch = np.empty((s.n_qr_transient, k))
    _tangent(model, p, w, x, q, scratch, s, labels, where, "tangent transient", t0)
    t0 += s.n_qr_transient * s.qr_interval

    # averaging
    log_r = np.empty((s.n_qr, k))
    _tangent(model, p, w, x, q, log_r, s, labels, where, "averaging", t0)

    times = np.arange(1, s.n_qr + 1) * s.qr_interval
    running = np.cumsum(log_r, axis=0) / times[:, None]
    blocks, stderr = block_estimates(log_r, s.qr_interval, s.n_blocks)
    n_tangent = (s.n_qr_transient + s.n_qr) * s.steps_per_qr
    counters = {
        "n_steps_trajectory": s.n_transient_steps,
        "n_steps_tangent": n_tangent,
        "n_qr": s.n_qr_transient + s.n_qr,
        "wall_seconds": time.perf_counter() - started,
    }
    return LyapunovSpectrum(
        exponents=running[-1].copy(),
        stderr=stderr,
        block_exponents=blocks,
        times=times,
        running=running,
        final_state=x,
        final_vectors=q,
        settings=s,
        time_unit=model.time_unit,
        counters=counters,
    )


def homogeneous_lyapunov_spectrum(
    model: Model,
    p: np.ndarray,
    x0: np.ndarray,
    settings: LyapunovSettings,
    rng: np.random.Generator | None = None,
    q0: np.ndarray | None = None,
    where: str = "homogeneous lyapunov",
) -> LyapunovSpectrum:
    """Spectrum of the self-coupled node x' = f(x, h(x)) from x0 (n,).

    The network of one node with W = [[1]] (so c = h(x)); with all n
    exponents and neither rng nor q0 the tangent vectors start as the
    identity. final_state has shape (1, n).
    """
    x = np.asarray(x0, dtype=float).reshape(1, -1)
    return lyapunov_spectrum(model, p, np.ones((1, 1)), x, settings, rng=rng,
                             q0=q0, where=where)  # fmt: skip
