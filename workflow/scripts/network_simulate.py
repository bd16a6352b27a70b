"""Rule network_simulate: the whole network at one point."""

from neuralmass.pipeline import network_simulation, setup_logging

setup_logging(snakemake.log[0])
w = snakemake.wildcards
network_simulation(
    snakemake.input.homogeneous,
    snakemake.input.weights,
    snakemake.input.labels,
    snakemake.params.settings,
    snakemake.output.data,
    where=f"{w.model} point {w.point}",
)
