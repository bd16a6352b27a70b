"""Jansen-Rit neural mass: pyramidal cells with excitatory and inhibitory loops.

Each node has three populations (pyramidal cells, excitatory and inhibitory
interneurons) whose postsynaptic potentials y0, y1, y2 (mV) obey second-order
linear synapses driven by the sigmoid firing rate

    S(v) = 2 e0 / (1 + exp(r (v0 - v)))    (1/s).

Time is in s. With C1 = C, C2 = 0.8 C, C3 = C4 = 0.25 C (Jansen and Rit
1995; Grimbert and Faugeras 2006 for the bifurcations in p) the node is

    y0' = y3;  y3' = a (A S(y1 - y2) - 2 y3 - a y0)
    y1' = y4;  y4' = A a (p + C2 S(C1 y0) + eps c) - a (2 y4 + a y1)
    y2' = y5;  y5' = b (B C4 S(C3 y0) - 2 y5 - b y2)

where c = sum_k W_jk S(y1,k - y2,k) (1/s) is the long-range input: a node
sends the firing rate of its pyramidal cells, h(x) = S(y1 - y2), and it
enters the excitatory drive next to p with the global coupling eps. C1..C4
are derived from C as above and are not parameters of their own; changing
their ratios means editing this module.

The model follows the contract described in `neuralmass.models.ei_qif`.

The recorded signal is the pyramidal membrane potential y1 - y2 (mV), the
EEG-like output of the model, declared as OBSERVABLE_WEIGHTS.
"""

import math

import numba as nb
import numpy as np

from neuralmass.parameters import Parameter

NAME = "jansen_rit"
TIME_UNIT = "s"
SECONDS_PER_TIME_UNIT = 1.0
VARIABLES = ("y0", "y1", "y2", "y3", "y4", "y5")
OBSERVABLE = "v_pyr"
OBSERVABLE_WEIGHTS = {"y1": 1.0, "y2": -1.0}
OBSERVABLE_UNIT = "mV"
INF = math.inf

PARAMETERS = (
    Parameter("e0", 2.5, "1/s", "half the maximum firing rate of S", 0.0, INF, True),
    Parameter("r", 0.56, "1/mV", "slope of the sigmoid S", 0.0, INF, True),
    Parameter("v0", 6.0, "mV", "potential of half-maximal firing"),
    Parameter("A", 3.25, "mV", "maximum excitatory postsynaptic potential", 0.0),
    Parameter("B", 22.0, "mV", "maximum inhibitory postsynaptic potential", 0.0),
    Parameter("a", 100.0, "1/s", "inverse excitatory synaptic time", 0.0, INF, True),
    Parameter("b", 50.0, "1/s", "inverse inhibitory synaptic time", 0.0, INF, True),
    Parameter("C", 135.0, "1", "local connectivity; C1..C4 follow from it", 0.0),
    Parameter("p", 120.0, "1/s", "external input to the pyramidal cells"),
    Parameter("eps", 0.0, "1", "global long-range coupling", 0.0),
)

# Ratios of the local connectivity constants to C (Jansen and Rit 1995).
C1_RATIO = 1.0
C2_RATIO = 0.8
C3_RATIO = 0.25
C4_RATIO = 0.25

# Grid on which initial_guess brackets the lowest equilibrium potential.
GUESS_GRID = 4001
GUESS_BISECTIONS = 60


@nb.njit(cache=True, inline="always")
def _sigmoid(v, e0, r, v0):
    return 2.0 * e0 / (1.0 + math.exp(r * (v0 - v)))


@nb.njit(cache=True, inline="always")
def _sigmoid_slope(v, e0, r, v0):
    s = 2.0 * e0 / (1.0 + math.exp(r * (v0 - v)))
    return r * s * (1.0 - s / (2.0 * e0))


@nb.njit(cache=True, inline="always")
def node_rhs(x, p, c, dx):
    """x' of one node with long-range input c (1/s); mV/s and mV/s^2."""
    e0, r, v0, amp_a, amp_b, a, b, cc, ext, eps = (
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]
    )  # fmt: skip
    y0, y1, y2, y3, y4, y5 = x[0], x[1], x[2], x[3], x[4], x[5]

    s_pyr = _sigmoid(y1 - y2, e0, r, v0)
    s_exc = _sigmoid(C1_RATIO * cc * y0, e0, r, v0)
    s_inh = _sigmoid(C3_RATIO * cc * y0, e0, r, v0)
    dx[0] = y3
    dx[1] = y4
    dx[2] = y5
    dx[3] = a * (amp_a * s_pyr - 2.0 * y3 - a * y0)
    dx[4] = amp_a * a * (ext + C2_RATIO * cc * s_exc + eps * c) - a * (
        2.0 * y4 + a * y1
    )
    dx[5] = b * (amp_b * C4_RATIO * cc * s_inh - 2.0 * y5 - b * y2)


@nb.njit(cache=True, inline="always")
def node_output(x, p):
    """What a node sends: the pyramidal firing rate S(y1 - y2) (1/s)."""
    return _sigmoid(x[1] - x[2], p[0], p[1], p[2])


@nb.njit(cache=True, inline="always")
def node_jacobian(x, p, c, jac):
    """d x'/d x of one node at fixed long-range input (1/s and 1/s^2)."""
    e0, r, v0, amp_a, amp_b, a, b, cc = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
    y0, y1, y2 = x[0], x[1], x[2]

    ds_pyr = _sigmoid_slope(y1 - y2, e0, r, v0)
    ds_exc = _sigmoid_slope(C1_RATIO * cc * y0, e0, r, v0)
    ds_inh = _sigmoid_slope(C3_RATIO * cc * y0, e0, r, v0)
    jac[:, :] = 0.0
    jac[0, 3] = 1.0
    jac[1, 4] = 1.0
    jac[2, 5] = 1.0
    jac[3, 0] = -a * a
    jac[3, 1] = a * amp_a * ds_pyr
    jac[3, 2] = -a * amp_a * ds_pyr
    jac[3, 3] = -2.0 * a
    jac[4, 0] = amp_a * a * C2_RATIO * cc * C1_RATIO * cc * ds_exc
    jac[4, 1] = -a * a
    jac[4, 4] = -2.0 * a
    jac[5, 0] = b * amp_b * C4_RATIO * cc * C3_RATIO * cc * ds_inh
    jac[5, 2] = -b * b
    jac[5, 5] = -2.0 * b


@nb.njit(cache=True, inline="always")
def output_gradient(x, p, g):
    """dh/dx for h = S(y1 - y2): S'(y1 - y2) (e1 - e2)."""
    slope = _sigmoid_slope(x[1] - x[2], p[0], p[1], p[2])
    g[:] = 0.0
    g[1] = slope
    g[2] = -slope


@nb.njit(cache=True, inline="always")
def input_gradient(x, p, b):
    """d x'/d c: the long-range input drives y4 with strength A a eps."""
    b[:] = 0.0
    b[4] = p[3] * p[5] * p[9]


def _sigmoid_numpy(v, e0, r, v0):
    return 2.0 * e0 / (1.0 + np.exp(r * (v0 - v)))


def rhs_numpy(x, p, c):
    """Plain numpy right-hand side, vectorised over leading axes of x and c.

    x has shape (..., 6), c shape (...) ; returns x' with the shape of x.
    """
    x = np.asarray(x, dtype=float)
    e0, r, v0, amp_a, amp_b, a, b, cc, ext, eps = p[:10]
    y0, y1, y2, y3, y4, y5 = np.moveaxis(x, -1, 0)

    s_pyr = _sigmoid_numpy(y1 - y2, e0, r, v0)
    s_exc = _sigmoid_numpy(C1_RATIO * cc * y0, e0, r, v0)
    s_inh = _sigmoid_numpy(C3_RATIO * cc * y0, e0, r, v0)
    return np.stack(
        [
            y3,
            y4,
            y5,
            a * (amp_a * s_pyr - 2.0 * y3 - a * y0),
            amp_a * a * (ext + C2_RATIO * cc * s_exc + eps * c)
            - a * (2.0 * y4 + a * y1),
            b * (amp_b * C4_RATIO * cc * s_inh - 2.0 * y5 - b * y2),
        ],
        axis=-1,
    )


def _equilibrium_from_potential(v, p):
    """(y0, y1, y2) at rest, given the pyramidal potential v = y1 - y2.

    At an equilibrium of the self-coupled node y3 = y4 = y5 = 0 and
    y0 = A/a S(v), y1 = A/a (p + C2 S(C1 y0) + eps S(v)),
    y2 = B/b C4 S(C3 y0).
    """
    e0, r, v0, amp_a, amp_b, a, b, cc, ext, eps = p[:10]
    s_pyr = _sigmoid_numpy(v, e0, r, v0)
    y0 = amp_a / a * s_pyr
    y1 = amp_a / a * (
        ext + C2_RATIO * cc * _sigmoid_numpy(C1_RATIO * cc * y0, e0, r, v0)
        + eps * s_pyr
    )  # fmt: skip
    y2 = amp_b / b * C4_RATIO * cc * _sigmoid_numpy(C3_RATIO * cc * y0, e0, r, v0)
    return y0, y1, y2


def initial_guess(p):
    """The lowest-potential equilibrium of the self-coupled node (eps >= 0).

    At rest everything follows from v = y1 - y2, which solves the scalar
    equation G(v) = y1(v) - y2(v) - v = 0 (see `_equilibrium_from_potential`).
    Because 0 < S < 2 e0, y1 - y2 lies in [lo, hi] with
    lo = A/a p - 2 e0 B/b C4 and hi = A/a (p + 2 e0 (C2 + eps)), so G >= 0 at
    lo and G <= 0 at hi. The first sign change of G on a grid of GUESS_GRID
    points in [lo, hi] is refined by bisection. Two roots closer than the grid
    spacing, (hi - lo) / (GUESS_GRID - 1), i.e. a point within a few hundredths
    of a mV of a fold, can be skipped, and the next root up is returned.
    """
    p = np.asarray(p, dtype=float)
    e0, _, _, amp_a, amp_b, a, b, cc, ext, eps = p[:10]
    lo = amp_a / a * ext - 2.0 * e0 * amp_b / b * C4_RATIO * cc
    hi = amp_a / a * (ext + 2.0 * e0 * (C2_RATIO * cc + eps))

    def gap(v):
        y0, y1, y2 = _equilibrium_from_potential(v, p)
        return y1 - y2 - v

    grid = np.linspace(lo, hi, GUESS_GRID)
    crossed = np.flatnonzero(gap(grid) <= 0.0)
    if crossed.size == 0 or crossed[0] == 0:
        v = grid[0] if crossed.size else grid[-1]
    else:
        low, high = grid[crossed[0] - 1], grid[crossed[0]]
        for _ in range(GUESS_BISECTIONS):
            mid = 0.5 * (low + high)
            if gap(mid) > 0.0:
                low = mid
            else:
                high = mid
        v = 0.5 * (low + high)
    y0, y1, y2 = _equilibrium_from_potential(v, p)
    return np.array([y0, y1, y2, 0.0, 0.0, 0.0])
