rule network_simulate:
    input:
        homogeneous="results/{model}/homogeneous/{point}.json",
        weights=f"results/connectome/{CON['name']}/W.npy",
        labels=f"results/connectome/{CON['name']}/labels.txt",
    output:
        data="results/{model}/network/{point}/{signal}.nc",
    log:
        "logs/network_simulate/{model}/{point}.{signal}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        settings=get_settings("simulation"),
    script:
        "../scripts/network_simulate.py"


rule network_figure:
    input:
        get_recording,
    output:
        report(
            "results/figures/network/{model}_{point}_spacetime.png",
            category="3. Network simulations",
            subcategory="{model}",
            caption="../report/network.rst",
        ),
    log:
        "logs/network_figure/{model}/{point}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        settings=lambda w: get_settings("figures")(w)["network"],
    script:
        "../scripts/network_figure.py"
