"""Equilibrium continuation against closed forms and science.md section 7."""

import numpy as np
import pytest
from neuralmass.continuation import examples as ex
from neuralmass.continuation.core import Settings
from neuralmass.continuation.equilibria import continue_equilibria
from neuralmass.continuation.system import System


@pytest.fixture(scope="module")
def ei(model):
    return System.from_model(model)


def kinds(branch, kind):
    points = [s for s in branch.special_points if s.kind == kind]
    return sorted(points, key=lambda s: next(iter(s.values.values())))


def test_close_folds_with_a_large_maximum_step():
    """Two folds 0.2 apart in x and 0.004 in a; ds_max = 2 is ten times that."""
    delta = 0.03
    system = ex.cubic_folds(delta)
    branch = continue_equilibria(
        system, "a", -1.0, (-1.0, 1.0), x0=np.array([1.0, 0.0]),
        settings=Settings(ds=0.5, ds_max=2.0),
    )  # fmt: skip
    folds = kinds(branch, "LP")
    a_fold = 2 * delta / 3 * np.sqrt(delta / 3)
    assert [f.values["a"] for f in folds] == pytest.approx([-a_fold, a_fold], abs=1e-12)
    x_fold = np.sqrt(delta / 3)
    assert sorted(f.x[0] for f in folds) == pytest.approx([-x_fold, x_fold], abs=1e-9)
    assert all(f.residual < 1e-10 for f in folds)
    # fold coefficient a = <w, B(v, v)> / 2 = -3 x_fold (up to the sign of v)
    assert [abs(f.normal_form) for f in folds] == pytest.approx([3 * x_fold] * 2,
                                                                 rel=1e-6)  # fmt: skip
    assert len(branch.special_points) == 2


@pytest.mark.parametrize("omega, seed", [(1.0, 1), (2.5, 2), (0.7, 3)])
def test_hopf_point_and_first_lyapunov_coefficient(omega, seed):
    coefficients = np.random.default_rng(seed).normal(size=14)
    system = ex.hopf_normal_form(omega, coefficients)
    branch = continue_equilibria(
        system, "alpha", -0.5, (-0.5, 0.5), values={"omega": omega}, x0=np.zeros(2)
    )
    (hopf,) = kinds(branch, "HB")
    assert hopf.values["alpha"] == pytest.approx(0.0, abs=1e-12)
    assert hopf.period == pytest.approx(2 * np.pi / omega, rel=1e-12)
    assert hopf.residual < 1e-12
    assert hopf.lyapunov_coefficient == pytest.approx(system.expected_l1, rel=1e-6)


def test_branch_point_of_the_transcritical():
    branch = continue_equilibria(ex.transcritical(), "a", -1, (-1, 1), x0=np.zeros(2))
    (bp,) = kinds(branch, "BP")
    assert bp.values["a"] == pytest.approx(0.0, abs=1e-10)
    assert bp.residual < 1e-10
    assert branch.stable[0] and not branch.stable[-1]


@pytest.mark.parametrize(
    "eps, stop, expected",
    [(0.0, 70.0, [(5.99319, 26.79), (65.56, 170.9)]),
     (12.0, 20.0, [(3.25578, 15.07), (12.69859, 62.92)])],
)  # fmt: skip
def test_ei_hopf_points(ei, model, eps, stop, expected):
    p = ei.with_values({"eps": eps})
    branch = continue_equilibria(
        ei, "I_E", 0.0, (-1.0, stop), {"eps": eps}, model.module.initial_guess(p)
    )
    hopf = kinds(branch, "HB")
    assert len(hopf) == len(expected)
    for point, (i_e, f_hz) in zip(hopf, expected, strict=True):
        digits = 1e-4 if i_e < 60 else 1e-2
        assert point.values["I_E"] == pytest.approx(i_e, abs=digits)
        assert point.frequency_hz == pytest.approx(f_hz, abs=0.01)
        assert point.residual < 1e-12
        assert np.isfinite(point.lyapunov_coefficient)
    assert not kinds(branch, "LP")


def test_ei_folds_at_eps_29(ei, model):
    p = ei.with_values({"eps": 29.0})
    branch = continue_equilibria(
        ei, "I_E", 0.0, (-1.0, 10.0), {"eps": 29.0}, model.module.initial_guess(p)
    )
    folds = kinds(branch, "LP")
    assert [f.values["I_E"] for f in folds] == pytest.approx([2.9393, 4.1491], abs=1e-4)
    assert all(f.residual < 1e-12 for f in folds)
    # the middle branch between the folds is a saddle
    first, second = sorted(f.extra["index"] for f in folds)
    assert second - first > 3
    assert all(r["n_unstable"] % 2 == 1 for r in branch.rows[first:second])


def test_jansen_rit_at_eps_0():
    """Grimbert and Faugeras (2006): two folds and three Hopf points."""
    system = ex.jansen_rit()
    branch = continue_equilibria(
        system, "p", -100.0, (-100.0, 400.0), x0=ex.jansen_rit_guess(system, -100.0),
        settings=Settings(ds=1.0, ds_max=10.0),
    )  # fmt: skip
    folds = [f.values["p"] for f in kinds(branch, "LP")]
    assert folds == pytest.approx([-41.301, 113.586], abs=1e-3)
    hopf = kinds(branch, "HB")
    assert [h.values["p"] for h in hopf] == pytest.approx(
        [-12.1475, 89.8291, 315.6964], abs=1e-4
    )
    assert [h.frequency_hz for h in hopf] == pytest.approx([7.24, 10.38, 11.16],
                                                           abs=0.01)  # fmt: skip
    assert all(s.residual < 1e-10 for s in branch.special_points)
