# Whole-brain next-generation neural mass pipeline: reproduces Delicado, Huguet
# and Clusella (2025) on the AAL90 connectome. See README.md.


# ---- setup ------------------------------------------------------------------
configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
# ---- stages -----------------------------------------------------------------
include: "workflow/rules/connectome.smk"
include: "workflow/rules/homogeneous.smk"
include: "workflow/rules/dispersion.smk"
include: "workflow/rules/transverse.smk"
include: "workflow/rules/network.smk"
include: "workflow/rules/spectra.smk"
include: "workflow/rules/cfc.smk"
include: "workflow/rules/lyapunov.smk"
include: "workflow/rules/bifurcation.smk"
include: "workflow/rules/comparison.smk"
include: "workflow/rules/provenance.smk"


# ---- targets ----------------------------------------------------------------
rule all:
    default_target: True
    input:
        get_all_targets() + get_bifurcation_targets() + get_comparison_targets(),
