"""A vector field with parameters, as the continuation code sees it.

The continuation works on x' = f(x; p) with x of shape (n,) and p a packed
parameter array, given by two vectorised callables

- ``f(X, p)``: X of shape (m, n), returns X' of shape (m, n);
- ``jac(X, p)``: returns d f / d x at every row of X, shape (m, n, n).

`System.from_model` builds them for the homogeneous (self-coupled) node of
any model in `neuralmass.models`, from its compiled kernels; plain numpy
callables serve for normal forms and other test systems. Derivatives with
respect to parameters, and the second and third derivatives needed for normal
form coefficients, are central differences of these two callables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: Relative step of central differences in a parameter.
PARAM_STEP = 1e-6
#: Step of central differences of the Jacobian along a state direction
#: (unit vectors); error O(h^2) for B, O(h^2) plus roundoff eps / h^2 for C.
STATE_STEP = 1e-4


@dataclass
class System:
    """x' = f(x; p) with its Jacobian, parameter names and defaults.

    Attributes
    ----------
    f, jac : callable
        Vectorised right-hand side (m, n) -> (m, n) and Jacobian
        (m, n) -> (m, n, n), both taking the packed parameters second.
    variables : tuple of str
        Names of the n state variables.
    parameters : tuple of str
        Names of the entries of the packed parameter array.
    p : ndarray (k,)
        Default packed parameters.
    name : str
    time_unit : str
        Unit of time, used to report periods.
    seconds_per_time_unit : float
        Converts periods to frequencies in Hz.
    observable : str or None
        Name of the recorded signal (a variable, or e.g. v_pyr = y1 - y2);
        None: the first variable.
    observable_weights : ndarray (n,) or None
        The signal as weights of the variables (None: the variable named
        `observable`); diagrams give its max and min over each orbit.
    """

    f: Callable[[np.ndarray, np.ndarray], np.ndarray]
    jac: Callable[[np.ndarray, np.ndarray], np.ndarray]
    variables: tuple[str, ...]
    parameters: tuple[str, ...]
    p: np.ndarray
    name: str = "system"
    time_unit: str = "1"
    seconds_per_time_unit: float = 1.0
    observable: str | None = None
    observable_weights: np.ndarray | None = None
    n_evaluations: int = 0

    @classmethod
    def from_model(cls, model, values: Mapping[str, float] | None = None) -> System:
        """The self-coupled node of `model` (a `neuralmass.models.Model`)."""
        kernels = model.kernels

        def f(xs, p):
            xs = np.ascontiguousarray(xs, dtype=float)
            out = np.empty_like(xs)
            kernels.batch_homogeneous_rhs(xs, p, out)
            return out

        def jac(xs, p):
            xs = np.ascontiguousarray(xs, dtype=float)
            out = np.empty((xs.shape[0], xs.shape[1], xs.shape[1]))
            kernels.batch_homogeneous_jacobians(xs, p, out)
            return out

        return cls(
            f=f,
            jac=jac,
            variables=tuple(model.variables),
            parameters=tuple(p.name for p in model.parameters),
            p=model.pack(values),
            name=model.name,
            time_unit=model.time_unit,
            seconds_per_time_unit=model.seconds_per_time_unit,
            observable=model.observable,
            observable_weights=model.observable_weights,
        )

    def signal(self, xs: np.ndarray) -> np.ndarray:
        """The observable at states xs (..., n), from its weights."""
        if self.observable_weights is None:
            name = self.observable or self.variables[0]
            return np.asarray(xs)[..., self.variables.index(name)]
        return np.asarray(xs) @ self.observable_weights

    @property
    def n(self) -> int:
        return len(self.variables)

    def index(self, parameter: str) -> int:
        if parameter not in self.parameters:
            raise ValueError(
                f"{self.name} has no parameter {parameter!r}; "
                f"known: {', '.join(self.parameters)}"
            )
        return self.parameters.index(parameter)

    def with_values(self, values: Mapping[str, float]) -> np.ndarray:
        """A copy of the default parameters with some entries replaced."""
        p = self.p.copy()
        for name, value in values.items():
            p[self.index(name)] = float(value)
        return p

    def frequency_hz(self, period: float) -> float:
        return 1.0 / (period * self.seconds_per_time_unit)

    # ---- evaluations at one point -------------------------------------------
    def rhs(self, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        self.n_evaluations += 1
        return self.f(np.asarray(x, float)[None, :], p)[0]

    def jacobian(self, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        return self.jac(np.asarray(x, float)[None, :], p)[0]

    def param_derivative(
        self, xs: np.ndarray, p: np.ndarray, k: int | Sequence[int]
    ) -> np.ndarray:
        """d f / d p_k by central differences; shape (m, n) or (m, n, len(k))."""
        ks = [k] if np.isscalar(k) else list(k)
        xs = np.atleast_2d(xs)
        columns = []
        for kk in ks:
            h = PARAM_STEP * max(1.0, abs(p[kk]))
            up, down = p.copy(), p.copy()
            up[kk] += h
            down[kk] -= h
            columns.append((self.f(xs, up) - self.f(xs, down)) / (2 * h))
        out = np.stack(columns, axis=-1)
        return out[..., 0] if np.isscalar(k) else out

    def param_jacobian_derivative(
        self, x: np.ndarray, p: np.ndarray, k: int
    ) -> np.ndarray:
        """d J / d p_k at x, shape (n, n)."""
        h = PARAM_STEP * max(1.0, abs(p[k]))
        up, down = p.copy(), p.copy()
        up[k] += h
        down[k] -= h
        return (self.jacobian(x, up) - self.jacobian(x, down)) / (2 * h)

    def hessian_tensor(self, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        """H[i, j, k] = d^2 f_i / dx_j dx_k by central differences of J."""
        n = self.n
        h = STATE_STEP * max(1.0, np.max(np.abs(x)))
        xs = np.concatenate([x + h * np.eye(n), x - h * np.eye(n)])
        js = self.jac(xs, p)
        d = (js[:n] - js[n:]) / (2 * h)  # d[k, i, j] = d J_ij / d x_k
        return np.transpose(d, (1, 2, 0))

    def third_tensor(self, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        """T[i, j, k, l] = d^3 f_i / dx_j dx_k dx_l (second differences of J)."""
        n = self.n
        h = 3 * STATE_STEP * max(1.0, np.max(np.abs(x)))
        eye = np.eye(n)
        t = np.empty((n, n, n, n))
        j0 = self.jacobian(x, p)
        for k in range(n):
            for m in range(k, n):
                if k == m:
                    js = self.jac(np.stack([x + h * eye[k], x - h * eye[k]]), p)
                    d2 = (js[0] - 2 * j0 + js[1]) / (h * h)
                else:
                    u, v = eye[k] + eye[m], eye[k] - eye[m]
                    pts = np.stack([x + h * u, x + h * v, x - h * v, x - h * u])
                    js = self.jac(pts, p)
                    d2 = (js[0] - js[1] - js[2] + js[3]) / (4 * h * h)
                t[:, :, k, m] = d2
                t[:, :, m, k] = d2
        return t
