"""Rule lyapunov_homogeneous_row: homogeneous spectra along one map row."""

from neuralmass.lyapunov_stages import homogeneous_lyapunov_row
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
w = snakemake.wildcards
homogeneous_lyapunov_row(
    w.model,
    snakemake.params.parameters,
    snakemake.params.block,
    int(w.row),
    snakemake.params.continuation,
    snakemake.params.homogeneous,
    snakemake.params.settings,
    snakemake.output[0],
    where=f"{w.model} homogeneous Lyapunov row {w.row}",
)
