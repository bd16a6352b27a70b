"""Defining systems of folds and Hopf points of equilibria.

Fold (standard extended system, Govaerts 2000, ch. 4), unknowns (x, v, a):

    f(x; a) = 0,   A(x; a) v = 0,   <c, v> - 1 = 0

Hopf, in the form that passes through Bogdanov-Takens points into neutral
saddles (Roose and Hlavacek 1985; kappa = omega^2 at a Hopf point, kappa < 0
at a neutral saddle, kappa = 0 at a BT point), unknowns (x, v, kappa, a):

    f(x; a) = 0,   (A^2 + kappa I) v = 0,   <c, v> - 1 = 0,   <d, v> = 0

v lies in the real two-dimensional invariant subspace of the critical pair;
c and d pick one vector in it. With one free parameter a both systems are
square and Newton refines a point located by a test function; with two they
define curves in the parameter plane (`neuralmass.continuation.two_parameter`).
Jacobians are central differences of the residuals, which only affects the
convergence rate of Newton, not the accuracy of the solution.
"""

from __future__ import annotations

import numpy as np

from neuralmass.continuation.normal_forms import fold_vectors, hopf_vectors
from neuralmass.continuation.system import System

FD_STEP = 1e-7  # relative step of the central differences of a residual
NEWTON_TOL = 1e-11
NEWTON_MAX_ITER = 30


class DefiningError(RuntimeError):
    """Newton on a defining system did not converge."""


def fd_jacobian(fun, z: np.ndarray) -> np.ndarray:
    n = z.size
    f0 = fun(z)
    out = np.empty((f0.size, n))
    for j in range(n):
        h = FD_STEP * max(1.0, abs(z[j]))
        up, down = z.copy(), z.copy()
        up[j] += h
        down[j] -= h
        out[:, j] = (fun(up) - fun(down)) / (2 * h)
    return out


class FoldSystem:
    """z = (x (n), v (n), a (len(ks)))."""

    def __init__(self, system: System, p: np.ndarray, ks, c: np.ndarray):
        self.system, self.p, self.ks, self.c = system, p.copy(), list(ks), c
        self.n = system.n

    def params(self, z):
        p = self.p.copy()
        p[self.ks] = z[2 * self.n :]
        return p

    def split(self, z):
        n = self.n
        return z[:n], z[n : 2 * n], z[2 * n :]

    def residual(self, z):
        x, v, _ = self.split(z)
        p = self.params(z)
        a = self.system.jacobian(x, p)
        return np.concatenate([self.system.rhs(x, p), a @ v, [self.c @ v - 1.0]])

    def jacobian(self, z):
        return fd_jacobian(self.residual, z)


class HopfSystem:
    """z = (x (n), v (n), kappa, a (len(ks)))."""

    def __init__(self, system: System, p, ks, c, d):
        self.system, self.p, self.ks, self.c, self.d = system, p.copy(), list(ks), c, d
        self.n = system.n

    def params(self, z):
        p = self.p.copy()
        p[self.ks] = z[2 * self.n + 1 :]
        return p

    def split(self, z):
        n = self.n
        return z[:n], z[n : 2 * n], z[2 * n], z[2 * n + 1 :]

    def residual(self, z):
        x, v, kappa, _ = self.split(z)
        p = self.params(z)
        a = self.system.jacobian(x, p)
        av = a @ v
        return np.concatenate(
            [
                self.system.rhs(x, p),
                a @ av + kappa * v,
                [self.c @ v - 1.0, self.d @ v],
            ]
        )

    def jacobian(self, z):
        return fd_jacobian(self.residual, z)

    def renormalise(self, z):
        """New (c, d) adapted to the current v: c = v / |v|^2, d _|_ v in span."""
        x, v, _, _ = self.split(z)
        a = self.system.jacobian(x, self.params(z))
        self.c, self.d = hopf_normalisation(v, a @ v)


def hopf_normalisation(v: np.ndarray, av: np.ndarray):
    c = v / (v @ v)
    d = av - (av @ v) / (v @ v) * v
    norm = np.linalg.norm(d)
    d = d / norm if norm > 0 else np.roll(c, 1)
    return c, d


def newton_square(fun, jac, z0, where: str) -> np.ndarray:
    z = np.array(z0, dtype=float)
    for _ in range(NEWTON_MAX_ITER):
        g = fun(z)
        dz = np.linalg.solve(jac(z), -g)
        z = z + dz
        if not np.all(np.isfinite(z)):
            break
        if np.max(np.abs(dz)) < NEWTON_TOL * (1 + np.max(np.abs(z))):
            return z
    raise DefiningError(f"Newton on the defining system of {where} did not converge")


def fold_start(system: System, p, x):
    """Initial null vector v of A and c = v, for the fold system."""
    v, _, _ = fold_vectors(system.jacobian(x, p))
    return v, v.copy()


def hopf_start(system: System, p, x):
    """Initial (v, kappa, c, d) for the Hopf system from the critical pair."""
    a = system.jacobian(x, p)
    q, _, omega, lam = hopf_vectors(a)
    v = np.real(q)
    if np.linalg.norm(v) < 1e-3:
        v = np.imag(q)
    v = v / np.linalg.norm(v)
    c, d = hopf_normalisation(v, a @ v)
    return v, float(abs(lam) ** 2), c, d


def refine_fold(system: System, p, k: int, x0, a0):
    """(x, a, v) of a fold in parameter k near (x0, a0)."""
    p = p.copy()
    p[k] = a0
    v, c = fold_start(system, p, x0)
    fs = FoldSystem(system, p, [k], c)
    z = newton_square(
        fs.residual, fs.jacobian, np.concatenate([x0, v, [a0]]), f"a fold of {k}"
    )
    x, v, a = fs.split(z)
    return x, float(a[0]), v


def refine_hopf(system: System, p, k: int, x0, a0):
    """(x, a, omega) of a Hopf point in parameter k near (x0, a0)."""
    p = p.copy()
    p[k] = a0
    v, kappa, c, d = hopf_start(system, p, x0)
    hs = HopfSystem(system, p, [k], c, d)
    z = newton_square(
        hs.residual,
        hs.jacobian,
        np.concatenate([x0, v, [kappa, a0]]),
        f"a Hopf point in {system.parameters[k]}",
    )
    x, _, kappa, a = hs.split(z)
    if kappa <= 0:
        raise DefiningError(f"a neutral saddle, not a Hopf point (kappa = {kappa})")
    return x, float(a[0]), float(np.sqrt(kappa))


def refine_branch_point(residual, jacobian, z0):
    """A simple branch point of F(z) = 0 near z0, by Moore's extended system.

    Unknowns (z, psi, b): F(z) + b psi = 0, F_z(z)^T psi = 0, <psi, psi> = 1;
    b = 0 at the solution. Returns (z, b, smallest singular value of F_z).
    """
    a = np.asarray(jacobian(z0))
    _, _, vt = np.linalg.svd(a.T)
    psi = vt[-1]
    m = z0.size - 1

    def fun(u):
        z, psi, b = u[: m + 1], u[m + 1 : 2 * m + 1], u[-1]
        return np.concatenate(
            [residual(z) + b * psi, np.asarray(jacobian(z)).T @ psi, [psi @ psi - 1]]
        )

    u = newton_square(
        fun,
        lambda u: fd_jacobian(fun, u),
        np.concatenate([z0, psi, [0.0]]),
        "a branch point",
    )
    z = u[: m + 1]
    sv = np.linalg.svd(np.asarray(jacobian(z)), compute_uv=False)
    return z, float(u[-1]), float(sv[-1])
