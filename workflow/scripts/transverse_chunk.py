"""Rule transverse_chunk: attractors and transverse growth rates, some rows."""

from neuralmass.pipeline import setup_logging, transverse_chunk

setup_logging(snakemake.log[0])
w = snakemake.wildcards
transverse_chunk(
    w.model,
    snakemake.params.parameters,
    snakemake.params.block,
    snakemake.params.homogeneous,
    snakemake.params.continuation,
    snakemake.input.eigenvalues,
    int(w.chunk),
    snakemake.output.table,
    snakemake.output.special,
    where=f"{w.model} transverse chunk {w.chunk}",
)
