"""Model parameters declared as data: default, unit, range and meaning.

Each node model lists its parameters once, as a tuple of `Parameter`. The
config schema, the README tables and the packed arrays that the compiled
kernels read are all derived from that tuple, so they cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    `minimum` and `maximum` bound the values that make physical sense (a time
    constant must be positive); `exclusive_minimum` makes the lower bound
    strict.
    """

    name: str
    default: float
    unit: str
    description: str
    minimum: float = -math.inf
    maximum: float = math.inf
    exclusive_minimum: bool = False

    def check(self, value: float, where: str = "parameters") -> float:
        """Return `value` as float or raise ValueError naming the parameter."""
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"{where}.{self.name}: expected a number, got {value!r}"
            ) from None
        if not math.isfinite(number):
            raise ValueError(f"{where}.{self.name}: must be finite, got {value!r}")
        too_low = (
            number <= self.minimum if self.exclusive_minimum else number < self.minimum
        )
        if too_low or number > self.maximum:
            low = "(" if self.exclusive_minimum else "["
            raise ValueError(
                f"{where}.{self.name} = {number:g} is outside the allowed range "
                f"{low}{self.minimum:g}, {self.maximum:g}] ({self.unit})"
            )
        return number


def pack(
    parameters: Sequence[Parameter],
    values: Mapping[str, float] | None = None,
    where: str = "parameters",
) -> np.ndarray:
    """Pack defaults overridden by `values` into the array the kernels read.

    Raises ValueError for an unknown name (listing the known ones) or a value
    out of range.
    """
    values = dict(values or {})
    known = {parameter.name for parameter in parameters}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(
            f"{where}: unknown parameter(s) {', '.join(unknown)}; "
            f"known: {', '.join(parameter.name for parameter in parameters)}"
        )
    return np.array(
        [
            parameter.check(values.get(parameter.name, parameter.default), where)
            for parameter in parameters
        ],
        dtype=np.float64,
    )


def unpack(parameters: Sequence[Parameter], array: np.ndarray) -> dict[str, float]:
    """Inverse of `pack`: a name -> value dict."""
    pairs = zip(parameters, array, strict=True)
    return {parameter.name: float(value) for parameter, value in pairs}


def json_schema(parameters: Sequence[Parameter]) -> dict:
    """JSON-schema `properties` block for a model's parameter overrides."""
    properties = {}
    for parameter in parameters:
        entry = {
            "type": "number",
            "default": parameter.default,
            "description": f"{parameter.description} ({parameter.unit})",
        }
        if math.isfinite(parameter.minimum):
            key = "exclusiveMinimum" if parameter.exclusive_minimum else "minimum"
            entry[key] = parameter.minimum
        if math.isfinite(parameter.maximum):
            entry["maximum"] = parameter.maximum
        properties[parameter.name] = entry
    return {"type": "object", "additionalProperties": False, "properties": properties}


def markdown_table(parameters: Sequence[Parameter]) -> str:
    """The parameter table as Markdown, for the README."""
    rows = ["| parameter | default | unit | range | meaning |", "|---|---|---|---|---|"]
    for parameter in parameters:
        low = "(" if parameter.exclusive_minimum else "["
        rows.append(
            f"| `{parameter.name}` | {parameter.default:g} | {parameter.unit} | "
            f"{low}{parameter.minimum:g}, {parameter.maximum:g}] | "
            f"{parameter.description} |"
        )
    return "\n".join(rows)
