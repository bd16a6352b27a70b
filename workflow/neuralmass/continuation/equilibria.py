"""Branches of equilibria in one parameter, with folds, Hopf and branch points.

The curve is f(x; a) = 0 in z = (x, a). Test functions along it (Govaerts
2000, Numerical Methods for Bifurcations of Dynamical Equilibria):

    LP   t_a, the parameter component of the tangent;
    HB   prod_{i<j} (lambda_i + lambda_j) = det(2 A (.) I), the bialternate
         product, which also vanishes at neutral saddles (real pair
         lambda, -lambda): those are discarded after location;
    BP   det [F_z; t^T], which changes sign at a simple branch point.

Each located point is then refined by its defining system (fold:
f = 0, A v = 0, <c, v> = 1; Hopf: f = 0, (A^2 + kappa) v = 0, <c, v> = 1,
<d, v> = 0 with kappa = omega^2, see `neuralmass.continuation.defining`) and
reported with its residual: the real part of the critical eigenvalue(s).
Stability is read off the eigenvalues at every point.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from neuralmass.continuation import defining
from neuralmass.continuation.core import (
    Curve,
    CurveProblem,
    Settings,
    continue_curve,
)
from neuralmass.continuation.normal_forms import first_lyapunov, fold_coefficient
from neuralmass.continuation.system import System

log = logging.getLogger(__name__)

NEWTON_TOL = 1e-12  # residual accepted for the starting equilibrium
NEWTON_MAX_ITER = 50
NEUTRAL_SADDLE_TOL = 1e-6  # |Re| of the critical pair accepted as a Hopf point
ZERO_IMAG = 1e-9  # |Im| below which an eigenvalue counts as real


class ConvergenceError(RuntimeError):
    """Newton did not converge; the message says where."""


@dataclass
class SpecialPoint:
    """A located and refined special point of a branch.

    `values` holds the free parameter(s) at the point; `residual` the
    defining condition's residual (LP: the eigenvalue closest to 0; HB: the
    real part of the critical pair; PD: |mu + 1|; LPC: |mu_2 - 1|; NS:
    |mu| - 1 of the critical pair), `period` is in the system's time unit.
    """

    kind: str
    values: dict[str, float]
    x: np.ndarray
    residual: float
    period: float = np.nan
    frequency_hz: float = np.nan
    lyapunov_coefficient: float = np.nan
    normal_form: float = np.nan
    branch: int = -1
    extra: dict = field(default_factory=dict)


@dataclass
class EquilibriumBranch:
    parameter: str
    rows: list[dict]
    special_points: list[SpecialPoint]
    curve: Curve
    branch_id: int = 0

    @property
    def values(self) -> np.ndarray:
        return np.array([r[self.parameter] for r in self.rows])

    @property
    def states(self) -> np.ndarray:
        return np.array([r["x"] for r in self.rows])

    @property
    def stable(self) -> np.ndarray:
        return np.array([r["stable"] for r in self.rows])


def sorted_eigenvalues(a: np.ndarray) -> np.ndarray:
    values = np.linalg.eigvals(a)
    return values[np.lexsort((-values.imag, -values.real))]


def newton(system: System, p: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """An equilibrium of `system` at p by Newton's method from x0.

    Converged when max |f| < NEWTON_TOL, or when the Newton step is below
    NEWTON_TOL relative to x (right-hand sides with large terms, such as
    Jansen-Rit's a^2 y0 ~ 1e4 per s^2, cannot get |f| below rounding).
    """
    x = np.array(x0, dtype=float)
    for _ in range(NEWTON_MAX_ITER):
        f = system.rhs(x, p)
        if np.max(np.abs(f)) < NEWTON_TOL:
            return x
        dx = np.linalg.solve(system.jacobian(x, p), f)
        x = x - dx
        if not np.all(np.isfinite(x)):
            break
        if np.max(np.abs(dx)) < NEWTON_TOL * (1 + np.max(np.abs(x))):
            return x
    raise ConvergenceError(
        f"Newton for an equilibrium of {system.name} did not converge from "
        f"{np.array2string(np.asarray(x0), precision=4)}"
    )


def hopf_test(values: np.ndarray) -> float:
    """prod_{i<j} (lambda_i + lambda_j), real for a real matrix."""
    i, j = np.triu_indices(values.size, 1)
    sums = values[i] + values[j]
    # scale each factor to keep the product in range; the sign is unchanged
    return float(np.prod(sums / np.maximum(1.0, np.abs(sums))).real)


class EquilibriumProblem(CurveProblem):
    test_names = ("LP", "HB", "BP")

    def __init__(self, system: System, p: np.ndarray, k: int, bounds):
        self.system, self.p, self.k = system, p.copy(), k
        self.bounds = bounds
        self.name = system.parameters[k]

    def params(self, z):
        p = self.p.copy()
        p[self.k] = z[-1]
        return p

    def residual(self, z):
        return self.system.rhs(z[:-1], self.params(z))

    def jacobian(self, z):
        p = self.params(z)
        fa = self.system.param_derivative(z[:-1], p, self.k)[0]
        return np.column_stack([self.system.jacobian(z[:-1], p), fa])

    def auxiliary(self, z, t):
        a = self.jacobian(z)
        return {"a": a, "eig": sorted_eigenvalues(a[:, :-1])}

    def tests(self, z, t, aux):
        bordered = np.vstack([aux["a"], t])
        return {
            "LP": float(t[-1]),
            "HB": hopf_test(aux["eig"]),
            "BP": float(np.linalg.det(bordered)),
        }

    def consistent(self, aux_old, aux_new, changed):
        d = abs(n_unstable(aux_new["eig"]) - n_unstable(aux_old["eig"]))
        if not changed:
            return d == 0
        if "LP" in changed or "BP" in changed:
            return d == 1
        return d in (0, 2)

    def row(self, z, t, aux):
        eig = aux["eig"]
        return {
            self.name: float(z[-1]),
            "x": z[:-1].copy(),
            "eigenvalues": eig,
            "n_unstable": n_unstable(eig),
            "stable": bool(eig[0].real < 0),
        }

    def outside(self, z):
        lo, hi = self.bounds
        return not lo <= z[-1] <= hi


def n_unstable(values: np.ndarray) -> int:
    return int(np.sum(values.real > 0))


def continue_equilibria(
    system: System,
    parameter: str,
    start: float,
    bounds: tuple[float, float],
    values: dict | None = None,
    x0: np.ndarray | None = None,
    direction: float = 1.0,
    settings: Settings | None = None,
    branch: int = 0,
    lyapunov: bool = True,
) -> EquilibriumBranch:
    """Continue equilibria in `parameter` from `start` within `bounds`.

    Newton from x0 at `start` (all other parameters from `values` over the
    system's defaults), then pseudo-arclength continuation in the direction
    of increasing parameter when `direction` > 0, until the parameter leaves
    `bounds` or `settings.max_points` points are stored. Returns the points
    (parameter, x, eigenvalues, stability) and the refined special points.
    """
    settings = settings or Settings(ds=0.01, ds_max=0.2)
    lo, hi = bounds
    if not lo <= start <= hi:
        raise ValueError(f"start = {start} is outside bounds [{lo}, {hi}]")
    k = system.index(parameter)
    p = system.with_values(values or {})
    p[k] = start
    if x0 is None:
        raise ValueError("continue_equilibria needs x0, a guess of the equilibrium")
    x = newton(system, p, x0)
    problem = EquilibriumProblem(system, p, k, bounds)
    z0 = np.append(x, start)
    t0 = np.zeros(z0.size)
    t0[-1] = np.sign(direction) or 1.0
    curve = continue_curve(problem, z0, t0, settings)
    points = []
    for event in curve.events:
        point = refine_event(system, problem, event, lyapunov)
        if point is not None:
            point.branch = branch
            point.extra["index"] = event.index
            points.append(point)
    log.info(
        "%s equilibria in %s: %d points, %d special, status %s",
        system.name,
        parameter,
        len(curve.rows),
        len(points),
        curve.status,
    )
    return EquilibriumBranch(parameter, curve.rows, points, curve, branch)


def refine_event(system, problem, event, lyapunov=True) -> SpecialPoint | None:
    """Refine a located zero of a test function by its defining system.

    When Newton on the defining system fails, the located point is kept and
    its residual (the test's own measure) shows how good it is.
    """
    try:
        return _refine(system, problem, event, lyapunov)
    except defining.DefiningError as error:
        log.warning("%s at %s = %.8g not refined: %s", event.kind, problem.name,
                    event.z[-1], error)  # fmt: skip
        return _refine(system, problem, event, lyapunov, refine=False)


def _refine(system, problem, event, lyapunov, refine=True):
    k, name = problem.k, problem.name
    z = event.z
    p = problem.params(z)
    a = system.jacobian(z[:-1], p)
    eig = sorted_eigenvalues(a)
    if event.kind == "LP":
        x, value = z[:-1], float(z[-1])
        if refine:
            x, value, _ = defining.refine_fold(system, p, k, x, value)
        p[k] = value
        eig = sorted_eigenvalues(system.jacobian(x, p))
        residual = float(np.min(np.abs(eig)))
        point = SpecialPoint("LP", {name: value}, x, residual)
        point.normal_form = fold_coefficient(system, x, p)
        return point
    if event.kind == "HB":
        pairs = eig[np.abs(eig.imag) > ZERO_IMAG]
        if pairs.size == 0 or np.min(np.abs(pairs.real)) > NEUTRAL_SADDLE_TOL:
            log.info("discarded a neutral saddle at %s = %.6g", name, z[-1])
            return None
        x, value = z[:-1], float(z[-1])
        omega = float(pairs[np.argmin(np.abs(pairs.real))].imag)
        if refine:
            x, value, omega = defining.refine_hopf(system, p, k, x, value)
        p[k] = value
        eig = sorted_eigenvalues(system.jacobian(x, p))
        crit = eig[np.argmin(np.abs(eig - 1j * omega))]
        period = 2 * np.pi / omega
        point = SpecialPoint(
            "HB",
            {name: value},
            x,
            float(abs(crit.real)),
            period=period,
            frequency_hz=system.frequency_hz(period),
        )
        if lyapunov:
            point.lyapunov_coefficient = first_lyapunov(system, x, p)
        return point
    if event.kind == "BP":
        if refine:
            z, _, sv = defining.refine_branch_point(
                problem.residual, problem.jacobian, z
            )
        else:
            sv = np.linalg.svd(problem.jacobian(z), compute_uv=False)[-1]
        return SpecialPoint("BP", {name: float(z[-1])}, z[:-1], sv)
    return None
