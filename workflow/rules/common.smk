import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow"))

from neuralmass.config import check_config
from neuralmass.models import load_model
from neuralmass import lyapunov_stages as lyap_config
from neuralmass.lyapunov_stages import lyapunov_targets


report: "../report/workflow.rst"


CONFIG_FILES = [str(f) for f in workflow.configfiles] or ["config/config.yaml"]
config.update(check_config(config, " + ".join(CONFIG_FILES)))
CON = config["connectome"]
MODELS = list(config["models"])


def get_points(model):
    return list(config["models"][model]["points"])


def get_point(wildcards):
    return config["models"][wildcards.model]["points"][wildcards.point]


def get_parameters(wildcards):
    return config["models"][wildcards.model]["parameters"]


def get_settings(block):
    """models.<model>.<block>: the top-level block with the model's overrides."""

    def inner(wildcards):
        return config["models"][wildcards.model][block]

    return inner


def get_lyapunov_settings(block):
    """models.<model>.lyapunov.<block> (network or homogeneous numerics)."""

    def inner(wildcards):
        return config["models"][wildcards.model]["lyapunov"][block]

    return inner


def recording_path(model, point):
    """The stored network run of a point, named after the model's signal."""
    return f"results/{model}/network/{point}/{load_model(model).observable}.nc"


def get_recording(wildcards):
    return recording_path(wildcards.model, wildcards.point)


def get_cfc(*keys):
    """The named keys of models.<model>.cfc, so that a rule reruns only when
    one of the keys it uses changes."""

    def inner(wildcards):
        block = config["models"][wildcards.model]["cfc"]
        return {key: block[key] for key in keys}

    return inner


def get_transverse(wildcards):
    return config["models"][wildcards.model]["transverse"]


def get_chunks(model):
    """Chunk indices of the rows of a model's transverse map."""
    block = config["models"][model]["transverse"]
    y = block["y"]
    n_rows = int(round((y["max"] - y["min"]) / y["step"])) + 1
    return list(range(-(-n_rows // block["rows_per_chunk"])))


def get_continuation(wildcards):
    return config["models"][wildcards.model]["continuation"]


def get_downloads():
    """Cached file name -> (url, sha256) for the files fetched from config."""
    downloads = {Path(CON["url"]).name: (CON["url"], CON["sha256"])}
    regions = CON["regions"]
    if regions["url"] and not regions["path"]:
        downloads[Path(regions["url"]).name] = (regions["url"], regions["sha256"])
    return downloads


def get_download(wildcards):
    return get_downloads()[wildcards.file]


def get_connectome_source(wildcards):
    """The local file named in config, else the cached download."""
    if CON["path"]:
        return CON["path"]
    return f"{CON['cache']}/{Path(CON['url']).name}"


def get_checksums(wildcards):
    """Cached download -> sha256, checked again when the connectome is read."""
    cache = CON["cache"]
    return {f"{cache}/{name}": sha for name, (url, sha) in get_downloads().items()}


def get_region_table(wildcards):
    """The region table: local file, cached download, or none."""
    regions = CON["regions"]
    if regions["path"]:
        return regions["path"]
    if regions["url"]:
        return f"{CON['cache']}/{Path(regions['url']).name}"
    return []


def get_all_targets():
    name = CON["name"]
    targets = [
        "results/provenance.json",
        f"results/connectome/{name}/eigenvalues.csv",
        f"results/figures/connectome/{name}.png",
    ]
    for model in MODELS:
        targets.append(f"results/{model}/homogeneous/states.csv")
        if "transverse" in config["models"][model]:
            targets += [
                f"results/{model}/transverse/map.csv",
                f"results/figures/transverse/{model}_mu_hat.png",
            ]
            if "panel" in config["models"][model]["transverse"]:
                targets.append(
                    f"results/figures/transverse/{model}_dispersion_panel.png"
                )
        for point in get_points(model):
            targets += [
                f"results/{model}/dispersion/{point}.csv",
                f"results/figures/dispersion/{model}_{point}.png",
                recording_path(model, point),
                f"results/figures/network/{model}_{point}_spacetime.png",
                f"results/{model}/network/{point}/spectrum.csv",
                f"results/{model}/network/{point}/dominant_frequency.csv",
                f"results/figures/spectra/{model}_{point}.png",
                f"results/{model}/network/{point}/bands.csv",
                f"results/{model}/network/{point}/pac.csv",
                f"results/{model}/network/{point}/comodulogram.csv",
                f"results/{model}/network/{point}/cfc_summary.csv",
                f"results/{model}/network/{point}/cfc_summary.html",
                f"results/figures/cfc/{model}_{point}_spectra.png",
                f"results/figures/cfc/{model}_{point}_spectrogram.png",
                f"results/figures/cfc/{model}_{point}_comodulogram.png",
                f"results/figures/cfc/{model}_{point}_traces.png",
                f"results/figures/cfc/{model}_{point}_spacetime.png",
            ]
    targets += lyapunov_targets(config)
    return targets


# ---- bifurcation analysis (rules/bifurcation.smk) ----


def get_bifurcation(wildcards):
    return config["models"][wildcards.model]["bifurcation"]


def get_bifurcation_values(model):
    return [f"{v:g}" for v in config["models"][model]["bifurcation"]["values"]]


def get_bifurcation_targets():
    """Tables and figures of every model that has a bifurcation block."""
    targets = []
    for model, block in config["models"].items():
        if "bifurcation" not in block:
            continue
        targets += [
            f"results/{model}/homogeneous/branches.csv",
            f"results/{model}/homogeneous/special_points.csv",
            f"results/figures/bifurcation/{model}_two_parameter.png",
            f"results/figures/bifurcation/{model}_cascade.png",
        ]
        targets += expand(
            "results/figures/bifurcation/{model}_one_parameter_{value}.png",
            model=model,
            value=get_bifurcation_values(model),
        )
    return targets


def get_bifurcation_diagrams(kind):
    def inner(wildcards):
        return expand(
            "results/{model}/bifurcation/one_parameter/{value}/{kind}.csv",
            model=wildcards.model,
            value=get_bifurcation_values(wildcards.model),
            kind=kind,
        )

    return inner


wildcard_constraints:
    model="|".join(MODELS),
    file="|".join(get_downloads()),
    point=r"[A-Za-z0-9_.+-]+",
    chunk=r"\d+",
    signal="|".join(load_model(m).observable for m in MODELS),
    value=r"-?[0-9][0-9.e+-]*",
    name=r"[A-Za-z0-9_.+-]+",


# ---- the models side by side (rules/comparison.smk) ----


def get_comparison_models():
    """Models with a transverse map: the comparison needs one per model."""
    return [m for m in MODELS if "transverse" in config["models"][m]]


def get_comparison_inputs():
    """Model -> the outputs that its row of the comparison table reads."""
    inputs = {}
    for model in get_comparison_models():
        points = get_points(model)
        runs = [*points, *lyap_config.lyapunov_scan_points(config, model)]
        spectra = "lyapunov" in config  # the network spectra of every point
        homogeneous_map = "homogeneous_map" in lyap_config.lyapunov_block(config, model)
        inputs[model] = {
            "transverse_map": f"results/{model}/transverse/map.csv",
            "dominant_frequencies": [
                f"results/{model}/network/{p}/dominant_frequency.csv" for p in points
            ],
            "lyapunov_summaries": (
                [f"results/{model}/network/{p}/lyapunov.json" for p in runs]
                if spectra
                else []
            ),
            "homogeneous_lyapunov": (
                f"results/{model}/lyapunov/homogeneous_map.csv"
                if spectra and homogeneous_map
                else None
            ),
        }
    return inputs


def get_comparison_targets():
    if not get_comparison_models():
        return []
    return ["results/comparison/models.csv", "results/figures/comparison/models.png"]


def get_comparison_files(wildcards):
    files = []
    for inputs in get_comparison_inputs().values():
        for value in inputs.values():
            files += value if isinstance(value, list) else [value] if value else []
    return files
