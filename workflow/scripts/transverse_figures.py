"""Rule transverse_figures: maps of growth rate, unstable count and modes."""

from neuralmass.pipeline import setup_logging, transverse_figures

setup_logging(snakemake.log[0])
transverse_figures(
    snakemake.input.table,
    snakemake.input.special,
    snakemake.params.block,
    dict(snakemake.output.items()),
    title=snakemake.wildcards.model,
)
