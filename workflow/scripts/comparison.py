"""Rule comparison: the models' repertoires side by side (table and figure)."""

from neuralmass.comparison import write_comparison
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
write_comparison(snakemake.params.models, snakemake.output.table,
                 snakemake.output.figure)  # fmt: skip
