"""Small systems with known bifurcations, as `System`s of numpy callables.

Used by the tests and the benchmark; each docstring states the closed form.
"""

from __future__ import annotations

import numpy as np

from neuralmass.continuation.system import System


def _system(f, jac, variables, parameters, name, unit="1", seconds=1.0):
    values = np.array([v for _, v in parameters], dtype=float)
    return System(
        f=f,
        jac=jac,
        variables=tuple(variables),
        parameters=tuple(n for n, _ in parameters),
        p=values,
        name=name,
        time_unit=unit,
        seconds_per_time_unit=seconds,
        observable=variables[0],
    )


def cubic_folds(delta: float = 0.03) -> System:
    """x' = a + delta x - x^3, y' = -y.

    Folds at x = -+ sqrt(delta / 3), a = +- (2 delta / 3) sqrt(delta / 3);
    their distance in x is 2 sqrt(delta / 3), in a only (4 delta / 3)
    sqrt(delta / 3).
    """

    def f(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        return np.stack([p[0] + p[1] * x - x**3, -y], axis=1)

    def jac(xs, p):
        out = np.zeros((xs.shape[0], 2, 2))
        out[:, 0, 0] = p[1] - 3 * xs[:, 0] ** 2
        out[:, 1, 1] = -1.0
        return out

    return _system(f, jac, ("x", "y"), [("a", 0.0), ("delta", delta)], "cubic")


def hopf_normal_form(omega: float = 1.0, coefficients=None) -> System:
    """x' = alpha x - omega y + F(x, y), y' = omega x + alpha y + G(x, y).

    F and G are quadratic plus cubic polynomials with the coefficients
    (f20, f11, f02, f30, f21, f12, f03, g20, ..., g03) of x^i y^j. The origin
    is an equilibrium with eigenvalues alpha +- i omega, so a Hopf point at
    alpha = 0, and (Guckenheimer and Holmes 1983, eq. 3.4.11)

        a = (F_xxx + F_xyy + G_xxy + G_yyy) / 16
            + (F_xy (F_xx + F_yy) - G_xy (G_xx + G_yy) - F_xx G_xx
               + F_yy G_yy) / (16 omega),

    which is l1 omega / 2 in Kuznetsov's normalisation.
    """
    c = np.zeros(14) if coefficients is None else np.asarray(coefficients, float)
    powers = [(2, 0), (1, 1), (0, 2), (3, 0), (2, 1), (1, 2), (0, 3)]

    def poly(x, y, coef):
        return sum(k * x**i * y**j for k, (i, j) in zip(coef, powers, strict=True))

    def dpoly(x, y, coef):
        dx = sum(
            k * i * x ** max(i - 1, 0) * y**j
            for k, (i, j) in zip(coef, powers, strict=True)
        )
        dy = sum(
            k * j * x**i * y ** max(j - 1, 0)
            for k, (i, j) in zip(coef, powers, strict=True)
        )
        return dx, dy

    def f(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        alpha, w = p[0], p[1]
        return np.stack(
            [
                alpha * x - w * y + poly(x, y, c[:7]),
                w * x + alpha * y + poly(x, y, c[7:]),
            ],
            axis=1,
        )

    def jac(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        alpha, w = p[0], p[1]
        fx, fy = dpoly(x, y, c[:7])
        gx, gy = dpoly(x, y, c[7:])
        out = np.empty((xs.shape[0], 2, 2))
        out[:, 0, 0] = alpha + fx
        out[:, 0, 1] = -w + fy
        out[:, 1, 0] = w + gx
        out[:, 1, 1] = alpha + gy
        return out

    def a_coefficient():
        f20, f11, f02, f30, f21, f12, f03 = c[:7]
        g20, g11, g02, g30, g21, g12, g03 = c[7:]
        fxx, fxy, fyy = 2 * f20, f11, 2 * f02
        gxx, gxy, gyy = 2 * g20, g11, 2 * g02
        fxxx, fxyy = 6 * f30, 2 * f12
        gxxy, gyyy = 2 * g21, 6 * g03
        return (fxxx + fxyy + gxxy + gyyy) / 16 + (
            fxy * (fxx + fyy) - gxy * (gxx + gyy) - fxx * gxx + fyy * gyy
        ) / (16 * omega)

    system = _system(
        f, jac, ("x", "y"), [("alpha", 0.0), ("omega", omega)], "hopf_normal_form"
    )
    system.expected_l1 = 2 * a_coefficient() / omega
    return system


def transcritical() -> System:
    """x' = a x - x^2, y' = -y: branch point at (x, a) = (0, 0)."""

    def f(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        return np.stack([p[0] * x - x**2, -y], axis=1)

    def jac(xs, p):
        out = np.zeros((xs.shape[0], 2, 2))
        out[:, 0, 0] = p[0] - 2 * xs[:, 0]
        out[:, 1, 1] = -1.0
        return out

    return _system(f, jac, ("x", "y"), [("a", -1.0)], "transcritical")


def jansen_rit() -> System:
    """The Jansen-Rit node of science.md section 6, self-coupled (time in s).

    Reference at eps = 0 (Grimbert and Faugeras 2006): folds at p = 113.586
    and -41.301, Hopf points at p = -12.1475, 89.8291 and 315.6964.
    """
    names = ["e0", "r", "v0", "A", "B", "a", "b", "C", "p", "eps"]
    defaults = [2.5, 0.56, 6.0, 3.25, 22.0, 100.0, 50.0, 135.0, 0.0, 0.0]

    def sig(v, e0, r, v0):
        return 2 * e0 / (1 + np.exp(r * (v0 - v)))

    def dsig(v, e0, r, v0):
        s = sig(v, e0, r, v0)
        return r * s * (1 - s / (2 * e0))

    def f(xs, q):
        e0, r, v0, A, B, a, b, C, p, eps = q
        y0, y1, y2, y3, y4, y5 = xs.T
        s12 = sig(y1 - y2, e0, r, v0)
        return np.stack(
            [
                y3,
                y4,
                y5,
                a * (A * s12 - 2 * y3 - a * y0),
                A * a * (p + 0.8 * C * sig(C * y0, e0, r, v0) + eps * s12)
                - a * (2 * y4 + a * y1),
                b * (B * 0.25 * C * sig(0.25 * C * y0, e0, r, v0) - 2 * y5 - b * y2),
            ],
            axis=1,
        )

    def jac(xs, q):
        e0, r, v0, A, B, a, b, C, p, eps = q
        y0, y1, y2 = xs[:, 0], xs[:, 1], xs[:, 2]
        d12 = dsig(y1 - y2, e0, r, v0)
        out = np.zeros((xs.shape[0], 6, 6))
        out[:, 0, 3] = out[:, 1, 4] = out[:, 2, 5] = 1.0
        out[:, 3, 0] = -a * a
        out[:, 3, 1] = a * A * d12
        out[:, 3, 2] = -a * A * d12
        out[:, 3, 3] = -2 * a
        out[:, 4, 0] = A * a * 0.8 * C * C * dsig(C * y0, e0, r, v0)
        out[:, 4, 1] = A * a * eps * d12 - a * a
        out[:, 4, 2] = -A * a * eps * d12
        out[:, 4, 4] = -2 * a
        out[:, 5, 0] = b * B * (0.25 * C) ** 2 * dsig(0.25 * C * y0, e0, r, v0)
        out[:, 5, 2] = -b * b
        out[:, 5, 5] = -2 * b
        return out

    return _system(
        f,
        jac,
        ("y0", "y1", "y2", "y3", "y4", "y5"),
        list(zip(names, defaults, strict=True)),
        "jansen_rit",
        unit="s",
        seconds=1.0,
    )


def jansen_rit_guess(system: System, p_value: float) -> np.ndarray:
    """Equilibrium of the Jansen-Rit node by fixed-point iteration in y0."""
    e0, r, v0, A, B, a, b, C, _, eps = system.p
    y0 = 0.0
    for _ in range(200):
        y2 = B / b * 0.25 * C * 2 * e0 / (1 + np.exp(r * (v0 - 0.25 * C * y0)))
        y1 = A / a * (p_value + 0.8 * C * 2 * e0 / (1 + np.exp(r * (v0 - C * y0))))
        y0 = 0.5 * y0 + 0.5 * A / a * 2 * e0 / (1 + np.exp(r * (v0 - (y1 - y2))))
    return np.array([y0, y1, y2, 0.0, 0.0, 0.0])


def rossler() -> System:
    """Roessler (1976): x' = -y - z, y' = x + a y, z' = b + z (x - c).

    With a = b = 0.2 the cycle born at a Hopf point of the inner
    equilibrium period-doubles near c = 2.83 and again near c = 3.84
    (the cascade accumulates near c = 4.2).
    """

    def f(xs, p):
        x, y, z = xs.T
        a, b, c = p
        return np.stack([-y - z, x + a * y, b + z * (x - c)], axis=1)

    def jac(xs, p):
        a, b, c = p
        out = np.zeros((xs.shape[0], 3, 3))
        out[:, 0, 1] = out[:, 0, 2] = -1.0
        out[:, 1, 0] = 1.0
        out[:, 1, 1] = a
        out[:, 2, 0] = xs[:, 2]
        out[:, 2, 2] = xs[:, 0] - c
        return out

    return _system(
        f, jac, ("x", "y", "z"), [("a", 0.2), ("b", 0.2), ("c", 2.0)], "rossler"
    )


def rossler_equilibrium(system: System, c: float) -> np.ndarray:
    """The inner equilibrium x = (c - sqrt(c^2 - 4ab)) / 2, y = -x/a, z = x/a."""
    a, b = system.p[0], system.p[1]
    x = (c - np.sqrt(c * c - 4 * a * b)) / 2
    return np.array([x, -x / a, x / a])


def bautin(omega: float = 1.0) -> System:
    """x' = alpha x - omega y + x (beta r^2 - r^4), y' = omega x + alpha y
    + y (beta r^2 - r^4), r^2 = x^2 + y^2 (Bautin normal form).

    Hopf points at alpha = 0 with l1 = 2 beta / omega (Kuznetsov's
    normalisation), so a generalised Hopf point at (alpha, beta) = (0, 0).
    Cycles have radius^2 solving alpha + beta r^2 - r^4 = 0 and period
    2 pi / omega; for beta > 0 they fold (LPC) at alpha = -beta^2 / 4,
    r^2 = beta / 2.
    """

    def f(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        alpha, beta, w = p
        r2 = x * x + y * y
        g = beta * r2 - r2 * r2
        return np.stack([alpha * x - w * y + x * g, w * x + alpha * y + y * g], axis=1)

    def jac(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        alpha, beta, w = p
        r2 = x * x + y * y
        g = beta * r2 - r2 * r2
        dg = beta - 2 * r2  # dg/d(r2)
        out = np.empty((xs.shape[0], 2, 2))
        out[:, 0, 0] = alpha + g + 2 * x * x * dg
        out[:, 0, 1] = -w + 2 * x * y * dg
        out[:, 1, 0] = w + 2 * x * y * dg
        out[:, 1, 1] = alpha + g + 2 * y * y * dg
        return out

    return _system(
        f, jac, ("x", "y"), [("alpha", 0.0), ("beta", 1.0), ("omega", omega)], "bautin"
    )


def bogdanov_takens(s: float = -1.0) -> System:
    """x' = y, y' = b1 + b2 x + x^2 + s x y (Bogdanov-Takens normal form).

    Folds on b1 = b2^2 / 4, Hopf points (trace s x = 0, so x = 0) on
    b1 = 0 with b2 < 0, and the Bogdanov-Takens point at (b1, b2) = (0, 0).
    """

    def f(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        return np.stack([y, p[0] + p[1] * x + x * x + p[2] * x * y], axis=1)

    def jac(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        out = np.zeros((xs.shape[0], 2, 2))
        out[:, 0, 1] = 1.0
        out[:, 1, 0] = p[1] + 2 * x + p[2] * y
        out[:, 1, 1] = p[2] * x
        return out

    return _system(
        f, jac, ("x", "y"), [("b1", 0.0), ("b2", -1.0), ("s", s)], "bogdanov_takens"
    )


def homoclinic_loop() -> System:
    """x' = y, y' = x - x^2 + (mu - H) y, H = y^2 / 2 - x^2 / 2 + x^3 / 3.

    dH/dt = (mu - H) y^2, so the level set H = mu is invariant and
    attracts its neighbours. The saddle (0, 0) (eigenvalues
    (mu +- sqrt(mu^2 + 4)) / 2) lies on the loop H = 0; the centre (1, 0)
    has H = -1/6 and eigenvalues with real part (mu + 1/6) / 2. So cycles
    H = mu exist for -1/6 < mu < 0: born at a Hopf point at mu = -1/6
    (omega = 1), they end at mu = 0 in a homoclinic orbit to the saddle,
    with no fold of equilibria anywhere; the period grows like -log|mu|.
    """

    def f(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        h = y * y / 2 - x * x / 2 + x**3 / 3
        return np.stack([y, x - x * x + (p[0] - h) * y], axis=1)

    def jac(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        h = y * y / 2 - x * x / 2 + x**3 / 3
        out = np.zeros((xs.shape[0], 2, 2))
        out[:, 0, 1] = 1.0
        out[:, 1, 0] = 1 - 2 * x - (x * x - x) * y
        out[:, 1, 1] = p[0] - h - y * y
        return out

    return _system(f, jac, ("x", "y"), [("mu", -0.1)], "homoclinic_loop")


def snic_circle() -> System:
    """x' = x (1 - r^2) - y (mu - x), y' = y (1 - r^2) + x (mu - x).

    In polar coordinates r' = r (1 - r^2), theta' = mu - r cos(theta): the
    unit circle is invariant and attracting. For mu > 1 it is a cycle of
    period 2 pi / sqrt(mu^2 - 1); at mu = 1 a saddle-node appears on it at
    (1, 0) (a SNIC), and for |mu| < 1 it carries a node and a saddle at
    cos(theta) = mu. The origin is an unstable focus throughout.
    """

    def f(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        g = 1 - x * x - y * y
        w = p[0] - x
        return np.stack([x * g - y * w, y * g + x * w], axis=1)

    def jac(xs, p):
        x, y = xs[:, 0], xs[:, 1]
        g = 1 - x * x - y * y
        w = p[0] - x
        out = np.empty((xs.shape[0], 2, 2))
        out[:, 0, 0] = g - 2 * x * x + y
        out[:, 0, 1] = -2 * x * y - w
        out[:, 1, 0] = -2 * x * y + w - x
        out[:, 1, 1] = g - 2 * y * y
        return out

    return _system(f, jac, ("x", "y"), [("mu", 2.0)], "snic_circle")
