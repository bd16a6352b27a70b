"""Dispersion relations: growth of non-uniform perturbations against Lambda.

A perturbation of a homogeneous state along an eigenvector of W with
eigenvalue Lambda obeys xi' = J(x(t); Lambda) xi (see kernels_template). For
an equilibrium its growth rate is mu = max Re eig J(x*; Lambda); for a cycle
of period T the Floquet exponents are log(rho) / T for the eigenvalues rho of
the monodromy matrix of that mode. All Lambda values are handled in one call:
one batched eigenvalue problem, or one variational integration along the
cycle for every mode at once.

Accuracy. Eigenvalues of J are exact to rounding; their error is bounded
from the condition number of each eigenvalue. The Floquet exponents carry
the O(h^4) error of RK4 (h = T / n steps), estimated by Richardson's rule
from a second, coarser run with n / 2 steps (see
`floquet_exponents_interpolated`). The trivial exponent of the uniform mode
is no such estimate: RK4 is, to all orders in h, the exact flow of a nearby
(modified) vector field, whose cycle has an exact trivial multiplier, so its
distance from 0 is rounding (about 1e-15) while the other exponents are off
by about 1e-7 / ms at 500 steps per period.
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
    `error` (L,) bounds the error of `mu` per mode (1/time unit): rounding
    for an equilibrium; for a cycle rounding, plus RK4 truncation when a
    coarser run was given.
    """

    lambdas: np.ndarray
    exponents: np.ndarray
    error: np.ndarray | None = None
    degree: int = 0  # Chebyshev degree used (0: no interpolation)
    next_degree: int = 0  # where a neighbouring cycle's interpolation may start

    @property
    def leading(self) -> np.ndarray:
        return self.exponents[np.arange(len(self.lambdas)), 0]

    @property
    def mu(self) -> np.ndarray:
        return self.leading.real

    @property
    def mu_im(self) -> np.ndarray:
        return self.leading.imag


ROUNDING_SAFETY = 10.0  # on the first-order rounding bound of an eigenvalue
RK4_ORDER = 4
RICHARDSON_SAFETY = 3.0  # on |mu_n - mu_{n/2}| / 15; measured error ratios <= 1.1
RICHARDSON_DEGREE = 6  # Chebyshev degree of M_{n/2} - M_n (an error estimate)
CHEBYSHEV_DEGREE = 12  # M(Lambda) is entire: degree 12 gives ~1e-16 here
CHEBYSHEV_TOL = 1e-11  # largest last coefficient, relative, accepted
CHEBYSHEV_STEP = 4  # degree added while the last coefficient is too large
MAX_CHEBYSHEV_DEGREE = 64


def _sort_rows(values: np.ndarray) -> np.ndarray:
    order = np.lexsort((-values.imag, -values.real), axis=-1)
    return np.take_along_axis(values, order, axis=-1)


def _rounding_bound(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(eigenvalues (L, n), first-order rounding bounds (L, n)) of matrices.

    A perturbation E of A moves a simple eigenvalue by at most kappa |E|, with
    kappa = |u| |v| / |u^H v| from its left and right eigenvectors (the rows of
    V^-1 and the columns of V). With |E| = eps_machine |A|_F this is
    kappa eps |A|_F; ROUNDING_SAFETY covers the backward error of the QR
    algorithm (a small multiple of eps |A|) and, for a monodromy, the rounding
    accumulated over the RK4 steps (at eps = 0, where every mode's exact
    leading exponent is 0, the computed ones stay within 1e-2 of kappa eps
    |M|_F / T for both models).
    """
    values, vectors = np.linalg.eig(matrices)
    try:
        inverse = np.linalg.inv(vectors)
    except np.linalg.LinAlgError:  # a defective matrix: no first-order bound
        inverse = np.linalg.pinv(vectors)
    kappa = np.linalg.norm(vectors, axis=-2) * np.linalg.norm(inverse, axis=-1)
    scale = np.linalg.norm(matrices, axis=(-2, -1))[..., None]
    return values, ROUNDING_SAFETY * kappa * np.finfo(float).eps * scale


def equilibrium_dispersion(
    model: Model, p: np.ndarray, equilibrium: Equilibrium, lambdas: np.ndarray
) -> Dispersion:
    """Eigenvalues of J(x*; Lambda) for every Lambda (1/time unit).

    `error` is the rounding bound of the leading eigenvalue of each mode
    (`_rounding_bound`): exact to rounding, up to its conditioning.
    """
    lambdas = np.asarray(lambdas)
    n = model.n_variables
    jacobians = np.empty((lambdas.size, n, n), dtype=lambdas.dtype)
    model.kernels.mode_jacobians(equilibrium.x, p, lambdas, jacobians)
    values, bound = _rounding_bound(jacobians)
    lead = np.argmax(values.real, axis=-1)
    rows = np.arange(lambdas.size)
    return Dispersion(lambdas, _sort_rows(values), bound[rows, lead])


def _exponents(monodromies: np.ndarray, period: float) -> np.ndarray:
    multipliers = np.linalg.eigvals(monodromies)
    with np.errstate(divide="ignore"):
        return _sort_rows(np.log(multipliers.astype(complex)) / period)


def _leading_with_rounding(monodromies: np.ndarray, period: float):
    """(exponents (L, n) sorted, rounding bound of the leading one (L,))."""
    multipliers, bound = _rounding_bound(monodromies)
    lead = np.argmax(np.abs(multipliers), axis=-1)
    rows = np.arange(monodromies.shape[0])
    rho = np.abs(multipliers[rows, lead])
    with np.errstate(divide="ignore"):
        exponents = np.log(multipliers.astype(complex)) / period
    return _sort_rows(exponents), bound[rows, lead] / (rho * period)


def _richardson(mu: np.ndarray, mu_coarse: np.ndarray) -> np.ndarray:
    """RICHARDSON_SAFETY |mu_n - mu_{n/2}| / (2^4 - 1): the error of mu_n.

    With error C h^4 + O(h^5), mu_{n/2} - mu_n = (2^4 - 1) C h^4 + ...; the
    safety factor covers the higher-order terms (measured: the error at 500
    steps is at most 1.1 times the bare estimate on E-I and Jansen-Rit cycles).
    """
    return RICHARDSON_SAFETY * np.abs(mu - mu_coarse) / (2**RK4_ORDER - 1)


def floquet_exponents(
    model: Model,
    p: np.ndarray,
    cycle: Cycle,
    lambdas: np.ndarray,
    n_steps: int = STEPS_PER_PERIOD,
    coarse: Cycle | None = None,
) -> Dispersion:
    """Floquet exponents log(rho) / T of every mode (1/time unit).

    A multiplier rho = 0 (numerically underflowing) gives -inf. `error` is the
    rounding bound of each mode's leading multiplier; with `coarse`, the same
    orbit shot with n_steps // 2 steps per period, plus Richardson's
    estimate of the RK4 error from the two runs.
    """
    lambdas = np.asarray(lambdas)
    if np.isrealobj(lambdas):
        lambdas = lambdas.astype(np.float64)
    _, monodromies = model.kernels.monodromy(
        cycle.x0, p, cycle.period, n_steps, lambdas
    )
    exponents, rounding = _leading_with_rounding(monodromies, cycle.period)
    result = Dispersion(lambdas, exponents, rounding)
    if coarse is not None:
        _, coarse_m = model.kernels.monodromy(
            coarse.x0, p, coarse.period, n_steps // 2, lambdas
        )
        mu_coarse = _exponents(coarse_m, coarse.period)[:, 0].real
        result.error = _richardson(result.mu, mu_coarse) + rounding
    return result


def _chebyshev_nodes(degree: int) -> np.ndarray:
    return np.cos(np.pi * (np.arange(degree + 1) + 0.5) / (degree + 1))


def _chebyshev_fit(values: np.ndarray) -> np.ndarray:
    """Coefficients (degree + 1, ...) of the polynomial through `values` at
    `_chebyshev_nodes(degree)` (a discrete cosine transform)."""
    degree = values.shape[0] - 1
    k = np.arange(degree + 1)
    basis = np.cos(np.pi * np.outer(k, k + 0.5) / (degree + 1))  # T_k(node_j)
    coefficients = 2.0 / (degree + 1) * np.tensordot(basis, values, axes=1)
    coefficients[0] /= 2
    return coefficients


def _chebyshev_eval(coefficients: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_k c_k T_k(x) at every x in [-1, 1]; shape (x.size, ...)."""
    theta = np.arccos(np.clip(x, -1.0, 1.0))
    basis = np.cos(np.outer(theta, np.arange(len(coefficients))))
    return np.tensordot(basis, coefficients, axes=1)


def floquet_exponents_interpolated(
    model: Model,
    p: np.ndarray,
    cycle: Cycle,
    lambdas: np.ndarray,
    n_steps: int = STEPS_PER_PERIOD,
    degree: int = CHEBYSHEV_DEGREE,
    coarse: Cycle | None = None,
) -> Dispersion:
    """Floquet exponents of many real modes from few variational integrations.

    The monodromy matrix M(Lambda) solves a linear equation whose coefficients
    are affine in Lambda, so it is an entire function of Lambda: Chebyshev
    interpolation on [min Lambda, max Lambda] converges geometrically. M is
    integrated at degree + 1 Chebyshev points and interpolated at `lambdas`;
    the degree grows by CHEBYSHEV_STEP until the last coefficient is below
    CHEBYSHEV_TOL relative to the largest (at most MAX_CHEBYSHEV_DEGREE), so
    the result equals `floquet_exponents` to rounding (tested) at a fraction
    of the cost when there are many modes. Spiking orbits need degree 16 to
    24 (at eps 25 the last coefficient falls from about 1e-5 at degree 12 to
    1e-15 at 20). Each failed degree costs a whole run, so a sweep passes the
    degree on: `degree` is where to start (a neighbouring cycle's
    `next_degree`; never below CHEBYSHEV_DEGREE), and the result's
    `next_degree` is degree - CHEBYSHEV_STEP when that coefficient of this
    fit already met the tolerance, else the degree used, so the start can
    fall again along a row. The start does not decide the accuracy: the
    degree used always passes the same test.

    Error estimate: with `coarse`, the same orbit shot with n_steps // 2 RK4
    steps (a different orbit of a different discretisation, on the same
    section), M_{n/2}(Lambda) - M_n(Lambda), smooth in Lambda like M, is
    interpolated with degree RICHARDSON_DEGREE only (it enters an error
    estimate, to a few per cent), which costs a quarter of the fine run.
    Then `error` = RICHARDSON_SAFETY |mu_n - mu_{n/2}| / 15 (RK4: error
    ~ h^4) plus the rounding bound of each mode's leading multiplier. The
    estimate is asymptotic: when n / 2 steps do not resolve the orbit it
    over-estimates, which is safe.
    """
    lambdas = np.asarray(lambdas, dtype=np.float64)
    low, high = lambdas.min(), lambdas.max()
    if high - low < 1e-12 or lambdas.size <= degree + 1:
        return floquet_exponents(model, p, cycle, lambdas, n_steps, coarse)

    def at_nodes(orbit, steps, nodes):
        points = low + (high - low) * (nodes + 1) / 2
        _, monodromies = model.kernels.monodromy(
            orbit.x0, p, orbit.period, steps, points
        )
        return monodromies

    degree = max(int(degree), CHEBYSHEV_DEGREE)
    while True:
        monodromies = at_nodes(cycle, n_steps, _chebyshev_nodes(degree))
        coefficients = _chebyshev_fit(monodromies)
        scale = np.abs(coefficients).max()
        last = np.abs(coefficients[-1]).max()
        if last <= CHEBYSHEV_TOL * scale or degree >= MAX_CHEBYSHEV_DEGREE:
            break
        degree = min(degree + CHEBYSHEV_STEP, MAX_CHEBYSHEV_DEGREE)
    lower = degree - CHEBYSHEV_STEP
    falls = lower >= CHEBYSHEV_DEGREE and (
        np.abs(coefficients[lower]).max() <= CHEBYSHEV_TOL * scale
    )
    x = 2 * (lambdas - low) / (high - low) - 1
    values = _chebyshev_eval(coefficients, x)
    exponents, rounding = _leading_with_rounding(values, cycle.period)
    result = Dispersion(lambdas, exponents, rounding, degree=degree,
                        next_degree=lower if falls else degree)  # fmt: skip
    if coarse is not None:
        nodes = _chebyshev_nodes(RICHARDSON_DEGREE)
        shift = at_nodes(coarse, n_steps // 2, nodes)
        shift -= _chebyshev_eval(coefficients, nodes)
        coarse_values = values + _chebyshev_eval(_chebyshev_fit(shift), x)
        mu_coarse = _exponents(coarse_values, coarse.period)[:, 0].real
        result.error = _richardson(result.mu, mu_coarse) + rounding
    return result


def trivial_exponent_error(dispersion: Dispersion) -> float:
    """|exponent nearest 0| of the uniform mode.

    The uniform mode (Lambda = 1) of a cycle has one exponent exactly 0 (the
    phase shift along the orbit); `dispersion` must contain Lambda = 1. This
    checks that the orbit is resolved at all (a gross under-resolution moves
    it), but it is no estimate of the error of the other exponents: it stays
    at rounding level while they are off by O(h^4) (see the module's
    docstring); that estimate is `Dispersion.error`.
    """
    uniform = np.flatnonzero(np.abs(dispersion.lambdas - 1.0) < 1e-12)
    if uniform.size == 0:
        raise ValueError("the dispersion relation does not contain Lambda = 1")
    return float(np.min(np.abs(dispersion.exponents[uniform[0]])))
