"""Config validation: each mistake is named with its field and value."""

from pathlib import Path

import pytest
import yaml
from neuralmass.config import ConfigError, check_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config():
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_shipped_configs_are_valid(config):
    checked = check_config(config, "config.yaml")
    assert checked["connectome"]["drop_nodes_without_inputs"] is False
    # defaults are filled in, so a changed default in the model reruns its jobs
    assert checked["models"]["ei_qif"]["parameters"]["J_EI"] == 13.0
    assert len(checked["models"]["ei_qif"]["parameters"]) == 15
    paper = yaml.safe_load((ROOT / "config" / "paper.yaml").read_text())
    check_config(paper, "paper.yaml")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c["spectra"].update(windw=1),
         r"spectra: Additional properties.*'windw'"),
        (lambda c: c["models"].update(wilson_cowan=c["models"]["ei_qif"]),
         r"models: Additional properties.*'wilson_cowan'.*; the models are "
         r"ei_qif, jansen_rit"),
        (lambda c: c["models"]["ei_qif"]["points"].update(bad={"I_X": 1.0}),
         r"models.ei_qif.points.bad: unknown parameter\(s\) I_X"),
        (lambda c: c["models"]["ei_qif"]["points"].update(bad={"eps": -1.0}),
         r"models.ei_qif.points.bad.eps = -1 is outside the allowed range"),
        (lambda c: c["models"]["ei_qif"]["parameters"].update(Delta_E="wide"),
         r"models.ei_qif.parameters.Delta_E: 'wide' is not of type 'number'"),
        (lambda c: c["models"]["ei_qif"]["continuation"].update(parameter="I_X"),
         r"continuation.parameter: model ei_qif has no parameter 'I_X'"),
        (lambda c: c["simulation"]["integrator"].update(method="euler"),
         r"simulation.integrator.method: 'euler' is not one of"),
        (lambda c: c["connectome"].update(sha256="abc"),
         r"connectome.sha256: 'abc' does not match"),
        (lambda c: c["spectra"].update(overlap=1.0),
         r"spectra.overlap: 1.0 is greater than or equal to the maximum of 1"),
        (lambda c: c["models"]["jansen_rit"]["simulation"].update(transient=-1.0),
         r"models.jansen_rit.simulation.transient: -1.0 is less than the minimum"),
        (lambda c: c["models"]["jansen_rit"]["cfc"]["pac"].update(seeed=2),
         r"models.jansen_rit.cfc.pac: Additional properties.*'seeed'"),
        (lambda c: c["models"]["jansen_rit"]["cfc"]["pac"].update(
            amplitude_bandwidth=3.0),
         r"models.jansen_rit.cfc \(the cfc block with this model's overrides\): "
         r"cfc.pac.amplitude_bandwidth must be at least twice"),
        (lambda c: c["models"]["jansen_rit"].update(spectra={"fmax": 60.0}),
         r"models.jansen_rit: cfc.bands reach 150.0 Hz, above spectra.fmax = 60.0"),
        (lambda c: c["models"]["jansen_rit"]["spectra"].update(window=80000.0),
         r"models.jansen_rit: spectra.window = 80000.0 s is longer than the "
         r"analysed part of a run, simulation.duration - cfc.discard = 58 s"),
        (lambda c: c["models"]["jansen_rit"]["simulation"].update(duration=20000.0),
         r"models.jansen_rit: cfc.pac.min_shift = 1.5 s leaves no surrogate lags: "
         r"of the 18 s analysed, -2 s remain"),
        (lambda c: c["models"]["jansen_rit"]["lyapunov"]["network"].update(dt=0),
         r"models.jansen_rit.lyapunov.network.dt: 0 is less than or equal to"),
    ],
)  # fmt: skip
def test_bad_config_is_refused(config, edit, message):
    edit(config)
    with pytest.raises(ConfigError, match=message) as error:
        check_config(config, "my.yaml")
    assert str(error.value).startswith("my.yaml")


def test_model_overrides_apply_to_their_model_only(config):
    """A model's own simulation block replaces the shared keys it names, keeps
    the others, and leaves the other models with the shared block."""
    config["simulation"]["seed"] = 7
    config["models"]["jansen_rit"]["simulation"] = {
        "duration": 40000.0,
        "integrator": {"rtol": 1e-6},
    }
    checked = check_config(config, "config.yaml")

    jr = checked["models"]["jansen_rit"]["simulation"]
    assert jr["duration"] == 40000.0
    assert jr["seed"] == 7
    assert jr["integrator"]["rtol"] == 1e-6
    assert jr["integrator"]["method"] == config["simulation"]["integrator"]["method"]
    assert checked["models"]["ei_qif"]["simulation"] == config["simulation"]
    assert checked["simulation"] == config["simulation"]
    assert check_config(checked, "again") == checked
