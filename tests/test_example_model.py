"""The example model of the README loads by dotted path and meets the contract.

Its Hopf points are known in closed form. For the self-coupled node
(c = v) the Jacobian at an equilibrium (v, w = (v + alpha) / beta) is

    J = [[1 + eps - v^2, -1], [1 / tau, -beta / tau]],

so tr J = 0 at v_H = +-sqrt(1 + eps - beta / tau), where
det J = (1 - beta^2 / tau) / tau = omega^2 > 0 (tau > beta^2), and the drive
there is I_H = v_H^3 / 3 - (1 + eps) v_H + (v_H + alpha) / beta. The
equilibrium is unique for all I when 1 / beta > 1 + eps.
"""

from pathlib import Path

import numpy as np
import pytest
from neuralmass import homogeneous as hom
from neuralmass.models import MODELS, load_model

RNG = np.random.default_rng(1961)


@pytest.fixture(scope="module")
def fhn():
    return load_model("tests.models.example_model")


def hopf_closed_form(eps, alpha=0.7, beta=0.8, tau=12.5):
    """[(I_H, omega)] for both Hopf points, omega in rad/ms."""
    omega = np.sqrt((1 - beta**2 / tau) / tau)
    points = []
    for v in np.array([-1.0, 1.0]) * np.sqrt(1 + eps - beta / tau):
        points.append((v**3 / 3 - (1 + eps) * v + (v + alpha) / beta, omega))
    return points


def test_loaded_by_dotted_path(fhn):
    assert fhn.name == "fhn_example"
    assert fhn.name not in MODELS
    assert fhn.variables[fhn.observable_index] == "v"
    assert fhn.frequency_hz(20.0) == pytest.approx(50.0)


@pytest.mark.parametrize("eps", [0.0, 0.15])
def test_hopf_points_match_closed_form(fhn, eps):
    branch = hom.continue_equilibria(fhn, fhn.pack({"eps": eps}), "I", -1.0, 3.0)
    assert [s.kind for s in branch.special_points] == ["HB", "HB"]
    for point, (i_h, omega) in zip(
        branch.special_points, hopf_closed_form(eps), strict=True
    ):
        assert point.value == pytest.approx(i_h, abs=1e-8)
        assert point.frequency == pytest.approx(omega, rel=1e-8)
        assert abs(point.residual) < 1e-9
    # between the Hopf points the equilibrium is unstable, outside stable
    unstable = branch.eigenvalues[:, 0].real > 0
    inside = (branch.values > branch.special_points[0].value) & (
        branch.values < branch.special_points[1].value
    )
    np.testing.assert_array_equal(unstable, inside)


def test_numba_rhs_matches_numpy(fhn):
    p = fhn.pack({"I": 0.4, "eps": 0.2})
    for _ in range(5):
        x, c = RNG.standard_normal(2), RNG.standard_normal()
        dx = np.empty(2)
        fhn.module.node_rhs(x, p, c, dx)
        np.testing.assert_allclose(dx, fhn.module.rhs_numpy(x, p, c), rtol=1e-13)


def test_jacobian_and_gradients_match_finite_differences(fhn):
    p = fhn.pack({"I": 0.4, "eps": 0.2})
    h = 1e-6
    for _ in range(5):
        x, c = RNG.standard_normal(2), RNG.standard_normal()
        jac, b, g = np.empty((2, 2)), np.empty(2), np.empty(2)
        fhn.module.node_jacobian(x, p, c, jac)
        fhn.module.input_gradient(x, p, b)
        fhn.module.output_gradient(x, p, g)

        fd = np.column_stack(
            [
                (
                    fhn.module.rhs_numpy(x + h * e, p, c)
                    - fhn.module.rhs_numpy(x - h * e, p, c)
                )
                / (2 * h)
                for e in np.eye(2)
            ]
        )
        np.testing.assert_allclose(jac, fd, rtol=1e-7, atol=1e-9)
        db = (fhn.module.rhs_numpy(x, p, c + h) - fhn.module.rhs_numpy(x, p, c - h)) / (
            2 * h
        )
        np.testing.assert_allclose(b, db, rtol=1e-7, atol=1e-9)
        dg = [
            (
                fhn.module.node_output(x + h * e, p)
                - fhn.module.node_output(x - h * e, p)
            )
            / (2 * h)
            for e in np.eye(2)
        ]
        np.testing.assert_allclose(g, dg, rtol=1e-7, atol=1e-9)


def test_initial_guess_is_an_equilibrium(fhn):
    p = fhn.pack({"I": 0.2, "eps": 0.1})
    x = fhn.module.initial_guess(p)
    np.testing.assert_allclose(hom.residual(fhn, p, x), 0.0, atol=1e-12)


def test_a_new_module_and_a_config_entry_make_a_model(tmp_path, monkeypatch):
    """The README's recipe: the module, named after its NAME, in the models
    package, and an entry under `models` in the config; nothing else. The
    config then validates with the model's own parameters, and a stage runs
    it: outside its Hopf points (closed form above) it rests, between them
    it oscillates."""
    import json
    import shutil

    import neuralmass.models as models
    import yaml
    from neuralmass.config import ConfigError, check_config
    from neuralmass.pipeline import homogeneous_state

    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "tests/models/example_model.py", tmp_path / "fhn_example.py")
    monkeypatch.setattr(models, "__path__", [*models.__path__, str(tmp_path)])
    assert "fhn_example" in models.available_models()

    config = yaml.safe_load((root / "config/config.yaml").read_text())
    config["models"] = {
        "fhn_example": {
            "parameters": {"tau": 12.5},
            "continuation": {"parameter": "I", "start": -1.0},
            "points": {"rest": {"I": 0.0}, "spiking": {"I": 0.8}},
        }
    }
    checked = check_config(config, "config.yaml")
    assert checked["models"]["fhn_example"]["parameters"]["beta"] == 0.8
    config["models"]["fhn_example"]["points"]["bad"] = {"tau": -1.0}
    with pytest.raises(ConfigError, match="points.bad.tau"):
        check_config(config, "config.yaml")

    states = {}
    for name, point in checked["models"]["fhn_example"]["points"].items():
        output = tmp_path / f"{name}.json"
        homogeneous_state("fhn_example", {}, point, {"parameter": "I", "start": -1.0},
                          2000.0, 0.01, output, name)  # fmt: skip
        states[name] = json.loads(output.read_text())
    (i_low, _), (i_high, _) = hopf_closed_form(0.0)
    assert 0.0 < i_low < 0.8 < i_high
    assert states["rest"]["state"] == "equilibrium"
    assert states["spiking"]["state"] == "cycle"
