"""Rule homogeneous_state: the self-coupled node at one parameter point."""

from neuralmass.pipeline import homogeneous_state, setup_logging

setup_logging(snakemake.log[0])
w = snakemake.wildcards
homogeneous_state(
    w.model,
    snakemake.params.parameters,
    snakemake.params.point,
    snakemake.params.continuation,
    snakemake.params.settings["transient"],
    snakemake.params.settings["dt"],
    snakemake.output[0],
    where=f"{w.model} point {w.point}",
)
