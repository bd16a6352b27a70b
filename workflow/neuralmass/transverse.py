"""Transverse-instability maps: dispersion relations over a parameter plane.

For every point of a grid in two parameters (x, y), e.g. (I_E, eps), the
homogeneous attractor of the self-coupled node is found and its growth rates
at the connectome's transverse modes (alpha >= 2) computed: eigenvalues for
an equilibrium, Floquet exponents for a cycle (monodromies of all modes from
a Chebyshev interpolation in Lambda, see dispersion.py).

Grid rows (fixed y) are swept along x in both directions, each point starting
from its neighbour's attractor (Newton for an equilibrium, shooting for a
cycle), so a row costs little more than its dispersion relations, and where
the two sweeps end on different attractors (bistability) both are recorded.
When the neighbour's attractor is lost (it became unstable or Newton failed)
the node is simulated from there for a transient and the motion classified
afresh.

Accuracy: `exponent_error` bounds the error of `mu_hat` and of every mode's
rate: for a cycle, Richardson's estimate of the RK4 error from the orbit
shot again with half the steps (times a safety factor), plus rounding; for
an equilibrium, rounding (the eigenvalues' condition numbers). A mode counts
as unstable only when its rate exceeds it, so the neutral transverse
direction of an uncoupled (eps = 0) cycle is not called unstable.

Shortcoming: an attractor reached by neither sweep (an isola in the plane, or
one that only a far initial condition reaches) is missed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from neuralmass import dispersion as disp
from neuralmass import homogeneous as hom
from neuralmass.models import Model

log = logging.getLogger(__name__)

SAME_STATE_TOL = 1e-6  # relative distance below which two equilibria are one
SAME_PERIOD_TOL = 1e-4  # relative period difference below which two cycles are one
TRIVIAL_TOL = 1e-7  # |log rho_trivial| accepted; else the steps per period double
MAX_STEPS_PER_PERIOD = 16000
STEPS_SAFETY = 10  # margin on the steps^-4 prediction before steps are halved
HOLD_POINTS = 10  # points without halving after the steps had to be doubled
SHORT_TRANSIENT = 0.25  # of the transient, from a non-periodic neighbour's state
MAX_SECANT_RATIO = 2.0  # longest extrapolation, in units of the last parameter step
COLUMNS = [  # after the two parameters of the grid
    "attractor", "n_attractors", "state", "period", "frequency_hz",
    "mu_hat", "n_unstable", "unstable_modes", "leading_mode", "pattern_frequency_hz",
    "exponent_error", "sweep", "reason",
]  # fmt: skip


@dataclass
class Settings:
    """Numerical settings of a map (times in model units)."""

    transient: float  # simulation of the self-coupled node when a warm start fails
    dt: float  # its RK4 step
    steps_per_period: int = 500  # RK4 steps of the shooting and Floquet integrations
    continuation_parameter: str = "I_E"
    continuation_start: float = 0.0


@dataclass
class Attractor:
    state: str
    equilibrium: hom.Equilibrium | None = None
    cycle: hom.Cycle | None = None
    section: int = 0
    reason: str = ""
    last_state: np.ndarray | None = None  # where a non-periodic run ended
    short_from: np.ndarray | None = None  # start of a short-transient verdict
    steps_per_period: int = 0  # RK4 steps that resolve the cycle (see _resolved)
    next_steps: int = 0  # where the next point of the sweep starts (see _resolved)
    hold: int = 0  # points of the sweep before the steps may be halved again
    p: np.ndarray | None = None  # the parameters where it was found (a cycle's)
    before: Attractor | None = None  # the cycle at the previous point (secant)

    def same_as(self, other: Attractor) -> bool:
        if self.state != other.state:
            return False
        if self.state == "equilibrium":
            a, b = self.equilibrium.x, other.equilibrium.x
            return np.linalg.norm(a - b) <= SAME_STATE_TOL * (1 + np.linalg.norm(a))
        if self.state == "cycle":
            return abs(self.cycle.period - other.cycle.period) <= (
                SAME_PERIOD_TOL * self.cycle.period
            )
        return True


def _resolved(model, p, cycle, section, steps, fewest, hold=0) -> Attractor:
    """The cycle shot again with twice the steps until it is resolved.

    The trivial multiplier of the discrete monodromy stays within rounding
    of 1 while RK4 resolves the orbit (RK4 is then the flow of a nearby
    vector field, whose cycle has an exact trivial multiplier) and departs
    from 1 when the steps are too long for a spike: a resolution check, not
    the accuracy of the exponents (that is Richardson's estimate, see
    `_growth_rates`). Its departure falls at least as steps^-4, so when it
    is below TRIVIAL_TOL / (16 STEPS_SAFETY), half the steps should still
    resolve the cycle: the next point of the sweep starts from half (never
    below `fewest`, the configured steps_per_period). Without that, the steps
    of a sweep could only grow, and a sweep that passed one hard cycle (a
    long period near a homoclinic orbit) would integrate every later cycle
    with many more steps than it needs. The prediction is not reliable for
    spiking orbits (the trivial multiplier can be small by accident), so
    after a doubling no halving is tried for HOLD_POINTS points (`hold`
    counts them down).
    """
    doubled = False
    while True:
        trivial = hom.trivial_error(cycle)
        if trivial < TRIVIAL_TOL or steps >= MAX_STEPS_PER_PERIOD:
            hold = HOLD_POINTS if doubled else max(hold - 1, 0)
            fewer = (
                hold == 0
                and steps >= 2 * fewest
                and trivial * 16 * STEPS_SAFETY < TRIVIAL_TOL
            )
            return Attractor("cycle", cycle=cycle, section=section,
                             steps_per_period=steps,
                             next_steps=steps // 2 if fewer else steps,
                             hold=hold)  # fmt: skip
        steps *= 2
        doubled = True
        cycle = hom.shoot_cycle(model, p, cycle.x0, cycle.period, section, steps)


def _from_simulation(model, p, x_start, settings, short=False) -> Attractor:
    """Classify the motion reached from x_start after the transient.

    `short`: x_start is where the simulation of a non-periodic neighbour
    ended, already on (or near) that attractor, so the transient is
    SHORT_TRANSIENT of the configured one; the window examined is the usual
    transient / 2. A spurious cycle (see `_spurious`: the slow spiral onto a
    stable equilibrium) gives that equilibrium, by Newton from the end of the
    simulation, if it is stable; else the cycle stands.
    """
    transient = settings.transient * (SHORT_TRANSIENT if short else 1.0)
    motion = hom.classify_motion(
        model, p, x_start, transient, settings.dt, settings.steps_per_period,
        window=settings.transient / 2,
    )  # fmt: skip
    if motion.state != "cycle":
        return Attractor(motion.state, motion.equilibrium, reason=motion.reason,
                         last_state=motion.last_state,
                         short_from=x_start if short else None)  # fmt: skip
    found = _resolved(model, p, motion.cycle, motion.section,
                      motion.steps_per_period, settings.steps_per_period)  # fmt: skip
    if _spurious(found.cycle):
        try:
            equilibrium = hom.newton_equilibrium(model, p, motion.last_state)
        except hom.ConvergenceError:
            equilibrium = None
        if equilibrium is not None and equilibrium.stable:
            return Attractor("equilibrium", equilibrium)
    found.p = p.copy()
    return found


def _spurious(cycle: hom.Cycle) -> bool:
    """A stalled Newton (gap above SHOOTING_TOL) whose trivial multiplier is
    still off at MAX_STEPS_PER_PERIOD: no orbit, a slowly decaying spiral.

    Next to a Hopf point where the equilibrium is stable again, warm shooting
    can stall on the spiral around it: the gap is below the stall tolerance,
    the period is the spiral's turn and the multipliers are the equilibrium's
    (at (11.75, 15): T 18.17 = 2 pi / 0.3456 and |rho| 0.9267 = exp(-0.0042 T)
    for the eigenvalues -0.0042 +- 0.3456i), but the trivial multiplier stays
    off by 7.6e-2 at any number of steps and a simulation from the "orbit"
    settles on the equilibrium. A real orbit that stalls (weakly attracting,
    near a Hopf point) has a trivial multiplier within rounding of 1 once
    resolved. Warm shooting that ends on one tries its next guess; a
    simulation that ends on one (at (11.65, 15), 1e-4 from the equilibrium
    and closing in at its rate) gives the stable equilibrium.
    """
    stalled = cycle.residual >= hom.SHOOTING_TOL
    return stalled and hom.trivial_error(cycle) >= TRIVIAL_TOL


def _guesses(previous: Attractor, p: np.ndarray):
    """Starts (x0, period) of warm-started shooting at p from `previous`.

    When the cycle two points back is known (same section), first the secant
    prediction through the last two orbits: the orbit moves by O(step) per
    point, and on spiking cycles (eps 25) the previous orbit itself leaves a
    gap |x(T) - x(0)| of order 1, which costs Newton several monodromies; the
    secant leaves O(step^2). Then the previous orbit itself, as before the
    secant, tried only if the prediction did not lead to an attracting orbit
    (so a rare wrong orbit reached from the prediction changes nothing).
    """
    c = previous.cycle
    b = previous.before
    if (b is not None and b.cycle is not None and previous.p is not None
            and b.p is not None and b.section == previous.section):  # fmt: skip
        last = np.linalg.norm(previous.p - b.p)
        ratio = np.linalg.norm(p - previous.p) / last if last > 0 else np.inf
        if ratio <= MAX_SECANT_RATIO:
            x0 = c.x0 + ratio * (c.x0 - b.cycle.x0)
            period = c.period + ratio * (c.period - b.cycle.period)
            if period > 0 and np.all(np.isfinite(x0)):
                yield x0, period
    yield c.x0, c.period


def attractor_from(model, p, previous: Attractor | None, settings) -> Attractor:
    """The attractor at p, continued from the one at the neighbouring point."""
    if previous is None:
        k = model.index(settings.continuation_parameter)
        branch = hom.continue_equilibria(
            model, p, settings.continuation_parameter,
            settings.continuation_start, p[k],
        )  # fmt: skip
        equilibrium = hom.newton_equilibrium(model, p, branch.states[-1])
        if equilibrium.stable:
            return Attractor("equilibrium", equilibrium)
        return _from_simulation(model, p, equilibrium.x * (1 + 1e-3), settings)

    if previous.state == "equilibrium":
        try:
            equilibrium = hom.newton_equilibrium(model, p, previous.equilibrium.x)
        except hom.ConvergenceError:
            return _from_simulation(model, p, previous.equilibrium.x, settings)
        if equilibrium.stable:
            return Attractor("equilibrium", equilibrium)
        return _from_simulation(model, p, equilibrium.x * (1 + 1e-3), settings)

    if previous.state == "cycle":
        c, steps = previous.cycle, previous.next_steps or previous.steps_per_period
        for x0, period in _guesses(previous, p):
            try:
                cycle = hom.shoot_cycle(model, p, x0, period, previous.section,
                                        steps, chord=c.monodromy)  # fmt: skip
            except hom.ConvergenceError:
                continue
            try:
                cycle, steps, attracting = hom.decide_attracting(
                    model, p, cycle, previous.section, steps
                )
                if attracting:
                    found = _resolved(model, p, cycle, previous.section, steps,
                                      settings.steps_per_period,
                                      previous.hold)  # fmt: skip
                    if _spurious(found.cycle):
                        continue
                    found.p, found.before = p.copy(), previous
                    return found
            except hom.ConvergenceError:
                pass
        return _from_simulation(model, p, c.x0, settings)

    return _from_simulation(model, p, previous.last_state, settings, short=True)


def _growth_rates(
    model, p, attractor: Attractor, lambdas, degree=disp.CHEBYSHEV_DEGREE
) -> disp.Dispersion:
    """Dispersion over all modes (alpha = 1 first) with its `error` per mode.

    A cycle's exponents at n steps per period come with Richardson's estimate
    from the orbit re-shot with n / 2 steps (chord Newton, full shooting if
    that fails; see dispersion.py); if that orbit cannot be found, only the
    rounding bound is known and `error` is that bound (a warning says where).
    The distance of the trivial exponent from 0 is added: the one error known
    exactly, from an orbit closed only to the stall tolerance near a Hopf
    point, which neither Richardson nor rounding sees (at (7, 0) every mode's
    exact rate is 0, the computed ones -1.5e-12, the rounding bound 3e-13).
    `degree`: where the Chebyshev interpolation starts (a neighbour's
    `next_degree`, see dispersion.py).
    """
    if attractor.state == "equilibrium":
        return disp.equilibrium_dispersion(model, p, attractor.equilibrium, lambdas)
    steps, cycle = attractor.steps_per_period, attractor.cycle
    try:
        coarse = hom.reshoot(model, p, cycle, attractor.section, steps // 2)
    except hom.ConvergenceError:
        try:  # the chord iteration can fail on orbits shot with many steps
            coarse = hom.shoot_cycle(model, p, cycle.x0, cycle.period,
                                     attractor.section, steps // 2,
                                     check_minimal=False)  # fmt: skip
        except hom.ConvergenceError as error:
            log.warning("%s; exponents without truncation estimate", error)
            coarse = None
    if np.isrealobj(lambdas):
        result = disp.floquet_exponents_interpolated(
            model, p, cycle, lambdas, steps, degree, coarse=coarse
        )
    else:
        result = disp.floquet_exponents(model, p, cycle, lambdas, steps, coarse)
    result.error = result.error + disp.trivial_exponent_error(result)
    return result


def _row(
    model, p, attractor: Attractor, lambdas, settings, sweep: str, hint=None
) -> dict:
    """One table row: the attractor and its transverse growth rates.

    `exponent_error` is the largest error bound (`Dispersion.error`) over the
    modes alpha >= 2, hence a bound on the error of `mu_hat` (|max a - max b|
    <= max |a - b|) and of every mode's rate. A mode counts as unstable when
    its growth rate exceeds `exponent_error`, so a neutral direction (every
    mode of a cycle at eps = 0 has the trivial exponent 0) is not unstable by
    rounding. The largest bound, not each mode's own, decides: Richardson's
    estimate of one mode vanishes where its h^4 coefficient changes sign in
    Lambda, while the largest one still bounds the error of every mode (at
    (10, 19) one mode's error was 16 times its own bound, 0.6 times the
    largest). `hint` (a dict) carries the Chebyshev degree from one cycle of
    the row to the next (key "degree").
    """
    row = {"state": attractor.state, "sweep": sweep, "reason": attractor.reason,
           "period": np.nan, "frequency_hz": np.nan, "mu_hat": np.nan,
           "n_unstable": pd.NA, "unstable_modes": "", "leading_mode": pd.NA,
           "pattern_frequency_hz": np.nan, "exponent_error": np.nan}  # fmt: skip
    if attractor.state not in ("equilibrium", "cycle"):
        return row
    if attractor.cycle is not None:
        row["period"] = attractor.cycle.period
        row["frequency_hz"] = model.frequency_hz(attractor.cycle.period)
    hint = {} if hint is None else hint
    degree = hint.get("degree", disp.CHEBYSHEV_DEGREE)
    result = _growth_rates(model, p, attractor, lambdas, degree)
    if result.next_degree:
        hint["degree"] = result.next_degree
    mu, error = result.mu[1:], float(result.error[1:].max())
    unstable = np.flatnonzero(mu > error) + 2
    leading = int(np.argmax(mu))
    omega = abs(result.mu_im[1:][leading])
    row.update(
        mu_hat=float(mu[leading]),
        n_unstable=int(unstable.size),
        unstable_modes=";".join(str(a) for a in unstable),
        leading_mode=leading + 2,
        pattern_frequency_hz=omega / (2 * np.pi) / model.seconds_per_time_unit,
        exponent_error=error,
    )
    return row


def sweep_row(
    model: Model,
    p: np.ndarray,
    x_name: str,
    x_values: np.ndarray,
    y_name: str,
    y_value: float,
    lambdas: np.ndarray,
    settings: Settings,
) -> pd.DataFrame:
    """All attractors and their growth rates along one row of the grid.

    `lambdas` are the connectome's eigenvalues, alpha = 1 (Lambda = 1) first.
    Returns one row per (x, attractor): x_name, y_name and COLUMNS.
    """
    ix, iy = model.index(x_name), model.index(y_name)
    base = p.copy()
    base[iy] = y_value
    found: list[list[tuple[Attractor, str]]] = [[] for _ in x_values]

    for sweep, order in (("forward", range(len(x_values))),
                         ("backward", range(len(x_values) - 1, -1, -1))):  # fmt: skip
        previous = None
        for i in order:
            point = base.copy()
            point[ix] = x_values[i]
            try:
                attractor = attractor_from(model, point, previous, settings)
            except (hom.ConvergenceError, np.linalg.LinAlgError) as error:
                attractor = Attractor("failed", reason=str(error))
            if not any(attractor.same_as(a) for a, _ in found[i]):
                found[i].append((attractor, sweep))
            previous = attractor if attractor.state != "failed" else None

    # A non-periodic verdict after the short transient next to an attractor
    # that the other sweep found may be a long transient onto that one: the
    # full transient decides (rare, so the fallback costs little).
    for i, attractors in enumerate(found):
        if len(attractors) < 2:
            continue
        point = base.copy()
        point[ix] = x_values[i]
        for k, (attractor, sweep) in enumerate(attractors):
            if attractor.short_from is None:
                continue
            try:
                full = _from_simulation(model, point, attractor.short_from, settings)
            except (hom.ConvergenceError, np.linalg.LinAlgError):
                continue
            others = [a for j, (a, _) in enumerate(attractors) if j != k]
            if any(full.same_as(a) for a in others):
                attractors[k] = (None, sweep)
            else:
                attractors[k] = (full, sweep)
        found[i] = [(a, s) for a, s in attractors if a is not None]

    rows, hint = [], {}
    for i, attractors in enumerate(found):
        point = base.copy()
        point[ix] = x_values[i]
        real = [(a, s) for a, s in attractors if a.state != "failed"] or attractors
        for k, (attractor, sweep) in enumerate(real, start=1):
            row = _row(model, point, attractor, lambdas, settings, sweep, hint)
            row.update({x_name: x_values[i], y_name: y_value, "attractor": k,
                        "n_attractors": len(real)})  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows)


def transverse_map(
    model: Model,
    p: np.ndarray,
    x_name: str,
    x_values: np.ndarray,
    y_name: str,
    y_values: np.ndarray,
    lambdas: np.ndarray,
    settings: Settings,
    where: str = "",
) -> pd.DataFrame:
    """`sweep_row` for every y value, with progress in the log."""
    tables = []
    started = time.perf_counter()
    for n, y_value in enumerate(y_values, start=1):
        tables.append(sweep_row(model, p, x_name, x_values, y_name, y_value,
                                lambdas, settings))  # fmt: skip
        log.info("%s: row %d / %d (%s = %g) done, %.1f s", where, n, len(y_values),
                 y_name, y_value, time.perf_counter() - started)  # fmt: skip
    table = pd.concat(tables, ignore_index=True)
    return table[[x_name, y_name, *COLUMNS]]
