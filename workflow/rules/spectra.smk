rule spectra_welch:
    input:
        "results/{model}/network/{point}/v_E.nc",
    output:
        spectrum="results/{model}/network/{point}/spectrum.csv",
        dominant="results/{model}/network/{point}/dominant_frequency.csv",
        figure=report(
            "results/figures/spectra/{model}_{point}.png",
            category="4. Power spectra",
            subcategory="{model}",
            caption="../report/spectra.rst",
        ),
    log:
        "logs/spectra_welch/{model}/{point}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        settings=config["spectra"],
    script:
        "../scripts/spectra_welch.py"
