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
    assert (cycles["exponent_error"] < 1e-6).all()
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
        rates, error = tr._growth_rates(model, p, cold, lambdas)
        period = cold.cycle.period
        tol = 5 * tr.TRIVIAL_TOL / period + 2 * max(
            error, row.loc[i_e, "exponent_error"]
        )
        assert row.loc[i_e, "period"] == pytest.approx(period, rel=1e-6)
        assert row.loc[i_e, "mu_hat"] == pytest.approx(rates.mu[1:].max(), abs=tol)
