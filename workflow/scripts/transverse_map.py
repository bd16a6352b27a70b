"""Rule transverse_map: the chunks of the map in one table."""

from neuralmass.pipeline import concatenate_csv, setup_logging

setup_logging(snakemake.log[0])
concatenate_csv(snakemake.input.tables, snakemake.output.table)
concatenate_csv(snakemake.input.special, snakemake.output.special)
