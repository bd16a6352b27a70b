"""Rule connectome_fetch: download a pinned file and check its sha256."""

from neuralmass.connectome import fetch_connectome
from neuralmass.pipeline import setup_logging

setup_logging(snakemake.log[0])
url, sha256 = snakemake.params.download
fetch_connectome(url, sha256, snakemake.output[0])
