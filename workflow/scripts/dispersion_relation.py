"""Rule dispersion_relation: mu(Lambda) at one point."""

from neuralmass.pipeline import dispersion_relation, setup_logging

setup_logging(snakemake.log[0])
w = snakemake.wildcards
dispersion_relation(
    snakemake.input.homogeneous,
    snakemake.input.eigenvalues,
    {
        "min": snakemake.params.grid["lambda_min"],
        "max": snakemake.params.grid["lambda_max"],
        "step": snakemake.params.grid["lambda_step"],
    },
    snakemake.output.table,
    snakemake.output.figure,
    where=f"{w.model} point {w.point}",
)
