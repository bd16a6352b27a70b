"""Rule transverse_dispersion_panel: dispersion relations along one line."""

from neuralmass.pipeline import dispersion_panel, setup_logging

setup_logging(snakemake.log[0])
w = snakemake.wildcards
dispersion_panel(
    w.model,
    snakemake.params.parameters,
    snakemake.params.block,
    snakemake.params.homogeneous,
    snakemake.params.continuation,
    snakemake.input.eigenvalues,
    snakemake.output.table,
    snakemake.output.figure,
    where=f"{w.model} dispersion panel",
)
