"""Rule spectra_welch: Welch spectra of every node and of the network mean."""

from neuralmass.pipeline import network_spectra, setup_logging

setup_logging(snakemake.log[0])
w = snakemake.wildcards
network_spectra(
    snakemake.input[0],
    snakemake.params.settings,
    snakemake.output.spectrum,
    snakemake.output.dominant,
    snakemake.output.figure,
    where=f"{w.model} point {w.point}",
)
