"""Curves of folds (LPC) and period doublings (PD) of cycles in two parameters.

Minimally augmented defining systems on the collocation discretisation of
`neuralmass.continuation.cycles` (Doedel, Govaerts, Kuznetsov 2003, SIAM J.
Numer. Anal. 41, 401; Kuznetsov, Govaerts, Doedel, Dhooge 2005, SIAM J.
Numer. Anal. 43, 1407, as in MatCont). Unknowns z = (u, T, a1, a2): the
collocated cycle u (nodal values), its period T and both parameters.
Equations: the cycle's collocation system (collocation, periodicity,
integral phase condition; N - 1 equations in N + 1 unknowns when both
parameters are free) plus one scalar g(z) = 0 from a bordered linear system

    [ L(z)  b ] [ v ]   [ 0 ]
    [ c^T   0 ] [ g ] = [ 1 ],

where L is singular exactly at the bifurcation:

PD  L is the collocation of v' - T f_x(u(tau)) v with the anti-periodic
    condition v(0) + v(1) = 0. The monodromy M has a multiplier -1 exactly
    when a discrete anti-periodic solution exists, so g = 0 there.
LPC L is the Jacobian of the cycle system with respect to (u, T) (the
    collocation of v' - T f_x v - tau_T f, periodicity, phase row): it has
    the time shift u' in its kernel up to the phase row, and a second null
    vector, the generalised eigenvector of the multiplier +1, exactly at a
    fold of cycles (a second multiplier at +1, a Jordan block).

The borders b and c are approximate left and right null vectors of L; after
each accepted step they are replaced by the normalised w and v of that
point, and after a mesh adaptation recomputed by inverse iteration. g_z is
-w^T L_z v with w the adjoint solution ([L^T c; b^T 0] [w; g] = [0; 1]):

    g_z = d/dz sum_jk h_j w_jk^T (T f_x(x_jk) V_jk + v_T f(x_jk)),

V_jk the null vector at collocation point (j, k), v_T its period component
(LPC only); the state derivative of w^T f_x(x) V is the central difference
(f_x(x + s V)^T w - f_x(x - s V)^T w) / (2 s) (one Hessian-vector product per
collocation point), the T and parameter derivatives are differences of the
sum itself. These only affect Newton's convergence rate, not the solution.

Every point of a curve is reported with its residual on the Floquet
multipliers: PD min |mu + 1|, LPC the distance from +1 of the multiplier
next to the trivial one. Near a fold the two multipliers at +1 split as
1 +- O(sqrt(error)), so the LPC residual is of order sqrt(1e-12) at best.

Shortcomings: codimension-two points on these curves (fold-flip, 1:1 and
1:2 resonances, cusp of cycles, generalised PD) are not detected; a curve
that passes one may stop with "step too small". The curves are followed only
inside a box of the two parameters (the stage uses the figure's zoom box).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from neuralmass.continuation.core import (
    CurveProblem,
    Settings,
    SingularError,
    continue_curve,
    correct,
)
from neuralmass.continuation.cycles import (
    ADAPT_EVERY,
    NCOL,
    NTST,
    OVERSAMPLE,
    CycleProblem,
    Mesh,
    adapted_edges,
    sample_orbit,
)
from neuralmass.continuation.equilibria import SpecialPoint
from neuralmass.continuation.system import STATE_STEP, System

log = logging.getLogger(__name__)

KINDS = ("LPC", "PD")
INVERSE_ITERATIONS = 3  # inverse-iteration sweeps for fresh borders
PARAM_STEP = 1e-6  # relative step of the differences in T and parameters
#: Step control of the curves: the arclength norm is dominated by the orbit
#: and the period (ms), which change by several units per unit of I_E.
CURVE_SETTINGS = Settings(ds=0.05, ds_max=2.0, newton_tol=1e-9, max_points=600)
LOOP_STEPS = 10  # steps before a curve may close on its start
LOOP_TOL = 0.05  # start this close to a step's chord (x its length): closed


class CycleBifurcationCurve(CurveProblem):
    """LPC or PD points of `system` in parameters ks = (k1, k2).

    z = (u.ravel(), T, a1, a2); the collocation part is a `CycleProblem` in
    k1 whose packed parameters carry a2 at index k2.
    """

    permc_spec = "MMD_AT_PLUS_A"

    def __init__(self, kind: str, system: System, p, ks, mesh: Mesh, u_ref,
                 bounds, names, max_period: float = np.inf,
                 adapt_every: int = ADAPT_EVERY, marks=()):  # fmt: skip
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.system = system
        self.ks = list(ks)
        self.names = tuple(names)
        self.bounds = bounds
        self.max_period = max_period
        self.adapt_every = adapt_every
        self.cyc = CycleProblem(system, p, ks[0], mesh, u_ref, bounds[0], max_period,
                                adapt_every=0)  # fmt: skip
        self.n = system.n
        self.steps = 0
        self._cache = (None, None)
        self.b = self.c = None
        self.marks = tuple(marks)
        self.origin = self.last = None  # (a1, a2, T) at the start, last point

    # ---- structure ----------------------------------------------------------
    @property
    def weights(self):
        return np.append(self.cyc.weights, 1.0)

    @property
    def mesh(self) -> Mesh:
        return self.cyc.mesh

    def _set(self, z):
        """Put a2 into the collocation problem; return its z (u, T, a1)."""
        self.cyc.p[self.ks[1]] = z[-1]
        return z[:-1]

    def unpack(self, z):
        u, period, a1 = self.cyc.unpack(z[:-1])
        return u, period, a1, z[-1]

    def params(self, z):
        p = self.cyc.p.copy()
        p[self.ks] = z[-2:]
        return p

    def operator(self, zc) -> sp.csc_matrix:
        """L (square, sparse) at the collocation point zc = (u, T, a1)."""
        jac = self.cyc.jacobian(zc).tocsr()
        nn = self.mesh.n_nodes * self.n
        if self.kind == "LPC":
            return jac[:, : nn + 1].tocsc()
        n_colloc = nn - self.n
        eye = sp.identity(self.n, format="csr")
        anti = sp.hstack([eye, sp.csr_matrix((self.n, nn - 2 * self.n)), eye])
        return sp.vstack([jac[:n_colloc, :nn], anti], format="csc")

    def fresh_borders(self, z):
        """Approximate right and left null vectors of L by inverse iteration."""
        op = self.operator(self._set(z))
        size = op.shape[0]
        start = np.cos(np.arange(size) * 0.7) + 0.1  # deterministic, generic
        try:
            lu = spla.splu(op, permc_spec=self.permc_spec)
        except RuntimeError:  # exactly singular: any generic vector borders it
            self.c = self.b = start / np.linalg.norm(start)
            self._cache = (None, None)
            return
        c, b = start.copy(), start.copy()
        for _ in range(INVERSE_ITERATIONS):
            c = lu.solve(c)
            c /= np.linalg.norm(c)
            b = lu.solve(b, trans="T")
            b /= np.linalg.norm(b)
        self.b, self.c = b, c
        self._cache = (None, None)

    def bordered(self, z):
        """(g, v, w) of the bordered system at z (cached for the last z)."""
        key = z.tobytes()
        if self._cache[0] == key:
            return self._cache[1]
        op = self.operator(self._set(z))
        size = op.shape[0]
        k = sp.bmat(
            [
                [op, sp.csc_matrix(self.b[:, None])],
                [sp.csc_matrix(self.c[None, :]), None],
            ],
            format="csc",
        )
        try:
            lu = spla.splu(k, permc_spec=self.permc_spec)
        except RuntimeError as error:
            raise SingularError(str(error)) from None
        rhs = np.zeros(size + 1)
        rhs[-1] = 1.0
        vg = lu.solve(rhs)
        wg = lu.solve(rhs, trans="T")
        out = (float(vg[-1]), vg[:size], wg[:size])
        self._cache = (key, out)
        return out

    # ---- F and F_z ----------------------------------------------------------
    def residual(self, z):
        try:
            g, _, _ = self.bordered(z)
        except SingularError:
            g = np.nan
        return np.append(self.cyc.residual(self._set(z)), g)

    def _weighted_sum(self, x, period, p, w_c, big_v, v_t):
        """S = sum_jk h_j w_jk^T (T f_x(x_jk) V_jk + v_T f(x_jk))."""
        n = self.n
        flat = x.reshape(-1, n)
        jac = self.system.jac(flat, p).reshape(x.shape + (n,))
        total = period * np.einsum("jkr,jkrc,jkc->j", w_c, jac, big_v)
        if v_t:
            f = self.system.f(flat, p).reshape(x.shape)
            total = total + v_t * np.einsum("jkr,jkr->j", w_c, f)
        return float(self.mesh.h @ total)

    def g_gradient(self, z):
        """g_z = d/dz of S (see the module docstring), shape (N + 1,)."""
        _, v, w = self.bordered(z)
        zc = self._set(z)
        u, period, _ = self.cyc.unpack(zc)
        p = self.params(z)
        mesh, n = self.mesh, self.n
        nn = mesh.n_nodes * n
        ntst, m = mesh.ntst, mesh.ncol
        x, _ = self.cyc.collocation_states(u)
        w_c = w[: ntst * m * n].reshape(ntst, m, n)
        v_u = v[:nn].reshape(-1, n)
        v_t = float(v[nn]) if self.kind == "LPC" else 0.0
        big_v = np.einsum("ki,jin->jkn", mesh.val, mesh.blocks(v_u))
        out = np.zeros(z.size)

        # state: h_j (T grad_x (w^T f_x(x) V) + v_T f_x(x)^T w) at each point
        flat, vflat = x.reshape(-1, n), big_v.reshape(-1, n)
        scale = np.max(np.abs(vflat), axis=1)
        s = STATE_STEP * np.maximum(1.0, np.max(np.abs(flat), axis=1))
        s = s / np.where(scale > 0, scale, 1.0)
        up = self.system.jac(flat + s[:, None] * vflat, p)
        down = self.system.jac(flat - s[:, None] * vflat, p)
        wflat = w_c.reshape(-1, n)
        grad = np.einsum("prc,pr->pc", up - down, wflat) / (2 * s[:, None])
        grad *= period
        if v_t:
            grad += v_t * np.einsum("prc,pr->pc", self.system.jac(flat, p), wflat)
        grad = grad.reshape(ntst, m, n) * mesh.h[:, None, None]
        per_node = np.einsum("ki,jkn->jin", mesh.val, grad)
        idx = mesh.blocks(np.arange(mesh.n_nodes)[:, None])[..., 0]
        node_grad = np.zeros((mesh.n_nodes, n))
        np.add.at(node_grad, idx.ravel(), per_node.reshape(-1, n))
        out[:nn] = node_grad.ravel()

        # period and the two parameters: central differences of S
        dT = PARAM_STEP * max(1.0, abs(period))
        out[nn] = (
            self._weighted_sum(x, period + dT, p, w_c, big_v, v_t)
            - self._weighted_sum(x, period - dT, p, w_c, big_v, v_t)
        ) / (2 * dT)
        for i, k in enumerate(self.ks):
            h = PARAM_STEP * max(1.0, abs(p[k]))
            hi, lo = p.copy(), p.copy()
            hi[k] += h
            lo[k] -= h
            out[nn + 1 + i] = (
                self._weighted_sum(x, period, hi, w_c, big_v, v_t)
                - self._weighted_sum(x, period, lo, w_c, big_v, v_t)
            ) / (2 * h)
        return out

    def jacobian(self, z):
        zc = self._set(z)
        jac = self.cyc.jacobian(zc)
        u, period, _ = self.cyc.unpack(zc)
        x, _ = self.cyc.collocation_states(u)
        n = self.n
        fa2 = self.system.param_derivative(x.reshape(-1, n), self.params(z), self.ks[1])
        column = np.zeros(jac.shape[0])
        n_colloc = x.size
        column[:n_colloc] = (
            -period * self.mesh.h[:, None, None] * fa2.reshape(x.shape)
        ).ravel()
        try:
            grad = self.g_gradient(z)
        except SingularError:
            grad = np.full(z.size, np.nan)
        return sp.vstack(
            [
                sp.hstack([jac, sp.csr_matrix(column[:, None])]),
                sp.csr_matrix(grad[None, :]),
            ],
            format="csr",
        )

    def snapshot(self):
        """The mutable state (mesh, phase reference, borders), to restart."""
        return (self.mesh, self.cyc.phase_row.copy(), self.b.copy(), self.c.copy(),
                self.cyc.p.copy(), self.steps)  # fmt: skip

    def restore(self, state):
        mesh, phase_row, b, c, p, steps = state
        self.cyc.set_mesh(mesh, np.zeros((mesh.n_nodes, self.n)))
        self.cyc.phase_row = phase_row.copy()
        self.b, self.c, self.steps = b.copy(), c.copy(), steps
        self.cyc.p = p.copy()
        self._cache = (None, None)
        self.last = self.origin

    # ---- hooks of the continuation ------------------------------------------
    def multipliers(self, z) -> np.ndarray:
        return self.cyc.multipliers(self._set(z))

    def auxiliary(self, z, t):
        return {"mu": self.multipliers(z)}

    def tests(self, z, t, aux):
        """UZi: the second parameter at marks[i] (points read off there)."""
        return {f"UZ{i}": float(z[-1] - m) for i, m in enumerate(self.marks)}

    def on_event(self, event):
        return self.row(event.z, event.t, self.auxiliary(event.z, event.t))

    def row(self, z, t, aux):
        u, period, a1, a2 = self.unpack(z)
        mu = aux["mu"]
        mesh = self.mesh
        orbit = mesh.sample(u, OVERSAMPLE * mesh.ncol)
        weights = mesh.node_weights()
        g, _, _ = self.bordered(z)
        return {
            self.names[0]: float(a1),
            self.names[1]: float(a2),
            "period": float(period),
            "x": u[0].copy(),
            "max": orbit.max(axis=0),
            "min": orbit.min(axis=0),
            "norm": float(np.sqrt(np.sum(weights[:, None] * u**2))),
            "multipliers": mu,
            "residual": multiplier_residual(self.kind, mu),
            "g": float(g),
        }

    def outside(self, z):
        return self.stop_reason(z) != ""

    def stop_reason(self, z):
        _, period, a1, a2 = self.unpack(z)
        (lo1, hi1), (lo2, hi2) = self.bounds
        if not (lo1 <= a1 <= hi1 and lo2 <= a2 <= hi2):
            return "boundary"
        if period > self.max_period:
            return "large period"
        if period <= 0:
            return "period not positive"
        if self.closes(z):
            return "closed"
        return ""

    def key(self, z) -> np.ndarray:
        return np.array([z[-2], z[-1], self.unpack(z)[1]])

    def closes(self, z) -> bool:
        """Whether the step from the last point passes the start again (an
        isola: the curve is closed), in (a1, a2, T)."""
        if self.origin is None or self.last is None or self.steps < LOOP_STEPS:
            return False
        d = self.key(z) - self.last
        length = np.linalg.norm(d)
        if length == 0:
            return False
        s = np.clip((self.origin - self.last) @ d / length**2, 0.0, 1.0)
        gap = np.linalg.norm(self.last + s * d - self.origin)
        return bool(gap < LOOP_TOL * length)

    def accepted(self, z, t, aux):
        self.steps += 1
        self.last = self.key(z)
        if self.adapt_every and self.steps % self.adapt_every == 0:
            zc, tc = self.cyc.remesh(self._set(z), t[:-1])
            z_new = np.append(zc, z[-1])
            t_new = np.append(tc, t[-1])
            self.fresh_borders(z_new)
            return z_new, t_new
        _, v, w = self.bordered(z)
        self.c = v / np.linalg.norm(v)
        self.b = w / np.linalg.norm(w)
        self.cyc.set_reference(self.unpack(z)[0])
        self._cache = (None, None)
        return z, t


def multiplier_residual(kind: str, mu: np.ndarray) -> float:
    """PD: min |mu + 1|; LPC: distance from +1 of the multiplier next to the
    trivial one (the one closest to +1)."""
    if kind == "PD":
        return float(np.min(np.abs(mu + 1)))
    d = np.sort(np.abs(mu - 1))
    return float(d[1])


@dataclass
class CycleCurve:
    kind: str  # "LPC" or "PD"
    rows: list[dict]
    start: SpecialPoint  # the seed refined on the two-parameter system
    status: str
    n_steps: int = 0
    marked: list[dict] = field(default_factory=list)  # rows at the marks


def start_cycle_curve(kind: str, system: System, names, values: dict, x0, period,
                      bounds, ntst: int = NTST, ncol: int = NCOL,
                      max_period: float = np.inf,
                      settings: Settings | None = None, marks=()):  # fmt: skip
    """A curve problem and a point on it near the cycle through x0.

    `values` holds both parameters (names[0] at the one-parameter LPC/PD
    value, names[1] fixed). The orbit from x0 over `period` seeds the mesh;
    Newton on the full defining system with names[1] pinned refines the
    point (names[0], u, T), once on a uniform mesh and again after one mesh
    adaptation. Returns (problem, z).
    """
    settings = settings or Settings(ds=0.05, ds_max=0.5, newton_tol=1e-9)
    ks = [system.index(names[0]), system.index(names[1])]
    p = system.with_values(values)
    mesh = Mesh(np.linspace(0, 1, ntst + 1), ncol)
    u = sample_orbit(system, p, x0, period, mesh.nodes())
    mesh = Mesh(adapted_edges(mesh, u), ncol)
    u = sample_orbit(system, p, x0, period, mesh.nodes())
    problem = CycleBifurcationCurve(kind, system, p, ks, mesh, u, bounds, names,
                                    max_period, marks=marks)  # fmt: skip
    z = np.concatenate([u.ravel(), [period], p[ks]])
    pin = np.zeros(z.size)
    pin[-1] = 1.0
    for attempt in range(2):
        problem.fresh_borders(z)
        z_new, _ = correct(problem, z, pin, settings)
        if z_new is None:
            raise RuntimeError(
                f"no {kind} point near {names[0]} = {p[ks[0]]:.6g} at "
                f"{names[1]} = {p[ks[1]]:.6g}"
            )
        z = z_new
        if attempt == 0:
            zc, _ = problem.cyc.remesh(z[:-1], np.zeros(z.size - 1))
            z = np.append(zc, z[-1])
            problem.cyc.set_reference(problem.unpack(z)[0])
    problem.fresh_borders(z)
    problem.cyc.set_reference(problem.unpack(z)[0])
    problem.origin = problem.last = problem.key(z)
    return problem, z


def continue_cycle_curve(kind: str, system: System, names, values: dict, x0, period,
                         bounds, ntst: int = NTST, ncol: int = NCOL,
                         max_period: float = np.inf,
                         settings: Settings | None = None,
                         marks=()) -> CycleCurve:  # fmt: skip
    """The LPC or PD curve through the seed (x0, period) at `values`, followed
    both ways in (names[0], names[1]) inside `bounds`; the points where
    names[1] equals one of `marks` are located and returned in `marked`."""
    settings = settings or CURVE_SETTINGS
    problem, z0 = start_cycle_curve(kind, system, names, values, x0, period,
                                    bounds, ntst, ncol, max_period, settings,
                                    marks)  # fmt: skip
    start = _start_point(problem, z0)
    saved = problem.snapshot()
    rows, statuses, steps, marked = [], [], 0, []
    for sign in (1.0, -1.0):
        problem.restore(saved)
        t0 = np.zeros(z0.size)
        t0[-1] = sign
        curve = continue_curve(problem, z0, t0, settings)
        marked += [event.info for event in curve.events]
        # the second run starts where the first did: drop its start row
        part = curve.rows if sign > 0 else curve.rows[:0:-1]
        rows = rows + part if sign > 0 else part + rows
        statuses.append(curve.status)
        steps += curve.n_steps
        if curve.status == "closed":
            break
    log.info("%s curve through %s: %d points, status %s", kind, values, len(rows),
             "/".join(statuses))  # fmt: skip
    return CycleCurve(kind, rows, start, "/".join(statuses), steps, marked)


def _start_point(problem: CycleBifurcationCurve, z) -> SpecialPoint:
    u, period, a1, a2 = problem.unpack(z)
    mu = problem.multipliers(z)
    point = SpecialPoint(
        problem.kind,
        {problem.names[0]: float(a1), problem.names[1]: float(a2)},
        u[0].copy(),
        multiplier_residual(problem.kind, mu),
        period=float(period),
        frequency_hz=problem.system.frequency_hz(period),
    )
    point.extra.update(curve=f"{problem.kind} curve", multipliers=mu)
    return point
