"""Dispersion relations: growth of non-uniform perturbations against Lambda.

A perturbation of a homogeneous state along an eigenvector of W with
eigenvalue Lambda obeys xi' = J(x(t); Lambda) xi (see kernels_template). For
an equilibrium its growth rate is mu = max Re eig J(x*; Lambda); for a cycle
of period T the Floquet exponents are log(rho) / T for the eigenvalues rho of
the monodromy matrix of that mode. All Lambda values are handled in one call:
one batched eigenvalue problem, or one variational integration along the
cycle for every mode at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuralmass.homogeneous import STEPS_PER_PERIOD, Cycle, Equilibrium
from neuralmass.models import Model


@dataclass
class Dispersion:
    """Exponents of every mode: lambdas (L,), exponents (L, n), 1/time unit.

    `mu` and `mu_im` are the real and imaginary parts of the leading exponent
    of each mode; for a cycle `mu_im` is arg(rho) / T, defined modulo 2 pi / T.
    """

    lambdas: np.ndarray
    exponents: np.ndarray

    @property
    def leading(self) -> np.ndarray:
        return self.exponents[np.arange(len(self.lambdas)), 0]

    @property
    def mu(self) -> np.ndarray:
        return self.leading.real

    @property
    def mu_im(self) -> np.ndarray:
        return self.leading.imag


def _sort_rows(values: np.ndarray) -> np.ndarray:
    order = np.lexsort((-values.imag, -values.real), axis=-1)
    return np.take_along_axis(values, order, axis=-1)


def equilibrium_dispersion(
    model: Model, p: np.ndarray, equilibrium: Equilibrium, lambdas: np.ndarray
) -> Dispersion:
    """Eigenvalues of J(x*; Lambda) for every Lambda (1/time unit)."""
    lambdas = np.asarray(lambdas)
    n = model.n_variables
    jacobians = np.empty((lambdas.size, n, n), dtype=lambdas.dtype)
    model.kernels.mode_jacobians(equilibrium.x, p, lambdas, jacobians)
    return Dispersion(lambdas, _sort_rows(np.linalg.eigvals(jacobians)))


def floquet_exponents(
    model: Model,
    p: np.ndarray,
    cycle: Cycle,
    lambdas: np.ndarray,
    n_steps: int = STEPS_PER_PERIOD,
) -> Dispersion:
    """Floquet exponents log(rho) / T of every mode (1/time unit).

    A multiplier rho = 0 (numerically underflowing) gives -inf.
    """
    lambdas = np.asarray(lambdas)
    if np.isrealobj(lambdas):
        lambdas = lambdas.astype(np.float64)
    _, monodromies = model.kernels.monodromy(
        cycle.x0, p, cycle.period, n_steps, lambdas
    )
    multipliers = np.linalg.eigvals(monodromies)
    with np.errstate(divide="ignore"):
        exponents = np.log(multipliers.astype(complex)) / cycle.period
    return Dispersion(lambdas, _sort_rows(exponents))


def trivial_exponent_error(dispersion: Dispersion) -> float:
    """|exponent nearest 0| of the uniform mode, a measure of the accuracy.

    The uniform mode (Lambda = 1) of a cycle has one exponent exactly 0 (the
    phase shift along the orbit); `dispersion` must contain Lambda = 1.
    """
    uniform = np.flatnonzero(np.abs(dispersion.lambdas - 1.0) < 1e-12)
    if uniform.size == 0:
        raise ValueError("the dispersion relation does not contain Lambda = 1")
    return float(np.min(np.abs(dispersion.exponents[uniform[0]])))
