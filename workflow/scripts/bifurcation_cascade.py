"""Rule bifurcation_cascade: peaks of one variable in a simulated sweep."""

from neuralmass.continuation.stage import write_cascade
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
write_cascade(
    snakemake.wildcards.model,
    snakemake.params.parameters,
    snakemake.params.settings,
    snakemake.output[0],
)
