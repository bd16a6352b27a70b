"""Rule lyapunov_network: Lyapunov spectrum of the network at one point."""

from neuralmass.lyapunov_stages import network_lyapunov
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
w = snakemake.wildcards
network_lyapunov(
    w.model,
    snakemake.params.parameters,
    snakemake.params.point,
    snakemake.params.continuation,
    snakemake.params.homogeneous,
    snakemake.params.settings,
    snakemake.input.weights,
    snakemake.input.labels,
    {
        "table": snakemake.output.table,
        "convergence": snakemake.output.convergence,
        "summary": snakemake.output.summary,
        "figure": snakemake.output.figure,
    },
    where=f"{w.model} point {w.point}",
)
