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


def rossler_cycle(values: dict, c_range, ntst: int = 60, ncol: int = 4):
    """A collocated Roessler cycle (a = 0.2) at `values`, seeded from the last
    full turn of a simulation after 300 time units (upward crossings of y =
    0), as (system, problem, z) for continuation in c over c_range."""
    from neuralmass.continuation import cycles as cy
    from neuralmass.continuation import examples as ex
    from scipy.integrate import solve_ivp

    system = ex.rossler()
    p = system.with_values(values)
    run = solve_ivp(lambda t, x: system.f(x[None], p)[0], (0, 400), [1, 1, 0],
                    rtol=1e-10, atol=1e-12, dense_output=True)  # fmt: skip
    t = np.linspace(300, 400, 100001)
    xs = run.sol(t)
    up = np.flatnonzero((xs[1, :-1] < 0) & (xs[1, 1:] >= 0))
    problem, z = cy.cycle_from_orbit(
        system, "c", values, xs[:, up[-1]], t[up[-1]] - t[up[-2]], c_range,
        ntst=ntst, ncol=ncol,
    )  # fmt: skip
    return system, problem, z
