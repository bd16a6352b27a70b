rule transverse_chunk:
    input:
        eigenvalues=f"results/connectome/{CON['name']}/eigenvalues.csv",
    output:
        table="results/{model}/transverse/chunks/{chunk}.csv",
        special="results/{model}/transverse/chunks/{chunk}_special.csv",
    log:
        "logs/transverse_chunk/{model}/{chunk}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        parameters=get_parameters,
        block=get_transverse,
        homogeneous=get_settings("homogeneous"),
        continuation=get_continuation,
    script:
        "../scripts/transverse_chunk.py"


rule transverse_map:
    input:
        tables=lambda w: expand(
            "results/{{model}}/transverse/chunks/{chunk}.csv",
            chunk=get_chunks(w.model),
        ),
        special=lambda w: expand(
            "results/{{model}}/transverse/chunks/{chunk}_special.csv",
            chunk=get_chunks(w.model),
        ),
    output:
        table="results/{model}/transverse/map.csv",
        special="results/{model}/transverse/special_points.csv",
    log:
        "logs/transverse_map/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    script:
        "../scripts/transverse_map.py"


rule transverse_figures:
    input:
        table="results/{model}/transverse/map.csv",
        special="results/{model}/transverse/special_points.csv",
    output:
        mu_hat=report(
            "results/figures/transverse/{model}_mu_hat.png",
            category="5. Transverse instabilities",
            subcategory="{model}",
            caption="../report/transverse_mu_hat.rst",
        ),
        n_unstable=report(
            "results/figures/transverse/{model}_n_unstable.png",
            category="5. Transverse instabilities",
            subcategory="{model}",
            caption="../report/transverse_n_unstable.rst",
        ),
        modes=report(
            "results/figures/transverse/{model}_modes.png",
            category="5. Transverse instabilities",
            subcategory="{model}",
            caption="../report/transverse_modes.rst",
        ),
    log:
        "logs/transverse_figures/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        block=get_transverse,
    script:
        "../scripts/transverse_figures.py"


rule transverse_dispersion_panel:
    input:
        eigenvalues=f"results/connectome/{CON['name']}/eigenvalues.csv",
    output:
        table="results/{model}/transverse/dispersion_panel.csv",
        figure=report(
            "results/figures/transverse/{model}_dispersion_panel.png",
            category="5. Transverse instabilities",
            subcategory="{model}",
            caption="../report/transverse_panel.rst",
        ),
    log:
        "logs/transverse_dispersion_panel/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        parameters=get_parameters,
        block=get_transverse,
        homogeneous=get_settings("homogeneous"),
        continuation=get_continuation,
    script:
        "../scripts/transverse_dispersion_panel.py"
