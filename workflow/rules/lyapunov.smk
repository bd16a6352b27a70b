# Lyapunov spectra (issue #5): the network at every named point and along the
# scan line of models.<model>.lyapunov.scan, and the homogeneous system over
# the plane of models.<model>.lyapunov.homogeneous_map (one job per row).
# Numerical settings: the top-level lyapunov block (times in ms). The config
# helpers live in neuralmass.lyapunov_stages; lyapunov_targets(config) lists
# this file's final outputs.


lyap_config.check_lyapunov_config(config)


rule lyapunov_network:
    input:
        weights=f"results/connectome/{CON['name']}/W.npy",
        labels=f"results/connectome/{CON['name']}/labels.txt",
    output:
        table="results/{model}/network/{point}/lyapunov.csv",
        convergence="results/{model}/network/{point}/lyapunov_convergence.csv",
        summary="results/{model}/network/{point}/lyapunov.json",
        figure=report(
            "results/figures/lyapunov/{model}_{point}_convergence.png",
            category="6. Lyapunov spectra",
            subcategory="{model}",
            caption="../report/lyapunov_convergence.rst",
        ),
    log:
        "logs/lyapunov_network/{model}/{point}.log",
    conda:
        "../../envs/neuralmass.yaml"
    threads: 1
    params:
        parameters=get_parameters,
        point=lambda w: lyap_config.lyapunov_point(config, w.model, w.point),
        continuation=get_continuation,
        homogeneous=get_settings("homogeneous"),
        settings=get_lyapunov_settings("network"),
    script:
        "../scripts/lyapunov_network.py"


rule lyapunov_scan:
    input:
        summaries=lambda w: expand(
            "results/{{model}}/network/{point}/lyapunov.json",
            point=lyap_config.lyapunov_scan_points(config, w.model),
        ),
        tables=lambda w: expand(
            "results/{{model}}/network/{point}/lyapunov.csv",
            point=lyap_config.lyapunov_scan_points(config, w.model),
        ),
    output:
        table="results/{model}/lyapunov/scan.csv",
        summary="results/{model}/lyapunov/scan_summary.csv",
        figure=report(
            "results/figures/lyapunov/{model}_scan.png",
            category="6. Lyapunov spectra",
            subcategory="{model}",
            caption="../report/lyapunov_scan.rst",
        ),
    log:
        "logs/lyapunov_scan/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        parameter=lambda w: lyap_config.lyapunov_block(config, w.model)["scan"][
            "parameter"
        ],
    script:
        "../scripts/lyapunov_scan.py"


rule lyapunov_homogeneous_row:
    output:
        "results/{model}/lyapunov/homogeneous/row{row}.csv",
    log:
        "logs/lyapunov_homogeneous_row/{model}/{row}.log",
    wildcard_constraints:
        row=r"\d+",
    conda:
        "../../envs/neuralmass.yaml"
    threads: 1
    params:
        parameters=get_parameters,
        block=lambda w: lyap_config.lyapunov_block(config, w.model)["homogeneous_map"],
        continuation=get_continuation,
        homogeneous=get_settings("homogeneous"),
        settings=get_lyapunov_settings("homogeneous"),
    script:
        "../scripts/lyapunov_homogeneous_row.py"


rule lyapunov_homogeneous_map:
    input:
        lambda w: expand(
            "results/{{model}}/lyapunov/homogeneous/row{row}.csv",
            row=lyap_config.lyapunov_rows(config, w.model),
        ),
    output:
        table="results/{model}/lyapunov/homogeneous_map.csv",
        figure=report(
            "results/figures/lyapunov/{model}_homogeneous_map.png",
            category="6. Lyapunov spectra",
            subcategory="{model}",
            caption="../report/lyapunov_homogeneous_map.rst",
        ),
    log:
        "logs/lyapunov_homogeneous_map/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        block=lambda w: lyap_config.lyapunov_block(config, w.model)["homogeneous_map"],
    script:
        "../scripts/lyapunov_homogeneous_map.py"
