"""Rule homogeneous_table: one row per point of the homogeneous states."""

from neuralmass.pipeline import homogeneous_table, setup_logging

setup_logging(snakemake.log[0])
homogeneous_table(list(snakemake.input), snakemake.output[0])
