"""The Lyapunov stages of the pipeline, one function per rule script.

As in `neuralmass.pipeline`: paths and plain settings in, outputs written
atomically, times in the config in ms, converted to each model's time unit
here. Exponents in the tables are in 1/ms whatever the model's time unit.

Failure policy: a network spectrum that diverges fails its job (the log names
time, phase and node; one point per job). The homogeneous map keeps going: a
point that diverges or whose homogeneous state cannot be classified gets a
`status` and `message` in its row and NaN exponents, and is left blank in
the figure.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from neuralmass import homogeneous as hom
from neuralmass import lyapunov as lyap
from neuralmass.io import atomic_path
from neuralmass.models import Model, load_model
from neuralmass.network import perturbed_state
from neuralmass.pipeline import model_time, provenance, write_json

log = logging.getLogger(__name__)

CONVERGENCE_ROWS = 400  # running estimates kept for the convergence table
HOMOGENEOUS_KICK = 1e-3  # relative offset from an unstable equilibrium


def grid_values(axis: dict) -> np.ndarray:
    """min, min + step, ..., max, rounded so that named values are hit exactly."""
    count = int(round((axis["max"] - axis["min"]) / axis["step"])) + 1
    return np.round(axis["min"] + axis["step"] * np.arange(count), 10)


def scan_points(block: dict) -> dict[str, dict[str, float]]:
    """Names and coordinates of the points of a scan block.

    block: {parameter, min, max, step, fixed: {name: value}}; the names are
    scan_<parameter><value>_<fixed name><value>..., e.g. scan_I_E10.2_eps9.
    """
    fixed = dict(block.get("fixed", {}))
    suffix = "".join(f"_{name}{value:g}" for name, value in fixed.items())
    return {
        f"scan_{block['parameter']}{value:g}{suffix}": {
            block["parameter"]: float(value),
            **fixed,
        }
        for value in grid_values(block)
    }


# ---- config helpers for workflow/rules/lyapunov.smk -------------------------


def lyapunov_block(config: dict, model: str) -> dict:
    """models.<model>.lyapunov, empty when the model asks for no spectra."""
    return config["models"][model].get("lyapunov", {})


def lyapunov_scan_points(config: dict, model: str) -> dict[str, dict[str, float]]:
    block = lyapunov_block(config, model).get("scan")
    return scan_points(block) if block else {}


def lyapunov_point(config: dict, model: str, point: str) -> dict[str, float]:
    """A named point's coordinates, or a scan point's."""
    points = config["models"][model]["points"]
    if point in points:
        return points[point]
    scan = lyapunov_scan_points(config, model)
    if point not in scan:
        raise ValueError(
            f"{model}: {point!r} is neither a named point nor a scan point; "
            f"known: {', '.join([*points, *scan])}"
        )
    return scan[point]


def lyapunov_rows(config: dict, model: str) -> list[int]:
    """Row indices of the homogeneous map, one per value of its y axis."""
    block = lyapunov_block(config, model)["homogeneous_map"]
    return list(range(len(grid_values(block["y"]))))


def lyapunov_targets(config: dict) -> list[str]:
    """Spectra at the named points, the scans and the homogeneous maps."""
    if "lyapunov" not in config:
        return []
    targets = []
    for model in config["models"]:
        for point in config["models"][model]["points"]:
            targets += [
                f"results/{model}/network/{point}/lyapunov.csv",
                f"results/figures/lyapunov/{model}_{point}_convergence.png",
            ]
        block = lyapunov_block(config, model)
        if "scan" in block:
            targets += [
                f"results/{model}/lyapunov/scan.csv",
                f"results/figures/lyapunov/{model}_scan.png",
            ]
        if "homogeneous_map" in block:
            targets += [
                f"results/{model}/lyapunov/homogeneous_map.csv",
                f"results/figures/lyapunov/{model}_homogeneous_map.png",
            ]
    return targets


def check_lyapunov_config(config: dict) -> None:
    """Scan and map coordinates must be parameters of their model, and the
    top-level numerics block must exist when a model asks for spectra."""
    for model in config["models"]:
        block = lyapunov_block(config, model)
        names = []
        if "scan" in block:
            names += [block["scan"]["parameter"], *block["scan"].get("fixed", {})]
        if "homogeneous_map" in block:
            names += [block["homogeneous_map"][axis]["parameter"] for axis in "xy"]
        for name in names:
            try:
                load_model(model).index(name)
            except ValueError as error:
                raise ValueError(f"models.{model}.lyapunov: {error}") from None
        if block and "lyapunov" not in config:
            raise ValueError(
                f"models.{model}.lyapunov is set but the top-level lyapunov block "
                "(numerical settings) is missing"
            )


# ---- stages ------------------------------------------------------------------


def per_ms(model: Model) -> float:
    """Factor from 1 / model time unit to 1/ms."""
    return 1.0 / (model.seconds_per_time_unit * 1e3)


def settings_in_model_time(model: Model, settings: dict, n_exponents: int):
    """LyapunovSettings from a config block with times in ms."""
    return lyap.LyapunovSettings(
        n_exponents=int(n_exponents),
        duration=model_time(model, settings["duration"]),
        dt=model_time(model, settings["dt"]),
        qr_interval=model_time(model, settings["qr_interval"]),
        transient=model_time(model, settings["transient"]),
        tangent_transient=model_time(model, settings["tangent_transient"]),
        n_blocks=int(settings["n_blocks"]),
    )


def _homogeneous_start(model, p, continuation, homogeneous, where):
    """The homogeneous attractor's state (cycle point or equilibrium) and kind."""
    state = hom.homogeneous_state(
        model,
        p,
        continuation["parameter"],
        continuation["start"],
        model_time(model, homogeneous["transient"]),
        model_time(model, homogeneous["dt"]),
    )
    log.info("%s: homogeneous state %s %s", where, state.state, state.reason)
    if state.state == "cycle":
        return state.cycle.x0, state
    if state.state == "equilibrium":
        return state.equilibrium.x, state
    return state.equilibrium.x * (1 + HOMOGENEOUS_KICK), state


def _spectrum_table(spectrum, factor) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "index": np.arange(1, spectrum.exponents.size + 1),
            "exponent": spectrum.exponents * factor,
            "stderr": spectrum.stderr * factor,
            "unit": "1/ms",
        }
    )


def _convergence_table(spectrum, model) -> pd.DataFrame:
    """Running estimates (1/ms) at up to CONVERGENCE_ROWS log-spaced times."""
    n = spectrum.times.size
    rows = np.unique(np.geomspace(1, n, min(n, CONVERGENCE_ROWS)).astype(int)) - 1
    factor = per_ms(model)
    table = pd.DataFrame(
        spectrum.running[rows] * factor,
        columns=[f"lambda_{i + 1}" for i in range(spectrum.exponents.size)],
    )
    table.insert(0, "time_ms", spectrum.times[rows] / factor)
    return table


def network_lyapunov(
    model_name: str,
    parameters: dict,
    point: dict,
    continuation: dict,
    homogeneous: dict,
    settings: dict,
    weights_npy,
    labels_txt,
    outputs: dict,
    where: str,
) -> None:
    """Lyapunov spectrum of the network at one point.

    Starts from the homogeneous attractor (as the network runs: the cycle
    point or the equilibrium, plus settings["perturbation"] * U[0, 1) with
    settings["seed"]) and writes outputs "table" (index, exponent, stderr,
    unit: 1/ms), "convergence" (time_ms, lambda_1..K: running estimates),
    "summary" (JSON: settings, Kaplan-Yorke dimension, number of positive
    exponents, counters, provenance) and "figure".
    """
    from neuralmass.plots.lyapunov import plot_convergence

    model = load_model(model_name)
    p = model.pack({**parameters, **point}, where=where)
    w = np.load(weights_npy)
    labels = Path(labels_txt).read_text().split()
    x_hom, state = _homogeneous_start(model, p, continuation, homogeneous, where)
    rng = np.random.default_rng(settings["seed"])
    x0 = perturbed_state(x_hom, w.shape[0], settings["perturbation"], rng)
    config = settings_in_model_time(model, settings, settings["n_exponents"])
    spectrum = lyap.lyapunov_spectrum(
        model, p, w, x0, config, rng=rng, labels=labels, where=where
    )
    factor = per_ms(model)
    log.info(
        "%s: lambda_1 = %.5f +- %.5f /ms, %d positive, D_KY = %.3f, %.0f s wall",
        where, spectrum.exponents[0] * factor, spectrum.stderr[0] * factor,
        spectrum.n_positive, spectrum.kaplan_yorke, spectrum.counters["wall_seconds"],
    )  # fmt: skip

    table = _spectrum_table(spectrum, factor)
    with atomic_path(outputs["table"]) as tmp:
        table.to_csv(tmp, index=False)
    convergence = _convergence_table(spectrum, model)
    with atomic_path(outputs["convergence"]) as tmp:
        convergence.to_csv(tmp, index=False)
    summary = spectrum.summary()
    for key in ("lambda_max", "lambda_max_stderr", "sum"):
        summary[key] *= factor
    summary["time_unit"] = "ms"
    summary["settings"] = dict(settings)
    if not np.isfinite(summary["kaplan_yorke_dimension"]):
        summary["kaplan_yorke_dimension"] = None  # more exponents needed
    record = {
        "model": model.name,
        "point": model.ordered(point),
        "parameters": model.unpack(p),
        "homogeneous_state": state.state,
        "status": "ok",
        **summary,
        **provenance(),
    }
    write_json(record, outputs["summary"])
    plot_convergence(convergence, table, outputs["figure"], where)


def lyapunov_scan_table(summaries, tables, parameter: str, outputs: dict) -> None:
    """Spectra along a scan line, one table and one figure.

    outputs: "table" (long: point, its coordinates, index, exponent, stderr
    in 1/ms), "summary" (one row per point: lambda_max and its stderr, sum,
    n_positive, kaplan_yorke_dimension, homogeneous_state, wall_seconds) and
    "figure" (exponents against `parameter`).
    """
    from neuralmass.plots.lyapunov import plot_scan

    rows, long = [], []
    for summary_path, table_path in zip(summaries, tables, strict=True):
        record = json.loads(Path(summary_path).read_text())
        name = Path(summary_path).parent.name
        coordinates = dict(record["point"])
        rows.append(
            {
                "point": name,
                **coordinates,
                "homogeneous_state": record["homogeneous_state"],
                "lambda_max": record["lambda_max"],
                "lambda_max_stderr": record["lambda_max_stderr"],
                "sum": record["sum"],
                "n_positive": record["n_positive"],
                "kaplan_yorke_dimension": record["kaplan_yorke_dimension"],
                "wall_seconds": record["counters"]["wall_seconds"],
            }
        )
        table = pd.read_csv(table_path)
        for key, value in reversed(list(coordinates.items())):
            table.insert(0, key, value)
        table.insert(0, "point", name)
        long.append(table)
    summary = pd.DataFrame(rows).sort_values(parameter, kind="stable")
    spectra = pd.concat(long, ignore_index=True).sort_values(
        [parameter, "index"], kind="stable"
    )
    with atomic_path(outputs["table"]) as tmp:
        spectra.to_csv(tmp, index=False)
    with atomic_path(outputs["summary"]) as tmp:
        summary.to_csv(tmp, index=False)
    plot_scan(spectra, summary, parameter, outputs["figure"])


def homogeneous_lyapunov_row(
    model_name: str,
    parameters: dict,
    block: dict,
    row: int,
    continuation: dict,
    homogeneous: dict,
    settings: dict,
    output,
    where: str,
) -> None:
    """All exponents of the self-coupled node along one row of the map.

    block: {x: axis, y: axis} (axes as in `grid_values`); the row is y value
    number `row`. Each point starts from its homogeneous attractor (cycle
    point, stable equilibrium, or an unstable equilibrium offset by
    HOMOGENEOUS_KICK when the motion is not periodic), so in a bistable
    region it reports the attractor reached from the resting state. Writes
    one CSV row per point: coordinates, homogeneous_state, status, message,
    lambda_1..n and stderr_1..n (1/ms), n_positive, kaplan_yorke_dimension.
    """
    model = load_model(model_name)
    x_name, y_name = block["x"]["parameter"], block["y"]["parameter"]
    y_value = float(grid_values(block["y"])[row])
    n = model.n_variables
    config = settings_in_model_time(model, settings, n)
    factor = per_ms(model)
    rows = []
    for x_value in grid_values(block["x"]):
        point = {x_name: float(x_value), y_name: y_value}
        label = f"{where} {x_name} = {x_value:g}"
        p = model.pack({**parameters, **point}, where=where)
        entry = {**point, "homogeneous_state": "", "status": "ok", "message": ""}
        values = np.full(n, np.nan)
        errors = np.full(n, np.nan)
        try:
            x0, state = _homogeneous_start(model, p, continuation, homogeneous, label)
            entry["homogeneous_state"] = state.state
            spectrum = lyap.homogeneous_lyapunov_spectrum(model, p, x0, config,
                                                          where=label)  # fmt: skip
        except (
            hom.ConvergenceError,
            lyap.LyapunovError,
            np.linalg.LinAlgError,
        ) as error:
            entry.update(status="failed", message=str(error))
            log.warning("%s: %s", label, error)
        else:
            values = spectrum.exponents * factor
            errors = spectrum.stderr * factor
            entry["n_positive"] = spectrum.n_positive
            entry["kaplan_yorke_dimension"] = spectrum.kaplan_yorke
        for i in range(n):
            entry[f"lambda_{i + 1}"] = values[i]
        for i in range(n):
            entry[f"stderr_{i + 1}"] = errors[i]
        rows.append(entry)
        log.info("%s: lambda_1 = %.5f /ms (%s)", label, values[0], entry["status"])
    with atomic_path(output) as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False)


def homogeneous_lyapunov_map(rows, block: dict, outputs: dict, where: str) -> None:
    """Concatenate the rows; map of the largest exponent (figure)."""
    from neuralmass.plots.lyapunov import plot_homogeneous_map

    table = pd.concat([pd.read_csv(path) for path in rows], ignore_index=True)
    failed = int((table["status"] != "ok").sum())
    if failed:
        log.warning("%s: %d of %d points failed (see `message`)", where, failed,
                    len(table))  # fmt: skip
    with atomic_path(outputs["table"]) as tmp:
        table.to_csv(tmp, index=False)
    plot_homogeneous_map(table, block["x"]["parameter"], block["y"]["parameter"],
                         outputs["figure"], where)  # fmt: skip
