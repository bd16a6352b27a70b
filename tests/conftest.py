"""Shared fixtures: the study's connectome is copied from ../shared/data."""

from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
AAL90 = SHARED_DATA / "aal90_sc2017.dat"
REGIONS = SHARED_DATA / "aal90_regions.dat"


@pytest.fixture(scope="session")
def model():
    from neuralmass.models import load_model

    return load_model("ei_qif")


@pytest.fixture(scope="session")
def aal90_weights():
    """The row-normalised AAL90 coupling matrix W, read independently here."""
    lines = AAL90.read_text().split("\n")
    n = int(lines[0])
    a = np.zeros((n, n))
    for line in lines[1:]:
        if line.strip():
            i, j, w = line.split()
            a[int(i), int(j)] = float(w)
    return a / a.sum(axis=1, keepdims=True)
