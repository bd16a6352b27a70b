"""Rule provenance: the checked config, package versions and git commit."""

from neuralmass.pipeline import setup_logging, write_provenance

setup_logging(snakemake.log[0])
write_provenance(
    dict(snakemake.params.config),
    [snakemake.output.json, *snakemake.output.folders],
    snakemake.output.html,
)
