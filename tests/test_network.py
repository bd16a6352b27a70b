"""Network simulations: invariance, integrator agreement, divergence errors."""

import numpy as np
import pytest
from neuralmass import dispersion as disp
from neuralmass import homogeneous as hom
from neuralmass.network import Integrator, SimulationError, perturbed_state, simulate


def test_network_started_on_the_manifold_stays_there(model, aal90_weights):
    """A transversally stable homogeneous cycle: spread stays at rounding level."""
    p = model.pack({"I_E": 10.0, "eps": 3.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    lambdas = np.linalg.eigvals(aal90_weights).real
    transverse = np.sort(lambdas)[:-1]
    assert disp.floquet_exponents(model, p, cycle, transverse).mu.max() < 0
    x0 = np.tile(cycle.x0, (90, 1))
    run = simulate(model, p, aal90_weights, x0, 500.0, 0.0, 0.1, Integrator("rk4"))
    spread = np.ptp(run.observable, axis=1).max()
    assert spread < 1e-9
    assert np.ptp(run.observable[:, 0]) > 1.0  # it does oscillate


def test_rk4_and_dop853_agree(model, aal90_weights):
    p = model.pack({"I_E": 13.0, "eps": 5.0})
    x0 = perturbed_state(
        model.module.initial_guess(p), 90, 0.01, np.random.default_rng(1)
    )
    runs = [
        simulate(model, p, aal90_weights, x0, 200.0, 0.0, 0.1, integrator)
        for integrator in (
            Integrator("rk4", dt=0.005),
            Integrator("dop853", rtol=1e-10, atol=1e-10),
        )
    ]
    np.testing.assert_allclose(runs[0].final_state, runs[1].final_state, atol=1e-6)
    np.testing.assert_allclose(runs[0].observable, runs[1].observable, atol=1e-5)


@pytest.mark.parametrize("method", ["rk4", "dop853"])
def test_blow_up_names_node_and_time(model, aal90_weights, method):
    """Uncoupled nodes (eps = 0): node 7 starts far out and blows up alone."""
    p = model.pack({"I_E": 13.0, "eps": 0.0})
    x0 = np.tile(model.module.initial_guess(p), (90, 1))
    x0[7, 1] = 1e4
    with pytest.raises(
        SimulationError, match=r"point X.*t = 0\.[0-9]+ ms.*node 7 \(R7\)"
    ):
        simulate(model, p, aal90_weights, x0, 10.0, 0.0, 0.1, Integrator(method),
                 labels=[f"R{j}" for j in range(90)], where="point X")  # fmt: skip


def test_non_finite_initial_state_is_refused(model, aal90_weights):
    p = model.pack({})
    x0 = np.tile(model.module.initial_guess(p), (90, 1))
    x0[3, 2] = np.nan
    with pytest.raises(ValueError, match="initial state of node 3 is not finite"):
        simulate(model, p, aal90_weights, x0, 1.0, 0.0, 0.1, Integrator())


def test_unstable_step_is_reported(model, aal90_weights):
    p = model.pack({"I_E": 13.0, "eps": 5.0})
    x0 = np.tile(model.module.initial_guess(p), (90, 1))
    with pytest.raises(SimulationError, match=r"t = [0-9.]+ ms"):
        simulate(
            model, p, aal90_weights, x0, 100.0, 0.0, 2.0, Integrator("rk4", dt=2.0)
        )


def test_bad_integrator_settings(model):
    with pytest.raises(ValueError, match="integrator.method: 'euler'"):
        Integrator("euler")
    with pytest.raises(ValueError, match="integrator.dt must be > 0"):
        Integrator("rk4", dt=0)
