"""Homogeneous states: equilibria and limit cycles of the self-coupled node.

With row sums of W equal to one, all-nodes-equal solutions obey one node that
receives its own output, x' = f(x, h(x)). This module finds its equilibria
(Newton, and pseudo-arclength continuation in one parameter with fold and
Hopf points located on the branch) and its limit cycles (shooting on a
Poincare section with the monodromy from the variational equation), and so
classifies a parameter point as resting, oscillating or neither.

Shortcomings: the continuation locates a fold or a Hopf point only when one
step crosses one of them; two crossings within one step are missed. Cycles
are found from a simulation, so an unstable cycle is never found here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from neuralmass.models import Model

log = logging.getLogger(__name__)

NEWTON_TOL = 1e-11  # residual norm (1/time unit) accepted as an equilibrium
STEP_TOL = 1e-13  # or a Newton step below this, relative to |x| + 1: rounding
NEWTON_MAX_ITER = 50
FD_STEP = 1e-6  # relative step of the central difference in the parameter
LOCATE_TOL = 1e-10  # arclength bracket at which a special point is located
STEPS_PER_PERIOD = 4000  # RK4 steps per period in shooting and Floquet runs
SHOOTING_TOL = 1e-10  # |x(T) - x(0)| at which shooting stops
SHOOTING_STALL_TOL = 1e-5  # relative to |x| + 1, accepted if Newton stalls
EQUILIBRIUM_SPREAD = 1e-7  # range of the observable below which a run rests
MAX_CROSSINGS = 8  # section crossings per period searched for a return
MAX_HALVINGS = 8  # of a shooting Newton step that does not shrink the gap
CHORD_RATE = 0.1  # gap reduction that a chord step (monodromy kept) must reach
MINIMAL_PERIOD_TOL = 1e-6  # return after T / m, relative to the orbit's size
COLLAPSE_TOL = 1e-5  # an orbit smaller than this (relative to |x|) is a point
RETURN_TIGHT = 1e-4  # return distance, relative to the range, of a settled cycle
EXTENSIONS = 4  # extra half-transients simulated while a cycle is still settling
SAMPLE_EVERY = 5  # RK4 steps between the samples examined for returns
ATTRACTOR_MARGIN = 1e-3  # a simulated cycle counts as attracting up to |rho| 1 + this
RETURN_TOL = 1e-2  # return distance, relative to the range, to try shooting
DECISION_FACTOR = 10  # multiplier errors by which |rho| must clear 1 + margin
MAX_DECISION_STEPS = 16000  # steps per period beyond which the decision stands


UNSTABLE_ORBIT = "the periodic orbit near the simulated motion is unstable"


class ConvergenceError(RuntimeError):
    """Newton or shooting did not converge; the message says where."""


@dataclass
class Equilibrium:
    x: np.ndarray
    eigenvalues: np.ndarray  # sorted by real part, descending

    @property
    def stable(self) -> bool:
        return bool(self.eigenvalues[0].real < 0)


@dataclass
class Cycle:
    x0: np.ndarray  # a point on the cycle, on the section
    period: float  # model time units
    multipliers: np.ndarray  # Floquet multipliers, sorted by modulus, descending
    residual: float  # |x(T) - x(0)|
    monodromy: np.ndarray | None = None  # M at x0 (a chord matrix for neighbours)

    @property
    def leading_multiplier(self) -> float:
        """Largest modulus among the multipliers other than the trivial one."""
        trivial = np.argmin(np.abs(self.multipliers - 1.0))
        return float(np.max(np.abs(np.delete(self.multipliers, trivial))))

    @property
    def stable(self) -> bool:
        """Stable to uniform perturbations: all but the trivial multiplier < 1."""
        return self.leading_multiplier < 1.0


@dataclass
class SpecialPoint:
    kind: str  # "LP" (fold) or "HB" (Hopf)
    value: float  # parameter value
    x: np.ndarray
    frequency: float = np.nan  # imaginary part of the critical pair (rad/time)
    residual: float = np.nan  # real part of the critical eigenvalue(s)


@dataclass
class Branch:
    parameter: str
    values: np.ndarray
    states: np.ndarray
    eigenvalues: np.ndarray
    special_points: list[SpecialPoint] = field(default_factory=list)


def residual(model: Model, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    dx = np.empty_like(x)
    model.kernels.homogeneous_rhs(x, p, dx)
    return dx


def jacobian(model: Model, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Jacobian of the self-coupled node, J(x; Lambda = 1)."""
    out = np.empty((1, x.size, x.size))
    model.kernels.mode_jacobians(x, p, np.ones(1), out)
    return out[0]


def sorted_eigenvalues(matrix: np.ndarray) -> np.ndarray:
    values = np.linalg.eigvals(matrix)
    return values[np.lexsort((-values.imag, -values.real))]


def newton_equilibrium(model: Model, p: np.ndarray, x0: np.ndarray) -> Equilibrium:
    """Equilibrium of the self-coupled node by Newton's method from x0."""
    x = np.array(x0, dtype=float)
    for _ in range(NEWTON_MAX_ITER):
        f = residual(model, p, x)
        if np.linalg.norm(f) < NEWTON_TOL:
            return Equilibrium(x, sorted_eigenvalues(jacobian(model, p, x)))
        step = np.linalg.solve(jacobian(model, p, x), f)
        x = x - step
        if not np.all(np.isfinite(x)):
            break
        if np.linalg.norm(step) < STEP_TOL * (1 + np.linalg.norm(x)):
            return Equilibrium(x, sorted_eigenvalues(jacobian(model, p, x)))
    raise ConvergenceError(
        f"Newton for an equilibrium of {model.name} did not converge from "
        f"{np.array2string(np.asarray(x0), precision=4)} at {model.unpack(p)}"
    )


class _Continuation:
    """Pseudo-arclength continuation of equilibria in one parameter."""

    def __init__(self, model: Model, p: np.ndarray, parameter: str):
        self.model = model
        self.p = p.copy()
        self.k = model.index(parameter)

    def f(self, z: np.ndarray) -> np.ndarray:
        p = self.p.copy()
        p[self.k] = z[-1]
        return residual(self.model, p, z[:-1])

    def jac(self, z: np.ndarray) -> np.ndarray:
        p = self.p.copy()
        p[self.k] = z[-1]
        delta = FD_STEP * max(1.0, abs(z[-1]))
        p_plus, p_minus = p.copy(), p.copy()
        p_plus[self.k] += delta
        p_minus[self.k] -= delta
        x = z[:-1]
        f_lambda = (
            residual(self.model, p_plus, x) - residual(self.model, p_minus, x)
        ) / (2 * delta)
        return np.column_stack([jacobian(self.model, p, x), f_lambda])

    def tangent(self, z: np.ndarray, previous: np.ndarray) -> np.ndarray:
        a = self.jac(z)
        t = np.linalg.solve(np.vstack([a, previous]), np.eye(z.size)[-1])
        t /= np.linalg.norm(t)
        return t if t @ previous >= 0 else -t

    def correct(self, z_pred: np.ndarray, t: np.ndarray) -> np.ndarray | None:
        z = z_pred.copy()
        for _ in range(NEWTON_MAX_ITER):
            g = np.append(self.f(z), t @ (z - z_pred))
            if np.linalg.norm(g) < NEWTON_TOL:
                return z
            step = np.linalg.solve(np.vstack([self.jac(z), t]), g)
            z = z - step
            if not np.all(np.isfinite(z)):
                return None
            if np.linalg.norm(step) < STEP_TOL * (1 + np.linalg.norm(z)):
                return z
        return None

    def eigenvalues(self, z: np.ndarray) -> np.ndarray:
        p = self.p.copy()
        p[self.k] = z[-1]
        return sorted_eigenvalues(jacobian(self.model, p, z[:-1]))


def _n_unstable(eigenvalues: np.ndarray) -> int:
    return int(np.sum(eigenvalues.real > 0))


def _test_function(eigenvalues: np.ndarray, kind: str) -> float:
    """A smooth function of the branch that vanishes at the special point.

    LP: the product of the eigenvalues (det J). HB: the product of
    mu_i + mu_j over i < j (the determinant of the bialternate product), zero
    when two eigenvalues sum to zero: a Hopf pair +-i omega, or a neutral
    saddle +-a, which `_locate` tells apart afterwards. Unlike the real part
    of a tracked eigenvalue, neither jumps when eigenvalues collide.
    """
    if kind == "LP":
        return float(np.prod(eigenvalues).real)
    i, j = np.triu_indices(eigenvalues.size, k=1)
    return float(np.prod(eigenvalues[i] + eigenvalues[j]).real)


def _critical(eigenvalues: np.ndarray, kind: str) -> complex:
    """The eigenvalue (upper one of the pair for HB) nearest the imaginary axis."""
    if kind == "LP":
        candidates = eigenvalues[np.abs(eigenvalues.imag) < 1e-9]
    else:
        candidates = eigenvalues[eigenvalues.imag > 1e-9]
    if candidates.size == 0:
        return complex(np.nan, np.nan)
    return candidates[np.argmin(np.abs(candidates.real))]


def continue_equilibria(
    model: Model,
    p: np.ndarray,
    parameter: str,
    start: float,
    stop: float,
    x0: np.ndarray | None = None,
    ds: float = 0.05,
    ds_max: float = 0.2,
    max_points: int = 20000,
) -> Branch:
    """Continue equilibria in `parameter` from `start` until it reaches `stop`.

    Starts from Newton at `start` (from x0, or the model's initial guess) and
    follows the branch by pseudo-arclength (step ds, at most ds_max, halved on
    failure). Folds (LP, a real eigenvalue crossing zero) and Hopf points (HB,
    a complex pair crossing the imaginary axis) are located by bisection in
    arclength to LOCATE_TOL and stored with the critical eigenvalue.
    """
    cont = _Continuation(model, p, parameter)
    p0 = p.copy()
    p0[cont.k] = start
    if x0 is None:
        x0 = model.module.initial_guess(p0)
    first = newton_equilibrium(model, p0, x0)
    z = np.append(first.x, start)
    direction = np.zeros(z.size)
    direction[-1] = np.sign(stop - start) or 1.0
    t = cont.tangent(z, direction)

    values, states, spectra, special = [start], [first.x], [first.eigenvalues], []
    step = ds
    while len(values) < max_points:
        z_new = cont.correct(z + step * t, t)
        if z_new is None:
            step /= 2
            if step < 1e-10:
                raise ConvergenceError(
                    f"continuation of {model.name} equilibria in {parameter} "
                    f"stalled at {parameter} = {z[-1]:.6g}"
                )
            continue
        eig_new = cont.eigenvalues(z_new)
        change = _n_unstable(eig_new) - _n_unstable(spectra[-1])
        if change != 0:
            kind = "LP" if abs(change) == 1 else "HB"
            point = _locate(cont, z, t, step, kind)
            if point is not None:
                special.append(point)
        t = cont.tangent(z_new, t)
        z = z_new
        values.append(z[-1])
        states.append(z[:-1].copy())
        spectra.append(eig_new)
        if (z[-1] - stop) * np.sign(stop - start) >= 0:
            break
        step = min(step * 1.5, ds_max)

    return Branch(
        parameter, np.array(values), np.array(states), np.array(spectra), special
    )


def _locate(cont: _Continuation, z: np.ndarray, t: np.ndarray, step: float, kind: str):
    """Bisect in arclength for the zero of the test function of `kind`.

    Returns None for a neutral saddle (two real eigenvalues of opposite sign
    summing to zero), which is not a Hopf point.
    """

    def test(s):
        point = cont.correct(z + s * t, t)
        if point is None:
            raise ConvergenceError(
                f"could not locate the {kind} point near "
                f"{cont.model.parameters[cont.k].name} = {z[-1]:.6g}"
            )
        return point, _test_function(cont.eigenvalues(point), kind)

    low, high = 0.0, step
    f_low = _test_function(cont.eigenvalues(z), kind)
    while high - low > LOCATE_TOL:
        mid = 0.5 * (low + high)
        _, f_mid = test(mid)
        if np.sign(f_mid) == np.sign(f_low):
            low, f_low = mid, f_mid
        else:
            high = mid
    point, _ = test(0.5 * (low + high))
    critical = _critical(cont.eigenvalues(point), kind)
    if np.isnan(critical.real):
        return None
    return SpecialPoint(
        kind, float(point[-1]), point[:-1], abs(critical.imag), critical.real
    )


def simulate_homogeneous(
    model: Model, p: np.ndarray, x0: np.ndarray, duration: float, dt: float, every: int
) -> tuple[np.ndarray, np.ndarray]:
    """RK4 trajectory of the self-coupled node; returns (x_end, samples)."""
    n_steps = int(round(duration / dt))
    out = np.empty((n_steps // every + 1, x0.size))
    x_end = model.kernels.rk4_homogeneous(
        np.asarray(x0, float), p, dt, n_steps, every, out
    )
    if not np.all(np.isfinite(out)):
        raise ConvergenceError(
            f"the self-coupled {model.name} node diverged at {model.unpack(p)}"
        )
    return x_end, out


def _flow(model, p, x, period, n_steps):
    """x(period) and the monodromy matrix, RK4 with n_steps steps (the uniform
    mode's kernel: equal to the all-modes one to the last bit, 1.4x cheaper)."""
    return model.kernels.monodromy_uniform(x, p, period, n_steps)


def _end_point(model, p, x, period, n_steps):
    """x(period) alone, the same RK4 steps as `_flow` (about 8x cheaper)."""
    out = np.empty((1, x.size))
    return model.kernels.rk4_homogeneous(
        x, p, period / n_steps, n_steps, n_steps + 1, out
    )


def shoot_cycle(
    model: Model,
    p: np.ndarray,
    x0: np.ndarray,
    period: float,
    section: int,
    n_steps: int = STEPS_PER_PERIOD,
    check_minimal: bool = True,
    chord: np.ndarray | None = None,
) -> Cycle:
    """Refine a periodic orbit by damped Newton on (x(0), T).

    Equations: x(T) - x(0) = 0 and x_section(0) = its initial value (the
    Poincare section); the Jacobian [M - I, f(x(T)); e_section, 0] uses the
    monodromy M from the variational equation, integrated with n_steps RK4
    steps per period (the orbit found is that of this discretisation).

    A step is first tried as a chord step: M is kept from the last point
    where it was integrated and only x(T) is integrated, which costs about a
    seventh of a step with the variational equation. `chord`, the monodromy
    of a nearby orbit (the neighbouring grid point's), serves as M for the
    first step, so a warm start integrates M once, at the converged orbit.
    The chord step is kept if it shrinks the gap |x(T) - x(0)| by
    CHORD_RATE; otherwise M is integrated afresh and the step is a full
    Newton step. A Newton step that
    does not shrink the gap, or takes the period out of (T / 2, 2 T) of the
    guess, is halved, up to MAX_HALVINGS times; its trial points integrate
    x alone, and the M it was computed with serves as the chord matrix of
    the next step (so a step costs one monodromy, not one per trial). Near
    a Hopf point the orbit is weakly attracting, the Newton matrix nearly
    singular and the gap stalls above SHOOTING_TOL; an orbit that stalls
    below SHOOTING_STALL_TOL
    (relative) is returned with its gap as `residual`, which callers report.
    The multipliers are those of M integrated at the final x(0).

    An orbit that shrank to a point (an equilibrium is a fixed point of the
    flow for every T) raises ConvergenceError. The orbit returned has its
    minimal period: a guess spanning m turns of a
    cycle converges to the m-fold orbit, which is detected (a return after
    T / m within MINIMAL_PERIOD_TOL of the orbit's size; for m dividing
    n_steps read from the run that measures the size, with the same steps)
    and shot again over one turn.
    """
    n = x0.size
    x = np.array(x0, dtype=float)
    level = x[section]
    guess = period
    if chord is None:
        x_end, y = _flow(model, p, x, period, n_steps)
        fresh = True  # y is the monodromy at the current x
    else:
        x_end, y, fresh = _end_point(model, p, x, period, n_steps), chord, False
    gap = np.linalg.norm(x_end - x)
    for _ in range(NEWTON_MAX_ITER):
        if gap < SHOOTING_TOL:
            break
        a = np.zeros((n + 1, n + 1))
        a[:n, :n] = y - np.eye(n)
        a[:n, n] = residual(model, p, x_end)
        a[n, section] = 1.0
        delta = np.linalg.solve(a, -np.append(x_end - x, x[section] - level))
        if not fresh:
            x_try, period_try = x + delta[:n], period + delta[n]
            if np.all(np.isfinite(x_try)) and guess / 2 < period_try < 2 * guess:
                x_end_try = _end_point(model, p, x_try, period_try, n_steps)
                gap_try = np.linalg.norm(x_end_try - x_try)
                if gap_try < CHORD_RATE * gap:
                    x, period, x_end, gap = x_try, period_try, x_end_try, gap_try
                    continue
            x_end, y = _flow(model, p, x, period, n_steps)
            fresh, gap = True, np.linalg.norm(x_end - x)
            continue
        for _ in range(MAX_HALVINGS):
            x_try, period_try = x + delta[:n], period + delta[n]
            plausible = guess / 2 < period_try < 2 * guess  # not the T -> 0 orbit
            if np.all(np.isfinite(x_try)) and plausible:
                x_end_try = _end_point(model, p, x_try, period_try, n_steps)
                gap_try = np.linalg.norm(x_end_try - x_try)
                if gap_try < gap:
                    break
            delta /= 2
        else:
            break
        x, period, x_end, gap = x_try, period_try, x_end_try, gap_try
        fresh = False  # y is now a chord matrix: the next step is a chord step
    if not fresh:
        x_end, y = _flow(model, p, x, period, n_steps)
        gap = np.linalg.norm(x_end - x)
    if not gap < SHOOTING_STALL_TOL * (1 + np.linalg.norm(x)):
        raise ConvergenceError(
            f"shooting for a cycle of {model.name} did not converge at "
            f"{model.unpack(p)}"
        )

    # one run with the shooting's own steps records every state: the size,
    # and the return after T / m for every m that divides n_steps, exact for
    # an m-fold orbit (it is then a fixed point of n_steps / m of the same
    # RK4 steps); another step would leave the RK4 error, above the tolerance
    # on spiking orbits (an m-fold orbit at (11.55, 10) passed unseen)
    _, orbit = simulate_homogeneous(model, p, x, period, period / n_steps, 1)
    size = np.ptp(orbit[:: max(n_steps // 200, 1)], axis=0).max()
    if size < COLLAPSE_TOL * (1 + np.linalg.norm(x)):
        raise ConvergenceError(
            f"shooting for a cycle of {model.name} collapsed onto an equilibrium "
            f"at {model.unpack(p)}"
        )
    if check_minimal:
        for m in range(MAX_CROSSINGS, 1, -1):
            if n_steps % m == 0:
                x_part = orbit[n_steps // m]
            else:
                steps = max(n_steps // m, 50)
                x_part, _ = simulate_homogeneous(
                    model, p, x, period / m, period / m / steps, steps
                )
            if np.max(np.abs(x_part - x)) < MINIMAL_PERIOD_TOL * size:
                return shoot_cycle(model, p, x, period / m, section, n_steps, False)
    multipliers = np.linalg.eigvals(y)
    order = np.argsort(-np.abs(multipliers))
    return Cycle(x, period, multipliers[order], float(gap), y)


def reshoot(
    model: Model, p: np.ndarray, cycle: Cycle, section: int, n_steps: int
) -> Cycle:
    """The orbit of the RK4 discretisation with n_steps steps near `cycle`.

    For the error estimate of the Floquet exponents (dispersion.py): `cycle`
    was shot with another number of steps, its orbit differs from this one
    by the RK4 error, so chord Newton with its monodromy (kept, never
    integrated again) converges in two or three integrations of x alone.
    The multipliers are not computed (empty); the section is `cycle`'s.
    """
    n = cycle.x0.size
    x, period = cycle.x0.copy(), cycle.period
    a = np.zeros((n + 1, n + 1))
    a[:n, :n] = cycle.monodromy - np.eye(n)
    a[:n, n] = residual(model, p, x)
    a[n, section] = 1.0
    for _ in range(NEWTON_MAX_ITER):
        gap = _end_point(model, p, x, period, n_steps) - x
        if np.linalg.norm(gap) < SHOOTING_TOL:
            return Cycle(x, period, np.array([]), float(np.linalg.norm(gap)))
        delta = np.linalg.solve(a, -np.append(gap, 0.0))
        x, period = x + delta[:n], period + delta[n]
        if not np.all(np.isfinite(x)):
            break
    else:  # stalled (near a Hopf point) but closed to the accepted tolerance
        if np.linalg.norm(gap) < SHOOTING_STALL_TOL * (1 + np.linalg.norm(x)):
            return Cycle(x, period, np.array([]), float(np.linalg.norm(gap)))
    raise ConvergenceError(
        f"re-shooting a cycle of {model.name} with {n_steps} steps did not "
        f"converge at {model.unpack(p)}"
    )


def cycle_from_trajectory(model: Model, p: np.ndarray, samples: np.ndarray, dt: float):
    """Guess (x0, period, section, settled) from the returns of a trajectory.

    The section is an upward crossing of the mid-range level of the smoothest
    variable (the smallest largest step relative to its range; spiking
    variables cross a level more than once per turn). The state at the last
    crossing is compared with the states 1, 2, ... MAX_CROSSINGS crossings
    earlier; the first that comes back within RETURN_TOL of the range gives
    the period guess (a cycle may cross the level several times per period).
    `settled` says whether it came back within RETURN_TIGHT, i.e. whether the
    motion has converged onto the cycle. Returns None when nothing comes
    back: the motion is not periodic on this window.
    """
    ranges = np.ptp(samples, axis=0)
    largest_step = np.abs(np.diff(samples, axis=0)).max(axis=0)
    steepness = largest_step / np.maximum(ranges, 1e-300)
    steepness[ranges < 1e-3 * ranges.max()] = np.inf
    section = int(np.argmin(steepness))
    signal = samples[:, section]
    level = 0.5 * (signal.max() + signal.min())
    up = np.flatnonzero((signal[:-1] < level) & (signal[1:] >= level))
    if up.size < 3:
        return None
    fraction = (level - signal[up]) / (signal[up + 1] - signal[up])
    times = (up + fraction) * dt
    points = samples[up] + fraction[:, None] * (samples[up + 1] - samples[up])
    scale = np.ptp(samples, axis=0).max()
    for m in range(1, min(MAX_CROSSINGS, up.size - 1) + 1):
        distance = np.max(np.abs(points[-1] - points[-1 - m])) / scale
        if distance < RETURN_TOL:
            period = float(times[-1] - times[-1 - m])
            return points[-1], period, section, distance < RETURN_TIGHT
    return None


@dataclass
class Motion:
    """The attractor a simulation of the self-coupled node settles on."""

    state: str  # "equilibrium", "cycle" or "non-periodic"
    equilibrium: Equilibrium | None = None
    cycle: Cycle | None = None
    section: int = 0  # Poincare section variable of the cycle
    reason: str = ""
    last_state: np.ndarray | None = None  # where the simulation ended
    steps_per_period: int = 0  # RK4 steps of the cycle's shooting


def classify_motion(
    model: Model,
    p: np.ndarray,
    x_start: np.ndarray,
    transient: float,
    dt: float,
    n_steps: int = STEPS_PER_PERIOD,
    window: float | None = None,
) -> Motion:
    """Simulate from x_start for `transient`, then say what the motion is.

    A window of `window` (by default transient / 2) is examined; while a
    cycle is recognised but has
    not settled (see cycle_from_trajectory), up to EXTENSIONS more windows are
    simulated. A recognised cycle is refined by shooting; if shooting fails or
    the orbit is clearly unstable to uniform perturbations (a multiplier
    beyond 1 + ATTRACTOR_MARGIN: the simulation wandered near an unstable
    orbit, as in chaos), the motion is reported as non-periodic with the
    reason. The margin keeps weakly attracting cycles near a Hopf point,
    whose second multiplier is within rounding of 1.

    An unsettled cycle is shot at once (shooting costs less than a window):
    if that converges (gap below SHOOTING_TOL, not a stalled Newton) to an
    attracting orbit, the motion was converging onto it and it is returned;
    otherwise the windows are extended as above. A stalled Newton is not
    enough here: on a slowly decaying spiral near a Hopf point the gap of a
    fake orbit is tiny, and only the longer run shows it shrinking onto the
    equilibrium.
    """
    window = transient / 2 if window is None else window
    x_end, _ = simulate_homogeneous(model, p, x_start, transient, dt, 1000)
    for _ in range(EXTENSIONS + 1):
        x_end, samples = simulate_homogeneous(model, p, x_end, window, dt, SAMPLE_EVERY)
        if np.ptp(samples[:, model.observable_index]) < EQUILIBRIUM_SPREAD:
            return Motion("equilibrium", newton_equilibrium(model, p, samples[-1]))
        guess = cycle_from_trajectory(model, p, samples, dt * SAMPLE_EVERY)
        if guess is None or guess[3]:
            break
        early = _attracting_cycle(model, p, guess, n_steps, x_end)
        if early.state == "cycle" and early.cycle.residual < SHOOTING_TOL:
            return early
    if guess is None:
        return Motion("non-periodic", reason="crossings not periodic", last_state=x_end)
    return _attracting_cycle(model, p, guess, n_steps, x_end)


def _attracting_cycle(model, p, guess, n_steps, x_end) -> Motion:
    """The cycle shot from a guess of cycle_from_trajectory, if attracting."""
    x0, period, section, _ = guess
    try:
        cycle = shoot_cycle(model, p, x0, period, section, n_steps)
        cycle, n_steps, attracting = decide_attracting(
            model, p, cycle, section, n_steps
        )
    except ConvergenceError as error:
        return Motion("non-periodic", reason=str(error), last_state=x_end)
    if not attracting:
        return Motion("non-periodic", reason=UNSTABLE_ORBIT, last_state=x_end)
    return Motion("cycle", cycle=cycle, section=section, last_state=x_end,
                  steps_per_period=n_steps)  # fmt: skip


def trivial_error(cycle: Cycle) -> float:
    """|log |rho|| of the multiplier nearest 1: the integration error of M."""
    return float(np.min(np.abs(np.log(np.abs(cycle.multipliers)))))


def decide_attracting(
    model: Model, p: np.ndarray, cycle: Cycle, section: int, n_steps: int
) -> tuple[Cycle, int, bool]:
    """(cycle, steps, attracting): stability decided on accurate multipliers.

    The multipliers of a monodromy integrated with too few steps can be far
    off (with 500 steps per period a spiking orbit's trivial multiplier can
    be off by 0.5, and an unstable period-doubled orbit looks attracting).
    Their error is estimated by that of the trivial one (times the leading
    modulus when above 1); while the leading multiplier is within
    DECISION_FACTOR such errors of 1 + ATTRACTOR_MARGIN, the orbit is shot
    again with twice the steps, up to MAX_DECISION_STEPS.
    """
    while True:
        lead = cycle.leading_multiplier
        error = trivial_error(cycle) * max(1.0, lead)
        margin = abs(lead - 1.0 - ATTRACTOR_MARGIN)
        if margin > DECISION_FACTOR * error or n_steps >= MAX_DECISION_STEPS:
            return cycle, n_steps, lead < 1.0 + ATTRACTOR_MARGIN
        n_steps *= 2
        cycle = shoot_cycle(model, p, cycle.x0, cycle.period, section, n_steps)


@dataclass
class HomogeneousState:
    """What the self-coupled node does at one parameter point."""

    state: str  # "equilibrium", "cycle" or "non-periodic"
    equilibrium: Equilibrium | None = None
    cycle: Cycle | None = None
    reason: str = ""


def homogeneous_state(
    model: Model,
    p: np.ndarray,
    parameter: str,
    start: float,
    transient: float,
    dt: float,
) -> HomogeneousState:
    """Classify the homogeneous attractor reached from the resting state.

    The resting equilibrium is followed in `parameter` from `start` (where the
    model's initial guess is close) to the value in p. If it is stable, that is
    the state. Otherwise the node is simulated from it, slightly perturbed
    (classify_motion); `equilibrium` then holds the unstable resting state.
    """
    k = model.index(parameter)
    branch = continue_equilibria(model, p, parameter, start, p[k])
    equilibrium = newton_equilibrium(model, p, branch.states[-1])
    if equilibrium.stable:
        return HomogeneousState("equilibrium", equilibrium=equilibrium)

    motion = classify_motion(model, p, equilibrium.x * (1 + 1e-3), transient, dt)
    if motion.state == "equilibrium":
        return HomogeneousState("equilibrium", equilibrium=motion.equilibrium)
    return HomogeneousState(
        motion.state, equilibrium=equilibrium, cycle=motion.cycle, reason=motion.reason
    )
