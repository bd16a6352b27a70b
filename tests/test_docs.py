"""The README's parameter table is the model's declaration, not a copy."""

import re
from pathlib import Path

import pytest
from neuralmass.models import MODELS, load_model
from neuralmass.parameters import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("model", MODELS)
def test_readme_parameter_table_matches_the_declaration(model):
    text = README.read_text()
    pattern = rf"<!-- parameters:{model} -->\n(.*?)\n<!-- /parameters -->"
    match = re.search(pattern, text, re.S)
    assert match, f"README has no parameter table for {model}"
    assert match[1] == markdown_table(load_model(model).parameters)


def test_stage_code_does_not_name_a_model():
    """Every stage handles any model through its declared data: no rule,
    script or package module outside the models (and the continuation's test
    systems) mentions a model by name."""
    root = README.parent / "workflow"
    allowed = {root / "neuralmass/continuation/examples.py"}
    offenders = []
    for path in [*root.rglob("*.py"), *root.rglob("*.smk")]:
        if "models" in path.parts or path in allowed:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if any(f'"{name}"' in code or f"'{name}'" in code for name in MODELS):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
