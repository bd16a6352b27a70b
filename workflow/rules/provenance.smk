rule provenance:
    output:
        json="results/provenance.json",
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
