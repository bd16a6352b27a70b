"""Node models and their compiled kernels.

A model is one module in this package that follows the contract described in
`neuralmass.models.ei_qif` (constants, five numba functions, a numpy twin).
`load_model(name)` imports it and builds the shared kernels for it. Every
module of this package is a model (`available_models()`), so adding one means
adding its module, named after its NAME, and a config entry. A model kept
elsewhere (a user's package, the tests) loads by its dotted module path.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import marshal
import os
import pkgutil
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np

from neuralmass import kernels_template
from neuralmass.parameters import Parameter, pack, unpack


def available_models() -> tuple[str, ...]:
    """Names of the model modules in this package (found on its __path__)."""
    return tuple(
        sorted(
            info.name
            for info in pkgutil.iter_modules(__path__)
            if not info.name.startswith("_")
        )
    )


#: The models shipped with the package.
MODELS = available_models()

#: Where the per-model kernel modules and numba's caches for them live.
#: NEURALMASS_KERNEL_DIR overrides it (e.g. a node-local disk on a cluster).
KERNEL_DIR = Path(
    os.environ.get(
        "NEURALMASS_KERNEL_DIR",
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "neuralmass"
        / "kernels",
    )
)

_IMPORT_LINE = re.compile(
    r"^from neuralmass\.models\.\w+ import \(  # MODEL IMPORT$", re.M
)


@dataclass(frozen=True)
class Model:
    """A node model with its declared data and its compiled kernels."""

    name: str
    module: ModuleType
    kernels: ModuleType

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        return self.module.PARAMETERS

    @property
    def variables(self) -> tuple[str, ...]:
        return self.module.VARIABLES

    @property
    def n_variables(self) -> int:
        return len(self.module.VARIABLES)

    @property
    def observable(self) -> str:
        """Name of the recorded signal of a node (e.g. v_E)."""
        return self.module.OBSERVABLE

    @property
    def observable_weights(self) -> np.ndarray:
        """The recorded signal as weights of the node's variables, (n,).

        A model whose signal is one of its variables names it in OBSERVABLE;
        one whose signal is a linear combination (Jansen-Rit: y1 - y2) also
        declares OBSERVABLE_WEIGHTS, a dict variable -> coefficient.
        """
        terms = getattr(self.module, "OBSERVABLE_WEIGHTS", {self.observable: 1.0})
        weights = np.zeros(self.n_variables)
        for variable, coefficient in terms.items():
            weights[self.variables.index(variable)] = coefficient
        return weights

    @property
    def observable_index(self) -> int:
        """The variable of largest weight in the observable (its main term)."""
        return int(np.argmax(np.abs(self.observable_weights)))

    @property
    def time_unit(self) -> str:
        return self.module.TIME_UNIT

    @property
    def seconds_per_time_unit(self) -> float:
        return self.module.SECONDS_PER_TIME_UNIT

    def pack(self, values=None, where: str = "parameters") -> np.ndarray:
        return pack(self.parameters, values, where)

    def unpack(self, array: np.ndarray) -> dict[str, float]:
        return unpack(self.parameters, array)

    def index(self, parameter: str) -> int:
        names = [p.name for p in self.parameters]
        if parameter not in names:
            raise ValueError(
                f"model {self.name} has no parameter {parameter!r}; "
                f"known: {', '.join(names)}"
            )
        return names.index(parameter)

    def ordered(self, values: dict) -> dict:
        """values (name -> number) in the order of the model's parameters, so
        that tables list a point's coordinates in one order (I_E, eps; p, eps)
        whatever order the config gave them in."""
        names = [p.name for p in self.parameters]
        return dict(sorted(values.items(), key=lambda item: names.index(item[0])))

    def frequency_hz(self, period: float) -> float:
        """Frequency in Hz of a cycle whose period is in model time units."""
        return 1.0 / (period * self.seconds_per_time_unit)


def kernel_source(module: ModuleType) -> str:
    """Kernel template source bound to `module`."""
    template = inspect.getsource(kernels_template)
    line = f"from {module.__name__} import (  # MODEL IMPORT"
    bound, count = _IMPORT_LINE.subn(line, template)
    if count != 1:
        raise RuntimeError("kernels_template.py lost its MODEL IMPORT line")
    return bound


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _fingerprint(module: ModuleType) -> bytes:
    """What of a model module the kernels compile: its functions' bytecode.

    The bytecode, not the source text: Python runs a stale .pyc when an edit
    keeps the file's size and modification second, and the kernels must
    follow what runs. Module constants (which numba freezes into the
    kernels) are included by value.
    """
    parts = []
    for name, value in sorted(vars(module).items()):
        function = getattr(value, "py_func", value)
        code = getattr(function, "__code__", None)
        if code is not None and getattr(function, "__module__", "") == module.__name__:
            parts.append(name.encode() + marshal.dumps(code))
        elif isinstance(value, int | float | str | tuple) and not name.startswith("__"):
            parts.append(f"{name}={value!r}".encode())
    return b"\0".join(parts)


@cache
def load_model(name: str) -> Model:
    """Import model `name` and its kernels (compiled on first use, cached).

    `name` is one of `available_models()` or the dotted path of a module that
    follows the model contract (see neuralmass.models.ei_qif).
    """
    known = available_models()
    if name in known:
        module = importlib.import_module(f"neuralmass.models.{name}")
    elif "." in name:
        module = importlib.import_module(name)
    else:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(known)}")
    if name in known and module.NAME != name:
        raise ValueError(
            f"{module.__file__}: NAME is {module.NAME!r}; a model module in "
            f"neuralmass.models must be named after its NAME ({name!r})"
        )
    name = module.NAME

    source = kernel_source(module)
    digest = hashlib.sha256(source.encode() + _fingerprint(module)).hexdigest()[:16]
    module_name = f"neuralmass_kernels_{name}_{digest}"
    path = KERNEL_DIR / f"{module_name}.py"
    if not path.exists() or path.read_text() != source:
        _write_atomically(path, source)

    spec = importlib.util.spec_from_file_location(module_name, path)
    kernels = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = kernels
    spec.loader.exec_module(kernels)
    return Model(name=name, module=module, kernels=kernels)
