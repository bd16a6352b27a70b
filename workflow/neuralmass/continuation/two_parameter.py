"""Curves of folds and Hopf points of equilibria in two parameters.

The defining systems of `neuralmass.continuation.defining` with two free
parameters define curves, followed by the same pseudo-arclength engine.
Codimension-two points are zeros of test functions along them:

fold curve (x, v, a1, a2)
    BT  e_(n-1)(lambda) = sum_i prod_(j != i) lambda_j, the product of the
        eigenvalues other than the zero one: a second eigenvalue reaches 0;
    CP  the fold coefficient <w, B(v, v)> / 2 (w the left null vector,
        its sign kept continuous along the curve).
Hopf curve (x, v, kappa, a1, a2), kappa = omega^2
    BT  kappa (the curve goes on as neutral saddles, kappa < 0);
    GH  the first Lyapunov coefficient l1 (only where kappa > 0).

Folds and period doublings of cycles are continued in two parameters by
`neuralmass.continuation.cycle_curves`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from neuralmass.continuation import defining
from neuralmass.continuation.core import CurveProblem, Settings, continue_curve
from neuralmass.continuation.equilibria import SpecialPoint, sorted_eigenvalues
from neuralmass.continuation.normal_forms import bilinear, first_lyapunov
from neuralmass.continuation.system import System

log = logging.getLogger(__name__)


def elementary_n_minus_1(values: np.ndarray) -> float:
    """sum_i prod_(j != i) lambda_j (real for a real matrix)."""
    total = 0.0
    for i in range(values.size):
        total += np.prod(np.delete(values, i))
    return float(np.real(total))


class _TwoParameter(CurveProblem):
    def __init__(self, defining_system, names, bounds):
        self.d = defining_system
        self.system = defining_system.system
        self.names = names
        self.bounds = bounds

    def residual(self, z):
        return self.d.residual(z)

    def jacobian(self, z):
        return self.d.jacobian(z)

    def outside(self, z):
        (lo1, hi1), (lo2, hi2) = self.bounds
        return not (lo1 <= z[-2] <= hi1 and lo2 <= z[-1] <= hi2)

    def point(self, z):
        n = self.system.n
        return z[:n], self.d.params(z)


class FoldCurve(_TwoParameter):
    test_names = ("BT", "CP")

    def __init__(self, system, p, ks, c, bounds, names):
        super().__init__(defining.FoldSystem(system, p, ks, c), names, bounds)
        self.w_prev = None

    def auxiliary(self, z, t):
        x, p = self.point(z)
        a = self.system.jacobian(x, p)
        values, left = np.linalg.eig(a.T)
        w = np.real(left[:, np.argmin(np.abs(values))])
        if self.w_prev is not None and w @ self.w_prev < 0:
            w = -w
        v = z[self.system.n : 2 * self.system.n]
        h = self.system.hessian_tensor(x, p)
        return {
            "eig": sorted_eigenvalues(a),
            "w": w,
            "cusp": float(w @ bilinear(h, v, v) / 2),
        }

    def tests(self, z, t, aux):
        return {"BT": elementary_n_minus_1(aux["eig"]), "CP": aux["cusp"]}

    def accepted(self, z, t, aux):
        self.w_prev = aux["w"]
        return z, t

    def row(self, z, t, aux):
        x, _ = self.point(z)
        return {self.names[0]: float(z[-2]), self.names[1]: float(z[-1]), "x": x}


class HopfCurve(_TwoParameter):
    test_names = ("BT", "GH")

    def __init__(self, system, p, ks, c, d, bounds, names):
        super().__init__(defining.HopfSystem(system, p, ks, c, d), names, bounds)

    def auxiliary(self, z, t):
        n = self.system.n
        kappa = z[2 * n]
        x, p = self.point(z)
        l1 = first_lyapunov(self.system, x, p) if kappa > 0 else np.nan
        return {"kappa": float(kappa), "l1": l1}

    def tests(self, z, t, aux):
        gh = aux["l1"] if np.isfinite(aux["l1"]) else 1.0
        return {"BT": aux["kappa"], "GH": float(gh)}

    def consistent(self, aux_old, aux_new, changed):
        # GH is undefined across BT (neutral saddles): do not locate it there
        return not ("GH" in changed and min(aux_old["kappa"], aux_new["kappa"]) <= 0)

    def accepted(self, z, t, aux):
        self.d.renormalise(z)
        return z, t

    def row(self, z, t, aux):
        x, _ = self.point(z)
        kappa = aux["kappa"]
        omega = np.sqrt(kappa) if kappa > 0 else np.nan
        return {
            self.names[0]: float(z[-2]),
            self.names[1]: float(z[-1]),
            "x": x,
            "kappa": kappa,
            "period": 2 * np.pi / omega,
            "lyapunov_coefficient": aux["l1"],
            "neutral_saddle": bool(kappa <= 0),
        }


@dataclass
class Curve2:
    kind: str  # "LP" or "HB"
    rows: list[dict]
    special_points: list[SpecialPoint]
    status: str


def continue_fold_curve(system: System, names, start: SpecialPoint, values, bounds,
                        settings: Settings | None = None) -> Curve2:  # fmt: skip
    """Fold curve through the fold `start` in (names[0], names[1]), both ways."""
    return _both_ways(system, "LP", names, start, values, bounds, settings)


def continue_hopf_curve(system: System, names, start: SpecialPoint, values, bounds,
                        settings: Settings | None = None) -> Curve2:  # fmt: skip
    """Hopf curve through the Hopf point `start`, both ways."""
    return _both_ways(system, "HB", names, start, values, bounds, settings)


def _both_ways(system, kind, names, start, values, bounds, settings):
    settings = settings or Settings(ds=0.01, ds_max=0.5, newton_tol=1e-9)
    ks = [system.index(names[0]), system.index(names[1])]
    p = system.with_values(values or {})
    p[ks[0]] = start.values[names[0]]
    rows, points, statuses = [], [], []
    for sign in (1.0, -1.0):
        if kind == "LP":
            v, c = defining.fold_start(system, p, start.x)
            problem = FoldCurve(system, p, ks, c, bounds, names)
            z0 = np.concatenate([start.x, v, p[ks]])
        else:
            v, kappa, c, d = defining.hopf_start(system, p, start.x)
            problem = HopfCurve(system, p, ks, c, d, bounds, names)
            z0 = np.concatenate([start.x, v, [kappa], p[ks]])
        z0 = defining.newton_square(
            lambda z, pr=problem, a2=p[ks[1]]: np.append(pr.residual(z), z[-1] - a2),
            lambda z, pr=problem: np.vstack([pr.jacobian(z), np.eye(z.size)[-1]]),
            z0,
            f"the start of a {kind} curve",
        )
        t0 = np.zeros(z0.size)
        t0[-1] = sign
        curve = continue_curve(problem, z0, t0, settings)
        # the second run starts where the first did: drop its start row
        part = curve.rows if sign > 0 else curve.rows[:0:-1]
        rows = rows + part if sign > 0 else part + rows
        statuses.append(curve.status)
        for event in curve.events:
            points.append(_codim2_point(problem, kind, event))
    log.info("%s curve: %d points, %d special", kind, len(rows), len(points))
    return Curve2(kind, rows, points, "/".join(statuses))


def _codim2_point(problem, kind, event) -> SpecialPoint:
    aux = problem.auxiliary(event.z, event.t)
    value = problem.tests(event.z, event.t, aux)[event.kind]
    x, p = problem.point(event.z)
    values = {
        problem.names[0]: float(event.z[-2]),
        problem.names[1]: float(event.z[-1]),
    }
    point = SpecialPoint(event.kind, values, x, float(abs(value)))
    point.extra["curve"] = kind
    if kind == "HB" and aux["kappa"] > 0:
        point.period = 2 * np.pi / np.sqrt(aux["kappa"])
        point.frequency_hz = problem.system.frequency_hz(point.period)
    return point
