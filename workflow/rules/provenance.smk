rule provenance:
    output:
        json="results/provenance.json",
        folders=[f"results/connectome/{CON['name']}/provenance.json"]
        + [f"results/{model}/provenance.json" for model in MODELS],
        html=report(
            "results/provenance.html",
            category="0. Provenance",
            caption="../report/provenance.rst",
        ),
    log:
        "logs/provenance.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        config=config,
    script:
        "../scripts/provenance.py"
