# Spectral analysis and cross-frequency coupling of the network runs (issue #6).
# Each rule gets only the keys of the cfc block that it uses, so that changing
# e.g. the surrogate count reruns only cfc_pac.


rule cfc_spectra:
    input:
        get_recording,
    output:
        bands="results/{model}/network/{point}/bands.csv",
        spectra=report(
            "results/figures/cfc/{model}_{point}_spectra.png",
            category="5. Spectra and cross-frequency coupling",
            subcategory="{model}",
            caption="../report/cfc_spectra.rst",
        ),
        spectrogram=report(
            "results/figures/cfc/{model}_{point}_spectrogram.png",
            category="5. Spectra and cross-frequency coupling",
            subcategory="{model}",
            caption="../report/cfc_spectrogram.rst",
        ),
    log:
        "logs/cfc_spectra/{model}/{point}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        spectra=get_settings("spectra"),
        settings=get_cfc("discard", "bands", "periodogram", "spectrogram"),
    script:
        "../scripts/cfc_spectra.py"


rule cfc_pac:
    input:
        get_recording,
    output:
        pac="results/{model}/network/{point}/pac.csv",
        comodulogram="results/{model}/network/{point}/comodulogram.csv",
        summary="results/{model}/network/{point}/cfc_summary.csv",
        summary_html=report(
            "results/{model}/network/{point}/cfc_summary.html",
            category="5. Spectra and cross-frequency coupling",
            subcategory="{model}",
            caption="../report/cfc_summary.rst",
        ),
        figure=report(
            "results/figures/cfc/{model}_{point}_comodulogram.png",
            category="5. Spectra and cross-frequency coupling",
            subcategory="{model}",
            caption="../report/cfc_comodulogram.rst",
        ),
        traces=report(
            "results/figures/cfc/{model}_{point}_traces.png",
            category="5. Spectra and cross-frequency coupling",
            subcategory="{model}",
            caption="../report/cfc_traces.rst",
        ),
    log:
        "logs/cfc_pac/{model}/{point}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        spectra=get_settings("spectra"),
        settings=get_cfc("discard", "bands", "pac", "figures"),
    script:
        "../scripts/cfc_pac.py"


rule cfc_spacetime:
    input:
        recording=get_recording,
        summary="results/{model}/network/{point}/cfc_summary.csv",
        regions=get_region_table,
    output:
        report(
            "results/figures/cfc/{model}_{point}_spacetime.png",
            category="5. Spectra and cross-frequency coupling",
            subcategory="{model}",
            caption="../report/cfc_spacetime.rst",
        ),
    log:
        "logs/cfc_spacetime/{model}/{point}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        settings=get_cfc("discard", "figures"),
    script:
        "../scripts/cfc_spacetime.py"
