"""The README's parameter table is the model's declaration, not a copy."""

import re
from pathlib import Path

from neuralmass.models import load_model
from neuralmass.parameters import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_parameter_table_matches_the_declaration():
    text = README.read_text()
    match = re.search(r"<!-- parameters:ei_qif -->\n(.*?)\n<!-- /parameters -->", text,
                      re.S)  # fmt: skip
    assert match, "README lost its parameter table markers"
    assert match[1] == markdown_table(load_model("ei_qif").parameters)
