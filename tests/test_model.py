"""The E-I node model: compiled code against numpy and finite differences."""

import numpy as np
import pytest
from neuralmass.parameters import pack

RNG = np.random.default_rng(12)


def random_state():
    return np.array([0.05, -1.0, 0.04, 0.03, -1.5, 0.02]) + 0.1 * RNG.standard_normal(6)


@pytest.mark.parametrize("trial", range(5))
def test_numba_rhs_matches_numpy(model, trial):
    p = model.pack({"I_E": 7.3, "eps": 4.1, "J_EI": 11.0})
    x, c = random_state(), RNG.standard_normal()
    dx = np.empty(6)
    model.module.node_rhs(x, p, c, dx)
    np.testing.assert_allclose(dx, model.module.rhs_numpy(x, p, c), rtol=1e-13)


def test_numpy_rhs_vectorises_over_nodes(model):
    p = model.pack({"I_E": 2.0, "eps": 1.0})
    x = np.stack([random_state() for _ in range(4)])
    c = RNG.standard_normal(4)
    rows = [model.module.rhs_numpy(x[i], p, c[i]) for i in range(4)]
    np.testing.assert_allclose(model.module.rhs_numpy(x, p, c), np.stack(rows))


def central_difference(fun, x, h=1e-6):
    return np.column_stack(
        [(fun(x + h * e) - fun(x - h * e)) / (2 * h) for e in np.eye(x.size)]
    )


def test_jacobian_and_gradients_match_finite_differences(model):
    p = model.pack({"I_E": 9.0, "eps": 6.0})
    x, c = random_state(), 0.3
    jac = np.empty((6, 6))
    b, g = np.empty(6), np.empty(6)
    model.module.node_jacobian(x, p, c, jac)
    model.module.input_gradient(x, p, b)
    model.module.output_gradient(x, p, g)

    np.testing.assert_allclose(
        jac, central_difference(lambda y: model.module.rhs_numpy(y, p, c), x),
        atol=1e-7,
    )  # fmt: skip
    db = (
        model.module.rhs_numpy(x, p, c + 1e-6) - model.module.rhs_numpy(x, p, c - 1e-6)
    ) / 2e-6
    np.testing.assert_allclose(b, db, atol=1e-7)
    np.testing.assert_allclose(
        g,
        central_difference(lambda y: np.array([model.module.node_output(y, p)]), x)[0],
    )


def test_mode_jacobian_at_lambda_one_is_the_self_coupled_jacobian(model):
    p = model.pack({"I_E": 9.0, "eps": 6.0})
    x = random_state()

    def f(y):
        dx = np.empty(6)
        model.kernels.homogeneous_rhs(y, p, dx)
        return dx

    out = np.empty((2, 6, 6))
    model.kernels.mode_jacobians(x, p, np.array([1.0, 0.0]), out)
    np.testing.assert_allclose(out[0], central_difference(f, x), atol=1e-7)
    jac0 = np.empty((6, 6))
    model.module.node_jacobian(x, p, model.module.node_output(x, p), jac0)
    np.testing.assert_allclose(out[1], jac0)


def test_parameters_are_checked(model):
    with pytest.raises(ValueError, match=r"tau_E = -1 is outside the allowed range"):
        model.pack({"tau_E": -1})
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) tau_X"):
        model.pack({"tau_X": 1})
    with pytest.raises(ValueError, match="must be finite"):
        pack(model.parameters, {"eta_E": float("nan")})
    assert model.pack({})[model.index("J_EI")] == 13.0
