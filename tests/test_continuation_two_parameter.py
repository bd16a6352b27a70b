"""Fold and Hopf curves with their codimension-two points, in closed form."""

import numpy as np
import pytest
from neuralmass.continuation import examples as ex
from neuralmass.continuation import two_parameter as tp
from neuralmass.continuation.equilibria import continue_equilibria
from neuralmass.continuation.system import System


def first(branch, kind):
    return next(s for s in branch.special_points if s.kind == kind)


def test_fold_curve_and_cusp():
    """x' = a + delta x - x^3: folds on 27 a^2 = 4 delta^3, cusp at (0, 0)."""
    system = ex.cubic_folds(0.03)
    branch = continue_equilibria(system, "a", -1.0, (-1, 1), {"delta": 0.03},
                                 np.array([-1.0, 0.0]))  # fmt: skip
    curve = tp.continue_fold_curve(system, ("a", "delta"), first(branch, "LP"),
                                   {"delta": 0.03}, ((-1, 1), (-0.5, 0.5)))  # fmt: skip
    a = np.array([r["a"] for r in curve.rows])
    delta = np.array([r["delta"] for r in curve.rows])
    np.testing.assert_allclose(27 * a**2, 4 * delta**3, atol=1e-10)
    cusps = [s for s in curve.special_points if s.kind == "CP"]
    assert len(cusps) == 1
    assert cusps[0].values["a"] == pytest.approx(0.0, abs=1e-8)
    assert cusps[0].values["delta"] == pytest.approx(0.0, abs=1e-6)


def test_hopf_and_fold_curves_meet_at_bogdanov_takens():
    system = ex.bogdanov_takens()
    values = {"b2": -1.0}
    branch = continue_equilibria(system, "b1", -0.5, (-0.5, 0.3), values,
                                 np.array([1.5, 0.0]))  # fmt: skip
    hopf_curve = tp.continue_hopf_curve(system, ("b1", "b2"), first(branch, "HB"),
                                        values, ((-1, 1), (-2, 2)))  # fmt: skip
    b1 = np.array([r["b1"] for r in hopf_curve.rows])
    assert np.max(np.abs(b1)) < 1e-9
    bt = first(hopf_curve, "BT")
    assert bt.values["b1"] == pytest.approx(0.0, abs=1e-9)
    assert bt.values["b2"] == pytest.approx(0.0, abs=1e-8)

    fold_curve = tp.continue_fold_curve(system, ("b1", "b2"), first(branch, "LP"),
                                        values, ((-1, 1), (-2, 2)))  # fmt: skip
    rows = fold_curve.rows
    b1 = np.array([r["b1"] for r in rows])
    b2 = np.array([r["b2"] for r in rows])
    np.testing.assert_allclose(b1, b2**2 / 4, atol=1e-10)
    bt = first(fold_curve, "BT")
    assert bt.values["b2"] == pytest.approx(0.0, abs=1e-8)


def test_generalised_hopf_of_the_bautin_normal_form():
    system = ex.bautin()
    branch = continue_equilibria(system, "alpha", -0.5, (-0.5, 0.5), {"beta": 1.0},
                                 np.zeros(2))  # fmt: skip
    curve = tp.continue_hopf_curve(system, ("alpha", "beta"), first(branch, "HB"),
                                   {"beta": 1.0}, ((-1, 1), (-1, 1.5)))  # fmt: skip
    (gh,) = [s for s in curve.special_points if s.kind == "GH"]
    assert gh.values["alpha"] == pytest.approx(0.0, abs=1e-10)
    # l1 = 2 beta / omega from third differences of J: zero to about 1e-7
    assert gh.values["beta"] == pytest.approx(0.0, abs=1e-6)
    l1 = np.array([r["lyapunov_coefficient"] for r in curve.rows])
    beta = np.array([r["beta"] for r in curve.rows])
    np.testing.assert_allclose(l1, 2 * beta, atol=1e-5)


def test_ei_cusp_and_generalised_hopf(model):
    """The E-I fold curve has a cusp and its Hopf curve a GH point."""
    ei = System.from_model(model)
    p = ei.with_values({"eps": 29.0, "I_E": -5.0})
    branch = continue_equilibria(ei, "I_E", -5.0, (-5, 20), {"eps": 29.0},
                                 model.module.initial_guess(p))  # fmt: skip
    bounds = ((-5, 20), (0, 130))
    folds = tp.continue_fold_curve(ei, ("I_E", "eps"), first(branch, "LP"),
                                   {"eps": 29.0}, bounds)  # fmt: skip
    (cusp,) = [s for s in folds.special_points if s.kind == "CP"]
    assert 20 < cusp.values["eps"] < 29
    # the fold curve passes through both folds at eps 29
    rows = [r for r in folds.rows if abs(r["eps"] - 29) < 0.5]
    assert len(rows) >= 2
    hopf = tp.continue_hopf_curve(ei, ("I_E", "eps"), first(branch, "HB"),
                                  {"eps": 29.0}, bounds)  # fmt: skip
    assert any(s.kind == "GH" for s in hopf.special_points)
    # it passes through the Hopf points of section 7 at eps 0 and eps 12
    for eps, i_e in [(0.0, 5.99319), (12.0, 3.25578)]:
        near = min(hopf.rows, key=lambda r: abs(r["eps"] - eps) + abs(r["I_E"] - i_e))
        assert abs(near["I_E"] - i_e) < 0.2
