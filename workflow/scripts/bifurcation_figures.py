"""Rules bifurcation_figure_one_parameter (one diagram, wildcard value) and
bifurcation_figures (two-parameter diagram with its zoom, and the cascade)."""

import pandas as pd
from neuralmass.models import load_model
from neuralmass.pipeline import setup_logging
from neuralmass.plots.bifurcation import (
    plot_cascade,
    plot_one_parameter,
    plot_two_parameter,
)

setup_logging(snakemake.log[0])
settings = snakemake.params.settings
model = load_model(snakemake.wildcards.model)
first, second = settings["parameter"], settings["second"]
branches = pd.read_csv(snakemake.input.branches)
special = pd.read_csv(snakemake.input.special)
diagram = branches["type"].isin(["equilibrium", "cycle"])

if snakemake.rule == "bifurcation_figure_one_parameter":
    value = float(snakemake.wildcards.value)
    on = diagram & (branches[second] == value)
    at = (special[second] == value) & special["type"].isna()
    title = f"{model.name}, {second} = {value:g}"
    plot_one_parameter(branches[on], special[at], snakemake.output[0], first,
                       model.observable, title, model.variables,
                       model.observable_weights)  # fmt: skip
else:
    kinds = ["LP curve", "HB curve", "LPC curve", "PD curve"]
    curves = branches[branches["type"].isin(kinds)]
    codim2 = special[special["kind"].isin(["BT", "CP", "GH"])]
    cycles = special[special["kind"].isin(["LPC", "PD", "NS"])]
    zoom = (tuple(settings["zoom"][first]), tuple(settings["zoom"][second]))
    plot_two_parameter(curves, codim2, cycles, snakemake.output.two_parameter,
                       (first, second), zoom)  # fmt: skip
    cascade = settings["cascade"]
    peaks = pd.read_csv(snakemake.input.cascade)
    on = diagram & (branches[second] == cascade["second_value"])
    title = f"{second} = {cascade['second_value']:g}"
    plot_cascade(peaks, branches[on], snakemake.output.cascade, first,
                 cascade["variable"], title)  # fmt: skip
