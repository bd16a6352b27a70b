"""The Lorenz system as a node model, to test Lyapunov spectra on known values.

Three variables, dimensionless time (Lorenz 1963):

    x' = sigma (y - x)
    y' = x (rho - z) - y
    z' = x y - beta z

A node sends nothing (h = 0, dh/dx = 0, d x'/d c = 0), so nodes never couple
and the network of one node is the Lorenz system itself. At the classical
parameters its Lyapunov spectrum is 0.9056, 0, -14.5723 (Sprott 2003), and
the exponents sum to the constant trace -(sigma + 1 + beta) = -13.6667. It
follows the contract in `neuralmass.models.ei_qif` and is loaded with
`load_model("tests.models.lorenz")`.
"""

import numba as nb
import numpy as np
from neuralmass.parameters import Parameter

NAME = "lorenz"
TIME_UNIT = "1"
SECONDS_PER_TIME_UNIT = 1.0
VARIABLES = ("x", "y", "z")
OBSERVABLE = "x"

PARAMETERS = (
    Parameter("sigma", 10.0, "1", "Prandtl number"),
    Parameter("rho", 28.0, "1", "reduced Rayleigh number"),
    Parameter("beta", 8.0 / 3.0, "1", "aspect ratio of the convection cell"),
)


@nb.njit(cache=True, inline="always")
def node_rhs(x, p, c, dx):
    """Right-hand side; the long-range input c is ignored."""
    sigma, rho, beta = p[0], p[1], p[2]
    dx[0] = sigma * (x[1] - x[0])
    dx[1] = x[0] * (rho - x[2]) - x[1]
    dx[2] = x[0] * x[1] - beta * x[2]


@nb.njit(cache=True, inline="always")
def node_output(x, p):
    """A Lorenz node sends nothing."""
    return 0.0


@nb.njit(cache=True, inline="always")
def node_jacobian(x, p, c, jac):
    """d x'/d x."""
    sigma, rho, beta = p[0], p[1], p[2]
    jac[0, 0] = -sigma
    jac[0, 1] = sigma
    jac[0, 2] = 0.0
    jac[1, 0] = rho - x[2]
    jac[1, 1] = -1.0
    jac[1, 2] = -x[0]
    jac[2, 0] = x[1]
    jac[2, 1] = x[0]
    jac[2, 2] = -beta


@nb.njit(cache=True, inline="always")
def output_gradient(x, p, g):
    """dh/dx = 0."""
    g[:] = 0.0


@nb.njit(cache=True, inline="always")
def input_gradient(x, p, b):
    """d x'/d c = 0."""
    b[:] = 0.0


def rhs_numpy(x, p, c):
    """Plain numpy right-hand side, vectorised over leading axes of x."""
    sigma, rho, beta = p[:3]
    u, v, w = np.moveaxis(np.asarray(x, dtype=float), -1, 0)
    return np.stack([sigma * (v - u), u * (rho - w) - v, u * v - beta * w], axis=-1)


def initial_guess(p):
    """A point near the attractor (it is reached after a transient)."""
    return np.array([1.0, 1.0, 20.0])
