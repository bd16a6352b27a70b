"""Rule connectome_prepare: validate, normalise and decompose the connectome."""

from neuralmass.pipeline import prepare_connectome, setup_logging

setup_logging(snakemake.log[0])
prepare_connectome(
    snakemake.input.source,
    snakemake.input.regions or None,
    snakemake.params.fmt,
    snakemake.params.drop,
    dict(snakemake.output.items()),
    checksums=snakemake.params.checksums,
)
