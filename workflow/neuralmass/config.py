"""Config validation: the JSON schema plus each model's declared parameters.

Errors name the config file, the field (as a dotted path) and the value, so
that a typo never runs silently with a default.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import yaml

from neuralmass.models import available_models, load_model
from neuralmass.parameters import json_schema

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """The config breaks the schema; the message names file, field and value."""


def _schema() -> dict:
    schema = yaml.safe_load(SCHEMA.read_text())
    models = schema["properties"]["models"]
    entry = models.pop("additionalProperties")
    models["additionalProperties"] = False
    models["properties"] = {}
    for name in available_models():
        block = copy.deepcopy(entry)
        block["properties"]["parameters"] = json_schema(load_model(name).parameters)
        block["properties"]["parameters"]["default"] = {}
        models["properties"][name] = block
    return schema


def _fill_defaults(validator_class):
    validate = validator_class.VALIDATORS["properties"]

    def with_defaults(validator, properties, instance, schema):
        for name, sub in properties.items():
            if isinstance(instance, dict) and "default" in sub:
                instance.setdefault(name, copy.deepcopy(sub["default"]))
        yield from validate(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": with_defaults})


#: Top-level blocks that a model entry may override for itself.
SHARED_BLOCKS = ("homogeneous", "dispersion", "simulation", "spectra", "cfc", "figures")
#: Blocks of the top-level lyapunov block that models.<m>.lyapunov may override.
LYAPUNOV_BLOCKS = ("network", "homogeneous")


def _merge(base: dict, override: dict) -> dict:
    """base with override's keys replaced, nested dicts merged key by key."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _raise_errors(errors, source: str, prefix: str = "") -> None:
    errors = sorted(errors, key=lambda e: list(e.path))
    if errors:
        lines = []
        for error in errors:
            parts = [prefix] if prefix else []
            parts += [str(part) for part in error.absolute_path]
            message = error.message
            if parts == ["models"] and error.validator == "additionalProperties":
                message += f"; the models are {', '.join(available_models())}"
            lines.append(f"  {'.'.join(parts) or '(top)'}: {message}")
        raise ConfigError(f"{source}: invalid configuration\n" + "\n".join(lines))


def _model_settings(config: dict, schema: dict, validator_class, source: str) -> None:
    """Give every model its own copy of the shared blocks, with its overrides.

    After this, models.<m>.simulation (etc.) is the full block that the
    model's jobs use, so a rule reads one place and a change to one model's
    override reruns only that model's jobs.
    """
    properties = schema["properties"]
    lyapunov_schema = properties.get("lyapunov", {}).get("properties", {})
    for name, block in config["models"].items():
        pairs = [(b, config.get(b), properties[b], block, "") for b in SHARED_BLOCKS]
        if "lyapunov" in config:
            lyapunov = block.setdefault("lyapunov", {})
            pairs += [
                (b, config["lyapunov"].get(b), lyapunov_schema[b], lyapunov,
                 "lyapunov.")
                for b in LYAPUNOV_BLOCKS
            ]  # fmt: skip
        for key, shared, sub_schema, owner, inside in pairs:
            if shared is None:
                continue
            prefix = f"models.{name}.{inside}{key}"
            merged = _merge(shared, owner.get(key, {}))
            validator = validator_class({**sub_schema, "$defs": schema["$defs"]})
            _raise_errors(validator.iter_errors(merged), source, prefix)
            owner[key] = merged


def _check_surrogate_lags(cfc: dict, analysed_s: float, where: str) -> None:
    """The coupling tests cut EDGE_CYCLES cycles of the slowest phase-band
    edge from each end of the analysed run and shift surrogates by at least
    min_shift: what is left must hold lags beyond min_shift both ways."""
    from neuralmass.pac import EDGE_CYCLES

    pac = cfc["pac"]
    half = pac["phase_bandwidth"] / 2
    slowest = min(
        pac["modulation_range"][0] - half,
        pac["comodulogram"]["phase"][0] - half,
        *(cfc["bands"][name][0] for name in pac["phase_bands"]),
    )
    kept_s = analysed_s - 2 * EDGE_CYCLES / slowest
    if kept_s <= 2 * pac["min_shift"]:
        raise ConfigError(
            f"{where}: cfc.pac.min_shift = {pac['min_shift']} s leaves no surrogate "
            f"lags: of the {analysed_s:g} s analysed, {kept_s:.3g} s remain after "
            f"cutting {EDGE_CYCLES:g} cycles of the slowest phase-band edge "
            f"({slowest:g} Hz) at each end; lengthen simulation.duration, raise "
            "cfc.pac.modulation_range or lower cfc.pac.min_shift"
        )


def check_config(config: dict, source: str = "config") -> dict:
    """Validate `config`, fill defaults and return a checked copy.

    Beyond the schema: point coordinates must be parameters of their model,
    and the continuation parameter must be one of them. Each model entry
    gets the shared blocks (homogeneous, simulation, ...) merged with its own
    overrides, see `_model_settings`.
    """
    config = copy.deepcopy(dict(config))
    schema = _schema()
    validator_class = _fill_defaults(jsonschema.Draft202012Validator)
    _raise_errors(validator_class(schema).iter_errors(config), source)
    _model_settings(config, schema, validator_class, source)

    for name, block in config["models"].items():
        model = load_model(name)
        where = f"{source}: models.{name}"
        if "cfc" in block:
            from neuralmass.cfc import check_settings

            try:
                check_settings(block["cfc"])
            except ValueError as error:
                raise ConfigError(
                    f"{where}.cfc (the cfc block with this model's overrides): {error}"
                ) from None
            analysed_s = 1e-3 * (
                block["simulation"]["duration"] - block["cfc"]["discard"]
            )
            windows = {
                "spectra.window": block["spectra"]["window"],
                "cfc.spectrogram.window": block["cfc"]["spectrogram"]["window"],
            }
            for key, value in windows.items():
                if value > analysed_s:
                    raise ConfigError(
                        f"{where}: {key} = {value} s is longer than the analysed "
                        f"part of a run, simulation.duration - cfc.discard = "
                        f"{analysed_s:g} s (with this model's overrides)"
                    )
            _check_surrogate_lags(block["cfc"], analysed_s, where)
            top = max(hi for _, hi in block["cfc"]["bands"].values())
            if "spectra" in block and top > block["spectra"]["fmax"]:
                raise ConfigError(
                    f"{where}: cfc.bands reach {top} Hz, above spectra.fmax = "
                    f"{block['spectra']['fmax']} Hz (with this model's overrides); "
                    "raise spectra.fmax or lower the bands"
                )
        try:
            model.index(block["continuation"]["parameter"])
        except ValueError as error:
            raise ConfigError(f"{where}.continuation.parameter: {error}") from None
        transverse = block.get("transverse")
        if transverse:
            for axis in ("x", "y"):
                name = transverse[axis]["parameter"]
                if name not in {q.name for q in model.parameters}:
                    raise ConfigError(
                        f"{where}.transverse.{axis}.parameter: {name!r} is not a "
                        f"parameter of model {model.name}"
                    )
                if transverse[axis]["max"] < transverse[axis]["min"]:
                    raise ConfigError(f"{where}.transverse.{axis}: max < min")
            panel = transverse.get("panel")
            if panel:
                for value in panel["values"]:
                    point = {**panel["fixed"], panel["parameter"]: value}
                    try:
                        model.pack({**block["parameters"], **point},
                                   f"{where}.transverse.panel")  # fmt: skip
                    except ValueError as error:
                        raise ConfigError(str(error)) from None
        for point, values in block["points"].items():
            try:
                model.pack({**block["parameters"], **values}, f"{where}.points.{point}")
            except ValueError as error:
                raise ConfigError(str(error)) from None
    return config
