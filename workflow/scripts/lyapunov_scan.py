"""Rule lyapunov_scan: the network's spectra along the scan line."""

from neuralmass.lyapunov_stages import lyapunov_scan_table
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
lyapunov_scan_table(
    list(snakemake.input.summaries),
    list(snakemake.input.tables),
    snakemake.params.parameter,
    {
        "table": snakemake.output.table,
        "summary": snakemake.output.summary,
        "figure": snakemake.output.figure,
    },
)
