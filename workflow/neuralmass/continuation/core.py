"""Pseudo-arclength continuation of a curve F(z) = 0, F: R^(N+1) -> R^N.

One engine serves equilibria, limit cycles (collocation) and curves of
codimension-one points in two parameters. A problem supplies F and its
Jacobian F_z (dense, or scipy.sparse for collocation), test functions whose
zeros are special points, and a weighted inner product <u, v> = sum w u v
(collocation weights nodal values by their quadrature weights, so that the
arclength of a cycle branch is measured in the L2 norm of the orbit).

Step (Keller 1977; Allgower and Georg 1990):

    predictor  z_pred = z + h t
    corrector  Newton on F(z) = 0, <t, z - z_pred> = 0
    tangent    [F_z; t_old^T] t_new = e_(N+1), normalised, <t_old, t_new> > 0

A step is rejected and halved when Newton fails, when the tangent turns by
more than `max_angle` (so that the step cannot run past two close folds:
between them the tangent turns by pi), when several test functions change
sign at once (tests named UZ..., which mark user-chosen parameter values,
excepted), or when the problem's own consistency check (e.g. a count of
unstable eigenvalues that does not match the test functions that changed)
fails. A test function that changes sign over an accepted step is zeroed by
the Illinois variant of regula falsi in the arclength of the step, with each
trial point corrected back onto the curve.

Shortcoming: a test function with two zeros inside one step (a tangency)
shows no sign change; the angle control makes this unlikely for folds, and
the consistency check for eigenvalue crossings, but a Hopf point and a
reverse Hopf point closer than `ds_min` are not resolved.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

log = logging.getLogger(__name__)

GROWTH = 1.5  # step growth after an easy corrector (at most EASY iterations)
EASY = 4
MAX_LOCATE_ITER = 60
CHORD_RATE = 0.3  # contraction per chord iteration below which LU is redone
USER = "UZ"  # prefix of tests that mark user-chosen parameter values


@dataclass
class Settings:
    """Step control and tolerances of one continuation run.

    ds, ds_min, ds_max : initial, smallest and largest step (weighted norm).
    max_points : points stored before the run stops.
    newton_tol : max |F| and max |dz| accepted by the corrector.
    max_corrector : Newton iterations before a step is halved.
    max_angle : largest turn of the tangent (rad) per accepted step.
    locate_tol : arclength bracket at which a zero of a test is accepted.
    """

    ds: float = 0.01
    ds_min: float = 1e-9
    ds_max: float = 0.5
    max_points: int = 5000
    newton_tol: float = 1e-10
    max_corrector: int = 8
    max_angle: float = 0.1
    locate_tol: float = 1e-11

    def __post_init__(self):
        for name in ("ds", "ds_min", "ds_max", "newton_tol", "max_angle"):
            value = getattr(self, name)
            if not (value > 0 and math.isfinite(value)):
                raise ValueError(f"Settings.{name} must be positive, got {value!r}")
        if not self.ds_min <= self.ds <= self.ds_max:
            raise ValueError(
                f"Settings needs ds_min <= ds <= ds_max, got {self.ds_min}, "
                f"{self.ds}, {self.ds_max}"
            )


@dataclass
class Event:
    """A zero of test function `kind` located on the curve."""

    kind: str
    z: np.ndarray
    t: np.ndarray
    test: float  # value of the test function at z
    index: int  # number of stored points before it
    info: object = None  # what the problem's on_event hook made of it


@dataclass
class Curve:
    """What a run produced: summary rows, events, the last point and why it
    stopped ("boundary", "max_points", "step too small", "closed", ...)."""

    rows: list[dict] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    z: np.ndarray | None = None
    t: np.ndarray | None = None
    status: str = ""
    n_steps: int = 0
    n_rejected: int = 0
    n_newton: int = 0


class CurveProblem:
    """Base class: override residual, jacobian; optionally the hooks."""

    weights: np.ndarray | None = None
    permc_spec = "COLAMD"  # column ordering of splu for sparse Jacobians
    test_names: tuple[str, ...] = ()

    def residual(self, z):  # (N,)
        raise NotImplementedError

    def jacobian(self, z):  # (N, N+1), dense or sparse
        raise NotImplementedError

    def tests(self, z, t, aux) -> dict[str, float]:
        return {}

    def auxiliary(self, z, t):
        """Data computed once per point and shared by tests and rows."""
        return None

    def consistent(self, aux_old, aux_new, changed: list[str]) -> bool:
        return True

    def row(self, z, t, aux) -> dict:
        return {}

    def outside(self, z) -> bool:
        return False

    def stop_reason(self, z) -> str:
        return "boundary"

    def on_event(self, event):
        """Called when an event is located, while the problem's state (e.g.
        the mesh) is still the one of event.z."""
        return None

    def accepted(self, z, t, aux):
        """Called after each accepted step; may return new (z, t) (remesh)."""
        return z, t

    # ---- linear algebra -----------------------------------------------------
    def w(self, n):
        return np.ones(n) if self.weights is None else self.weights

    def factor(self, a, row):
        """LU factors of [a; row] as a solve function; raises SingularError."""
        try:
            if sp.issparse(a):
                m = sp.vstack([a, sp.csr_matrix(row[None, :])], format="csc")
                return spla.splu(m, permc_spec=self.permc_spec).solve
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
                lu = scipy.linalg.lu_factor(np.vstack([a, row]), check_finite=False)
        except (np.linalg.LinAlgError, RuntimeError) as error:
            raise SingularError(str(error)) from None
        if np.any(np.diag(lu[0]) == 0):
            raise SingularError("exactly singular bordered matrix")
        return lambda rhs: scipy.linalg.lu_solve(lu, rhs, check_finite=False)


class SingularError(ArithmeticError):
    """The bordered Jacobian is singular (e.g. exactly at a branch point)."""


def dot(w, u, v) -> float:
    return float(np.sum(w * u * v))


def tangent(problem: CurveProblem, z, t_old, factors: bool = False):
    """Unit tangent at z oriented along t_old; with `factors`, also the LU
    solve of [F_z(z); w t_old] and its row, reused by the next corrector."""
    w = problem.w(z.size)
    row = w * t_old
    solve = problem.factor(problem.jacobian(z), row)
    rhs = np.zeros(z.size)
    rhs[-1] = 1.0
    t = solve(rhs)
    t /= math.sqrt(dot(w, t, t))
    t = t if dot(w, t, t_old) >= 0 else -t
    return (t, solve, row) if factors else t


def correct(problem: CurveProblem, z_pred, t, settings: Settings, solve=None, row=None):
    """Newton on F(z) = 0, <row, z - z_pred> = 0 (row = w t by default).

    With `solve` (LU factors of [F_z; row] at a nearby point) the iteration
    starts as a chord method and refactors only when it contracts by less
    than CHORD_RATE per iteration. Returns (z or None, iterations).
    """
    w = problem.w(z_pred.size)
    if row is None:
        row, solve = w * t, None
    z = z_pred.copy()
    previous = np.inf
    for it in range(1, settings.max_corrector + 1):
        f = problem.residual(z)
        g = np.append(f, row @ (z - z_pred))
        if not np.all(np.isfinite(g)):
            return None, it
        try:
            if solve is None:
                solve = problem.factor(problem.jacobian(z), row)
            dz = solve(-g)
        except SingularError:
            return None, it
        z = z + dz
        if not np.all(np.isfinite(z)):
            return None, it
        size = np.max(np.abs(dz))
        if size < settings.newton_tol * (1 + np.max(np.abs(z))):
            f = problem.residual(z)
            if np.max(np.abs(f)) < 100 * settings.newton_tol:
                return z, it
        if size > CHORD_RATE * previous:
            solve = None
        previous = size
    return None, settings.max_corrector


def continue_curve(
    problem: CurveProblem, z0, t0, settings: Settings, locate: bool = True
) -> Curve:
    """Follow the curve through z0 (on it) in the direction of t0."""
    curve = Curve()
    z = np.asarray(z0, float)
    t, solve, row = tangent(problem, z, np.asarray(t0, float), factors=True)
    aux = problem.auxiliary(z, t)
    tests = problem.tests(z, t, aux)
    curve.rows.append(problem.row(z, t, aux))
    w = problem.w(z.size)
    h = settings.ds

    while len(curve.rows) < settings.max_points:
        z_new, iters = correct(problem, z + h * t, t, settings, solve, row)
        curve.n_newton += iters
        reject = z_new is None
        if not reject:
            try:
                t_new, solve_new, row_new = tangent(problem, z_new, t, factors=True)
                angle = math.acos(max(-1.0, min(1.0, dot(w, t, t_new))))
                reject = angle > settings.max_angle and h > settings.ds_min
            except SingularError:
                reject = True
        if not reject:
            aux_new = problem.auxiliary(z_new, t_new)
            tests_new = problem.tests(z_new, t_new, aux_new)
            changed = [k for k in tests if np.sign(tests[k]) != np.sign(tests_new[k])]
            special = [k for k in changed if not k.startswith(USER)]
            ambiguous = len(special) > 1 or not problem.consistent(
                aux, aux_new, special
            )
            reject = ambiguous and h > 4 * settings.ds_min
        if reject:
            curve.n_rejected += 1
            h /= 2
            if h < settings.ds_min:
                curve.status = "step too small"
                break
            continue

        curve.n_steps += 1
        if locate:
            for kind in changed:
                event = _locate(problem, kind, z, t, h, tests[kind], settings)
                if event is not None:
                    event.index = len(curve.rows)
                    event.info = problem.on_event(event)
                    curve.events.append(event)
        z, t, aux, tests = z_new, t_new, aux_new, tests_new
        solve, row = solve_new, row_new
        curve.rows.append(problem.row(z, t, aux))
        if problem.outside(z):
            curve.status = problem.stop_reason(z)
            break
        z2, t2 = problem.accepted(z, t, aux)
        if z2 is not z:
            z = z2
            w = problem.w(z.size)
            t, solve, row = tangent(problem, z2, t2, factors=True)
            aux = problem.auxiliary(z, t)
            tests = problem.tests(z, t, aux)
        if iters <= EASY:
            h = min(h * GROWTH, settings.ds_max)
        elif iters >= settings.max_corrector - 1:
            h = max(h / 2, settings.ds_min)
    else:
        curve.status = "max_points"
    curve.z, curve.t = z, t
    return curve


def _locate(problem, kind, z, t, h, g0, settings) -> Event | None:
    """Illinois regula falsi for a zero of test `kind` on the step [0, h]."""

    def evaluate(s):
        point, _ = correct(problem, z + s * t, t, settings)
        if point is None:
            return None, None, np.nan
        try:
            tan = tangent(problem, point, t)
        except SingularError:
            return None, None, np.nan
        value = problem.tests(point, tan, problem.auxiliary(point, tan))[kind]
        return point, tan, value

    lo, hi, g_lo = 0.0, h, g0
    point, tan, g_hi = evaluate(hi)
    if point is None or np.sign(g_hi) == np.sign(g_lo):
        return None
    side = 0
    best = (point, tan, g_hi)
    s_last = hi
    tol = settings.locate_tol * max(1.0, h)
    for _ in range(MAX_LOCATE_ITER):
        if hi - lo < tol:
            break
        s = (lo * g_hi - hi * g_lo) / (g_hi - g_lo)
        if not lo < s < hi:
            s = 0.5 * (lo + hi)
        if abs(s - s_last) < tol:
            break
        s_last = s
        point, tan, g = evaluate(s)
        if point is None:
            s = 0.5 * (lo + hi)
            point, tan, g = evaluate(s)
            if point is None:
                return None
        best = (point, tan, g)
        if g == 0:
            break
        if np.sign(g) == np.sign(g_lo):
            lo, g_lo = s, g
            if side == -1:
                g_hi /= 2
            side = -1
        else:
            hi, g_hi = s, g
            if side == 1:
                g_lo /= 2
            side = 1
    point, tan, g = best
    return Event(kind, point, tan, float(g), -1)
