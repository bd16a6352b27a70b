"""The Jansen-Rit node against science.md sections 6 and 7.

Compiled code against numpy and central differences; equilibria, folds and
Hopf points of the self-coupled node against Grimbert and Faugeras (2006);
the homogeneous cycle against a direct simulation; the dispersion relation
against the Jacobian of a two-node network.
"""

import numpy as np
import pytest
from neuralmass import dispersion as disp
from neuralmass import homogeneous as hom
from neuralmass.models import load_model
from scipy.optimize import brentq, linear_sum_assignment, minimize_scalar

RNG = np.random.default_rng(2006)

FOLDS = (-41.301, 113.586)
HOPF = ((-12.1475, 7.24), (89.8291, 10.38), (315.6964, 11.16))


@pytest.fixture(scope="module")
def jr():
    return load_model("jansen_rit")


@pytest.fixture(scope="module")
def branch(jr):
    """Equilibria at eps = 0 continued in p from -100 to 400."""
    return hom.continue_equilibria(jr, jr.pack({"eps": 0.0}), "p", -100.0, 400.0)


def random_state():
    typical = np.array([0.1, 20.0, 15.0, 1.0, 10.0, 1.0])
    return typical * (1 + 0.5 * RNG.standard_normal(6))


def central_difference(fun, x, h=1e-5):
    return np.column_stack(
        [(fun(x + h * e) - fun(x - h * e)) / (2 * h) for e in np.eye(x.size)]
    )


def sigmoid(v):
    return 5.0 / (1.0 + np.exp(0.56 * (6.0 - v)))


def resting_state(v, p):
    """(y0, ..., y5) at rest given v = y1 - y2, eps = 0, written from science.md."""
    y0 = 3.25 / 100 * sigmoid(v)
    y1 = 3.25 / 100 * (p + 108.0 * sigmoid(135.0 * y0))
    y2 = 22.0 / 50 * 33.75 * sigmoid(33.75 * y0)
    return np.array([y0, y1, y2, 0.0 * v, 0.0 * v, 0.0 * v])


def potential_gap(v, p):
    """y1 - y2 - v at rest; zero at an equilibrium."""
    y = resting_state(v, p)
    return y[1] - y[2] - v


def lowest_resting_state(p):
    """The equilibrium of lowest pyramidal potential and the number of them."""
    grid = np.linspace(-60.0, 60.0, 24001)
    gap = potential_gap(grid, p)
    roots = np.flatnonzero(np.sign(gap[:-1]) != np.sign(gap[1:]))
    v = brentq(potential_gap, grid[roots[0]], grid[roots[0] + 1], args=(p,), xtol=1e-14)
    return resting_state(v, p), roots.size


# --- compiled code against numpy and central differences --------------------


@pytest.mark.parametrize("trial", range(5))
def test_numba_rhs_matches_numpy(jr, trial):
    p = jr.pack({"p": 150.0 + 50 * trial, "eps": 10.0 * trial})
    x, c = random_state(), 5.0 * RNG.random()
    dx = np.empty(6)
    jr.module.node_rhs(x, p, c, dx)
    np.testing.assert_allclose(dx, jr.module.rhs_numpy(x, p, c), rtol=1e-12)


def test_numpy_rhs_vectorises_over_nodes(jr):
    p = jr.pack({"p": 90.0, "eps": 20.0})
    x = np.stack([random_state() for _ in range(4)])
    c = 5.0 * RNG.random(4)
    rows = [jr.module.rhs_numpy(x[i], p, c[i]) for i in range(4)]
    np.testing.assert_allclose(jr.module.rhs_numpy(x, p, c), np.stack(rows))


@pytest.mark.parametrize("trial", range(3))
def test_jacobian_and_gradients_match_finite_differences(jr, trial):
    p = jr.pack({"p": 120.0, "eps": 25.0})
    x, c = random_state(), 2.0
    jac = np.empty((6, 6))
    b, g = np.empty(6), np.empty(6)
    jr.module.node_jacobian(x, p, c, jac)
    jr.module.input_gradient(x, p, b)
    jr.module.output_gradient(x, p, g)

    fd = central_difference(lambda y: jr.module.rhs_numpy(y, p, c), x)
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-4)
    db = (
        jr.module.rhs_numpy(x, p, c + 1e-3) - jr.module.rhs_numpy(x, p, c - 1e-3)
    ) / 2e-3
    np.testing.assert_allclose(b, db, rtol=1e-9, atol=1e-6)
    assert b[4] == pytest.approx(3.25 * 100 * 25.0)
    dg = central_difference(lambda y: np.array([jr.module.node_output(y, p)]), x)[0]
    np.testing.assert_allclose(g, dg, rtol=1e-7, atol=1e-10)
    assert jr.module.node_output(x, p) == pytest.approx(sigmoid(x[1] - x[2]))


def test_initial_guess_is_the_lowest_equilibrium(jr):
    """At p = 50 there are three equilibria; the guess is the lowest one."""
    p = jr.pack({"p": 50.0, "eps": 0.0})
    expected, n_equilibria = lowest_resting_state(50.0)
    assert n_equilibria == 3
    guess = jr.module.initial_guess(p)
    np.testing.assert_allclose(guess, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hom.residual(jr, p, guess), 0.0, atol=1e-8)


# --- equilibria, folds and Hopf points at eps = 0 -----------------------------


def test_folds_from_the_scalar_equilibrium_equation():
    """p is explicit along the branch: p(v) = (a / A) (v - F(v; p = 0))."""

    def p_of_v(v):
        return -100 / 3.25 * potential_gap(v, 0.0)

    grid = np.linspace(-20.0, 40.0, 60001)
    slope = np.diff(p_of_v(grid))
    turns = grid[1:][np.flatnonzero(np.sign(slope[:-1]) != np.sign(slope[1:]))]
    assert turns.size == 2
    found = []
    for v in turns:
        sign = 1 if p_of_v(v) > p_of_v(v - 0.01) else -1
        best = minimize_scalar(
            lambda u, s=sign: -s * p_of_v(u), bracket=(v - 0.01, v, v + 0.01)
        )
        found.append(p_of_v(best.x))
    np.testing.assert_allclose(sorted(found), FOLDS, atol=1e-3)


def test_continuation_follows_the_s_shaped_branch(branch):
    """Both folds are passed: p rises, turns back, turns again and reaches 400."""
    dp = np.diff(branch.values)
    turns = np.flatnonzero(np.sign(dp[:-1]) != np.sign(dp[1:])) + 1
    assert turns.size == 2
    assert branch.values[turns[0]] == pytest.approx(FOLDS[1], abs=1e-2)
    assert branch.values[turns[1]] == pytest.approx(FOLDS[0], abs=1e-2)
    assert branch.values[-1] >= 400.0
    # the pyramidal potential rises monotonically along an S-shaped branch
    assert np.all(np.diff(branch.states[:, 1] - branch.states[:, 2]) > 0)


@pytest.mark.parametrize("p_hopf, f_hz", HOPF)
def test_hopf_points_found_by_continuation(branch, p_hopf, f_hz):
    hopf = [s for s in branch.special_points if s.kind == "HB"]
    assert len(hopf) == len(HOPF)
    point = min(hopf, key=lambda s: abs(s.value - p_hopf))
    assert point.value == pytest.approx(p_hopf, abs=1e-3)
    assert point.frequency / (2 * np.pi) == pytest.approx(f_hz, abs=5e-3)
    assert abs(point.residual) < 1e-8


@pytest.mark.parametrize("p_fold", FOLDS)
def test_folds_found_by_continuation(branch, p_fold):
    folds = [s for s in branch.special_points if s.kind == "LP"]
    assert len(folds) == len(FOLDS)
    point = min(folds, key=lambda s: abs(s.value - p_fold))
    assert point.value == pytest.approx(p_fold, abs=1e-3)
    assert abs(point.residual) < 1e-6


# --- homogeneous states ---------------------------------------------------------


@pytest.mark.parametrize("p_value", [50.0, 400.0])
def test_homogeneous_state_at_an_equilibrium(jr, p_value):
    """Reached from p = -100: on the low branch (50) or past both folds (400)."""
    p = jr.pack({"p": p_value, "eps": 0.0})
    state = hom.homogeneous_state(jr, p, "p", -100.0, 2.0, 1e-4)
    assert state.state == "equilibrium"
    assert state.equilibrium.stable
    expected, n_equilibria = lowest_resting_state(p_value)
    assert n_equilibria == (3 if p_value < FOLDS[1] else 1)
    np.testing.assert_allclose(state.equilibrium.x, expected, rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def cycle_at_200(jr):
    p = jr.pack({"p": 200.0, "eps": 0.0})
    return p, hom.homogeneous_state(jr, p, "p", -100.0, 10.0, 1e-4)


def test_homogeneous_cycle_at_p_200(jr, cycle_at_200):
    _, state = cycle_at_200
    assert state.state == "cycle"
    assert 8.0 < jr.frequency_hz(state.cycle.period) < 13.0
    assert state.cycle.residual < 1e-9
    assert np.min(np.abs(state.cycle.multipliers - 1)) < 1e-7
    assert state.cycle.stable


def test_cycle_period_matches_long_simulation(jr, cycle_at_200):
    """Shooting against upward crossing times of a plain RK4 run, dt = 1e-5 s."""
    p, state = cycle_at_200
    cycle = state.cycle
    dt = 1e-5
    _, samples = hom.simulate_homogeneous(jr, p, cycle.x0, 30 * cycle.period, dt, 1)
    section = 1
    level = cycle.x0[section]
    s = samples[:, section]
    up = np.flatnonzero((s[:-1] < level) & (s[1:] >= level))
    t = (up + (level - s[up]) / (s[up + 1] - s[up])) * dt
    assert len(t) >= 29
    measured = (t[-1] - t[0]) / (len(t) - 1)
    assert measured == pytest.approx(cycle.period, rel=1e-6)


# --- dispersion relation against a two-node network -----------------------------


@pytest.mark.parametrize("alpha", [0.1, 0.3])
def test_dispersion_matches_two_node_network(jr, alpha):
    """W = [[1-a, a], [a, 1-a]] has modes Lambda = 1 and 1 - 2a."""
    p = jr.pack({"p": 100.0, "eps": 50.0})
    eq = hom.newton_equilibrium(jr, p, jr.module.initial_guess(p))
    w = np.array([[1 - alpha, alpha], [alpha, 1 - alpha]])
    work_h, work_c = np.empty(2), np.empty(2)

    def network(x):
        dx = np.empty((2, 6))
        jr.kernels.network_rhs(x.reshape(2, 6), p, w, work_h, work_c, dx)
        return dx.ravel()

    x = np.tile(eq.x, 2)
    np.testing.assert_allclose(network(x), 0.0, atol=1e-8)
    network_eigenvalues = np.linalg.eigvals(central_difference(network, x))
    modes = disp.equilibrium_dispersion(jr, p, eq, np.array([1.0, 1 - 2 * alpha]))
    predicted = modes.exponents.ravel()

    rows, cols = linear_sum_assignment(
        np.abs(predicted[:, None] - network_eigenvalues[None, :])
    )
    np.testing.assert_allclose(
        predicted[rows], network_eigenvalues[cols], rtol=1e-6, atol=1e-4
    )
    # the two modes differ, so the check sees the coupling term
    assert np.max(np.abs(modes.exponents[0] - modes.exponents[1])) > 1.0


# --- the recorded signal --------------------------------------------------------


@pytest.mark.parametrize("method", ["rk4", "dop853"])
def test_network_records_the_pyramidal_potential(jr, method):
    """The stored signal is y1 - y2, at the last sample and between steps.

    The last sample is the final state; an RK4 run at a 100 times smaller
    step, recorded at the same instants, checks the samples in between (the
    DOP853 ones come from its dense output).
    """
    from neuralmass.network import Integrator, simulate

    p = jr.pack({"p": 200.0, "eps": 50.0})
    w = np.array([[0.0, 0.7, 0.3], [0.5, 0.0, 0.5], [1.0, 0.0, 0.0]])
    x0 = jr.module.initial_guess(p) + 0.5 * RNG.random((3, 6))
    args = dict(duration=0.2, transient=0.0, sample_interval=1e-3)
    fine = simulate(jr, p, w, x0, integrator=Integrator("rk4", dt=1e-5), **args)
    run = simulate(
        jr, p, w, x0, integrator=Integrator(method, 1e-4, 1e-10, 1e-10), **args
    )

    final = run.final_state
    np.testing.assert_allclose(run.observable[-1], final[:, 1] - final[:, 2])
    assert np.ptp(run.observable) > 1.0
    np.testing.assert_allclose(run.observable, fine.observable, atol=1e-6)


def test_map_rows_mark_the_folds_and_hopf_points(tmp_path):
    """The transverse map's overlay of homogeneous bifurcations, for the
    row eps = 0 of a (p, eps) map: the science.md values, each to 1e-3, and
    the Hopf frequencies."""
    import pandas as pd
    from neuralmass.pipeline import row_special_points

    jr = load_model("jansen_rit")
    table = row_special_points(
        jr, jr.pack({}), "p", np.array([-100.0, 400.0]), "eps", [0.0], "test"
    )
    assert isinstance(table, pd.DataFrame)
    folds = np.sort(table.loc[table["kind"] == "LP", "p"].to_numpy())
    np.testing.assert_allclose(folds, np.sort(FOLDS), atol=1e-3)
    hopf = table[table["kind"] == "HB"].sort_values("p")
    np.testing.assert_allclose(hopf["p"], [p for p, _ in HOPF], atol=1e-3)
    np.testing.assert_allclose(hopf["frequency_hz"], [f for _, f in HOPF], atol=0.01)
