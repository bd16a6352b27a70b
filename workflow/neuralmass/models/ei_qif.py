"""E-I next-generation neural mass: exact mean field of QIF neurons (PING).

Each node has an excitatory and an inhibitory population, each described by
its firing rate r (1/ms), mean membrane variable v (dimensionless QIF units)
and synaptic activation s (1/ms). Time is in ms. The equations (Montbrio, Pazo
and Roxin 2015 for each population; Delicado, Huguet and Clusella 2025 for the
network) are

    tau_E r_E' = Delta_E / (pi tau_E) + 2 r_E v_E
    tau_E v_E' = v_E^2 + eta_E - (pi tau_E r_E)^2 + I_E
                 + tau_E (J_EE s_E - J_EI s_I + eps C)
    tau_sE s_E' = -s_E + r_E

and the same with E and I swapped (J_IE s_E - J_II s_I, I_I), where the
long-range input C = sum_k W_jk s_E,k enters both populations with the same
global coupling eps. A node sends its excitatory synaptic activation s_E.

The model contract, shared by every node model in `neuralmass.models`:
module constants NAME, TIME_UNIT, SECONDS_PER_TIME_UNIT, VARIABLES,
OBSERVABLE (the name of the recorded signal: a variable, or a linear
combination of variables given by OBSERVABLE_WEIGHTS, a dict variable ->
coefficient), PARAMETERS, and five numba functions of a state x (n,), the
packed parameters p and the long-range input c:

- node_rhs(x, p, c, dx): writes x' into dx;
- node_output(x, p): the scalar h(x) that a node sends to the others;
- node_jacobian(x, p, c, jac): writes d x'/d x at fixed c;
- output_gradient(x, p, g): writes dh/dx;
- input_gradient(x, p, b): writes d x'/d c.

plus `rhs_numpy`, a plain numpy twin used to test the compiled code, and
`initial_guess(p)`, a state near the equilibrium from which the resting
state is continued. SECONDS_PER_TIME_UNIT converts the model's time unit to
seconds (1e-3 here: time in ms), for frequencies in Hz and for the config's
times, which are in ms for every model. OBSERVABLE_UNIT, optional, is the
unit of the recorded signal, stored with the network runs.
"""

import math

import numba as nb
import numpy as np

from neuralmass.parameters import Parameter

NAME = "ei_qif"
TIME_UNIT = "ms"
SECONDS_PER_TIME_UNIT = 1e-3
VARIABLES = ("r_E", "v_E", "s_E", "r_I", "v_I", "s_I")
OBSERVABLE = "v_E"
OBSERVABLE_UNIT = "1"  # dimensionless QIF units

PARAMETERS = (
    Parameter("tau_E", 8.0, "ms", "membrane time constant of E", 0.0, 1e3, True),
    Parameter("tau_I", 8.0, "ms", "membrane time constant of I", 0.0, 1e3, True),
    Parameter("tau_sE", 1.0, "ms", "excitatory synaptic time constant", 0.0, 1e3, True),
    Parameter("tau_sI", 5.0, "ms", "inhibitory synaptic time constant", 0.0, 1e3, True),
    Parameter("eta_E", -5.0, "1", "centre of the excitability distribution of E"),
    Parameter("eta_I", -5.0, "1", "centre of the excitability distribution of I"),
    Parameter("Delta_E", 1.0, "1", "half width of the excitability of E", 0.0),
    Parameter("Delta_I", 1.0, "1", "half width of the excitability of I", 0.0),
    Parameter("J_EE", 5.0, "1", "recurrent E-to-E strength", 0.0),
    Parameter("J_II", 5.0, "1", "recurrent I-to-I strength", 0.0),
    Parameter("J_EI", 13.0, "1", "I-to-E strength (multiplies s_I in E)", 0.0),
    Parameter("J_IE", 13.0, "1", "E-to-I strength (multiplies s_E in I)", 0.0),
    Parameter("I_E", 0.0, "1", "external drive to E"),
    Parameter("I_I", 0.0, "1", "external drive to I"),
    Parameter("eps", 0.0, "1", "global long-range coupling", 0.0),
)


@nb.njit(cache=True, inline="always")
def node_rhs(x, p, c, dx):
    """Right-hand side of one node with long-range input c (1/ms)."""
    tau_e, tau_i, tau_se, tau_si = p[0], p[1], p[2], p[3]
    eta_e, eta_i, delta_e, delta_i = p[4], p[5], p[6], p[7]
    j_ee, j_ii, j_ei, j_ie = p[8], p[9], p[10], p[11]
    i_e, i_i, eps = p[12], p[13], p[14]
    r_e, v_e, s_e, r_i, v_i, s_i = x[0], x[1], x[2], x[3], x[4], x[5]

    dx[0] = (delta_e / (math.pi * tau_e) + 2.0 * r_e * v_e) / tau_e
    dx[1] = (
        (v_e * v_e + eta_e - (math.pi * tau_e * r_e) ** 2 + i_e) / tau_e
        + j_ee * s_e
        - j_ei * s_i
        + eps * c
    )
    dx[2] = (r_e - s_e) / tau_se
    dx[3] = (delta_i / (math.pi * tau_i) + 2.0 * r_i * v_i) / tau_i
    dx[4] = (
        (v_i * v_i + eta_i - (math.pi * tau_i * r_i) ** 2 + i_i) / tau_i
        + j_ie * s_e
        - j_ii * s_i
        + eps * c
    )
    dx[5] = (r_i - s_i) / tau_si


@nb.njit(cache=True, inline="always")
def node_output(x, p):
    """What a node sends: its excitatory synaptic activation s_E."""
    return x[2]


@nb.njit(cache=True, inline="always")
def node_jacobian(x, p, c, jac):
    """d x'/d x of one node at fixed long-range input (1/ms)."""
    tau_e, tau_i, tau_se, tau_si = p[0], p[1], p[2], p[3]
    j_ee, j_ii, j_ei, j_ie = p[8], p[9], p[10], p[11]
    r_e, v_e, r_i, v_i = x[0], x[1], x[3], x[4]

    jac[:, :] = 0.0
    jac[0, 0] = 2.0 * v_e / tau_e
    jac[0, 1] = 2.0 * r_e / tau_e
    jac[1, 0] = -2.0 * math.pi**2 * tau_e * r_e
    jac[1, 1] = 2.0 * v_e / tau_e
    jac[1, 2] = j_ee
    jac[1, 5] = -j_ei
    jac[2, 0] = 1.0 / tau_se
    jac[2, 2] = -1.0 / tau_se
    jac[3, 3] = 2.0 * v_i / tau_i
    jac[3, 4] = 2.0 * r_i / tau_i
    jac[4, 3] = -2.0 * math.pi**2 * tau_i * r_i
    jac[4, 4] = 2.0 * v_i / tau_i
    jac[4, 2] = j_ie
    jac[4, 5] = -j_ii
    jac[5, 3] = 1.0 / tau_si
    jac[5, 5] = -1.0 / tau_si


@nb.njit(cache=True, inline="always")
def output_gradient(x, p, g):
    """dh/dx for h = s_E."""
    g[:] = 0.0
    g[2] = 1.0


@nb.njit(cache=True, inline="always")
def input_gradient(x, p, b):
    """d x'/d c: the long-range input drives v_E and v_I with strength eps."""
    b[:] = 0.0
    b[1] = p[14]
    b[4] = p[14]


def rhs_numpy(x, p, c):
    """Plain numpy right-hand side, vectorised over leading axes of x and c.

    x has shape (..., 6), c shape (...) ; returns x' with the shape of x.
    """
    x = np.asarray(x, dtype=float)
    tau_e, tau_i, tau_se, tau_si, eta_e, eta_i, delta_e, delta_i = p[:8]
    j_ee, j_ii, j_ei, j_ie, i_e, i_i, eps = p[8:15]
    r_e, v_e, s_e, r_i, v_i, s_i = np.moveaxis(x, -1, 0)

    return np.stack(
        [
            (delta_e / (np.pi * tau_e) + 2 * r_e * v_e) / tau_e,
            (v_e**2 + eta_e - (np.pi * tau_e * r_e) ** 2 + i_e) / tau_e
            + j_ee * s_e
            - j_ei * s_i
            + eps * c,
            (r_e - s_e) / tau_se,
            (delta_i / (np.pi * tau_i) + 2 * r_i * v_i) / tau_i,
            (v_i**2 + eta_i - (np.pi * tau_i * r_i) ** 2 + i_i) / tau_i
            + j_ie * s_e
            - j_ii * s_i
            + eps * c,
            (r_i - s_i) / tau_si,
        ],
        axis=-1,
    )


def initial_guess(p):
    """A low-activity state from which Newton finds the resting equilibrium.

    For the E-I model with negative eta and weak drive the resting state has
    r ~ Delta / (2 pi tau |v|) with v ~ -sqrt(-eta - I), which this returns.
    """
    tau_e, tau_i = p[0], p[1]
    eta_e, eta_i, delta_e, delta_i, i_e, i_i = p[4], p[5], p[6], p[7], p[12], p[13]
    v_e = -math.sqrt(max(-(eta_e + i_e), 0.25))
    v_i = -math.sqrt(max(-(eta_i + i_i), 0.25))
    r_e = delta_e / (2 * math.pi * tau_e * -v_e)
    r_i = delta_i / (2 * math.pi * tau_i * -v_i)
    return np.array([r_e, v_e, r_e, r_i, v_i, r_i])
