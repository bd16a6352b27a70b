"""Rule bifurcation_one_parameter: one diagram at one value of the second
parameter (equilibria, cycles from every Hopf point, doubled cycles)."""

from neuralmass.continuation.stage import write_one_parameter
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
write_one_parameter(
    snakemake.wildcards.model,
    snakemake.params.parameters,
    snakemake.params.settings,
    float(snakemake.wildcards.value),
    snakemake.output.branches,
    snakemake.output.special,
)
