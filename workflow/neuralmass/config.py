"""Config validation: the JSON schema plus each model's declared parameters.

Errors name the config file, the field (as a dotted path) and the value, so
that a typo never runs silently with a default.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import yaml

from neuralmass.models import MODELS, load_model
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
    for name in MODELS:
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


def check_config(config: dict, source: str = "config") -> dict:
    """Validate `config`, fill defaults and return a checked copy.

    Beyond the schema: point coordinates must be parameters of their model,
    and the continuation parameter must be one of them.
    """
    config = copy.deepcopy(dict(config))
    validator = _fill_defaults(jsonschema.Draft202012Validator)(_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.path))
    if errors:
        lines = []
        for error in errors:
            field = ".".join(str(part) for part in error.absolute_path) or "(top)"
            lines.append(f"  {field}: {error.message}")
        raise ConfigError(f"{source}: invalid configuration\n" + "\n".join(lines))

    for name, block in config["models"].items():
        model = load_model(name)
        where = f"{source}: models.{name}"
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
