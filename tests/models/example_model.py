"""A minimal node model: FitzHugh-Nagumo, the README's "Adding a model" example.

Two variables per node, a fast voltage-like v and a slow recovery w, both
dimensionless; time in ms (FitzHugh 1961, Nagumo et al. 1962):

    v' = v - v^3 / 3 - w + I + eps c
    w' = (v + alpha - beta w) / tau

A node sends v, and the long-range input c = sum_k W_jk v_k enters v' with the
global coupling eps (not diffusively: no -eps v term). It follows the
contract in `neuralmass.models.ei_qif` and is loaded with
`load_model("tests.models.example_model")`.
"""

import numba as nb
import numpy as np
from neuralmass.parameters import Parameter

NAME = "fhn_example"
TIME_UNIT = "ms"
SECONDS_PER_TIME_UNIT = 1e-3
VARIABLES = ("v", "w")
OBSERVABLE = "v"

PARAMETERS = (
    Parameter("I", 0.0, "1", "external drive"),
    Parameter("alpha", 0.7, "1", "offset of the recovery nullcline"),
    Parameter(
        "beta", 0.8, "1", "self-damping of the recovery", 0.0, exclusive_minimum=True
    ),
    Parameter("tau", 12.5, "ms", "recovery time constant", 0.0, exclusive_minimum=True),
    Parameter("eps", 0.0, "1", "global long-range coupling", 0.0),
)


@nb.njit(cache=True, inline="always")
def node_rhs(x, p, c, dx):
    """Right-hand side of one node with long-range input c (1/ms)."""
    drive, alpha, beta, tau, eps = p[0], p[1], p[2], p[3], p[4]
    v, w = x[0], x[1]
    dx[0] = v - v * v * v / 3.0 - w + drive + eps * c
    dx[1] = (v + alpha - beta * w) / tau


@nb.njit(cache=True, inline="always")
def node_output(x, p):
    """What a node sends: v."""
    return x[0]


@nb.njit(cache=True, inline="always")
def node_jacobian(x, p, c, jac):
    """d x'/d x of one node at fixed long-range input (1/ms)."""
    beta, tau = p[2], p[3]
    jac[0, 0] = 1.0 - x[0] * x[0]
    jac[0, 1] = -1.0
    jac[1, 0] = 1.0 / tau
    jac[1, 1] = -beta / tau


@nb.njit(cache=True, inline="always")
def output_gradient(x, p, g):
    """dh/dx for h = v."""
    g[0] = 1.0
    g[1] = 0.0


@nb.njit(cache=True, inline="always")
def input_gradient(x, p, b):
    """d x'/d c: the long-range input drives v with strength eps."""
    b[0] = p[4]
    b[1] = 0.0


def rhs_numpy(x, p, c):
    """Plain numpy right-hand side, vectorised over leading axes of x and c."""
    drive, alpha, beta, tau, eps = p[:5]
    v, w = np.moveaxis(np.asarray(x, dtype=float), -1, 0)
    return np.stack(
        [v - v * v * v / 3.0 - w + drive + eps * c, (v + alpha - beta * w) / tau],
        axis=-1,
    )


def initial_guess(p):
    """The equilibrium of the self-coupled node with the lowest v.

    With w = (v + alpha) / beta on the w-nullcline, v solves the cubic
    -v^3 / 3 + (1 + eps - 1 / beta) v + I - alpha / beta = 0 (beta > 0).
    """
    drive, alpha, beta, _, eps = p[:5]
    roots = np.roots([-1.0 / 3.0, 0.0, 1.0 + eps - 1.0 / beta, drive - alpha / beta])
    v = roots[np.abs(roots.imag) < 1e-9].real.min()
    return np.array([v, (v + alpha) / beta])
