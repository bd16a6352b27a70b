"""Fold-of-cycles and period-doubling curves in two parameters: a closed-form
LPC curve, PD curves against one-parameter PD detection, the E-I PD curve."""

import numpy as np
import pandas as pd
import pytest
from neuralmass.continuation import cycle_curves as cc
from neuralmass.continuation import cycles as cy
from neuralmass.continuation import examples as ex
from neuralmass.continuation import stage
from neuralmass.continuation.core import Settings
from neuralmass.continuation.equilibria import continue_equilibria
from neuralmass.continuation.system import System
from scipy.integrate import solve_ivp

from tests.conftest import rossler_cycle

SETTINGS = Settings(ds=0.05, ds_max=0.3, newton_tol=1e-9)


def of_kind(branch, kind):
    return [s for s in branch.special_points if s.kind == kind]


@pytest.fixture(scope="module")
def bautin_lpc():
    system = ex.bautin(omega=2.0)
    eq = continue_equilibria(system, "alpha", -0.5, (-0.5, 0.5), {"beta": 1.0},
                             np.zeros(2))  # fmt: skip
    branch = cy.continue_cycles_from_hopf(system, "alpha", of_kind(eq, "HB")[0],
                                          (-0.5, 0.3), ntst=20, ncol=4,
                                          settings=SETTINGS)  # fmt: skip
    (lpc,) = of_kind(branch, "LPC")
    return system, lpc


def test_bautin_fold_of_cycles_curve(bautin_lpc):
    """r' = r (alpha + beta r^2 - r^4), theta' = 2: cycles fold on
    alpha = -beta^2 / 4 with r^2 = beta / 2 and period pi."""
    system, lpc = bautin_lpc
    curve = cc.continue_cycle_curve(
        "LPC", system, ("alpha", "beta"), {"alpha": lpc.values["alpha"], "beta": 1.0},
        lpc.x, lpc.period, ((-1.0, 1.0), (0.2, 2.0)), ntst=20, ncol=4,
        marks=[0.5, 1.5],
    )  # fmt: skip
    assert curve.status == "boundary/boundary"
    alpha = np.array([r["alpha"] for r in curve.rows])
    beta = np.array([r["beta"] for r in curve.rows])
    assert beta.min() < 0.25 and beta.max() > 1.95
    np.testing.assert_allclose(alpha, -(beta**2) / 4, atol=1e-9)
    np.testing.assert_allclose([r["period"] for r in curve.rows], np.pi, rtol=1e-9)
    np.testing.assert_allclose([r["max"][0] ** 2 for r in curve.rows], beta / 2,
                               rtol=1e-6)  # fmt: skip
    # second multiplier at +1: splits as 1 +- sqrt(error) at a Jordan block
    assert max(r["residual"] for r in curve.rows) < 1e-4
    assert curve.start.residual < 1e-4
    assert [m["beta"] for m in curve.marked] == pytest.approx([1.5, 0.5], abs=1e-12)
    for m in curve.marked:
        assert m["alpha"] == pytest.approx(-(m["beta"] ** 2) / 4, abs=1e-10)


def rossler_pd(b, c_range=(2.0, 6.0)):
    """PD points of the Roessler cycle at a = 0.2 and this b, by detection on
    a one-parameter branch in c started from a simulated orbit."""
    system, problem, z = rossler_cycle({"b": b, "c": 2.5}, c_range)
    branch = cy.continue_cycles(problem, z, cy.tangent_direction(problem, z), SETTINGS)
    return system, of_kind(branch, "PD")


@pytest.fixture(scope="module")
def rossler_curve():
    system, (pd_point,) = rossler_pd(0.2)
    curve = cc.continue_cycle_curve(
        "PD", system, ("c", "b"), {"c": pd_point.values["c"], "b": 0.2}, pd_point.x,
        pd_point.period, ((2.0, 6.0), (0.1, 0.4)), ntst=60, ncol=4,
        marks=[0.15, 0.3],
    )  # fmt: skip
    return system, pd_point, curve


@pytest.mark.parametrize("b", [0.15, 0.3])
def test_rossler_pd_curve_matches_one_parameter_detection(rossler_curve, b):
    """The PD curve at fixed b equals the PD point detected by det(M + I) on
    a one-parameter branch at that b (an independent computation)."""
    _, _, curve = rossler_curve
    (mark,) = [m for m in curve.marked if abs(m["b"] - b) < 1e-12]
    _, (detected,) = rossler_pd(b)
    assert mark["c"] == pytest.approx(detected.values["c"], abs=1e-6)
    assert mark["period"] == pytest.approx(detected.period, rel=1e-6)
    assert mark["residual"] < 1e-8
    assert detected.residual < 1e-8


def test_rossler_pd_curve_points_have_a_multiplier_at_minus_one(rossler_curve):
    system, pd_point, curve = rossler_curve
    assert curve.start.values["c"] == pytest.approx(pd_point.values["c"], abs=1e-8)
    assert max(r["residual"] for r in curve.rows) < 1e-8
    # an independent monodromy (DOP853 on the variational equation) at b = 0.3
    (mark,) = [m for m in curve.marked if abs(m["b"] - 0.3) < 1e-12]
    p = system.with_values({"b": 0.3, "c": mark["c"]})
    n = system.n

    def rhs(t, y):
        x = y[:n]
        dy = system.jacobian(x, p) @ y[n:].reshape(n, n)
        return np.concatenate([system.f(x[None], p)[0], dy.ravel()])

    run = solve_ivp(rhs, (0, mark["period"]), np.concatenate([mark["x"],
                    np.eye(n).ravel()]), method="DOP853", rtol=1e-12,
                    atol=1e-12)  # fmt: skip
    assert np.max(np.abs(run.y[:n, -1] - mark["x"])) < 1e-7
    mu = np.linalg.eigvals(run.y[n:, -1].reshape(n, n))
    assert np.min(np.abs(mu + 1)) < 1e-6


@pytest.mark.parametrize("kind", ["LPC", "PD"])
def test_gradient_of_the_bordered_condition(bautin_lpc, rossler_curve, kind):
    """g_z (adjoint formula) against central differences of g itself."""
    if kind == "LPC":
        system, lpc = bautin_lpc
        problem, z = cc.start_cycle_curve(
            "LPC", system, ("alpha", "beta"), {"alpha": -0.25, "beta": 1.0}, lpc.x,
            lpc.period, ((-1, 1), (0.2, 2)), ntst=10, ncol=3,
        )  # fmt: skip
    else:
        system, pd_point, _ = rossler_curve
        problem, z = cc.start_cycle_curve(
            "PD", system, ("c", "b"), {"c": pd_point.values["c"], "b": 0.2},
            pd_point.x, pd_point.period, ((2, 6), (0.1, 0.4)), ntst=10, ncol=3,
        )  # fmt: skip
    rng = np.random.default_rng(3)
    z = z + 1e-3 * rng.standard_normal(z.size)  # off the curve: g != 0
    grad = problem.g_gradient(z)
    fd = np.empty(z.size)
    for j in range(z.size):
        h = 1e-6
        up, down = z.copy(), z.copy()
        up[j] += h
        down[j] -= h
        fd[j] = (problem.bordered(up)[0] - problem.bordered(down)[0]) / (2 * h)
    np.testing.assert_allclose(grad, fd, atol=1e-6 * np.max(np.abs(fd)))


def test_ei_period_doubling_curve(model):
    """The PD curve of the E-I node's primary cycle, coarse mesh: through
    both PD points of the eps = 12 diagram, closed (an isola in the
    period-doubling region), and equal to one-parameter PD detection at
    eps = 13."""
    ei = System.from_model(model)
    ntst, ncol = 40, 4
    seeds = []
    for eps in (12.0, 13.0):
        p = ei.with_values({"eps": eps})
        eq = continue_equilibria(ei, "I_E", 0.0, (-1.0, 20.0), {"eps": eps},
                                 model.module.initial_guess(p))  # fmt: skip
        branch = cy.continue_cycles_from_hopf(ei, "I_E", of_kind(eq, "HB")[0],
                                              (-1.0, 12.5), {"eps": eps}, ntst=ntst,
                                              ncol=ncol)  # fmt: skip
        pds = stage.special_table(of_kind(branch, "PD"), {"eps": eps})
        seeds.append(pds)
    at12, at13 = seeds
    assert list(at12["I_E"]) == pytest.approx([9.17866, 11.52892], abs=2e-3)
    rows, points = stage.cycle_curve_diagram(
        ei, ("I_E", "eps"), ((7.0, 13.0), (8.0, 16.0)), at12, ntst, ncol,
        marks=[13.0],
    )  # fmt: skip
    assert set(rows["type"]) == {"PD curve"} and rows["branch"].nunique() == 1
    assert rows["residual"].max() < 1e-7
    assert 9.0 < rows["eps"].min() < 10.0 and 14.5 < rows["eps"].max() < 15.5
    # closed: the last point is next to the first
    first, last = rows.iloc[0], rows.iloc[-1]
    assert abs(first["I_E"] - last["I_E"]) + abs(first["eps"] - last["eps"]) < 0.2
    # the second PD point of eps 12 lies on the curve started from the first
    near12 = rows[(rows["eps"] - 12).abs() < 0.05]
    assert np.min(np.abs(near12["I_E"] - at12["I_E"].iloc[1])) < 0.05
    on13 = points[(points["eps"] - 13).abs() < 1e-9].sort_values("I_E")
    assert list(on13["I_E"]) == pytest.approx(list(at13["I_E"]), abs=1e-4)
    assert list(on13["period"]) == pytest.approx(list(at13["period"]), rel=1e-4)
    assert (on13["residual"] < 1e-8).all()
    assert set(points["type"]) == {"PD curve"}
    assert isinstance(points, pd.DataFrame)
