# The download needs the internet, which cluster nodes may lack: run it where
# Snakemake runs.
localrules:
    connectome_fetch,


rule connectome_fetch:
    output:
        f"{CON['cache']}/{{file}}",
    log:
        "logs/connectome_fetch/{file}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        download=get_download,
    script:
        "../scripts/connectome_fetch.py"


rule connectome_prepare:
    input:
        source=get_connectome_source,
        regions=get_region_table,
    output:
        weights="results/connectome/{name}/W.npy",
        eigenvalues="results/connectome/{name}/eigenvalues.csv",
        eigenvectors="results/connectome/{name}/eigenvectors.npy",
        labels="results/connectome/{name}/labels.txt",
        figure=report(
            "results/figures/connectome/{name}.png",
            category="1. Connectome",
            caption="../report/connectome.rst",
        ),
    log:
        "logs/connectome_prepare/{name}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        fmt=CON["format"],
        drop=CON["drop_nodes_without_inputs"],
        checksums=get_checksums,
    script:
        "../scripts/connectome_prepare.py"
