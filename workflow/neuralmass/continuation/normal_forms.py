"""Normal-form coefficients at codimension-one points of equilibria.

Multilinear forms of f at an equilibrium x (derivatives by central
differences of the Jacobian, `System.hessian_tensor`, `System.third_tensor`):

    B(u, v)_i    = sum_jk  d^2 f_i / dx_j dx_k  u_j v_k
    C(u, v, w)_i = sum_jkl d^3 f_i / dx_j dx_k dx_l  u_j v_k w_l

First Lyapunov coefficient at a Hopf point with A q = i omega q,
A^T p = -i omega p, <q, q> = 1, <p, q> = 1 and <a, b> = conj(a)^T b
(Kuznetsov 2004, Elements of Applied Bifurcation Theory, eq. 3.20):

    l1 = Re[ <p, C(q, q, conj q)> - 2 <p, B(q, A^-1 B(q, conj q))>
             + <p, B(conj q, (2 i omega - A)^-1 B(q, q))> ] / (2 omega)

l1 < 0: supercritical (a stable cycle is born), l1 > 0: subcritical. With
this normalisation x' = a x - omega y + s x (x^2 + y^2), y' = omega x + a y
+ s y (x^2 + y^2) has l1 = 2 s / omega (units: 1 / (time x state^2)).

Fold coefficient (Kuznetsov eq. 3.7 up to the sign of v): A v = 0, A^T w = 0,
<v, v> = 1, <w, v> = 1, a = <w, B(v, v)> / 2; a = 0 at a cusp point.
"""

from __future__ import annotations

import numpy as np

from neuralmass.continuation.system import System


def bilinear(h: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.einsum("ijk,j,k->i", h, u, v)


def trilinear(t: np.ndarray, u, v, w) -> np.ndarray:
    return np.einsum("ijkl,j,k,l->i", t, u, v, w)


def hopf_vectors(a: np.ndarray, omega: float | None = None):
    """q, p and omega of the pair of A closest to the imaginary axis.

    With `omega` given, the eigenvalue closest to i omega is taken.
    """
    values, right = np.linalg.eig(a)
    if omega is None:
        upper = np.flatnonzero(values.imag > 0)
        if upper.size == 0:
            raise ValueError("hopf_vectors: A has no complex pair")
        k = upper[np.argmin(np.abs(values[upper].real))]
    else:
        k = int(np.argmin(np.abs(values - 1j * abs(omega))))
    lam = values[k]
    q = right[:, k] / np.linalg.norm(right[:, k])
    values_t, left = np.linalg.eig(a.T)
    j = int(np.argmin(np.abs(values_t - np.conj(lam))))
    p = left[:, j]
    p = p / np.conj(np.vdot(p, q))  # now vdot(p, q) = conj(p) . q = 1
    return q, p, float(lam.imag), lam


def first_lyapunov(system: System, x: np.ndarray, p: np.ndarray) -> float:
    """l1 at a Hopf point (x, p) of `system` (see the module docstring)."""
    a = system.jacobian(x, p)
    q, pv, omega, _ = hopf_vectors(a)
    h = system.hessian_tensor(x, p)
    t = system.third_tensor(x, p)
    qb = np.conj(q)

    def b(u, v):
        return np.einsum("ijk,j,k->i", h, u, v)

    c = np.einsum("ijkl,j,k,l->i", t, q, q, qb)
    r11 = np.linalg.solve(a, b(q, qb))
    r20 = np.linalg.solve(2j * omega * np.eye(a.shape[0]) - a, b(q, q))
    value = np.vdot(pv, c) - 2 * np.vdot(pv, b(q, r11)) + np.vdot(pv, b(qb, r20))
    return float(value.real / (2 * omega))


def fold_vectors(a: np.ndarray):
    """Right and left null vectors of A (smallest |eigenvalue|), <w, v> = 1."""
    values, right = np.linalg.eig(a)
    k = int(np.argmin(np.abs(values)))
    v = np.real(right[:, k])
    v /= np.linalg.norm(v)
    values_t, left = np.linalg.eig(a.T)
    j = int(np.argmin(np.abs(values_t)))
    w = np.real(left[:, j])
    return v, w / (w @ v), float(values[k].real)


def fold_coefficient(system: System, x: np.ndarray, p: np.ndarray) -> float:
    """a = <w, B(v, v)> / 2 at a fold (x, p); its zero marks a cusp."""
    v, w, _ = fold_vectors(system.jacobian(x, p))
    return float(w @ bilinear(system.hessian_tensor(x, p), v, v) / 2)
