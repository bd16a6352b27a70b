rule dispersion_relation:
    input:
        homogeneous="results/{model}/homogeneous/{point}.json",
        eigenvalues=f"results/connectome/{CON['name']}/eigenvalues.csv",
    output:
        table="results/{model}/dispersion/{point}.csv",
        figure=report(
            "results/figures/dispersion/{model}_{point}.png",
            category="2. Dispersion relations",
            subcategory="{model}",
            caption="../report/dispersion.rst",
        ),
    log:
        "logs/dispersion_relation/{model}/{point}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        grid=get_settings("dispersion"),
    script:
        "../scripts/dispersion_relation.py"
