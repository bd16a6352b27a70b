# The models side by side (issue #7): one table row per model with a
# transverse map, and one figure (neuralmass.comparison).


rule comparison:
    input:
        get_comparison_files,
    output:
        table="results/comparison/models.csv",
        figure=report(
            "results/figures/comparison/models.png",
            category="7. Model comparison",
            caption="../report/comparison.rst",
        ),
    log:
        "logs/comparison/models.log",
    conda:
        "../../envs/neuralmass.yaml"
    params:
        models=lambda w: {
            model: {**inputs, "block": config["models"][model]["transverse"]}
            for model, inputs in get_comparison_inputs().items()
        },
    script:
        "../scripts/comparison.py"
