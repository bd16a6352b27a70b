"""Limit cycles by collocation against closed forms, simulation and section 7."""

import numpy as np
import pytest
from neuralmass import homogeneous as hom
from neuralmass.continuation import cycles as cy
from neuralmass.continuation import examples as ex
from neuralmass.continuation.core import Settings
from neuralmass.continuation.equilibria import continue_equilibria
from neuralmass.continuation.system import System
from scipy.integrate import solve_ivp

from tests.conftest import rossler_cycle

SETTINGS = Settings(ds=0.05, ds_max=0.3, newton_tol=1e-9)


def of_kind(branch, kind):
    return [s for s in branch.special_points if s.kind == kind]


def hopf_points(system, parameter, start, bounds, x0, values=None, direction=1.0):
    branch = continue_equilibria(
        system, parameter, start, bounds, values, x0, direction=direction
    )
    return of_kind(branch, "HB")


def test_bautin_cycles_and_their_fold():
    """Circles of radius^2 r2 with alpha + r2 - r2^2 = 0; LPC at alpha = -1/4."""
    system = ex.bautin(omega=2.0)
    (hopf,) = hopf_points(system, "alpha", -0.5, (-0.5, 0.5), np.zeros(2))
    assert hopf.lyapunov_coefficient == pytest.approx(2 * 1.0 / 2.0, rel=1e-6)
    branch = cy.continue_cycles_from_hopf(
        system, "alpha", hopf, (-0.5, 0.3), ntst=20, ncol=4, settings=SETTINGS
    )
    (fold,) = of_kind(branch, "LPC")
    assert fold.values["alpha"] == pytest.approx(-0.25, abs=1e-9)
    assert fold.period == pytest.approx(np.pi, rel=1e-9)
    assert fold.residual < 1e-4
    for row in branch.rows[5:]:
        r2 = row["max"][0] ** 2
        assert row["alpha"] + r2 - r2**2 == pytest.approx(0.0, abs=1e-6)
        assert row["period"] == pytest.approx(np.pi, rel=1e-9)
    # the inner cycles (r2 < 1/2) are unstable, the outer ones stable
    inner = [r["stable"] for r in branch.rows[5:] if r["max"][0] ** 2 < 0.45]
    outer = [r["stable"] for r in branch.rows[5:] if r["max"][0] ** 2 > 0.55]
    assert inner and outer and not any(inner) and all(outer)


@pytest.fixture(scope="module")
def ei(model):
    return System.from_model(model)


@pytest.fixture(scope="module")
def ei_cycles(ei, model):
    """Cycle branches from the first Hopf point at eps 0 and eps 12."""
    out = {}
    for eps, stop, marks in [(0.0, 10.5, [8.0, 10.0]), (12.0, 12.2, [12.0])]:
        p = ei.with_values({"eps": eps})
        hopf = hopf_points(ei, "I_E", 0.0, (-1.0, 20.0), model.module.initial_guess(p),
                           {"eps": eps})[0]  # fmt: skip
        out[eps] = cy.continue_cycles_from_hopf(
            ei, "I_E", hopf, (-1.0, stop), {"eps": eps}, user_values=marks
        )
    return out


@pytest.mark.parametrize(
    "eps, name, i_e, period",
    [(0.0, "UZ1", 10.0, 21.3655), (12.0, "UZ0", 12.0, 17.1143)],
)
def test_ei_cycle_periods(ei_cycles, eps, name, i_e, period):
    (mark,) = of_kind(ei_cycles[eps], name)
    assert mark.values["I_E"] == pytest.approx(i_e, abs=1e-10)
    assert mark.period == pytest.approx(period, rel=1e-5)
    assert mark.frequency_hz == pytest.approx(1e3 / period, rel=1e-5)


@pytest.mark.parametrize("eps, name", [(0.0, "UZ0"), (0.0, "UZ1"), (12.0, "UZ0")])
def test_ei_cycles_agree_with_shooting(ei_cycles, model, eps, name):
    """Period to 1e-6 and multipliers to 1e-5 against RK4 shooting."""
    (mark,) = of_kind(ei_cycles[eps], name)
    p = model.pack({"I_E": mark.values["I_E"], "eps": eps})
    shot = hom.shoot_cycle(model, p, mark.x, mark.period, 2)
    assert shot.period == pytest.approx(mark.period, rel=1e-6)
    ours = mark.extra["multipliers"]
    theirs = shot.multipliers
    np.testing.assert_allclose(
        np.sort_complex(ours), np.sort_complex(theirs), atol=1e-5
    )


def test_ei_period_doublings_at_eps_12(ei_cycles):
    pds = of_kind(ei_cycles[12.0], "PD")
    assert [pd.values["I_E"] for pd in pds] == pytest.approx(
        [9.17866, 11.52892], abs=1e-4
    )
    for pd in pds:
        assert pd.residual < 1e-8
    stable = [(r["I_E"], r["stable"]) for r in ei_cycles[12.0].rows]
    assert not any(s for i, s in stable if 9.2 < i < 11.5)


@pytest.fixture(scope="module")
def rossler_branch():
    system, problem, z = rossler_cycle({"c": 2.5}, (2.0, 4.0))
    branch = cy.continue_cycles(problem, z, cy.tangent_direction(problem, z), SETTINGS)
    return system, branch


def monodromy_by_simulation(system, p, x0, period):
    n = system.n

    def rhs(t, y):
        x = y[:n]
        dy = system.jacobian(x, p) @ y[n:].reshape(n, n)
        return np.concatenate([system.f(x[None], p)[0], dy.ravel()])

    run = solve_ivp(rhs, (0, period), np.concatenate([x0, np.eye(n).ravel()]),
                    method="DOP853", rtol=1e-12, atol=1e-12)  # fmt: skip
    return run.y[:n, -1], run.y[n:, -1].reshape(n, n)


def test_rossler_period_doubling_and_branch_switching(rossler_branch):
    system, branch = rossler_branch
    (pd,) = of_kind(branch, "PD")
    c_pd = pd.values["c"]
    assert c_pd == pytest.approx(2.8324, abs=1e-3)
    # an independent monodromy at the located point has a multiplier at -1
    p = system.with_values({"c": c_pd})
    x_end, m = monodromy_by_simulation(system, p, pd.x, pd.period)
    assert np.max(np.abs(x_end - pd.x)) < 1e-7
    assert np.min(np.abs(np.linalg.eigvals(m) + 1)) < 1e-6

    doubled = cy.switch_period_doubling(branch, pd, (2.0, 4.0), settings=SETTINGS,
                                        user_values=[3.2])  # fmt: skip
    assert doubled.rows[0]["period"] == pytest.approx(2 * pd.period, rel=1e-3)
    (mark,) = of_kind(doubled, "UZ0")
    # the doubled cycle closes after 2T, not after T, in a simulation
    p = system.with_values({"c": 3.2})
    x_end, m = monodromy_by_simulation(system, p, mark.x, mark.period)
    assert np.max(np.abs(x_end - mark.x)) < 1e-7
    half, _ = monodromy_by_simulation(system, p, mark.x, mark.period / 2)
    assert np.max(np.abs(half - mark.x)) > 0.1
    # and it doubles again near c = 3.84
    (pd2,) = of_kind(doubled, "PD")
    assert pd2.values["c"] == pytest.approx(3.8374, abs=1e-3)


def loop_branch(system):
    (hopf,) = hopf_points(system, "mu", -0.5, (-0.5, 0.5), np.array([1.0, 0.0]))
    assert hopf.values["mu"] == pytest.approx(-1 / 6, abs=1e-9)
    return cy.continue_cycles_from_hopf(
        system, "mu", hopf, (-0.5, 0.5), ntst=40, ncol=4, settings=SETTINGS,
        max_period=1000.0,
    )  # fmt: skip


def test_branch_stops_at_a_homoclinic_orbit():
    """Cycles H = mu of `homoclinic_loop` end at mu = 0 in a loop to the
    saddle (0, 0); the branch stops there, marked, long before max_period,
    with the saddle found, before any spurious LPC or PD point."""
    system = ex.homoclinic_loop()
    branch = loop_branch(system)
    assert branch.status == "homoclinic"
    end = branch.rows[-1]
    assert -1e-6 < end["mu"] < 0
    assert end["period"] < 100
    np.testing.assert_allclose(branch.problem.saddle, [0.0, 0.0], atol=1e-9)
    # the cycles are the level sets H = mu, so nothing was lost before the stop
    assert not branch.special_points
    for row in branch.rows[5::10]:
        x, y = row["x"]
        assert y * y / 2 - x * x / 2 + x**3 / 3 == pytest.approx(row["mu"], abs=1e-7)


def test_without_the_homoclinic_stop_the_branch_stalls(monkeypatch):
    """What the stop prevents: the branch winds on at mu ~ -1e-11, where the
    multipliers are lost to rounding, through spurious LPC and PD points,
    until it stops moving."""
    monkeypatch.setattr(cy, "HC_GROWTH", 0.0)
    branch = loop_branch(ex.homoclinic_loop())
    assert branch.status == "stalled"
    assert -1e-10 < branch.rows[-1]["mu"] < 0
    # a planar flow has no period doubling, and T grows monotonically with mu
    assert len(of_kind(branch, "LPC")) + len(of_kind(branch, "PD")) >= 5


def test_no_homoclinic_stop_at_a_snic():
    """Near a SNIC the period diverges at a shrinking parameter window too,
    but no saddle lies near the orbit: the branch runs to max_period, its
    period 2 pi / sqrt(mu^2 - 1) throughout."""
    system = ex.snic_circle()
    problem, z = cy.cycle_from_orbit(
        system, "mu", {"mu": 2.0}, [1.0, 0.0], 2 * np.pi / np.sqrt(3), (0.5, 3.0),
        ntst=40, ncol=4, max_period=200.0,
    )  # fmt: skip
    branch = cy.continue_cycles(
        problem, z, cy.tangent_direction(problem, z, -1.0), SETTINGS
    )
    assert branch.status == "large period"
    assert problem.n_saddle_checks > 0  # the window condition held and was judged
    assert problem.saddle is None
    mu = branch.values
    np.testing.assert_allclose(
        branch.periods, 2 * np.pi / np.sqrt(mu**2 - 1), rtol=1e-6
    )
    assert 1 < mu[-1] < 1.001


@pytest.mark.parametrize("eps", [0.0, 12.0])
def test_ordinary_branches_run_to_their_bound(ei_cycles, eps):
    """The E-I branches from the first Hopf point end at the bound they were
    given, not at a homoclinic or large-period stop."""
    assert ei_cycles[eps].status == "boundary"
    assert ei_cycles[eps].problem.saddle is None
