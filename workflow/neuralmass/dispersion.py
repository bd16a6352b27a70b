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


CHEBYSHEV_DEGREE = 12  # M(Lambda) is entire: degree 12 gives ~1e-16 here
CHEBYSHEV_TOL = 1e-11  # largest last coefficient, relative, accepted


def floquet_exponents_interpolated(
    model: Model,
    p: np.ndarray,
    cycle: Cycle,
    lambdas: np.ndarray,
    n_steps: int = STEPS_PER_PERIOD,
    degree: int = CHEBYSHEV_DEGREE,
) -> Dispersion:
    """Floquet exponents of many real modes from few variational integrations.

    The monodromy matrix M(Lambda) solves a linear equation whose coefficients
    are affine in Lambda, so it is an entire function of Lambda: Chebyshev
    interpolation on [min Lambda, max Lambda] converges geometrically. M is
    integrated at degree + 1 Chebyshev points and interpolated at `lambdas`;
    the degree doubles until the last coefficient is below CHEBYSHEV_TOL
    relative to the largest, so the result equals `floquet_exponents` to
    rounding (tested) at a fraction of the cost when there are many modes.
    """
    lambdas = np.asarray(lambdas, dtype=np.float64)
    low, high = lambdas.min(), lambdas.max()
    if high - low < 1e-12 or lambdas.size <= degree + 1:
        return floquet_exponents(model, p, cycle, lambdas, n_steps)
    while True:
        nodes = np.cos(np.pi * (np.arange(degree + 1) + 0.5) / (degree + 1))
        _, monodromies = model.kernels.monodromy(
            cycle.x0, p, cycle.period, n_steps, low + (high - low) * (nodes + 1) / 2
        )
        flat = monodromies.reshape(degree + 1, -1)
        coefficients = np.polynomial.chebyshev.chebfit(nodes, flat, degree)
        scale = np.abs(coefficients).max()
        if np.abs(coefficients[-1]).max() <= CHEBYSHEV_TOL * scale or degree >= 64:
            break
        degree *= 2
    x = 2 * (lambdas - low) / (high - low) - 1
    values = np.polynomial.chebyshev.chebval(x, coefficients).T
    multipliers = np.linalg.eigvals(values.reshape(-1, *monodromies.shape[1:]))
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
