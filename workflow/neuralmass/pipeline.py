"""The pipeline's stages as plain functions, one per rule script.

Each function takes paths and plain settings, does one stage and writes its
outputs atomically, so that it can be tested without Snakemake and a killed
job never leaves a file that looks finished. Times in the config are in ms
(the study's unit) and converted here to each model's own time unit.
"""

from __future__ import annotations

import json
import logging
import subprocess
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from neuralmass import connectome as con
from neuralmass import dispersion as disp
from neuralmass import homogeneous as hom
from neuralmass.io import atomic_path
from neuralmass.models import Model, load_model
from neuralmass.network import Integrator, perturbed_state, simulate

log = logging.getLogger(__name__)


def setup_logging(path) -> None:
    """Send this job's log records and stderr to the rule's log file."""
    import sys

    handle = open(path, "a", buffering=1)  # noqa: SIM115 (lives as long as the job)
    sys.stderr = handle
    logging.basicConfig(
        stream=handle,
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
        force=True,
    )


def model_time(model: Model, milliseconds: float) -> float:
    """A duration given in ms, in the model's time unit."""
    return milliseconds * 1e-3 / model.seconds_per_time_unit


def provenance() -> dict:
    """Package versions and the git commit, stored with every result."""
    versions = {
        name: metadata.version(name)
        for name in ("numpy", "scipy", "numba", "pandas", "xarray", "snakemake")
    }
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {"versions": versions, "git_commit": commit}


def write_json(data: dict, path) -> None:
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps(data, indent=2, default=_jsonable) + "\n")


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def _complex_list(values) -> list[list[float]]:
    return [[float(v.real), float(v.imag)] for v in np.asarray(values)]


# --- stage 1: connectome -----------------------------------------------------


def prepare_connectome(
    source, regions, fmt, drop_nodes_without_inputs, outputs: dict, checksums=None
) -> None:
    """Load and validate, row-normalise and eigen-decompose a connectome.

    outputs: paths for "weights" (.npy, W), "eigenvalues" (.csv),
    "eigenvectors" (.npy, columns in the order of the eigenvalues), "labels"
    (.txt) and "figure" (.png). checksums: path -> sha256 of downloaded
    inputs, checked again here because a cached file may have been replaced
    since it was fetched.
    """
    from neuralmass.plots.connectome import plot_connectome

    for path, expected in (checksums or {}).items():
        if path in (str(source), str(regions)):
            actual = con.sha256_of(path)
            if actual != expected:
                raise con.ConnectomeError(
                    f"{path}: sha256 {actual} does not match the pinned {expected}; "
                    "delete the file so that the pipeline downloads it again, or set "
                    "connectome.path to use your own file"
                )

    connectome = con.load_connectome(
        source,
        fmt=fmt,
        regions=regions,
        drop_nodes_without_inputs=drop_nodes_without_inputs,
    )
    w = con.row_normalise(connectome.weights)
    eigenvalues, eigenvectors = con.eigen_decomposition(w)
    log.info(
        "%s: %d nodes, Lambda_2 = %s, Lambda_min = %s",
        source, w.shape[0], eigenvalues[1], eigenvalues[-1],
    )  # fmt: skip

    with atomic_path(outputs["weights"]) as tmp:
        np.save(tmp, w)
    with atomic_path(outputs["eigenvectors"]) as tmp:
        np.save(tmp, eigenvectors)
    con.write_eigenvalues_csv(eigenvalues, outputs["eigenvalues"])
    with atomic_path(outputs["labels"]) as tmp:
        Path(tmp).write_text("\n".join(connectome.labels) + "\n")
    plot_connectome(w, eigenvalues, connectome.labels, outputs["figure"])


def read_eigenvalues(path) -> np.ndarray:
    table = pd.read_csv(path)
    values = table["lambda_re"].to_numpy() + 1j * table["lambda_im"].to_numpy()
    return values.real if np.all(table["lambda_im"] == 0) else values


# --- stage 2: homogeneous states -----------------------------------------------


def homogeneous_state(
    model_name: str,
    parameters: dict,
    point: dict,
    continuation: dict,
    transient_ms: float,
    dt_ms: float,
    output,
    where: str,
) -> None:
    """Classify and store the homogeneous state at one parameter point (JSON)."""
    model = load_model(model_name)
    p = model.pack({**parameters, **point}, where=where)
    state = hom.homogeneous_state(
        model,
        p,
        continuation["parameter"],
        continuation["start"],
        model_time(model, transient_ms),
        model_time(model, dt_ms),
    )
    record = {
        "model": model.name,
        "point": model.ordered(point),
        "parameters": model.unpack(p),
        "time_unit": model.time_unit,
        "variables": list(model.variables),
        "state": state.state,
        "reason": state.reason,
        **provenance(),
    }
    if state.equilibrium is not None:
        record["equilibrium"] = {
            "x": state.equilibrium.x,
            "eigenvalues": _complex_list(state.equilibrium.eigenvalues),
            "stable": state.equilibrium.stable,
        }
    if state.cycle is not None:
        record["cycle"] = {
            "x0": state.cycle.x0,
            "period": state.cycle.period,
            "frequency_hz": model.frequency_hz(state.cycle.period),
            "multipliers": _complex_list(state.cycle.multipliers),
            "stable": state.cycle.stable,
            "residual": state.cycle.residual,
        }
    log.info("%s: %s %s", where, state.state, state.reason)
    write_json(record, output)


def load_homogeneous(path) -> tuple[Model, np.ndarray, dict]:
    record = json.loads(Path(path).read_text())
    model = load_model(record["model"])
    return model, model.pack(record["parameters"]), record


# --- stage 3: dispersion relations ---------------------------------------------


def dispersion_relation(
    homogeneous_json, eigenvalues_csv, lambda_grid: dict, output, figure, where: str
) -> None:
    """mu(Lambda) on a continuous grid and at the connectome's eigenvalues.

    Writes the CSV with columns I_E-like point parameters, `state`,
    `lambda_re`, `lambda_im`, `alpha` (empty on grid rows), `mu`, `mu_im`
    (1/ms for the E-I model: the model's time unit).
    """
    from neuralmass.plots.dispersion import plot_dispersion

    model, p, record = load_homogeneous(homogeneous_json)
    modes = read_eigenvalues(eigenvalues_csv)
    grid = np.arange(
        lambda_grid["min"],
        lambda_grid["max"] + 0.5 * lambda_grid["step"],
        lambda_grid["step"],
    )
    lambdas = np.concatenate([grid.astype(modes.dtype), modes])
    state = record["state"]
    if state == "equilibrium":
        eq = hom.Equilibrium(np.array(record["equilibrium"]["x"]), np.array([]))
        result = disp.equilibrium_dispersion(model, p, eq, lambdas)
    elif state == "cycle":
        c = record["cycle"]
        cycle = hom.Cycle(np.array(c["x0"]), c["period"], np.array([]), c["residual"])
        result = disp.floquet_exponents(model, p, cycle, lambdas)
        log.info(
            "%s: trivial Floquet exponent %.2e (a resolution check of the orbit; "
            "not a bound on the other exponents' error)",
            where, disp.trivial_exponent_error(result),
        )  # fmt: skip
    else:
        raise ValueError(
            f"{where}: the homogeneous state is {state} ({record['reason']}); "
            "a dispersion relation needs an equilibrium or a cycle"
        )

    n_grid = grid.size
    alpha = np.concatenate([np.full(n_grid, np.nan), np.arange(1, modes.size + 1)])
    table = pd.DataFrame(dict(record["point"]), index=range(lambdas.size))
    table["state"] = state
    table["lambda_re"] = lambdas.real
    table["lambda_im"] = np.imag(lambdas)
    table["alpha"] = pd.array(alpha, dtype="Float64").astype("Int64")
    table["mu"] = result.mu
    table["mu_im"] = result.mu_im
    with atomic_path(output) as tmp:
        table.to_csv(tmp, index=False)
    plot_dispersion(table, figure, where, model.time_unit)


# --- stage 4: network simulation -------------------------------------------------


def network_simulation(
    homogeneous_json,
    weights_npy,
    labels_txt,
    settings: dict,
    output,
    where: str,
) -> None:
    """Simulate the network from the homogeneous state plus a seeded perturbation.

    Stores the observable of every node (NetCDF, dims time x region) with the
    run's parameters, seed and integrator settings as attributes.
    """
    import xarray as xr

    model, p, record = load_homogeneous(homogeneous_json)
    w = np.load(weights_npy)
    labels = Path(labels_txt).read_text().split()
    if record["state"] == "cycle":
        x_hom = np.array(record["cycle"]["x0"])
    else:
        x_hom = np.array(record["equilibrium"]["x"])
    rng = np.random.default_rng(settings["seed"])
    x0 = perturbed_state(x_hom, w.shape[0], settings["perturbation"], rng)
    integrator = Integrator(
        method=settings["integrator"]["method"],
        dt=model_time(model, settings["integrator"]["dt"]),
        rtol=settings["integrator"]["rtol"],
        atol=settings["integrator"]["atol"],
    )
    run = simulate(
        model,
        p,
        w,
        x0,
        duration=model_time(model, settings["duration"]),
        transient=model_time(model, settings["transient"]),
        sample_interval=model_time(model, settings["sample_interval"]),
        integrator=integrator,
        labels=labels,
        where=where,
    )

    observable = model.module.OBSERVABLE
    times_ms = run.times * model.seconds_per_time_unit * 1e3
    data = xr.Dataset(
        {observable: (("time", "region"), run.observable)},
        coords={"time": times_ms, "region": labels},
    )
    data["time"].attrs["units"] = "ms"
    data["time"].attrs["long_name"] = "time after the transient"
    data[observable].attrs["units"] = getattr(model.module, "OBSERVABLE_UNIT", "")
    data.attrs.update(
        {
            "model": model.name,
            "point": json.dumps(record["point"]),
            "parameters": json.dumps(model.unpack(p)),
            "homogeneous_state": record["state"],
            "seed": int(settings["seed"]),
            "perturbation": float(settings["perturbation"]),
            "transient_ms": float(settings["transient"]),
            "integrator": json.dumps(settings["integrator"]),
            "n_evaluations": int(run.counters["n_evaluations"]),
            "wall_seconds": float(run.counters["wall_seconds"]),
            "provenance": json.dumps(provenance()),
        }
    )
    encoding = {observable: {"compression": "gzip", "compression_opts": 4}}
    with atomic_path(output) as tmp:
        data.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)


def network_figure(recording, settings: dict, figure, where: str) -> None:
    """Space-time figure of a stored run (settings: window and trace, ms)."""
    import xarray as xr

    from neuralmass.plots.network import plot_space_time

    with xr.open_dataset(recording, engine="h5netcdf") as data:
        name = list(data.data_vars)[0]
        values = data[name].to_numpy()
        times_ms = data["time"].to_numpy()
        labels = [str(r) for r in data["region"].to_numpy()]
    plot_space_time(times_ms, values, labels, figure, where, name,
                    settings["window"], settings["trace"])  # fmt: skip


def homogeneous_table(paths, output) -> None:
    """One row per point: state, period (model time unit), frequency (Hz)."""
    rows = []
    for path in paths:
        record = json.loads(Path(path).read_text())
        cycle = record.get("cycle") or {}
        equilibrium = record.get("equilibrium") or {}
        leading = equilibrium.get("eigenvalues", [[np.nan, np.nan]])[0]
        rows.append(
            {
                "point": Path(path).stem,
                **record["point"],
                "state": record["state"],
                "period": cycle.get("period", np.nan),
                "frequency_hz": cycle.get("frequency_hz", np.nan),
                "stable_uniform": cycle.get("stable", equilibrium.get("stable")),
                "leading_eigenvalue_re": leading[0],
                "reason": record["reason"],
            }
        )
    with atomic_path(output) as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False)


# --- stage 5: spectra ---------------------------------------------------------


def network_spectra(recording, settings: dict, spectrum_csv, dominant_csv, figure,
                    where: str) -> None:  # fmt: skip
    """Welch spectra of every node and of the network mean of a stored run.

    spectrum_csv: the `Spectra.to_frame` table (dB relative to the maximum);
    dominant_csv: the peak frequency of the network mean and of every node.
    """
    import xarray as xr

    from neuralmass.plots.spectra import plot_spectra
    from neuralmass.spectra import welch_spectra

    with xr.open_dataset(recording, engine="h5netcdf") as data:
        name = list(data.data_vars)[0]
        v = data[name].to_numpy()
        times_ms = data["time"].to_numpy()
        regions = [str(r) for r in data["region"].to_numpy()]
    fs = 1e3 / np.mean(np.diff(times_ms))
    spectra = welch_spectra(
        v, fs, window_s=settings["window"], overlap=settings["overlap"],
        fmax_hz=settings["fmax"],
    )  # fmt: skip
    mean_hz, nodes_hz = spectra.dominant_frequency()
    log.info("%s: dominant frequency of the network mean %.2f Hz", where, mean_hz)

    frame = spectra.to_frame()
    with atomic_path(spectrum_csv) as tmp:
        frame.to_csv(tmp, index=False)
    dominant = pd.DataFrame(
        {
            "signal": ["network_mean", *regions],
            "dominant_frequency_hz": [mean_hz, *nodes_hz],
            "resolution_hz": spectra.resolution_hz,
        }
    )
    with atomic_path(dominant_csv) as tmp:
        dominant.to_csv(tmp, index=False)
    plot_spectra(frame, figure, title=f"{where}: {name}", fmax_hz=settings["fmax"])


# --- stage 3b: transverse-instability maps -------------------------------------


def grid_values(axis: dict) -> np.ndarray:
    """min, min + step, ..., max (rounded so that named points are hit exactly)."""
    count = int(round((axis["max"] - axis["min"]) / axis["step"])) + 1
    return np.round(axis["min"] + axis["step"] * np.arange(count), 10)


def chunk_rows(block: dict, chunk: int) -> np.ndarray:
    y = grid_values(block["y"])
    size = block["rows_per_chunk"]
    return y[chunk * size : (chunk + 1) * size]


def _transverse_settings(model, block, homogeneous, continuation):
    from neuralmass import transverse

    return transverse.Settings(
        transient=model_time(model, homogeneous["transient"]),
        dt=model_time(model, homogeneous["dt"]),
        steps_per_period=block["steps_per_period"],
        continuation_parameter=continuation["parameter"],
        continuation_start=continuation["start"],
    )


def transverse_chunk(
    model_name: str,
    parameters: dict,
    block: dict,
    homogeneous: dict,
    continuation: dict,
    eigenvalues_csv,
    chunk: int,
    output,
    special_output,
    where: str,
) -> None:
    """Map rows of one chunk: attractors and growth rates (CSV), and the folds
    and Hopf points of the equilibria along each row (CSV)."""
    from neuralmass import transverse

    model = load_model(model_name)
    p = model.pack(parameters, where=where)
    x_name, y_name = block["x"]["parameter"], block["y"]["parameter"]
    x_values, y_values = grid_values(block["x"]), chunk_rows(block, chunk)
    settings = _transverse_settings(model, block, homogeneous, continuation)
    lambdas = read_eigenvalues(eigenvalues_csv)
    table = transverse.transverse_map(
        model, p, x_name, x_values, y_name, y_values, lambdas, settings, where
    )
    with atomic_path(output) as tmp:
        table.to_csv(tmp, index=False)

    specials = row_special_points(model, p, x_name, x_values, y_name, y_values, where)
    with atomic_path(special_output) as tmp:
        specials.to_csv(tmp, index=False)


def row_special_points(model, p, x_name, x_values, y_name, y_values, where):
    """Folds and Hopf points of the equilibria along every row of a map.

    Found by the bifurcation stage's continuation (neuralmass.continuation),
    from both ends of the row when the branch turns back, so that the map
    figure can mark where the homogeneous state changes; a row whose
    continuation fails is logged and left out.
    """
    from neuralmass.continuation.core import Settings
    from neuralmass.continuation.equilibria import ConvergenceError
    from neuralmass.continuation.stage import equilibrium_branches
    from neuralmass.continuation.system import System

    system = System.from_model(model, model.unpack(p))
    bounds = (float(x_values[0]), float(x_values[-1]))
    rows = []
    for y_value in y_values:
        try:
            branches = equilibrium_branches(
                system, model, x_name, bounds, {y_name: float(y_value)},
                Settings(ds=0.01, ds_max=0.2),
            )  # fmt: skip
        except ConvergenceError as error:
            log.warning("%s: continuation at %s = %g: %s", where, y_name, y_value,
                        error)  # fmt: skip
            continue
        for point in (q for branch in branches for q in branch.special_points):
            if point.kind in ("LP", "HB"):
                rows.append({"kind": point.kind, x_name: point.values[x_name],
                             y_name: float(y_value),
                             "frequency_hz": point.frequency_hz})  # fmt: skip
    return pd.DataFrame(rows, columns=["kind", x_name, y_name, "frequency_hz"])


def concatenate_csv(paths, output) -> None:
    tables = [pd.read_csv(path) for path in paths]
    with atomic_path(output) as tmp:
        pd.concat(tables, ignore_index=True).to_csv(tmp, index=False)


def transverse_figures(map_csv, special_csv, block: dict, outputs: dict, title: str):
    from neuralmass.plots.transverse import plot_map_panels

    table = pd.read_csv(map_csv, keep_default_na=True)
    specials = pd.read_csv(special_csv)
    plot_map_panels(table, specials, block["x"]["parameter"],
                    block["y"]["parameter"], outputs, title)  # fmt: skip


def dispersion_panel(model_name, parameters, block, homogeneous, continuation,
                     eigenvalues_csv, output_csv, figure, where) -> None:  # fmt: skip
    """Dispersion relations along one line of the plane (e.g. eps 12, I_E 4..12)."""
    from neuralmass import transverse
    from neuralmass.plots.transverse import plot_dispersion_panel

    model = load_model(model_name)
    panel = block["panel"]
    modes = read_eigenvalues(eigenvalues_csv)
    grid = np.linspace(-1.0, 1.0, 401)
    tables = []
    for value in panel["values"]:
        point = {**panel["fixed"], panel["parameter"]: value}
        p = model.pack({**parameters, **point}, where=where)
        settings = _transverse_settings(model, block, homogeneous, continuation)
        attractor = transverse.attractor_from(model, p, None, settings)
        lambdas = np.concatenate([grid, modes.real])
        if attractor.state == "equilibrium":
            result = disp.equilibrium_dispersion(
                model, p, attractor.equilibrium, lambdas
            )
        elif attractor.state == "cycle":
            result = disp.floquet_exponents(model, p, attractor.cycle, lambdas,
                                            attractor.steps_per_period)  # fmt: skip
        else:
            log.warning("%s: %s at %s", where, attractor.state, point)
            continue
        table = pd.DataFrame(dict(point), index=range(lambdas.size))
        table["state"] = attractor.state
        table["lambda_re"] = lambdas
        table["alpha"] = pd.array(
            np.concatenate([np.full(grid.size, np.nan), np.arange(1, modes.size + 1)]),
            dtype="Float64",
        ).astype("Int64")
        table["mu"] = result.mu
        table["mu_im"] = result.mu_im
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    with atomic_path(output_csv) as tmp:
        table.to_csv(tmp, index=False)
    plot_dispersion_panel(table, panel["parameter"], figure, where, model.time_unit)


# --- provenance -----------------------------------------------------------------


def write_provenance(config: dict, json_outputs, html_output) -> None:
    """The run's checked config, package versions and git commit, as JSON in
    every results folder, and as a page of the Snakemake report (HTML)."""
    import html

    import yaml

    record = {"config": config, **provenance()}
    for path in json_outputs:
        write_json(record, path)
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(version)}</td></tr>"
        for name, version in record["versions"].items()
    )
    page = (
        "<html><body><h2>Provenance</h2>"
        f"<p>git commit <code>{html.escape(record['git_commit'])}</code></p>"
        f"<table><tr><th>package</th><th>version</th></tr>{rows}</table>"
        "<h3>Configuration (after validation and defaults)</h3>"
        f"<pre>{html.escape(yaml.safe_dump(config, sort_keys=False))}</pre>"
        "</body></html>\n"
    )
    with atomic_path(html_output) as tmp:
        Path(tmp).write_text(page)
