"""Rule cfc_spacetime: space-time figure, regions by hemisphere and lobe."""

from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])

from neuralmass.cfc import cfc_spacetime  # noqa: E402 (after the log is set up)

w = snakemake.wildcards
cfc_spacetime(
    snakemake.input.recording,
    snakemake.input.summary,
    snakemake.input.regions or None,
    snakemake.params.settings,
    snakemake.output[0],
    where=f"{w.model} point {w.point}",
)
