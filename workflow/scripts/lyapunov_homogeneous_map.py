"""Rule lyapunov_homogeneous_map: the rows joined, map of lambda_1."""

from neuralmass.lyapunov_stages import homogeneous_lyapunov_map
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
homogeneous_lyapunov_map(
    list(snakemake.input),
    snakemake.params.block,
    {"table": snakemake.output.table, "figure": snakemake.output.figure},
    where=snakemake.wildcards.model,
)
