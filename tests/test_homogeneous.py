"""Homogeneous states against science.md section 7 and direct simulation."""

import numpy as np
import pytest
from neuralmass import homogeneous as hom


def test_resting_equilibrium_at_origin(model):
    p = model.pack({"I_E": 0.0, "eps": 0.0})
    eq = hom.newton_equilibrium(model, p, model.module.initial_guess(p))
    expected = [0.0083482, -2.383081, 0.0083482, 0.0093171, -2.135253, 0.0093171]
    np.testing.assert_allclose(eq.x, expected, atol=1e-6)
    assert eq.eigenvalues[0].real == pytest.approx(-0.25408, abs=1e-5)
    assert eq.stable


@pytest.mark.parametrize(
    "eps, stop, expected",
    [(0.0, 70.0, [(5.99319, 26.79), (65.56, 170.9)]),
     (12.0, 20.0, [(3.25578, 15.07), (12.69859, 62.92)])],
)  # fmt: skip
def test_hopf_points_found_by_continuation(model, eps, stop, expected):
    branch = hom.continue_equilibria(model, model.pack({"eps": eps}), "I_E", 0.0, stop)
    hopf = sorted(
        (s for s in branch.special_points if s.kind == "HB"), key=lambda s: s.value
    )
    assert len(hopf) == len(expected)
    for point, (i_e, f_hz) in zip(hopf, expected, strict=True):
        digits = 1e-4 if i_e < 60 else 1e-2
        assert point.value == pytest.approx(i_e, abs=digits)
        assert point.frequency / (2 * np.pi) * 1e3 == pytest.approx(f_hz, abs=0.01)
        assert abs(point.residual) < 1e-8


def test_folds_at_eps_29(model):
    branch = hom.continue_equilibria(model, model.pack({"eps": 29.0}), "I_E", 0.0, 10.0)
    folds = sorted(s.value for s in branch.special_points if s.kind == "LP")
    np.testing.assert_allclose(folds, [2.9393, 4.1491], atol=1e-4)


@pytest.mark.parametrize("i_e, eps, period", [(10, 0, 21.3655), (12, 12, 17.1143)])
def test_cycle_periods(model, i_e, eps, period):
    p = model.pack({"I_E": i_e, "eps": eps})
    state = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01)
    assert state.state == "cycle"
    assert state.cycle.period == pytest.approx(period, rel=1e-5)
    assert state.cycle.residual < 1e-9
    assert np.min(np.abs(state.cycle.multipliers - 1)) < 1e-7


def test_cycle_period_matches_long_simulation(model):
    """Shooting against crossing times of a plain RK4 run at a tenth the step."""
    p = model.pack({"I_E": 10.0, "eps": 0.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    dt = 0.001
    _, samples = hom.simulate_homogeneous(model, p, cycle.x0, 50 * cycle.period, dt, 1)
    section = 2
    level = cycle.x0[section]
    s = samples[:, section]
    slope = np.sign(hom.residual(model, p, cycle.x0)[section])
    up = np.flatnonzero(slope * (s[:-1] - level) < 0 & (slope * (s[1:] - level) >= 0))
    up = np.flatnonzero((slope * (s[:-1] - level) < 0) & (slope * (s[1:] - level) >= 0))
    t = (up + (level - s[up]) / (s[up + 1] - s[up])) * dt
    measured = (t[-1] - t[0]) / (len(t) - 1)
    assert measured == pytest.approx(cycle.period, rel=1e-6)


def test_stability_of_a_cycle_is_decided_on_resolved_multipliers(model):
    """At (9.8, 12) a period-doubled orbit (T 44.13) shot with 500 RK4 steps
    per period looks attracting (|rho| 0.66) while its trivial multiplier is
    off by 0.5; with more steps its leading multiplier (1.076 resolved)
    clears 1 + margin by more than its error estimate: unstable."""
    p = model.pack({"I_E": 9.8, "eps": 12.0})
    x0 = np.array([0.30283546, 3.43275164, 0.16168914, 0.02487765, 1.80719199,
                   0.02627561])  # fmt: skip
    coarse = hom.shoot_cycle(model, p, x0, 44.1267, 2, 500)
    assert coarse.leading_multiplier < 1
    cycle, steps, attracting = hom.decide_attracting(model, p, coarse, 2, 500)
    assert not attracting
    assert steps > 500
    error = hom.trivial_error(cycle) * cycle.leading_multiplier
    margin = cycle.leading_multiplier - 1 - hom.ATTRACTOR_MARGIN
    assert margin > hom.DECISION_FACTOR * error
    assert cycle.leading_multiplier == pytest.approx(1.0763, abs=1e-2)


def test_reshoot_finds_the_orbit_of_the_coarser_discretisation(model):
    """Chord Newton from the 500-step orbit with its monodromy converges to
    the orbit that full shooting finds with 250 steps (same section)."""
    p = model.pack({"I_E": 12.0, "eps": 12.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    fine = hom.shoot_cycle(model, p, cycle.x0, cycle.period, 2, 500)
    coarse = hom.reshoot(model, p, fine, 2, 250)
    full = hom.shoot_cycle(model, p, fine.x0, fine.period, 2, 250)
    assert coarse.residual < hom.SHOOTING_TOL
    assert coarse.x0[2] == fine.x0[2]
    assert coarse.period == pytest.approx(full.period, rel=1e-10)
    np.testing.assert_allclose(coarse.x0, full.x0, atol=1e-8)
    assert abs(coarse.period - fine.period) > 1e-8  # another orbit indeed


@pytest.mark.parametrize("name", ["ei_qif", "jansen_rit"])
def test_uniform_mode_kernel_equals_the_all_modes_kernel_bitwise(name):
    """Shooting's one-mode monodromy kernel performs the same arithmetic as
    the general kernel with Lambda = 1: x(T) and M agree to the last bit."""
    from neuralmass.models import load_model

    model = load_model(name)
    p = model.pack({})
    rng = np.random.default_rng(3)
    x0 = model.module.initial_guess(p) + 0.1 * rng.standard_normal(model.n_variables)
    x1, m1 = model.kernels.monodromy(x0, p, 7.3, 300, np.ones(1))
    x2, m2 = model.kernels.monodromy_uniform(x0, p, 7.3, 300)
    assert np.array_equal(x1, x2)
    assert np.array_equal(m1[0], m2)
    assert not np.allclose(m2, np.eye(model.n_variables))  # a real test


def test_minimal_period_is_restored_from_a_two_turn_guess(model):
    """A guess spanning two turns converges to the two-fold orbit, which the
    one-run check detects and shoots again over one turn."""
    p = model.pack({"I_E": 12.0, "eps": 12.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    double = hom.shoot_cycle(model, p, cycle.x0, 2 * cycle.period, 2, 1000)
    assert double.period == pytest.approx(cycle.period, rel=1e-6)
