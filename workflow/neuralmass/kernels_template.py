"""Compiled kernels shared by every node model: template source.

This file is valid Python bound to the E-I model, but it is not imported as
it stands. `neuralmass.models.load_model` writes a copy per model, with the
import line below pointed at that model's module and a digest of both sources
in the file name, and imports the copy. numba then caches each model's
kernels next to its own copy, and a change in either source gives a new file
and so a fresh compilation: numba's cache alone does not notice when a
function called from another file changes.

Notation: a network of N nodes with n variables each; X has shape (N, n); W
is the (N, N) row-normalised coupling matrix, W[j, k] the weight into j from
k; the long-range input of node j is c_j = sum_k W[j, k] h(X[k]). The
Jacobian of one transverse mode with eigenvalue Lambda of W, linearised on the
homogeneous manifold (all nodes equal to x), is

    J(x; Lambda) = D_x f(x, h(x)) + Lambda b(x) g(x)^T,

with b = d f / d c and g = d h / d x (Pecora and Carroll 1998).
"""

import numba as nb
import numpy as np

from neuralmass.models.ei_qif import (  # MODEL IMPORT
    input_gradient,
    node_jacobian,
    node_output,
    node_rhs,
    output_gradient,
)

OK = 0
NOT_FINITE = 1
OUT_OF_BOUNDS = 2
SAFETY = 0.9  # step-size controller: fraction of the optimal step taken
MAX_GROWTH = 6.0  # largest step growth after an accepted step (Hairer's fac2)


@nb.njit(cache=True)
def _check_state(x, bound):
    """(status, node) of the first non-finite value or one beyond bound."""
    for j in range(x.shape[0]):
        for i in range(x.shape[1]):
            value = x[j, i]
            if not np.isfinite(value):
                return NOT_FINITE, j
            if abs(value) > bound:
                return OUT_OF_BOUNDS, j
    return OK, -1


@nb.njit(cache=True)
def homogeneous_rhs(x, p, dx):
    """x' of one node that receives its own output (row sums of W equal 1)."""
    node_rhs(x, p, node_output(x, p), dx)


@nb.njit(cache=True)
def mode_jacobians(x, p, lambdas, out):
    """J(x; Lambda) for every Lambda in `lambdas`, written into out (L, n, n)."""
    n = x.shape[0]
    jac = np.empty((n, n))
    b = np.empty(n)
    g = np.empty(n)
    node_jacobian(x, p, node_output(x, p), jac)
    input_gradient(x, p, b)
    output_gradient(x, p, g)
    for m in range(lambdas.shape[0]):
        for i in range(n):
            for j in range(n):
                out[m, i, j] = jac[i, j] + lambdas[m] * b[i] * g[j]


@nb.njit(cache=True)
def batch_homogeneous_rhs(xs, p, out):
    """homogeneous_rhs at every row of xs (m, n), into out (m, n).

    These loops live here, not in the caller, because a cached numba function
    that takes a compiled function as an argument keeps that function's type
    in its cache index, and saving the index fails ("underlying object has
    vanished") once the kernel module it came from has been rebuilt.
    """
    for i in range(xs.shape[0]):
        homogeneous_rhs(xs[i], p, out[i])


@nb.njit(cache=True)
def batch_homogeneous_jacobians(xs, p, out):
    """The self-coupled node's Jacobian (Lambda = 1) at every row of xs,
    into out (m, n, n)."""
    one = np.ones(1)
    for i in range(xs.shape[0]):
        mode_jacobians(xs[i], p, one, out[i : i + 1])


@nb.njit(cache=True)
def rk4_homogeneous(x, p, dt, n_steps, record_every, out):
    """Integrate the self-coupled node with classical RK4 at fixed step dt.

    Writes the state every `record_every` steps into out (rows), starting
    with the initial state; returns the final state.
    """
    n = x.shape[0]
    x = x.copy()
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    y = np.empty(n)
    row = 0
    for step in range(n_steps + 1):
        if step % record_every == 0 and row < out.shape[0]:
            out[row, :] = x
            row += 1
        if step == n_steps:
            break
        homogeneous_rhs(x, p, k1)
        for i in range(n):
            y[i] = x[i] + 0.5 * dt * k1[i]
        homogeneous_rhs(y, p, k2)
        for i in range(n):
            y[i] = x[i] + 0.5 * dt * k2[i]
        homogeneous_rhs(y, p, k3)
        for i in range(n):
            y[i] = x[i] + dt * k3[i]
        homogeneous_rhs(y, p, k4)
        for i in range(n):
            x[i] += dt / 6.0 * (k1[i] + 2.0 * (k2[i] + k3[i]) + k4[i])
    return x


@nb.njit(cache=True)
def _variational_stage(x, p, lambdas, y, dx, dy, jac, b, g, gy):
    """Base velocity dx and dy = J(x; Lambda) y for every Lambda (rank one).

    y and dy hold the fundamental matrices of all modes side by side, shape
    (n, L * n): column m * n + j is column j of mode m, so the inner loops
    run over L * n contiguous numbers. Zero entries of the node Jacobian
    (sparse: 16 of 36 for the E-I node) and of g are skipped; the sums are
    taken in the order of the plain dense product, to the last bit.
    """
    n = x.shape[0]
    n_modes = lambdas.shape[0]
    width = y.shape[1]
    c = node_output(x, p)
    node_rhs(x, p, c, dx)
    node_jacobian(x, p, c, jac)
    input_gradient(x, p, b)
    output_gradient(x, p, g)
    for col in range(width):
        gy[col] = 0.0 * y[0, col]
    for k in range(n):
        if g[k] != 0.0:
            for col in range(width):
                gy[col] += g[k] * y[k, col]
    for i in range(n):
        for m in range(n_modes):
            coupling = lambdas[m] * b[i]
            for j in range(n):
                dy[i, m * n + j] = coupling * gy[m * n + j]
        for k in range(n):
            a = jac[i, k]
            if a != 0.0:
                for col in range(width):
                    dy[i, col] += a * y[k, col]


@nb.njit(cache=True)
def monodromy(x0, p, period, n_steps, lambdas):
    """Flow and fundamental matrices of every mode over one period.

    Integrates x' = f(x, h(x)) together with Y' = J(x(t); Lambda) Y, Y(0) = I,
    for all Lambda at once with RK4 of step period / n_steps. `lambdas` may be
    real or complex; Y has its dtype. Returns (x(period), Y (L, n, n)).
    """
    n = x0.shape[0]
    n_modes = lambdas.shape[0]
    width = n_modes * n
    dt = period / n_steps
    x = x0.copy()
    xs = np.empty(n)
    y = np.zeros((n, width), dtype=lambdas.dtype)  # modes side by side
    for m in range(n_modes):
        for i in range(n):
            y[i, m * n + i] = 1.0
    ys = np.empty_like(y)
    acc_y = np.empty_like(y)
    k = np.empty_like(y)
    kx = np.empty(n)
    acc_x = np.empty(n)
    jac = np.empty((n, n))
    b = np.empty(n)
    g = np.empty(n)
    gy = np.empty(width, dtype=lambdas.dtype)
    weights = (1.0, 2.0, 2.0, 1.0)
    offsets = (0.5, 0.5, 1.0, 0.0)

    yf = y.reshape(-1)
    ysf = ys.reshape(-1)
    kf = k.reshape(-1)
    accyf = acc_y.reshape(-1)
    for _ in range(n_steps):
        xs[:] = x
        ysf[:] = yf
        acc_x[:] = 0.0
        accyf[:] = 0.0
        for stage in range(4):
            _variational_stage(xs, p, lambdas, ys, kx, k, jac, b, g, gy)
            w, h = weights[stage], offsets[stage] * dt
            for i in range(n):
                acc_x[i] += w * kx[i]
                if stage < 3:
                    xs[i] = x[i] + h * kx[i]
            for i in range(yf.shape[0]):
                accyf[i] += w * kf[i]
                if stage < 3:
                    ysf[i] = yf[i] + h * kf[i]
        for i in range(n):
            x[i] += dt / 6.0 * acc_x[i]
        for i in range(yf.shape[0]):
            yf[i] += dt / 6.0 * accyf[i]

    out = np.empty((n_modes, n, n), dtype=lambdas.dtype)
    for m in range(n_modes):
        for i in range(n):
            for j in range(n):
                out[m, i, j] = y[i, m * n + j]
    return x, out


@nb.njit(cache=True)
def _uniform_stage(x, p, y, dx, dy, jac, b, g, gy):
    """`_variational_stage` for the one mode Lambda = 1: y, dy are (n, n).

    The same operations in the same order as the general stage with
    lambdas = [1.0], so the results agree to the last bit (tested).
    """
    n = x.shape[0]
    c = node_output(x, p)
    node_rhs(x, p, c, dx)
    node_jacobian(x, p, c, jac)
    input_gradient(x, p, b)
    output_gradient(x, p, g)
    for j in range(n):
        gy[j] = 0.0 * y[0, j]
    for k in range(n):
        if g[k] != 0.0:
            for j in range(n):
                gy[j] += g[k] * y[k, j]
    for i in range(n):
        coupling = 1.0 * b[i]
        for j in range(n):
            dy[i, j] = coupling * gy[j]
        for k in range(n):
            a = jac[i, k]
            if a != 0.0:
                for j in range(n):
                    dy[i, j] += a * y[k, j]


@nb.njit(cache=True)
def monodromy_uniform(x0, p, period, n_steps):
    """`monodromy` for the uniform mode alone: (x(period), M (n, n)).

    Shooting needs only the monodromy of the self-coupled node (Lambda = 1);
    the general kernel, written for many modes side by side, spends most of
    its time on loop overhead when there is one (1.2 us per RK4 step for the
    E-I node, against 0.16 us for the state alone). Same steps and the same
    arithmetic as `monodromy(x0, p, period, n_steps, np.ones(1))`.
    """
    n = x0.shape[0]
    dt = period / n_steps
    x = x0.copy()
    xs = np.empty(n)
    y = np.zeros((n, n))
    for i in range(n):
        y[i, i] = 1.0
    ys = np.empty((n, n))
    acc_y = np.empty((n, n))
    k = np.empty((n, n))
    kx = np.empty(n)
    acc_x = np.empty(n)
    jac = np.empty((n, n))
    b = np.empty(n)
    g = np.empty(n)
    gy = np.empty(n)
    for _ in range(n_steps):
        for i in range(n):
            xs[i] = x[i]
            acc_x[i] = 0.0
            for j in range(n):
                ys[i, j] = y[i, j]
                acc_y[i, j] = 0.0
        for stage in range(4):
            _uniform_stage(xs, p, ys, kx, k, jac, b, g, gy)
            if stage == 0 or stage == 3:
                w = 1.0
            else:
                w = 2.0
            h = (1.0 if stage == 2 else 0.5) * dt
            for i in range(n):
                acc_x[i] += w * kx[i]
                if stage < 3:
                    xs[i] = x[i] + h * kx[i]
            for i in range(n):
                for j in range(n):
                    acc_y[i, j] += w * k[i, j]
                    if stage < 3:
                        ys[i, j] = y[i, j] + h * k[i, j]
        for i in range(n):
            x[i] += dt / 6.0 * acc_x[i]
        for i in range(n):
            for j in range(n):
                y[i, j] += dt / 6.0 * acc_y[i, j]
    return x, y


@nb.njit(cache=True, fastmath={"contract", "reassoc"})
def _matvec(w, h, c):
    """c = w h; fastmath lets the inner sum run in SIMD lanes."""
    n = w.shape[0]
    for j in range(n):
        acc = 0.0
        for k in range(n):
            acc += w[j, k] * h[k]
        c[j] = acc


@nb.njit(cache=True)
def network_rhs(x, p, w, h, c, dx):
    """x' of the whole network; h and c are (N,) work arrays."""
    n_nodes = x.shape[0]
    for k in range(n_nodes):
        h[k] = node_output(x[k], p)
    _matvec(w, h, c)
    for j in range(n_nodes):
        node_rhs(x[j], p, c[j], dx[j])


@nb.njit(cache=True)
def _axpy(y, x, a, k):
    """y = x + a k, element-wise over 2-D arrays, without temporaries."""
    for j in range(x.shape[0]):
        for i in range(x.shape[1]):
            y[j, i] = x[j, i] + a * k[j, i]


@nb.njit(cache=True, inline="always")
def _observe(x, weights):
    """The recorded signal of one node: a fixed linear combination of x."""
    value = 0.0
    for i in range(x.shape[0]):
        if weights[i] != 0.0:
            value += weights[i] * x[i]
    return value


@nb.njit(cache=True)
def rk4_network(x, p, w, dt, n_steps, record_every, weights, bound, out):
    """Integrate the network with classical RK4 at fixed step dt (in place).

    Every `record_every` steps (from step `record_every` on) the observable
    of all nodes, sum_i weights[i] x[j, i], is written into a row of out
    (rows, N). The
    whole state is checked after every step: a non-finite value or one beyond
    `bound` stops the run. Returns (status, step, node): status OK,
    NOT_FINITE or OUT_OF_BOUNDS, and the step and node where it was found.
    """
    n_nodes, n = x.shape
    k1 = np.empty((n_nodes, n))
    k2 = np.empty((n_nodes, n))
    k3 = np.empty((n_nodes, n))
    k4 = np.empty((n_nodes, n))
    y = np.empty((n_nodes, n))
    h = np.empty(n_nodes)
    c = np.empty(n_nodes)
    sixth = dt / 6.0
    row = 0
    for step in range(1, n_steps + 1):
        network_rhs(x, p, w, h, c, k1)
        _axpy(y, x, 0.5 * dt, k1)
        network_rhs(y, p, w, h, c, k2)
        _axpy(y, x, 0.5 * dt, k2)
        network_rhs(y, p, w, h, c, k3)
        _axpy(y, x, dt, k3)
        network_rhs(y, p, w, h, c, k4)
        for j in range(n_nodes):
            for i in range(n):
                x[j, i] += sixth * (k1[j, i] + 2.0 * (k2[j, i] + k3[j, i]) + k4[j, i])
        status, node = _check_state(x, bound)
        if status != OK:
            return status, step, node
        if step % record_every == 0:
            for j in range(n_nodes):
                out[row, j] = _observe(x[j], weights)
            row += 1
    return OK, n_steps, -1


@nb.njit(cache=True)
def _combine(y, x, h, a, k, n_stages):
    """y = x + h sum_s a[s] k[s] over the first n_stages stages."""
    yf = y.reshape(-1)
    yf[:] = x.reshape(-1)
    for s in range(n_stages):
        weight = h * a[s]
        if weight != 0.0:
            ks = k[s].reshape(-1)
            for i in range(yf.shape[0]):
                yf[i] += weight * ks[i]


@nb.njit(cache=True)
def dop853_network(
    x, p, w, sample_interval, n_samples, rtol, atol, h, weights, bound, out,
    a, b, c, e3, e5, a_extra, c_extra, d,
):  # fmt: skip
    """Integrate the network with the adaptive Dormand-Prince 8(5,3) method.

    The tableau (a, b, c, e3, e5) and the dense-output coefficients (a_extra,
    c_extra, d) are scipy's `DOP853` ones, passed in so they are typed once;
    the error norm is Hairer's, as in scipy. The observable of all nodes
    (the combination `weights` of each node's variables) is written into
    out (n_samples, N) at the times (m + 1) * sample_interval from the
    7th-order dense output, which costs
    three extra evaluations on the steps that contain a sample, so the step
    size follows the dynamics, not the sampling. The state is checked after
    every accepted step as in `rk4_network`.

    Returns (status, sample, node, n_evaluations, n_rejected, h_last).
    """
    n_nodes, n = x.shape
    n_stages = b.shape[0]
    n_extra = c_extra.shape[0]
    k = np.empty((n_stages + 1 + n_extra, n_nodes, n))
    y = np.empty((n_nodes, n))
    err5 = np.empty((n_nodes, n))
    err3 = np.empty((n_nodes, n))
    zero = np.zeros((n_nodes, n))
    hv = np.empty(n_nodes)
    cv = np.empty(n_nodes)
    f_obs = np.empty((3 + d.shape[0], n_nodes))
    n_eval = 0
    n_rejected = 0
    dim = n_nodes * n
    t = 0.0
    t_end = n_samples * sample_interval
    sample = 0
    rejected = False

    network_rhs(x, p, w, hv, cv, k[0])
    n_eval += 1
    while sample < n_samples:
        step = min(h, t_end - t)
        for s in range(1, n_stages):
            _combine(y, x, step, a[s], k, s)
            network_rhs(y, p, w, hv, cv, k[s])
        _combine(y, x, step, b, k, n_stages)
        network_rhs(y, p, w, hv, cv, k[n_stages])
        n_eval += n_stages

        _combine(err5, zero, 1.0, e5, k, n_stages + 1)
        _combine(err3, zero, 1.0, e3, k, n_stages + 1)
        sum5 = 0.0
        sum3 = 0.0
        xf = x.reshape(-1)
        yf = y.reshape(-1)
        e5f = err5.reshape(-1)
        e3f = err3.reshape(-1)
        for i in range(dim):
            scale = atol + rtol * max(abs(xf[i]), abs(yf[i]))
            sum5 += (e5f[i] / scale) ** 2
            sum3 += (e3f[i] / scale) ** 2
        if sum5 == 0.0 and sum3 == 0.0:
            error = 0.0
        else:
            error = step * sum5 / np.sqrt((sum5 + 0.01 * sum3) * dim)

        if not (error <= 1.0):
            n_rejected += 1
            rejected = True
            factor = 0.2 if not np.isfinite(error) else SAFETY * error**-0.125
            h = step * max(0.2, min(1.0, factor))
            if h < 1e-12 * sample_interval:
                worst = 0
                for j in range(n_nodes):
                    for i in range(n):
                        if not np.isfinite(y[j, i]) or abs(y[j, i]) > abs(y[worst, 0]):
                            worst = j
                            break
                return NOT_FINITE, sample, worst, n_eval, n_rejected, h
            continue

        t_new = t + step
        if (sample + 1) * sample_interval <= t_new * (1.0 + 1e-14):
            for e in range(n_extra):
                s = n_stages + 1 + e
                _combine(y, x, step, a_extra[e], k, s)
                network_rhs(y, p, w, hv, cv, k[s])
            n_eval += n_extra
            _combine(y, x, step, b, k, n_stages)
            for j in range(n_nodes):
                delta = _observe(y[j], weights) - _observe(x[j], weights)
                f_old = _observe(k[0, j], weights)
                f_new = _observe(k[n_stages, j], weights)
                f_obs[0, j] = delta
                f_obs[1, j] = step * f_old - delta
                f_obs[2, j] = 2.0 * delta - step * (f_new + f_old)
                for r in range(d.shape[0]):
                    acc = 0.0
                    for s in range(d.shape[1]):
                        acc += d[r, s] * _observe(k[s, j], weights)
                    f_obs[3 + r, j] = step * acc
            while sample < n_samples and (
                (sample + 1) * sample_interval <= t_new * (1.0 + 1e-14)
            ):
                theta = ((sample + 1) * sample_interval - t) / step
                for j in range(n_nodes):
                    value = 0.0
                    for r in range(f_obs.shape[0] - 1, -1, -1):
                        value += f_obs[r, j]
                        if (f_obs.shape[0] - 1 - r) % 2 == 0:
                            value *= theta
                        else:
                            value *= 1.0 - theta
                    out[sample, j] = _observe(x[j], weights) + value
                sample += 1

        x[:, :] = y
        k[0] = k[n_stages]
        t = t_new
        status, node = _check_state(x, bound)
        if status != OK:
            return status, sample, node, n_eval, n_rejected, h
        growth = 1.0 if rejected else MAX_GROWTH
        factor = growth if error == 0.0 else min(growth, SAFETY * error**-0.125)
        h = step * max(0.2, factor)
        rejected = False
    return OK, n_samples, -1, n_eval, n_rejected, h


# ---- tangent dynamics (Lyapunov exponents) ----
#
# K tangent vectors of the network are the columns of Q (N n, K), row j n + i
# holding variable i of node j. The tangent map keeps the network's structure,
#
#     (J_net Q)[node j] = A_j Q[node j] + b_j (W G)[j],   G[k] = g_k^T Q[node k],
#
# with A_j = D_x f at node j (n, n), b_j = d f / d c and g_k = d h / d x. One
# (n, n) block per node plus the (N, N) x (N, K) product W G (BLAS) cost
# O(N n^2 K + N^2 K) instead of O((N n)^2 K); zero entries of A_j and g_k are
# skipped. The RK4 stages are fused per node: the stage update of a node's
# rows is done while its block is in cache, so a step passes over Q, the
# stage input and the accumulator once per stage.

TANGENT_NOT_FINITE = 3
_FIRST_STAGE = 0  # acc = k, stage input = base + a k
_MIDDLE_STAGE = 1  # acc += 2 k, stage input = base + a k
_LAST_STAGE = 2  # base += a (acc + k)


@nb.njit(cache=True, fastmath={"contract"})
def _tangent_stage(
    src_x, src_q, x, q, xs, qs, acc_x, acc_q, mode, a, p, w,
    h, c, kx, jac, b, g, gq, cq, t,
):  # fmt: skip
    """One RK4 stage of the trajectory and its tangent vectors.

    Evaluates k = f(src_x) and kq = J_net(src_x) src_q and, by `mode`, updates
    the accumulators (acc_x, acc_q), the next stage input (xs, qs) from the
    base (x, q), or the base itself. src may be the stage input being
    overwritten: every node's rows are read before they are written, and
    other nodes enter only through G, computed first. Work arrays: h, c (N,),
    kx (N, n), jac (N, n, n), b (N, n), g (n,), gq, cq (N, K), t (n, K).
    """
    n_nodes, n = src_x.shape
    n_vec = src_q.shape[1]
    for k in range(n_nodes):
        h[k] = node_output(src_x[k], p)
    _matvec(w, h, c)

    for j in range(n_nodes):
        xj = src_x[j]
        node_rhs(xj, p, c[j], kx[j])
        node_jacobian(xj, p, c[j], jac[j])
        input_gradient(xj, p, b[j])
        output_gradient(xj, p, g)
        for m in range(n_vec):
            gq[j, m] = 0.0
        for i in range(n):
            gi = g[i]
            if gi != 0.0:
                row = j * n + i
                for m in range(n_vec):
                    gq[j, m] += gi * src_q[row, m]
    np.dot(w, gq, cq)

    for j in range(n_nodes):
        for i in range(n):
            bi = b[j, i]
            for m in range(n_vec):
                t[i, m] = bi * cq[j, m]
            for k in range(n):
                ajk = jac[j, i, k]
                if ajk != 0.0:
                    row = j * n + k
                    for m in range(n_vec):
                        t[i, m] += ajk * src_q[row, m]
        for i in range(n):
            row = j * n + i
            if mode == _FIRST_STAGE:
                acc_x[j, i] = kx[j, i]
                xs[j, i] = x[j, i] + a * kx[j, i]
                for m in range(n_vec):
                    acc_q[row, m] = t[i, m]
                    qs[row, m] = q[row, m] + a * t[i, m]
            elif mode == _MIDDLE_STAGE:
                acc_x[j, i] += 2.0 * kx[j, i]
                xs[j, i] = x[j, i] + a * kx[j, i]
                for m in range(n_vec):
                    acc_q[row, m] += 2.0 * t[i, m]
                    qs[row, m] = q[row, m] + a * t[i, m]
            else:
                for m in range(n_vec):
                    q[row, m] += a * (acc_q[row, m] + t[i, m])
    if mode == _LAST_STAGE:
        for j in range(n_nodes):
            for i in range(n):
                x[j, i] += a * (acc_x[j, i] + kx[j, i])


@nb.njit(cache=True)
def _tangent_work(n_nodes, n, n_vec):
    """Work arrays of `_tangent_stage`: h, c, kx, jac, b, g, gq, cq, t."""
    return (
        np.empty(n_nodes), np.empty(n_nodes), np.empty((n_nodes, n)),
        np.empty((n_nodes, n, n)), np.empty((n_nodes, n)), np.empty(n),
        np.empty((n_nodes, n_vec)), np.empty((n_nodes, n_vec)), np.empty((n, n_vec)),
    )  # fmt: skip


@nb.njit(cache=True)
def tangent_network_rhs(x, p, w, q, dx, dq):
    """x' (N, n) of the network into dx and J_net(x) q (N n, K) into dq."""
    n_nodes, n = x.shape
    h, c, kx, jac, b, g, gq, cq, t = _tangent_work(n_nodes, n, q.shape[1])
    xs = np.empty_like(x)
    qs = np.empty_like(q)
    _tangent_stage(
        x, q, x, q, xs, qs, dx, dq, _FIRST_STAGE, 0.0, p, w,
        h, c, kx, jac, b, g, gq, cq, t,
    )  # fmt: skip


@nb.njit(cache=True)
def rk4_tangent_network(x, q, p, w, dt, n_steps, qr_every, bound, log_r):
    """Integrate the network and K tangent vectors with RK4 at step dt.

    x (N, n) and q (N n, K), C-contiguous, are advanced in place; the tangent
    vectors use the trajectory's own stage values, so the pair is the RK4
    solution of the joint system. Every `qr_every` steps q is replaced by the
    Q factor of its QR decomposition (Benettin et al. 1980) and log |R_ii| is
    written into row `step // qr_every - 1` of log_r (n_steps // qr_every, K).
    The state is checked after every step as in `rk4_network`, the tangent
    vectors before every QR.

    Returns (status, step, node): status OK, NOT_FINITE, OUT_OF_BOUNDS or
    TANGENT_NOT_FINITE (a tangent vector overflowed or collapsed), and the
    step and node (-1 for the tangent vectors) where it was found.
    """
    n_nodes, n = x.shape
    dim, n_vec = q.shape
    h, c, kx, jac, b, g, gq, cq, t = _tangent_work(n_nodes, n, n_vec)
    xs = np.empty((n_nodes, n))
    acc_x = np.empty((n_nodes, n))
    qs = np.empty((dim, n_vec))
    acc_q = np.empty((dim, n_vec))
    half = 0.5 * dt
    sixth = dt / 6.0
    row = 0

    for step in range(1, n_steps + 1):
        _tangent_stage(
            x, q, x, q, xs, qs, acc_x, acc_q, _FIRST_STAGE, half, p, w,
            h, c, kx, jac, b, g, gq, cq, t,
        )  # fmt: skip
        _tangent_stage(
            xs, qs, x, q, xs, qs, acc_x, acc_q, _MIDDLE_STAGE, half, p, w,
            h, c, kx, jac, b, g, gq, cq, t,
        )  # fmt: skip
        _tangent_stage(
            xs, qs, x, q, xs, qs, acc_x, acc_q, _MIDDLE_STAGE, dt, p, w,
            h, c, kx, jac, b, g, gq, cq, t,
        )  # fmt: skip
        _tangent_stage(
            xs, qs, x, q, xs, qs, acc_x, acc_q, _LAST_STAGE, sixth, p, w,
            h, c, kx, jac, b, g, gq, cq, t,
        )  # fmt: skip

        status, node = _check_state(x, bound)
        if status != OK:
            return status, step, node

        if step % qr_every == 0:
            for r in range(dim):
                for m in range(n_vec):
                    if not np.isfinite(q[r, m]):
                        return TANGENT_NOT_FINITE, step, -1
            factor_q, factor_r = np.linalg.qr(q)
            for m in range(n_vec):
                value = np.log(abs(factor_r[m, m]))
                if not np.isfinite(value):
                    return TANGENT_NOT_FINITE, step, -1
                log_r[row, m] = value
            q[:, :] = factor_q
            row += 1
    return OK, n_steps, -1
