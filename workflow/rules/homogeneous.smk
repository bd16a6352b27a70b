rule homogeneous_state:
    output:
        "results/{model}/homogeneous/{point}.json",
    log:
        "logs/homogeneous_state/{model}/{point}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        parameters=get_parameters,
        point=get_point,
        continuation=get_continuation,
        settings=get_settings("homogeneous"),
    script:
        "../scripts/homogeneous_state.py"


rule homogeneous_table:
    input:
        lambda w: expand(
            "results/{{model}}/homogeneous/{point}.json", point=get_points(w.model)
        ),
    output:
        "results/{model}/homogeneous/states.csv",
    log:
        "logs/homogeneous_table/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    script:
        "../scripts/homogeneous_table.py"
