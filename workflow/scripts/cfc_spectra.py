"""Rule cfc_spectra: band powers, Welch and periodogram spectra, spectrogram."""

from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])

from neuralmass.cfc import cfc_spectra  # noqa: E402 (after the log is set up)

w = snakemake.wildcards
cfc_spectra(
    snakemake.input[0],
    snakemake.params.spectra,
    snakemake.params.settings,
    snakemake.output.bands,
    snakemake.output.spectra,
    snakemake.output.spectrogram,
    where=f"{w.model} point {w.point}",
)
