rule spectra_welch:
    input:
        get_recording,
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
        settings=get_settings("spectra"),
    script:
        "../scripts/spectra_welch.py"
