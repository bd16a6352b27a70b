"""Dispersion relations against the full network Jacobian and flow."""

import numpy as np
import pytest
from neuralmass import dispersion as disp
from neuralmass import homogeneous as hom


def network_flow(model, p, w, x, duration, dt):
    x = np.array(x, dtype=float)
    out = np.empty((1, w.shape[0]))
    model.kernels.rk4_network(
        x,
        p,
        w,
        dt,
        int(round(duration / dt)),
        10**9,
        model.observable_weights,
        1e6,
        out,
    )
    return x


def test_equilibrium_dispersion_is_the_spectrum_of_the_network_jacobian(
    model, aal90_weights
):
    """Union of mode eigenvalues = eigenvalues of the 540-dim FD Jacobian."""
    p = model.pack({"I_E": 2.0, "eps": 8.0})
    eq = hom.continue_equilibria(model, p, "I_E", 0.0, 2.0).states[-1]
    eq = hom.newton_equilibrium(model, p, eq)
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    modes = disp.equilibrium_dispersion(model, p, eq, lambdas)

    w = aal90_weights
    n = w.shape[0]
    x0 = np.tile(eq.x, (n, 1))
    h, c, dx = np.empty(n), np.empty(n), np.empty_like(x0)
    jac = np.empty((6 * n, 6 * n))
    step = 1e-6
    for col in range(6 * n):
        plus, minus = x0.copy(), x0.copy()
        plus.flat[col] += step
        minus.flat[col] -= step
        model.kernels.network_rhs(plus, p, w, h, c, dx)
        f_plus = dx.ravel().copy()
        model.kernels.network_rhs(minus, p, w, h, c, dx)
        jac[:, col] = (f_plus - dx.ravel()) / (2 * step)
    full = np.sort_complex(np.linalg.eigvals(jac))
    union = np.sort_complex(modes.exponents.ravel())
    np.testing.assert_allclose(full.real, union.real, atol=1e-6)
    np.testing.assert_allclose(np.abs(full.imag), np.abs(union.imag), atol=1e-6)


@pytest.mark.parametrize("i_e, eps", [(10.0, 3.0), (12.0, 12.0)])
def test_floquet_multipliers_match_the_flow_of_a_two_node_network(model, i_e, eps):
    """W = [[1-a, a], [a, 1-a]] has modes Lambda = 1 and 1 - 2a; the network
    monodromy from finite differences of its flow has their multipliers."""
    p = model.pack({"I_E": i_e, "eps": eps})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    a = 0.3
    w = np.array([[1 - a, a], [a, 1 - a]])
    modes = disp.floquet_exponents(model, p, cycle, np.array([1.0, 1 - 2 * a]))

    x0 = np.tile(cycle.x0, (2, 1))
    dt = cycle.period / 8000
    step = 1e-4  # fourth-order central differences: truncation ~ step^4

    def flow_at(col, offset):
        x = x0.copy()
        x.flat[col] += offset
        return network_flow(model, p, w, x, cycle.period, dt).ravel()

    monodromy = np.empty((12, 12))
    for col in range(12):
        monodromy[:, col] = (
            8 * (flow_at(col, step) - flow_at(col, -step))
            - (flow_at(col, 2 * step) - flow_at(col, -2 * step))
        ) / (12 * step)
    rho = np.linalg.eigvals(monodromy)
    expected = np.exp(modes.exponents.ravel() * cycle.period)
    big = np.abs(expected) > 1e-3
    got = np.sort(np.abs(rho))[::-1][: big.sum()]
    want = np.sort(np.abs(expected[big]))[::-1]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_trivial_exponent_vanishes_and_agrees_across_step_sizes(model):
    p = model.pack({"I_E": 12.0, "eps": 12.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    lambdas = np.linspace(-1, 1, 41)
    fine = disp.floquet_exponents(model, p, cycle, lambdas)
    coarse = disp.floquet_exponents(model, p, cycle, lambdas, n_steps=2000)
    assert disp.trivial_exponent_error(fine) < 1e-6
    np.testing.assert_allclose(coarse.mu, fine.mu, atol=1e-6)


def test_complex_lambda_gives_conjugate_symmetric_exponents(model):
    p = model.pack({"I_E": 12.0, "eps": 12.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    lam = np.array([0.3 + 0.2j, 0.3 - 0.2j])
    modes = disp.floquet_exponents(model, p, cycle, lam)
    np.testing.assert_allclose(modes.mu[0], modes.mu[1], atol=1e-10)


def test_interpolated_floquet_exponents_equal_direct_ones(model, aal90_weights):
    p = model.pack({"I_E": 12.0, "eps": 12.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    direct = disp.floquet_exponents(model, p, cycle, lambdas, n_steps=1000)
    fast = disp.floquet_exponents_interpolated(model, p, cycle, lambdas, n_steps=1000)
    np.testing.assert_allclose(fast.mu, direct.mu, atol=1e-12)
    np.testing.assert_allclose(np.abs(fast.mu_im), np.abs(direct.mu_im), atol=1e-10)
    assert disp.trivial_exponent_error(fast) < 1e-8


def test_richardson_estimate_from_interpolated_differences_equals_direct(
    model, aal90_weights
):
    """The error estimate interpolates M_{n/2} - M_n in Lambda with a low
    degree; it equals Richardson's rule on directly integrated monodromies of
    every mode to a few per cent."""
    p = model.pack({"I_E": 12.0, "eps": 12.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    cycle = hom.shoot_cycle(model, p, cycle.x0, cycle.period, 2, 500)
    coarse = hom.reshoot(model, p, cycle, 2, 250)
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    direct = disp.floquet_exponents(model, p, cycle, lambdas, 500, coarse)
    fast = disp.floquet_exponents_interpolated(
        model, p, cycle, lambdas, 500, coarse=coarse
    )
    # alpha >= 2 (the uniform mode's leading exponent is the trivial 0)
    np.testing.assert_allclose(fast.error[1:], direct.error[1:], rtol=0.05)
    assert 1e-9 < direct.error.max() < 1e-6


def test_equilibrium_error_bound_covers_rounding(model, aal90_weights):
    """Eigenvalues of J and of J^T differ by rounding only; the bound covers
    that difference and is at rounding level relative to the eigenvalues."""
    p = model.pack({"I_E": 15.0, "eps": 9.0})
    eq = hom.continue_equilibria(model, p, "I_E", 0.0, 15.0).states[-1]
    eq = hom.newton_equilibrium(model, p, eq)
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    modes = disp.equilibrium_dispersion(model, p, eq, lambdas)
    jacobians = np.empty((lambdas.size, 6, 6))
    model.kernels.mode_jacobians(eq.x, p, lambdas, jacobians)
    transposed = np.linalg.eigvals(np.swapaxes(jacobians, 1, 2)).real.max(axis=1)
    assert np.all(np.abs(transposed - modes.mu) <= modes.error)
    scale = np.abs(np.linalg.eigvals(jacobians)).max()
    assert np.all(modes.error < 1e-11 * scale)


def test_chebyshev_degree_grows_and_its_start_changes_nothing(model, aal90_weights):
    """A spiking orbit (eps 25) needs more than degree 12: the degree grows
    in CHEBYSHEV_STEP; started from a neighbour's higher degree the result is
    the same to rounding, and `next_degree` lets the start fall again."""
    from neuralmass import transverse as tr

    p = model.pack({"I_E": 4.0, "eps": 25.0})
    settings = tr.Settings(transient=2000.0, dt=0.01)
    attractor = tr.attractor_from(model, p, None, settings)
    assert attractor.state == "cycle"
    cycle, steps = attractor.cycle, attractor.steps_per_period
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    first = disp.floquet_exponents_interpolated(model, p, cycle, lambdas, steps)
    assert disp.CHEBYSHEV_DEGREE < first.degree <= 24
    assert (first.degree - disp.CHEBYSHEV_DEGREE) % disp.CHEBYSHEV_STEP == 0
    high = disp.floquet_exponents_interpolated(
        model, p, cycle, lambdas, steps, degree=first.degree + 8
    )
    assert high.degree == first.degree + 8
    assert high.next_degree == high.degree - disp.CHEBYSHEV_STEP
    direct = disp.floquet_exponents(model, p, cycle, lambdas, steps)
    np.testing.assert_allclose(first.mu, direct.mu, atol=1e-12)
    np.testing.assert_allclose(high.mu, direct.mu, atol=1e-12)
