"""Limit cycles by orthogonal collocation, with Floquet multipliers and LPC,
PD and NS points.

A cycle of period T is u(tau) = x(T tau), tau in [0, 1], on a mesh of `ntst`
intervals with `ncol` Gauss-Legendre collocation points each (Ascher,
Christiansen and Russell 1979; Doedel, Keller and Kernevez 1991, as in
AUTO). On interval j of length h_j, u is the polynomial of degree ncol
through ncol + 1 equally spaced nodes; unknowns are the values at all
ntst * ncol + 1 nodes, T and the free parameter a. Equations:

    collocation   u'(zeta_jk) - T h_j f(u(zeta_jk); a) = 0   (scaled by h_j)
    periodicity   u(0) - u(1) = 0
    phase         int_0^1 <u(tau), u_ref'(tau)> dtau = 0

with u_ref the previous point of the branch (integral phase condition). The
sparse Jacobian goes to `scipy.sparse.linalg.splu`. The arclength norm
weights nodal values by their quadrature weights (an L2 norm of the orbit).

Floquet multipliers: condensing each interval's collocation equations gives
its transition matrix, and their product is the monodromy matrix M; the
same maps give the variational solution at the nodes, used to switch to the
doubled cycle at a period doubling.

Test functions: LPC t_a; PD det(M + I); NS prod_{i<j} (mu_i mu_j - 1) over
the non-trivial multipliers (zero also at neutral saddle cycles, which are
discarded). Points are located by regula falsi in arclength (`core`), so
located on their defining condition, and reported with its residual.

Mesh adaptation (every `adapt_every` steps) equidistributes
|u^(ncol+1)|^(1/(ncol+1)), the derivative estimated from jumps of u^(ncol)
between neighbouring intervals, as AUTO does.

A branch stops (status) where the parameter leaves its bounds ("boundary"),
where the orbit shrinks onto a Hopf point or a doubled orbit onto its
primary ("reached a Hopf point", "reached a period doubling"), where it
winds into a homoclinic orbit to a saddle ("homoclinic": the period has
doubled within a tiny parameter window and a saddle lies next to the orbit,
`CycleProblem.approaching_homoclinic`), or where the period exceeds
max_period ("large period": a SNIC, or a homoclinic approach too slow for
that test), or where it stops moving ("stalled", `CycleProblem.stalled`).
Without the homoclinic stop a branch goes on winding at a fixed parameter
value, through spurious LPC and PD points, until it stalls or reaches
max_points.

Shortcomings: cycles whose multipliers span more than ~1e14 lose the small
ones to rounding in the product of transition matrices (a periodic Schur
decomposition would lift this). LPC and PD curves in two parameters are in
`cycle_curves`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from neuralmass.continuation.core import (
    CurveProblem,
    Settings,
    continue_curve,
    correct,
)
from neuralmass.continuation.equilibria import ConvergenceError, SpecialPoint, newton
from neuralmass.continuation.normal_forms import hopf_vectors
from neuralmass.continuation.system import System

log = logging.getLogger(__name__)

NTST = 100  # mesh intervals (the study's AUTO setting)
NCOL = 7  # collocation points per interval
ADAPT_EVERY = 3  # steps between mesh adaptations (AUTO's IAD)
OVERSAMPLE = 4  # evaluation points per node gap for max/min of the orbit
UNIT_TOL = 1e-6  # |1 - |mu|| of a critical NS pair accepted as on the circle
MIN_STEPS = 5  # steps before a shrinking orbit may stop the branch
HOPF_SHRINK = 0.5  # stop where the amplitude falls below this x the start one
ZERO_IMAG = 1e-6  # |Im mu| above which a multiplier counts as complex
# Homoclinic approach: the period has grown HC_GROWTH-fold while the parameter
# stayed within HC_WINDOW x the parameter range the branch has covered...
HC_GROWTH = 2.0
HC_WINDOW = 1e-2
# ...and a saddle equilibrium lies within HC_NEAR x the orbit's amplitude of
# the orbit's slowest point (none does near a SNIC: its saddle-node is gone).
HC_NEAR = 0.1
# A branch whose parameter and period together moved by less than STALL_TOL
# (relative) over its last STALL_POINTS points makes no progress: it stops
# ("stalled") instead of running on to max_points
STALL_POINTS = 25
STALL_TOL = 1e-5


# ---- mesh and polynomial tables ---------------------------------------------
def lagrange_tables(ncol: int, points: np.ndarray):
    """Values and derivatives of the Lagrange basis on ncol + 1 equally
    spaced nodes of [0, 1] at `points`; shapes (len(points), ncol + 1)."""
    nodes = np.linspace(0.0, 1.0, ncol + 1)
    m = ncol + 1
    val = np.ones((points.size, m))
    der = np.zeros((points.size, m))
    for i in range(m):
        others = np.delete(nodes, i)
        denom = np.prod(nodes[i] - others)
        val[:, i] = np.prod(points[:, None] - others[None, :], axis=1) / denom
        for k in range(m - 1):
            rest = np.delete(others, k)
            der[:, i] += np.prod(points[:, None] - rest[None, :], axis=1) / denom
    return val, der


def lagrange_values(ncol: int, points: np.ndarray) -> np.ndarray:
    """Lagrange basis on ncol + 1 equally spaced nodes of [0, 1] at points."""
    nodes = np.linspace(0.0, 1.0, ncol + 1)
    diff = points[:, None] - nodes[None, :]  # (P, m+1)
    denom = nodes[:, None] - nodes[None, :]
    np.fill_diagonal(denom, 1.0)
    out = np.empty((points.size, ncol + 1))
    for i in range(ncol + 1):
        factors = np.delete(diff, i, axis=1)
        out[:, i] = np.prod(factors, axis=1) / np.prod(np.delete(denom[i], i))
    return out


@dataclass
class Mesh:
    """Interval edges tau_j (ntst + 1,) and the collocation tables."""

    edges: np.ndarray
    ncol: int

    def __post_init__(self):
        z, w = np.polynomial.legendre.leggauss(self.ncol)
        self.zeta = (z + 1) / 2
        self.gauss_weights = w / 2
        self.val, self.der = lagrange_tables(self.ncol, self.zeta)

    @property
    def ntst(self) -> int:
        return self.edges.size - 1

    @property
    def h(self) -> np.ndarray:
        return np.diff(self.edges)

    @property
    def n_nodes(self) -> int:
        return self.ntst * self.ncol + 1

    def nodes(self) -> np.ndarray:
        local = np.linspace(0, 1, self.ncol + 1)[:-1]
        tau = (self.edges[:-1, None] + self.h[:, None] * local[None, :]).ravel()
        return np.append(tau, 1.0)

    def node_weights(self) -> np.ndarray:
        """Trapezoidal weights of the nodes (sum 1)."""
        tau = self.nodes()
        w = np.zeros(tau.size)
        d = np.diff(tau)
        w[:-1] += d / 2
        w[1:] += d / 2
        return w

    def blocks(self, u: np.ndarray) -> np.ndarray:
        """Nodal values per interval, shape (ntst, ncol + 1, n)."""
        j = np.arange(self.ntst)[:, None] * self.ncol + np.arange(self.ncol + 1)
        return u[j]

    def evaluate(self, u: np.ndarray, tau: np.ndarray) -> np.ndarray:
        """The piecewise polynomial u at the times tau in [0, 1]."""
        tau = np.clip(np.asarray(tau, float), 0.0, 1.0)
        j = np.clip(
            np.searchsorted(self.edges, tau, side="right") - 1, 0, self.ntst - 1
        )
        s = (tau - self.edges[j]) / self.h[j]
        val = lagrange_values(self.ncol, s)
        return np.einsum("pi,pin->pn", val, self.blocks(u)[j])

    def sample(self, u: np.ndarray, per_interval: int) -> np.ndarray:
        """u at `per_interval` equally spaced times in each interval (and 1)."""
        s = np.linspace(0.0, 1.0, per_interval + 1)[:-1]
        val = lagrange_values(self.ncol, s)
        inner = np.einsum("pi,jin->jpn", val, self.blocks(u)).reshape(-1, u.shape[1])
        return np.vstack([inner, u[-1:]])


def adapted_edges(mesh: Mesh, u: np.ndarray, ntst: int | None = None) -> np.ndarray:
    """New mesh edges equidistributing |u^(m+1)|^(1/(m+1)) (AUTO's rule)."""
    m = mesh.ncol
    ntst = ntst or mesh.ntst
    blocks = mesh.blocks(u)
    # m-th derivative of each interval's polynomial: m-th difference / step^m
    diff = blocks.copy()
    for _ in range(m):
        diff = np.diff(diff, axis=1)
    step = mesh.h / m
    dm = diff[:, 0, :] / step[:, None] ** m
    h = mesh.h
    jump = np.roll(dm, -1, axis=0) - dm  # between interval j and j + 1 (periodic)
    spacing = (h + np.roll(h, -1)) / 2
    at_edges = np.linalg.norm(jump, axis=1) / spacing  # at edge j + 1
    per_interval = 0.5 * (at_edges + np.roll(at_edges, 1))
    density = per_interval ** (1.0 / (m + 1))
    density = np.maximum(density, 1e-3 * max(density.max(), 1e-300))
    cumulative = np.concatenate([[0.0], np.cumsum(density * h)])
    cumulative /= cumulative[-1]
    edges = np.interp(np.linspace(0, 1, ntst + 1), cumulative, mesh.edges)
    edges[0], edges[-1] = 0.0, 1.0
    return edges


# ---- the collocation problem --------------------------------------------------
class CycleProblem(CurveProblem):
    """Periodic orbits of `system` in parameter k; z = (u.ravel(), T, a)."""

    test_names = ("LPC", "PD", "NS")
    # COLAMD fills in badly with the dense phase and arclength rows
    permc_spec = "MMD_AT_PLUS_A"

    def __init__(self, system: System, p, k: int, mesh: Mesh, u_ref, bounds,
                 max_period: float, adapt_every: int = ADAPT_EVERY,
                 user_values=()):  # fmt: skip
        self.system, self.p, self.k = system, p.copy(), k
        self.user_values = tuple(user_values)
        self.name = system.parameters[k]
        self.bounds = bounds
        self.max_period = max_period
        self.adapt_every = adapt_every
        self.n = system.n
        self.set_mesh(mesh, u_ref)
        self.steps = 0
        self.min_amplitude = 0.0  # stop when the orbit shrinks below this
        self.min_separation = 0.0  # stop when u(tau + 1/2) comes this close
        self.homoclinic_growth = HC_GROWTH  # 0 turns the homoclinic stop off
        self.history: list[tuple[float, float]] = []  # (a, T) of stored points
        self.saddle: np.ndarray | None = None  # the saddle of a homoclinic stop
        self.n_saddle_checks = 0  # Newton searches for that saddle (cost)

    # ---- structure ----------------------------------------------------------
    def set_mesh(self, mesh: Mesh, u_ref):
        self.mesh = mesh
        n, m, ntst = self.n, mesh.ncol, mesh.ntst
        self.size = mesh.n_nodes * n + 2
        w = np.repeat(mesh.node_weights(), n)
        self.weights = np.concatenate([w, [1.0, 1.0]])
        # sparsity of the collocation block: rows (j, k, r), columns (j, i, c)
        j, k, i, r, c = np.meshgrid(
            np.arange(ntst), np.arange(m), np.arange(m + 1), np.arange(n),
            np.arange(n), indexing="ij",
        )  # fmt: skip
        self._rows = ((j * m + k) * n + r).ravel()
        self._cols = ((j * m + i) * n + c).ravel()
        self.set_reference(u_ref)

    def set_reference(self, u_ref):
        """Phase row from the reference orbit u_ref (n_nodes, n)."""
        mesh = self.mesh
        blocks = mesh.blocks(u_ref)  # (ntst, m+1, n)
        du = np.einsum("ki,jin->jkn", mesh.der, blocks) / mesh.h[:, None, None]
        # int <u, du_ref> = sum_j h_j sum_k w_k sum_i val[k, i] <u_ji, du_ref_jk>
        coef = np.einsum(
            "j,k,ki,jkn->jin", mesh.h, mesh.gauss_weights, mesh.val, du
        )  # per interval node
        row = np.zeros((mesh.n_nodes, self.n))
        idx = mesh.blocks(np.arange(mesh.n_nodes)[:, None])[..., 0]  # (ntst, m+1)
        np.add.at(row, idx.ravel(), coef.reshape(-1, self.n))
        self.phase_row = row.ravel()

    def unpack(self, z):
        nn = self.mesh.n_nodes * self.n
        return z[:nn].reshape(-1, self.n), z[nn], z[nn + 1]

    def params(self, a):
        p = self.p.copy()
        p[self.k] = a
        return p

    def collocation_states(self, u):
        """u at the collocation points, (ntst, m, n), and their derivative."""
        blocks = self.mesh.blocks(u)
        x = np.einsum("ki,jin->jkn", self.mesh.val, blocks)
        dx = np.einsum("ki,jin->jkn", self.mesh.der, blocks)
        return x, dx

    # ---- F and F_z ----------------------------------------------------------
    def residual(self, z):
        u, period, a = self.unpack(z)
        p = self.params(a)
        x, dx = self.collocation_states(u)
        ntst, m, n = x.shape
        f = self.system.f(x.reshape(-1, n), p).reshape(ntst, m, n)
        colloc = dx - period * self.mesh.h[:, None, None] * f
        return np.concatenate(
            [colloc.ravel(), u[0] - u[-1], [self.phase_row @ u.ravel()]]
        )

    def jacobian(self, z):
        u, period, a = self.unpack(z)
        p = self.params(a)
        mesh, n = self.mesh, self.n
        x, _ = self.collocation_states(u)
        ntst, m, _ = x.shape
        flat = x.reshape(-1, n)
        jac = self.system.jac(flat, p).reshape(ntst, m, n, n)
        f = self.system.f(flat, p).reshape(ntst, m, n)
        fa = self.system.param_derivative(flat, p, self.k).reshape(ntst, m, n)
        h = mesh.h
        eye = np.eye(n)
        blocks = (
            mesh.der[None, :, :, None, None] * eye
            - (period * h)[:, None, None, None, None]
            * mesh.val[None, :, :, None, None]
            * jac[:, :, None, :, :]
        )  # (ntst, m, m+1, n, n)
        n_colloc = ntst * m * n
        n_cols = self.size
        nn = mesh.n_nodes * n
        rows = [self._rows]
        cols = [self._cols]
        vals = [blocks.ravel()]
        colloc_rows = np.arange(n_colloc)
        rows += [colloc_rows, colloc_rows]
        cols += [np.full(n_colloc, nn), np.full(n_colloc, nn + 1)]
        vals += [
            (-h[:, None, None] * f).ravel(),
            (-period * h[:, None, None] * fa).ravel(),
        ]
        per = n_colloc + np.arange(n)
        rows += [per, per]
        cols += [np.arange(n), nn - n + np.arange(n)]
        vals += [np.ones(n), -np.ones(n)]
        rows.append(np.full(nn, n_colloc + n))
        cols.append(np.arange(nn))
        vals.append(self.phase_row)
        return sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_colloc + n + 1, n_cols),
        )

    # ---- Floquet multipliers ------------------------------------------------
    def transition_maps(self, z):
        """Per interval, the nodal variational solution from its first node:
        R (ntst, m, n, n) with y_(j, i) = R[j, i-1] y_(j, 0), i = 1..m."""
        u, period, a = self.unpack(z)
        p = self.params(a)
        mesh, n = self.mesh, self.n
        x, _ = self.collocation_states(u)
        ntst, m, _ = x.shape
        jac = self.system.jac(x.reshape(-1, n), p).reshape(ntst, m, n, n)
        eye = np.eye(n)
        blocks = (
            mesh.der[None, :, :, None, None] * eye
            - (period * mesh.h)[:, None, None, None, None]
            * mesh.val[None, :, :, None, None]
            * jac[:, :, None, :, :]
        )  # rows (k, r), columns (i, c)
        a0 = blocks[:, :, 0].transpose(0, 1, 2, 3).reshape(ntst, m * n, n)
        rest = blocks[:, :, 1:].transpose(0, 1, 3, 2, 4).reshape(ntst, m * n, m * n)
        maps = -np.linalg.solve(rest, a0)  # (ntst, m n, n)
        return maps.reshape(ntst, m, n, n)

    def monodromy(self, z) -> np.ndarray:
        maps = self.transition_maps(z)
        out = np.eye(self.n)
        for j in range(maps.shape[0]):
            out = maps[j, -1] @ out
        return out

    def multipliers(self, z) -> np.ndarray:
        mu = np.linalg.eigvals(self.monodromy(z))
        return mu[np.argsort(-np.abs(mu))]

    # ---- hooks of the continuation ------------------------------------------
    def auxiliary(self, z, t):
        mu = self.multipliers(z)
        trivial = int(np.argmin(np.abs(mu - 1)))
        return {"mu": mu, "others": np.delete(mu, trivial)}

    def tests(self, z, t, aux):
        mu, others = aux["mu"], aux["others"]
        i, j = np.triu_indices(others.size, 1)
        ns = others[i] * others[j] - 1
        out = {
            "LPC": float(t[-1]),
            "PD": float(np.prod(mu + 1).real),
            "NS": float(np.prod(ns / np.maximum(1, np.abs(ns))).real),
        }
        for i, value in enumerate(self.user_values):
            out[f"UZ{i}"] = float(z[-1] - value)
        return out

    def on_event(self, event):
        return cycle_special_point(self, event)

    def consistent(self, aux_old, aux_new, changed):
        d = abs(n_unstable(aux_new["others"]) - n_unstable(aux_old["others"]))
        if not changed:
            return d == 0
        if "NS" in changed:
            return d in (0, 2)
        return d == 1

    def row(self, z, t, aux):
        # called once per stored point (core.continue_curve), so it also
        # keeps the (a, T) history that the homoclinic test reads
        u, period, a = self.unpack(z)
        self.history.append((float(a), float(period)))
        return cycle_row(self, u, period, a, aux["mu"], aux["others"])

    def outside(self, z):
        return self.stop_reason(z) != ""

    def stop_reason(self, z):
        u, period, a = self.unpack(z)
        lo, hi = self.bounds
        if not lo <= a <= hi:
            return "boundary"
        if period <= 0:
            return "period not positive"
        if self.homoclinic_growth and self.approaching_homoclinic(u, period, a):
            return "homoclinic"
        if period > self.max_period:
            return "large period"
        if self.stalled(period, a):
            return "stalled"
        if self.min_amplitude and self.steps > MIN_STEPS:
            if self.amplitude(u) < self.min_amplitude:
                return "reached a Hopf point"
        if self.min_separation and self.steps > MIN_STEPS:
            if self.half_period_separation(u) < self.min_separation:
                return "reached a period doubling"
        return ""

    def approaching_homoclinic(self, u, period, a) -> bool:
        """Whether the branch winds into a homoclinic orbit at (u, T, a).

        Near a homoclinic orbit to a saddle with leading eigenvalue lambda,
        T ~ -log|a - a_hom| / lambda: the period doubles while a moves by
        about |a - a_hom| itself, exponentially little, and the orbit passes
        ever closer to the saddle. The test: (1) since the last stored point
        with period at most T / HC_GROWTH, a has stayed within HC_WINDOW x
        the parameter range of the whole branch; (2) Newton from the slowest
        node of the orbit converges to an equilibrium within HC_NEAR x the
        orbit's amplitude of it, and that equilibrium is a saddle (real parts
        of both signs). Near a SNIC (1) holds too, T ~ |a - a_sn|^(-1/2),
        but (2) fails: there the saddle-node has vanished, only its ghost
        slows the orbit. The saddle found is kept in `self.saddle`.

        Left to max_period: a homoclinic orbit to a saddle-node (a SNIC), and
        branches whose period grows slowly over a wide parameter range.
        """
        if len(self.history) < MIN_STEPS:
            return False
        values = np.array([h[0] for h in self.history] + [a])
        periods = np.array([h[1] for h in self.history] + [period])
        below = np.flatnonzero(periods <= period / self.homoclinic_growth)
        if below.size == 0:
            return False
        recent = values[below[-1] :]
        span = np.ptp(values)
        if span == 0 or np.ptp(recent) > HC_WINDOW * span:
            return False
        saddle = self.nearby_saddle(u, a)
        if saddle is None:
            return False
        self.saddle = saddle
        return True

    def stalled(self, period, a) -> bool:
        """Whether (a, T) moved by less than STALL_TOL over STALL_POINTS points.

        Seen on doubled branches started from period doublings whose -1
        multiplier is known only to ~1e-6 (next to a homoclinic orbit): the
        steps shrink to nothing, at one parameter value and period, each
        with spurious neutral-saddle sign changes of the NS test. The special
        points located over those last points are dropped (`_run`): they sit
        at the stall with residuals up to 1.
        """
        if len(self.history) < STALL_POINTS:
            return False
        last = self.history[-STALL_POINTS:] + [(a, period)]
        values, periods = np.array(last).T
        change = np.ptp(values) / (1 + abs(a)) + np.ptp(periods) / abs(period)
        return bool(change < STALL_TOL)

    def nearby_saddle(self, u, a) -> np.ndarray | None:
        """A saddle equilibrium near the slowest node of the orbit u, or None.

        Newton at parameter a from the node where |f(u)| is least; accepted
        when it converges within HC_NEAR x the amplitude of that node and the
        Jacobian there has eigenvalues with real parts of both signs.
        """
        self.n_saddle_checks += 1
        p = self.params(a)
        speed = np.linalg.norm(self.system.f(u, p), axis=1)
        start = u[int(np.argmin(speed))]
        try:
            x = newton(self.system, p, start)
        except (ConvergenceError, np.linalg.LinAlgError):
            return None
        if np.linalg.norm(x - start) > HC_NEAR * self.amplitude(u):
            return None
        real = np.linalg.eigvals(self.system.jacobian(x, p)).real
        return x if real.max() > 0 and real.min() < 0 else None

    def half_period_separation(self, u):
        """L2 distance between u(tau) and u(tau + 1/2): zero on a doubled
        cycle that has become the primary one traversed twice."""
        tau = self.mesh.nodes()
        shifted = self.mesh.evaluate(u, (tau + 0.5) % 1.0)
        w = self.mesh.node_weights()[:, None]
        return float(np.sqrt(np.sum(w * (u - shifted) ** 2)))

    def amplitude(self, u):
        """L2 distance of the orbit from its mean."""
        w = self.mesh.node_weights()[:, None]
        mean = np.sum(w * u, axis=0)
        return float(np.sqrt(np.sum(w * (u - mean) ** 2)))

    def accepted(self, z, t, aux):
        u, _, _ = self.unpack(z)
        self.steps += 1
        if self.adapt_every and self.steps % self.adapt_every == 0:
            z_new, t_new = self.remesh(z, t)
            return z_new, t_new
        self.set_reference(u)
        return z, t

    def remesh(self, z, t, edges=None):
        """Move (z, t) to an adapted mesh (or to `edges`)."""
        u, period, a = self.unpack(z)
        du, dperiod, da = self.unpack(t)
        old = self.mesh
        mesh = Mesh(adapted_edges(old, u) if edges is None else edges, old.ncol)
        tau = mesh.nodes()
        u_new = old.evaluate(u, tau)
        du_new = old.evaluate(du, tau)
        self.set_mesh(mesh, u_new)
        return (
            np.concatenate([u_new.ravel(), [period, a]]),
            np.concatenate([du_new.ravel(), [dperiod, da]]),
        )


def n_unstable(mu: np.ndarray) -> int:
    return int(np.sum(np.abs(mu) > 1))


def cycle_row(problem: CycleProblem, u, period, a, mu, others) -> dict:
    mesh = problem.mesh
    orbit = mesh.sample(u, OVERSAMPLE * mesh.ncol)
    weights = mesh.node_weights()
    return {
        problem.name: float(a),
        "period": float(period),
        "x": u[0].copy(),
        "max": orbit.max(axis=0),
        "min": orbit.min(axis=0),
        "norm": float(np.sqrt(np.sum(weights[:, None] * u**2))),
        "max_signal": float(np.max(problem.system.signal(orbit))),
        "min_signal": float(np.min(problem.system.signal(orbit))),
        "multipliers": mu,
        "n_unstable": n_unstable(others),
        "stable": bool(np.all(np.abs(others) < 1)),
    }


# ---- branches ---------------------------------------------------------------
@dataclass
class CycleBranch:
    parameter: str
    rows: list[dict]
    special_points: list[SpecialPoint]
    status: str
    problem: CycleProblem
    z: np.ndarray
    t: np.ndarray
    n_rejected: int = 0
    flags: list[str] = field(default_factory=list)
    branch_id: int = 0

    @property
    def values(self):
        return np.array([r[self.parameter] for r in self.rows])

    @property
    def periods(self):
        return np.array([r["period"] for r in self.rows])


def hopf_cycle_start(system: System, p, k, hopf: SpecialPoint, mesh: Mesh, amplitude):
    """Predicted small cycle u = x0 + amplitude Re(q e^(2 pi i tau)) at a Hopf
    point and the direction of growing amplitude, (z0, t0, u_pred)."""
    p = p.copy()
    a0 = hopf.values[system.parameters[k]]
    p[k] = a0
    q, _, omega, _ = hopf_vectors(system.jacobian(hopf.x, p))
    tau = mesh.nodes()
    shape = np.real(q[None, :] * np.exp(2j * np.pi * tau)[:, None])
    w = mesh.node_weights()
    shape /= np.sqrt(np.sum(w[:, None] * shape**2))
    period = 2 * np.pi / omega
    z0 = np.concatenate([np.tile(hopf.x, tau.size), [period, a0]])
    t0 = np.concatenate([shape.ravel(), [0.0, 0.0]])
    return z0, t0, hopf.x[None, :] + amplitude * shape


def continue_cycles_from_hopf(
    system: System,
    parameter: str,
    hopf: SpecialPoint,
    bounds,
    values: dict | None = None,
    settings: Settings | None = None,
    ntst: int = NTST,
    ncol: int = NCOL,
    max_period: float = np.inf,
    branch: int = 0,
    amplitude: float | None = None,
    user_values=(),
) -> CycleBranch:
    """The branch of cycles born at Hopf point `hopf`, within `bounds`.

    Stops where the parameter leaves `bounds`, where the orbit shrinks onto
    another Hopf point, where it winds into a homoclinic orbit to a saddle
    (status "homoclinic") or where the period exceeds `max_period` (model
    time unit; "large period": a SNIC or a homoclinic orbit is near). Points
    at the parameter values `user_values` are located (kind "UZ") so that
    cycles can be read off at chosen values.
    """
    settings = settings or Settings(ds=0.05, ds_max=0.5, newton_tol=1e-9)
    k = system.index(parameter)
    p = system.with_values(values or {})
    mesh = Mesh(np.linspace(0, 1, ntst + 1), ncol)
    amplitude = amplitude or settings.ds
    z0, t0, u_pred = hopf_cycle_start(system, p, k, hopf, mesh, amplitude)
    problem = CycleProblem(
        system, p, k, mesh, u_pred, bounds, max_period, user_values=user_values
    )
    z1, _ = correct(problem, z0 + amplitude * t0, t0, settings)
    if z1 is None:
        raise RuntimeError(
            f"no cycle found near the Hopf point at {parameter} = "
            f"{hopf.values[parameter]:.6g}; try a smaller amplitude"
        )
    problem.set_reference(problem.unpack(z1)[0])
    problem.min_amplitude = HOPF_SHRINK * problem.amplitude(problem.unpack(z1)[0])
    return _run(problem, z1, t0, settings, branch)


def continue_cycles(
    problem: CycleProblem, z, t, settings: Settings, branch: int = 0
) -> CycleBranch:
    return _run(problem, z, t, settings, branch)


def _run(problem, z, t, settings, branch) -> CycleBranch:
    problem.history.clear()
    curve = continue_curve(problem, z, t, settings)
    points = []
    # points located while a branch stalled sit at the stall, residuals ~1
    last = len(curve.rows) - STALL_POINTS - 1 if curve.status == "stalled" else None
    for event in curve.events:
        point = event.info
        if point is not None and (last is None or event.index < last):
            point.branch = branch
            point.extra["index"] = event.index
            points.append(point)
    result = CycleBranch(
        problem.name, curve.rows, points, curve.status, problem, curve.z, curve.t,
        curve.n_rejected,
    )  # fmt: skip
    result.branch_id = branch
    log.info(
        "%s cycles in %s: %d points, %d special, status %s",
        problem.system.name, problem.name, len(curve.rows), len(points), curve.status,
    )  # fmt: skip
    return result


def cycle_special_point(problem: CycleProblem, event) -> SpecialPoint | None:
    u, period, a = problem.unpack(event.z)
    mu = problem.multipliers(event.z)
    trivial = int(np.argmin(np.abs(mu - 1)))
    others = np.delete(mu, trivial)
    system = problem.system
    kind = event.kind
    if kind.startswith("UZ"):
        residual = float(abs(event.test))
    elif kind == "LPC":
        residual = float(np.min(np.abs(others - 1)))
    elif kind == "PD":
        residual = float(np.min(np.abs(mu + 1)))
    else:
        pairs = others[np.abs(others.imag) > ZERO_IMAG]
        if pairs.size == 0:
            log.info("discarded a neutral saddle cycle at %s = %.6g", problem.name, a)
            return None
        residual = float(np.min(np.abs(np.abs(pairs) - 1)))
        if residual > UNIT_TOL:
            return None
    point = SpecialPoint(
        kind,
        {problem.name: float(a)},
        u[0].copy(),
        residual,
        period=float(period),
        frequency_hz=system.frequency_hz(period),
    )
    point.extra.update(multipliers=mu, z=event.z.copy(), t=event.t.copy(),
                       edges=problem.mesh.edges.copy())  # fmt: skip
    if kind == "NS":
        crit = pairs[np.argmin(np.abs(np.abs(pairs) - 1))]
        point.extra["theta"] = float(abs(np.angle(crit)))
    return point


def switch_period_doubling(
    branch: CycleBranch,
    pd: SpecialPoint,
    bounds,
    settings: Settings | None = None,
    max_period: float = np.inf,
    branch_id: int = 0,
    amplitude: float | None = None,
    user_values=(),
) -> CycleBranch:
    """Continue the doubled cycle that bifurcates at period doubling `pd`.

    Along the eigenvector v of M with multiplier -1 the variational
    solution phi satisfies phi(T) = -v, so u on [0, 2T] plus a multiple of
    (phi, -phi) is a periodic perturbation of the doubled orbit; the doubled
    orbit is sought with that predictor and continued on twice the mesh,
    then adapted back to ntst intervals.
    """
    old = branch.problem
    settings = settings or Settings(ds=0.05, ds_max=0.5, newton_tol=1e-9)
    mesh = Mesh(pd.extra["edges"], old.mesh.ncol)
    problem = CycleProblem(
        old.system, old.p, old.k, mesh, old.unpack(pd.extra["z"])[0], bounds,
        max_period,
    )  # fmt: skip
    z = pd.extra["z"]
    u, period, a = problem.unpack(z)
    maps = problem.transition_maps(z)
    values, vectors = np.linalg.eig(problem.monodromy(z))
    v = np.real(vectors[:, np.argmin(np.abs(values + 1))])
    phi = [v]
    y = v
    for j in range(mesh.ntst):
        for i in range(mesh.ncol):
            phi.append(maps[j, i] @ y)
        y = phi[-1]
    phi = np.array(phi)

    ntst, m = mesh.ntst, mesh.ncol
    edges = np.concatenate([mesh.edges / 2, 0.5 + mesh.edges[1:] / 2])
    doubled = Mesh(edges, m)
    u2 = np.concatenate([u, u[1:]])
    phi2 = np.concatenate([phi, -phi[1:]])
    w = doubled.node_weights()
    phi2 /= np.sqrt(np.sum(w[:, None] * phi2**2))
    problem2 = CycleProblem(
        old.system, old.p, old.k, doubled, u2, bounds, max_period,
        user_values=user_values,
    )  # fmt: skip
    z0 = np.concatenate([u2.ravel(), [2 * period, a]])
    t0 = np.concatenate([phi2.ravel(), [0.0, 0.0]])
    amplitude = amplitude or settings.ds
    problem2.set_reference(u2 + amplitude * phi2)
    z1, _ = correct(problem2, z0 + amplitude * t0, t0, settings)
    if z1 is None:
        raise RuntimeError(f"no doubled cycle found at {pd.values}")
    edges = adapted_edges(doubled, problem2.unpack(z1)[0], ntst)
    z1, t1 = problem2.remesh(z1, t0, edges)
    start = problem2.half_period_separation(problem2.unpack(z1)[0])
    problem2.min_separation = HOPF_SHRINK * start
    return _run(problem2, z1, t1, settings, branch_id)


def sample_orbit(system: System, p, x0, period: float, tau: np.ndarray) -> np.ndarray:
    """The orbit from x0 at the times tau * period (DOP853, tight tolerances)."""
    from scipy.integrate import solve_ivp

    run = solve_ivp(
        lambda t, x: system.f(x[None, :], p)[0],
        (0.0, period),
        np.asarray(x0, float),
        method="DOP853",
        t_eval=tau * period,
        rtol=1e-11,
        atol=1e-13,
    )
    if run.status != 0:
        raise RuntimeError(f"integration of the seed orbit failed: {run.message}")
    return run.y.T


def cycle_from_orbit(
    system: System,
    parameter: str,
    values: dict | None,
    x0,
    period: float,
    bounds,
    ntst: int = NTST,
    ncol: int = NCOL,
    max_period: float = np.inf,
    settings: Settings | None = None,
    user_values=(),
):
    """A CycleProblem and a collocated cycle from a point x0 on an orbit of
    approximate period `period` (e.g. from a simulation): the orbit over one
    period is sampled at the mesh nodes (DOP853), then Newton on the
    collocation system at fixed parameter. Returns (problem, z)."""
    settings = settings or Settings(ds=0.05, ds_max=0.5, newton_tol=1e-9)
    k = system.index(parameter)
    p = system.with_values(values or {})
    mesh = Mesh(np.linspace(0, 1, ntst + 1), ncol)
    u = sample_orbit(system, p, x0, period, mesh.nodes())
    problem = CycleProblem(
        system, p, k, mesh, u, bounds, max_period, user_values=user_values
    )
    z0 = np.concatenate([u.ravel(), [period, p[k]]])
    fixed = np.zeros(z0.size)
    fixed[-1] = 1.0
    z, _ = correct(problem, z0, fixed, settings)
    if z is None:
        raise RuntimeError(
            f"collocation did not converge from the orbit at {parameter} = {p[k]}"
        )
    problem.set_reference(problem.unpack(z)[0])
    return problem, z


def tangent_direction(problem: CycleProblem, z, sign: float = 1.0):
    """A start direction along increasing (sign > 0) parameter."""
    t = np.zeros(z.size)
    t[-1] = np.sign(sign) or 1.0
    return t
