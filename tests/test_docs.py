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
