"""Rule bifurcation_two_parameter: fold and Hopf curves through the folds and
Hopf points of the one-parameter diagrams."""

from neuralmass.continuation.stage import write_two_parameter
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
write_two_parameter(
    snakemake.wildcards.model,
    snakemake.params.parameters,
    snakemake.params.settings,
    list(snakemake.input.special),
    snakemake.output.curves,
    snakemake.output.special,
)
