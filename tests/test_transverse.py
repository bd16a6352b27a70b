"""Transverse growth rates: prediction (dispersion) against the network itself.

The network is started on the homogeneous state plus a tiny perturbation
along one eigenvector v of W, run next to the unperturbed network with the
same steps, and the growth rate of the difference, projected on v, is
measured in the linear regime.
"""

import numpy as np
import pytest
from neuralmass import dispersion as disp
from neuralmass import homogeneous as hom
from neuralmass import transverse as tr


@pytest.fixture(scope="module")
def modes(aal90_weights):
    values, vectors = np.linalg.eig(aal90_weights)
    order = np.argsort(-values.real)
    return values.real[order], vectors.real[:, order]


def run_pair(model, p, w, x_hom, v, amplitude, dt, block_steps, n_blocks):
    """Projections on v of (perturbed - unperturbed) after each block of steps."""
    rng = np.random.default_rng(3)
    direction = rng.standard_normal(x_hom.size)
    base = np.tile(x_hom, (w.shape[0], 1))
    pert = base + amplitude * np.outer(v, direction / np.linalg.norm(direction))
    out = np.empty((1, w.shape[0]))
    xi = []
    for _ in range(n_blocks):
        for x in (base, pert):
            model.kernels.rk4_network(
                x, p, w, dt, block_steps, 10**9, model.observable_weights, 1e6, out
            )
        xi.append(v @ (pert - base) / (v @ v))
    return np.array(xi)


@pytest.mark.parametrize("i_e, eps, state", [(15.0, 9.0, "equilibrium"),
                                             (12.0, 12.0, "cycle"),
                                             (10.0, 3.0, "cycle")])  # fmt: skip
def test_growth_rate_of_a_mode_matches_the_network(
    model, aal90_weights, modes, i_e, eps, state
):
    p = model.pack({"I_E": i_e, "eps": eps})
    found = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01)
    assert found.state == state
    lambdas, vectors = modes
    if state == "equilibrium":
        rates = disp.equilibrium_dispersion(model, p, found.equilibrium, lambdas)
    else:
        rates = disp.floquet_exponents(model, p, found.cycle, lambdas, 2000)
    alpha = int(np.argmax(rates.mu[1:])) + 1  # the leading transverse mode
    predicted = rates.mu[alpha]

    if state == "equilibrium":
        dt, block, n_blocks = 0.01, 100, 400  # states every 1 ms over 400 ms
        xi = run_pair(model, p, aal90_weights, found.equilibrium.x,
                      vectors[:, alpha], 1e-9, dt, block, n_blocks)  # fmt: skip
        # RMS over windows longer than the pattern's oscillation period
        size = 40
        rms = np.sqrt((np.linalg.norm(xi, axis=1) ** 2).reshape(-1, size).mean(1))
        t = (np.arange(rms.size) + 0.5) * size * dt * block
        slope = np.polyfit(t[3:], np.log(rms[3:]), 1)[0]
    else:
        cycle = found.cycle
        steps = 2000
        xi = run_pair(model, p, aal90_weights, cycle.x0, vectors[:, alpha], 1e-9,
                      cycle.period / steps, steps, 30)  # fmt: skip
        norms = np.linalg.norm(xi, axis=1)
        k = np.arange(norms.size)
        slope = np.polyfit(k[10:] * cycle.period, np.log(norms[10:]), 1)[0]
    assert slope == pytest.approx(predicted, rel=0.05)


def test_trivial_exponent_and_continuity_across_the_hopf_point(model, aal90_weights):
    """Across the Hopf point at eps 12, I_E = 3.25578, the transverse growth
    rates of the equilibrium below and of the small cycle above converge to
    each other as the distance d from the Hopf point shrinks."""
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    settings = tr.Settings(transient=3000.0, dt=0.01, steps_per_period=500)
    gaps = []
    for d in (0.05, 0.01):
        below = model.pack({"I_E": 3.25578 - d, "eps": 12.0})
        above = model.pack({"I_E": 3.25578 + d, "eps": 12.0})
        eq = tr.attractor_from(model, below, None, settings)
        cyc = tr.attractor_from(model, above, None, settings)
        assert (eq.state, cyc.state) == ("equilibrium", "cycle")
        rates_eq = disp.equilibrium_dispersion(model, below, eq.equilibrium, lambdas)
        rates_cyc = disp.floquet_exponents(model, above, cyc.cycle, lambdas,
                                           cyc.steps_per_period)  # fmt: skip
        assert disp.trivial_exponent_error(rates_cyc) < 1e-6
        gaps.append(np.abs(rates_cyc.mu[1:] - rates_eq.mu[1:]).max())
    assert gaps[1] < 2e-3
    assert gaps[1] < gaps[0] / 3


def test_map_row_finds_known_states_and_bistability_bookkeeping(model, aal90_weights):
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    settings = tr.Settings(transient=2000.0, dt=0.01)
    row = tr.sweep_row(model, model.pack({}), "I_E", np.arange(0.0, 17.0, 2.0),
                       "eps", 12.0, lambdas, settings)  # fmt: skip
    first = row[row["attractor"] == 1].set_index("I_E")
    # Hopf points at eps 12: 3.25578 and 12.69859 (science.md section 7)
    assert (first.loc[[0.0, 2.0], "state"] == "equilibrium").all()
    assert (first.loc[[4.0, 6.0, 8.0, 12.0], "state"] == "cycle").all()
    assert (first.loc[[14.0, 16.0], "state"] == "equilibrium").all()
    assert first.loc[12.0, "period"] == pytest.approx(17.1143, rel=1e-4)
    assert (row["n_attractors"] == row.groupby("I_E")["I_E"].transform("size")).all()
    cycles = row[row["state"] == "cycle"]
    # a bound on the rates' RK4 error at 500 steps per period: up to 4e-5 /ms
    # on the long, spiking orbit at I_E 4 (T 45 ms; its real error 1.3e-5)
    assert (cycles["exponent_error"] < 1e-4).all()
    unstable = row[row["n_unstable"] > 0]
    assert (unstable["mu_hat"] > 0).all()
    pairs = zip(unstable["unstable_modes"], unstable["n_unstable"], strict=True)
    assert all(len(modes.split(";")) == n for modes, n in pairs)


def test_warm_started_sweep_agrees_with_cold_starts(model, aal90_weights):
    """Along a row the sweep continues each cycle from its neighbour (chord
    shooting, RK4 steps halved when the trivial multiplier allows); at each
    point the cold start (simulation from the resting state, 500 steps
    doubled until resolved) finds the same cycle: periods to 1e-6 and
    growth rates to the accuracy estimate, a few TRIVIAL_TOL / T."""
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    settings = tr.Settings(transient=2000.0, dt=0.01, steps_per_period=500)
    x_values = np.round(np.arange(5.0, 6.01, 0.25), 10)
    row = tr.sweep_row(model, model.pack({}), "I_E", x_values, "eps", 20.0,
                       lambdas, settings).set_index("I_E")  # fmt: skip
    assert (row["state"] == "cycle").all()
    for i_e in x_values[::2]:
        p = model.pack({"I_E": i_e, "eps": 20.0})
        cold = tr.attractor_from(model, p, None, settings)
        assert cold.state == "cycle"
        rates = tr._growth_rates(model, p, cold, lambdas)
        period = cold.cycle.period
        tol = 5 * tr.TRIVIAL_TOL / period + 2 * max(
            rates.error[1:].max(), row.loc[i_e, "exponent_error"]
        )
        assert row.loc[i_e, "period"] == pytest.approx(period, rel=1e-6)
        assert row.loc[i_e, "mu_hat"] == pytest.approx(rates.mu[1:].max(), abs=tol)


def _settings(model):
    from neuralmass.pipeline import model_time

    if model.name == "ei_qif":
        return tr.Settings(transient=2000.0, dt=0.01)
    return tr.Settings(transient=model_time(model, 10000.0),
                       dt=model_time(model, 0.1), continuation_parameter="p",
                       continuation_start=-100.0)  # fmt: skip


@pytest.fixture(scope="module")
def jansen_rit():
    from neuralmass.models import load_model

    return load_model("jansen_rit")


@pytest.mark.parametrize(
    "name, point",
    [("ei_qif", {"I_E": 10.0, "eps": 3.0}), ("ei_qif", {"I_E": 12.0, "eps": 12.0}),
     ("jansen_rit", {"p": 200.0, "eps": 50.0})],
)  # fmt: skip
def test_exponent_error_bounds_the_error_against_a_finer_run(
    model, jansen_rit, aal90_weights, name, point
):
    """`exponent_error` (Richardson from n and n / 2 steps, times a safety
    factor) bounds the error of every mode's rate at the map's 500 steps,
    against the same orbit shot and integrated with 16 times the steps; it
    is no mere rounding level (the trivial exponent, the former column, is
    1e-15 here) and not vacuous (below 1e-5 /time unit)."""
    model = model if name == "ei_qif" else jansen_rit
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    p = model.pack(point)
    settings = _settings(model)
    cycle = tr.attractor_from(model, p, None, settings)
    assert cycle.state == "cycle" and cycle.steps_per_period == 500
    row = tr._row(model, p, cycle, lambdas, settings, "forward")
    rates = tr._growth_rates(model, p, cycle, lambdas)
    fine = hom.shoot_cycle(model, p, cycle.cycle.x0, cycle.cycle.period,
                           cycle.section, 8000)  # fmt: skip
    exact = disp.floquet_exponents_interpolated(model, p, fine, lambdas, 8000)
    actual = np.abs(rates.mu[1:] - exact.mu[1:]).max()
    assert actual <= row["exponent_error"] < 1e-5
    assert actual > 1e3 * disp.trivial_exponent_error(rates)
    assert abs(row["mu_hat"] - exact.mu[1:].max()) <= row["exponent_error"]


@pytest.mark.parametrize(
    "name, point",
    [("ei_qif", {"I_E": 13.0, "eps": 0.0}), ("ei_qif", {"I_E": 14.0, "eps": 0.0}),
     ("ei_qif", {"I_E": 7.0, "eps": 0.0}), ("jansen_rit", {"p": 200.0, "eps": 0.0})],
)  # fmt: skip
def test_uncoupled_cycles_have_no_unstable_modes(
    model, jansen_rit, aal90_weights, name, point
):
    """At eps = 0 every mode has the uniform mode's exponents, the leading one
    the trivial 0 (neutral): mu_hat is rounding (either sign), within the
    error bound, and no mode counts as unstable (formerly 0 or 89 by
    rounding at these points)."""
    model = model if name == "ei_qif" else jansen_rit
    lambdas = np.sort(np.linalg.eigvals(aal90_weights).real)[::-1]
    p = model.pack(point)
    settings = _settings(model)
    cycle = tr.attractor_from(model, p, None, settings)
    assert cycle.state == "cycle"
    row = tr._row(model, p, cycle, lambdas, settings, "forward")
    assert abs(row["mu_hat"]) < row["exponent_error"] < 1e-6
    assert row["n_unstable"] == 0 and row["unstable_modes"] == ""


def test_secant_guess_of_warm_shooting_is_closer_than_the_last_orbit(model):
    """On spiking cycles (eps 25) the orbit of the previous point leaves a
    gap |x(T) - x(0)| of 0.49 at (4.15, 25), the secant through the last two
    orbits 0.04; warm shooting from it reaches the orbit that shooting from
    the previous one finds."""
    settings = tr.Settings(transient=2000.0, dt=0.01)
    previous = None
    for i_e in (4.0, 4.05, 4.1):
        p = model.pack({"I_E": i_e, "eps": 25.0})
        previous = tr.attractor_from(model, p, previous, settings)
        assert previous.state == "cycle"
    assert previous.before is not None
    p = model.pack({"I_E": 4.15, "eps": 25.0})
    found = tr.attractor_from(model, p, previous, settings)
    steps = found.steps_per_period
    guesses = list(tr._guesses(previous, p))
    assert len(guesses) == 2  # the secant, then the previous orbit
    gaps = [np.linalg.norm(hom._end_point(model, p, x0, t, steps) - x0)
            for x0, t in guesses]  # fmt: skip
    assert gaps[0] < 0.5 * gaps[1]
    cold = hom.shoot_cycle(model, p, guesses[1][0], guesses[1][1],
                           previous.section, steps)  # fmt: skip
    assert found.cycle.period == pytest.approx(cold.period, rel=1e-9)


def test_the_spiral_onto_a_stable_equilibrium_is_no_cycle(model):
    """Past the Hopf point at eps 15 (I_E about 11.62) shooting stalls on the
    slow spiral around the stable equilibrium: a tiny "orbit" whose trivial
    multiplier stays off by 1e-2 at any steps. The sweep reports the
    equilibrium there, not a cycle; before it, the cycle is resolved."""
    settings = tr.Settings(transient=2000.0, dt=0.01)
    previous, states = None, []
    for i_e in (11.5, 11.55, 11.6, 11.65, 11.7, 11.75):
        p = model.pack({"I_E": i_e, "eps": 15.0})
        previous = tr.attractor_from(model, p, previous, settings)
        states.append(previous.state)
        if previous.state == "cycle":
            assert not tr._spurious(previous.cycle)
            assert hom.trivial_error(previous.cycle) < tr.TRIVIAL_TOL
    assert states == ["cycle"] * 3 + ["equilibrium"] * 3
    assert previous.equilibrium.stable
    stalled = hom.Cycle(previous.equilibrium.x, 18.17, np.array([0.93, 0.99]), 1e-6)
    assert tr._spurious(stalled)
