# Bifurcation analysis of the homogeneous states (issue #3): one-parameter
# diagrams at each value of the second parameter, fold and Hopf curves in
# two parameters, a simulated period-doubling cascade, merged tables, figures.


rule bifurcation_one_parameter:
    output:
        branches="results/{model}/bifurcation/one_parameter/{value}/branches.csv",
        special="results/{model}/bifurcation/one_parameter/{value}/special_points.csv",
    log:
        "logs/bifurcation_one_parameter/{model}/{value}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        parameters=get_parameters,
        settings=get_bifurcation,
    script:
        "../scripts/bifurcation_one_parameter.py"


rule bifurcation_two_parameter:
    input:
        special=get_bifurcation_diagrams("special_points"),
    output:
        curves="results/{model}/bifurcation/two_parameter/curves.csv",
        special="results/{model}/bifurcation/two_parameter/special_points.csv",
    log:
        "logs/bifurcation_two_parameter/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        parameters=get_parameters,
        settings=get_bifurcation,
    script:
        "../scripts/bifurcation_two_parameter.py"


rule bifurcation_cascade:
    output:
        "results/{model}/bifurcation/cascade.csv",
    log:
        "logs/bifurcation_cascade/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        parameters=get_parameters,
        settings=get_bifurcation,
    script:
        "../scripts/bifurcation_cascade.py"


rule bifurcation_tables:
    input:
        branches=get_bifurcation_diagrams("branches"),
        special=get_bifurcation_diagrams("special_points"),
        curves="results/{model}/bifurcation/two_parameter/curves.csv",
        curve_special="results/{model}/bifurcation/two_parameter/special_points.csv",
    output:
        branches="results/{model}/homogeneous/branches.csv",
        special="results/{model}/homogeneous/special_points.csv",
    log:
        "logs/bifurcation_tables/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    script:
        "../scripts/bifurcation_tables.py"


rule bifurcation_figure_one_parameter:
    input:
        branches="results/{model}/homogeneous/branches.csv",
        special="results/{model}/homogeneous/special_points.csv",
    output:
        report(
            "results/figures/bifurcation/{model}_one_parameter_{value}.png",
            category="6. Bifurcations",
            subcategory="{model}",
            caption="../report/bifurcation_one_parameter.rst",
        ),
    log:
        "logs/bifurcation_figure_one_parameter/{model}/{value}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        settings=get_bifurcation,
    script:
        "../scripts/bifurcation_figures.py"


rule bifurcation_figures:
    input:
        branches="results/{model}/homogeneous/branches.csv",
        special="results/{model}/homogeneous/special_points.csv",
        cascade="results/{model}/bifurcation/cascade.csv",
    output:
        two_parameter=report(
            "results/figures/bifurcation/{model}_two_parameter.png",
            category="6. Bifurcations",
            subcategory="{model}",
            caption="../report/bifurcation_two_parameter.rst",
        ),
        cascade=report(
            "results/figures/bifurcation/{model}_cascade.png",
            category="6. Bifurcations",
            subcategory="{model}",
            caption="../report/bifurcation_cascade.rst",
        ),
    log:
        "logs/bifurcation_figures/{model}.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        settings=get_bifurcation,
    script:
        "../scripts/bifurcation_figures.py"
