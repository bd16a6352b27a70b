"""Rule bifurcation_tables: branches.csv and special_points.csv of a model."""

from neuralmass.continuation.stage import write_tables
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
write_tables(
    list(snakemake.input.branches),
    list(snakemake.input.special),
    snakemake.input.curves,
    snakemake.input.curve_special,
    snakemake.output.branches,
    snakemake.output.special,
)
