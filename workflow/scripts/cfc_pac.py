"""Rule cfc_pac: phase-amplitude coupling with surrogates and comodulogram."""

from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])

from neuralmass.cfc import cfc_pac  # noqa: E402 (after the log is set up)

w = snakemake.wildcards
cfc_pac(
    snakemake.input[0],
    snakemake.params.spectra,
    snakemake.params.settings,
    dict(snakemake.output.items()),
    where=f"{w.model} point {w.point}",
    model=w.model,
    point=w.point,
)
