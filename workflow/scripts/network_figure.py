"""Rule network_figure: the space-time figure of one network run."""

from neuralmass.pipeline import network_figure, setup_logging

setup_logging(snakemake.log[0])
w = snakemake.wildcards
network_figure(snakemake.input[0], snakemake.params.settings, snakemake.output[0],
               where=f"{w.model} point {w.point}")  # fmt: skip
