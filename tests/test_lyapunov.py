"""Lyapunov spectra against closed forms, Lorenz and the dispersion relation.

Integration times are stated in each test; the tolerances follow from the
1 / T convergence of finite-time exponents on regular orbits and from the
block standard error on chaotic ones.
"""

import numpy as np
import pytest
from neuralmass import dispersion as disp
from neuralmass import homogeneous as hom
from neuralmass import lyapunov as lyap
from neuralmass.lyapunov import LyapunovError, LyapunovSettings
from neuralmass.models import load_model

LORENZ = np.array([0.9056, 0.0, -14.5723])  # science.md, section 7
RNG = np.random.default_rng(1980)


@pytest.fixture(scope="module")
def lorenz():
    return load_model("tests.models.lorenz")


@pytest.fixture(scope="module")
def cycle_10_3(model):
    """The homogeneous cycle at (I_E, eps) = (10, 3): transversally stable."""
    p = model.pack({"I_E": 10.0, "eps": 3.0})
    return p, hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle


def modes(w):
    return np.sort(np.linalg.eigvals(w).real)[::-1]


def full_jacobian(model, p, w, x):
    """J_net (N n, N n) by central differences of the compiled network flow."""
    n_nodes, n = x.shape
    h, c, dx = np.empty(n_nodes), np.empty(n_nodes), np.empty_like(x)
    jac = np.empty((x.size, x.size))
    step = 1e-6
    for col in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[col] += step
        minus.flat[col] -= step
        model.kernels.network_rhs(plus, p, w, h, c, dx)
        f_plus = dx.ravel().copy()
        model.kernels.network_rhs(minus, p, w, h, c, dx)
        jac[:, col] = (f_plus - dx.ravel()) / (2 * step)
    return jac


# ---- the tangent map -------------------------------------------------------


@pytest.mark.parametrize("name", ["ei_qif", "tests.models.example_model"])
def test_tangent_map_is_the_network_jacobian(name, aal90_weights):
    """J_net Q from the structured kernel = FD Jacobian of network_rhs times Q."""
    model = load_model(name)
    p = model.pack({"eps": 4.0})
    x = np.tile(model.module.initial_guess(p), (90, 1))
    x *= 1 + 0.2 * RNG.standard_normal(x.shape)  # off the homogeneous manifold
    q = RNG.standard_normal((x.size, 7))
    dx, dq = np.empty_like(x), np.empty_like(q)
    model.kernels.tangent_network_rhs(x, p, aal90_weights, q, dx, dq)

    expected = full_jacobian(model, p, aal90_weights, x) @ q
    scale = np.abs(expected).max()
    np.testing.assert_allclose(dq, expected, atol=1e-7 * scale)
    h, c, f = np.empty(90), np.empty(90), np.empty_like(x)
    model.kernels.network_rhs(x, p, aal90_weights, h, c, f)
    np.testing.assert_allclose(dx, f, rtol=1e-14, atol=1e-14)


# ---- known spectra ---------------------------------------------------------


def test_lorenz_spectrum(lorenz):
    """sigma 10, rho 28, beta 8/3 over T = 5000 after 100 (dt 0.01, QR 0.1).

    Each exponent within 1% of the reference (the zero one within 1% of
    lambda_1) and within 3 standard errors. The sum is the constant trace up
    to the RK4 error, about 1e-4 at dt 0.01 (dt^4 scaling: 6e-6 at 0.005).
    """
    settings = LyapunovSettings(3, duration=5000.0, dt=0.01, qr_interval=0.1,
                                transient=50.0, tangent_transient=50.0,
                                n_blocks=20)  # fmt: skip
    spectrum = lyap.homogeneous_lyapunov_spectrum(
        lorenz, lorenz.pack({}), [1.0, 1.0, 20.0], settings
    )
    got, stderr = spectrum.exponents, spectrum.stderr
    tolerance = 0.01 * np.maximum(np.abs(LORENZ), LORENZ[0])
    assert np.all(np.abs(got - LORENZ) < tolerance), got
    assert np.all(np.abs(got - LORENZ) < 3 * stderr + 1e-4), (got, stderr)
    assert got.sum() == pytest.approx(-(10 + 1 + 8 / 3), abs=2e-4)
    assert spectrum.n_positive == 1
    assert spectrum.kaplan_yorke == pytest.approx(2 + 0.9056 / 14.5723, rel=1e-3)
    assert spectrum.running.shape == (50000, 3)
    np.testing.assert_array_equal(spectrum.running[-1], got)


def test_leading_exponents_do_not_depend_on_how_many_are_computed(lorenz):
    """QR keeps the span of the first j vectors, so K = 1 and K = 2 give the
    leading exponents of K = 3 from the same first vectors (T = 200)."""
    settings = {"duration": 200.0, "dt": 0.01, "qr_interval": 0.1}
    p, x0 = lorenz.pack({}), [1.0, 1.0, 20.0]
    full = lyap.homogeneous_lyapunov_spectrum(
        lorenz, p, x0, LyapunovSettings(3, **settings)
    )
    for k in (1, 2):
        part = lyap.homogeneous_lyapunov_spectrum(
            lorenz, p, x0, LyapunovSettings(k, **settings)
        )
        np.testing.assert_allclose(part.exponents, full.exponents[:k], atol=1e-10)


def test_full_spectrum_of_a_two_node_network_at_an_equilibrium(model):
    """K = N n = 12: the real parts of the eigenvalues of both modes.

    W = [[1-a, a], [a, 1-a]] has modes 1 and 1 - 2a; T = 2000 (dt 0.02).
    """
    p = model.pack({"I_E": 2.0, "eps": 8.0})
    branch = hom.continue_equilibria(model, p, "I_E", 0.0, 2.0)
    eq = hom.newton_equilibrium(model, p, branch.states[-1])
    a = 0.3
    w = np.array([[1 - a, a], [a, 1 - a]])
    expected = disp.equilibrium_dispersion(model, p, eq, np.array([1.0, 1 - 2 * a]))
    expected = np.sort(expected.exponents.real.ravel())[::-1]

    settings = LyapunovSettings(12, duration=2000.0, dt=0.02, qr_interval=1.0,
                                tangent_transient=100.0)  # fmt: skip
    x0 = np.tile(eq.x, (2, 1))
    spectrum = lyap.lyapunov_spectrum(model, p, w, x0, settings)
    got = np.sort(spectrum.exponents)[::-1]
    np.testing.assert_allclose(got, expected, atol=2e-3)
    assert got.sum() == pytest.approx(expected.sum(), abs=1e-6)  # the trace
    assert spectrum.kaplan_yorke == 0.0 and spectrum.n_positive == 0


# ---- consistency with the dispersion relation ------------------------------


def test_network_on_a_stable_cycle_has_the_floquet_spectrum_of_all_modes(
    model, aal90_weights, cycle_10_3
):
    """Started exactly on the cycle (all nodes equal), the 10 leading exponents
    of the 540-variable network are the 10 largest Re Floquet exponents of all
    90 modes, to 1e-3 /ms after 150 periods (2955 ms, dt = T / 1000, QR every
    T / 20), 10 periods of tangent transient. The error falls like 1 / T
    (8e-4 after 100 periods, 5.4e-4 after 150)."""
    p, cycle = cycle_10_3
    floquet = disp.floquet_exponents(model, p, cycle, modes(aal90_weights))
    union = np.sort(floquet.exponents.real.ravel())[::-1]
    assert floquet.mu[1:].max() < 0  # transversally stable
    assert abs(union[0]) < 1e-6  # the trivial exponent leads

    dt = cycle.period / 1000
    settings = LyapunovSettings(10, duration=150 * cycle.period, dt=dt,
                                qr_interval=50 * dt,
                                tangent_transient=10 * cycle.period)  # fmt: skip
    x0 = np.tile(cycle.x0, (90, 1))
    spectrum = lyap.lyapunov_spectrum(model, p, aal90_weights, x0, settings,
                                      rng=np.random.default_rng(3))  # fmt: skip
    got = np.sort(spectrum.exponents)[::-1]
    np.testing.assert_allclose(got, union[:10], atol=1e-3)
    assert np.ptp(spectrum.final_state, axis=0).max() < 1e-9  # still homogeneous
    assert spectrum.n_positive == 0


def test_network_on_a_stable_equilibrium_has_the_eigenvalues_of_all_modes(
    model, aal90_weights
):
    """(I_E, eps) = (2, 8): the 10 leading exponents are the 10 largest real
    parts of the eigenvalues of all modes (complex pairs, so each value twice),
    to 1e-3 /ms after 4500 ms (dt 0.02, QR every 1 ms; 6.5e-4 reached, 8e-4
    after 3000 ms)."""
    p = model.pack({"I_E": 2.0, "eps": 8.0})
    branch = hom.continue_equilibria(model, p, "I_E", 0.0, 2.0)
    eq = hom.newton_equilibrium(model, p, branch.states[-1])
    dispersion = disp.equilibrium_dispersion(model, p, eq, modes(aal90_weights))
    union = np.sort(dispersion.exponents.real.ravel())[::-1]

    settings = LyapunovSettings(10, duration=4500.0, dt=0.02, qr_interval=1.0,
                                tangent_transient=200.0)  # fmt: skip
    x0 = np.tile(eq.x, (90, 1))
    spectrum = lyap.lyapunov_spectrum(model, p, aal90_weights, x0, settings,
                                      rng=np.random.default_rng(4))  # fmt: skip
    np.testing.assert_allclose(np.sort(spectrum.exponents)[::-1], union[:10],
                               atol=1e-3)  # fmt: skip


def test_homogeneous_spectrum_of_a_cycle_is_its_floquet_spectrum(model):
    """The self-coupled node on its cycle at (12, 12): all 6 exponents are the
    Floquet exponents of the uniform mode (one of them 0), T = 200 periods.

    All n exponents from the identity over whole periods, with a QR interval
    that divides the period, leave no 1 / T error: only the RK4 error."""
    p = model.pack({"I_E": 12.0, "eps": 12.0})
    cycle = hom.homogeneous_state(model, p, "I_E", 0.0, 1000.0, 0.01).cycle
    expected = disp.floquet_exponents(model, p, cycle, np.ones(1)).exponents
    expected = np.sort(expected.real.ravel())[::-1]
    dt = cycle.period / 2000
    settings = LyapunovSettings(6, duration=200 * cycle.period, dt=dt,
                                qr_interval=100 * dt,
                                tangent_transient=10 * cycle.period)  # fmt: skip
    spectrum = lyap.homogeneous_lyapunov_spectrum(model, p, cycle.x0, settings)
    got = np.sort(spectrum.exponents)[::-1]
    np.testing.assert_allclose(got, expected, atol=1e-6)  # 4e-8 reached


# ---- independence of numerical choices -------------------------------------


def test_halving_dt_and_doubling_the_qr_interval(lorenz):
    """Lorenz over T = 2000: dt 0.01 -> 0.005 with QR 0.1 -> 0.2.

    Halving dt changes the trajectory, so in chaos the two estimates are
    independent samples; the leading exponent then changes by less than
    3 combined standard errors. On the same trajectory (same dt), doubling
    the QR interval changes it by less than its standard error / 100: in exact
    arithmetic the product of the R factors does not depend on it.
    """

    def leading(dt, qr):
        settings = LyapunovSettings(3, duration=2000.0, dt=dt, qr_interval=qr,
                                    transient=50.0, tangent_transient=50.0,
                                    n_blocks=20)  # fmt: skip
        s = lyap.homogeneous_lyapunov_spectrum(
            lorenz, lorenz.pack({}), [1.0, 1.0, 20.0], settings
        )
        return s.exponents[0], s.stderr[0]

    base, base_err = leading(0.01, 0.1)
    fine, fine_err = leading(0.005, 0.2)
    assert abs(fine - base) < 3 * np.hypot(base_err, fine_err)
    same_trajectory, _ = leading(0.01, 0.2)
    assert abs(same_trajectory - base) < base_err / 100


# ---- derived quantities and bad input --------------------------------------


@pytest.mark.parametrize(
    "exponents, dimension, expected",
    [
        ([1.0, 0.0, -2.0], 3, 2.5),
        ([0.0, -1.0], 2, 1.0),  # a stable cycle
        ([-0.1, -1.0], 2, 0.0),
        ([0.3, -1.0, 0.1], 3, 2.4),  # unsorted input
        ([0.5, 0.2], 3, np.nan),  # more exponents needed
        ([0.5, 0.2], 2, 2.0),
    ],
)
def test_kaplan_yorke_dimension(exponents, dimension, expected):
    value = lyap.kaplan_yorke_dimension(exponents, dimension)
    if np.isnan(expected):
        assert np.isnan(value)
    else:
        assert value == pytest.approx(expected)


def test_count_positive_needs_significance():
    assert lyap.count_positive([0.5, 1e-4, -1.0], [0.01, 1e-3, 0.01]) == 1
    assert lyap.count_positive([0.5, 0.05, -1.0], [0.01, 1e-3, 0.01]) == 2


def test_block_estimates():
    log_r = np.tile([[0.2, -0.1]], (12, 1))
    blocks, stderr = lyap.block_estimates(log_r, 0.5, 4)
    np.testing.assert_allclose(blocks, np.tile([[0.4, -0.2]], (4, 1)))
    np.testing.assert_allclose(stderr, 0.0, atol=1e-15)
    log_r[:6] += 0.5
    blocks, stderr = lyap.block_estimates(log_r, 0.5, 2)
    np.testing.assert_allclose(blocks[:, 0], [1.4, 0.4])
    assert stderr[0] == pytest.approx(0.5)  # std 0.707 / sqrt 2


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"n_exponents": 0}, r"lyapunov.n_exponents must be an integer >= 1, got 0"),
        ({"dt": -0.1}, r"lyapunov.dt must be > 0 and finite, got -0.1"),
        ({"qr_interval": 0.015}, r"lyapunov.qr_interval must be a multiple of dt"),
        ({"n_blocks": 1}, r"lyapunov.n_blocks must be an integer >= 2, got 1"),
        ({"duration": 5.0}, r"lyapunov.duration must be at least n_blocks = 10"),
        ({"transient": np.inf}, r"lyapunov.transient must be >= 0 and finite"),
    ],
)
def test_bad_settings_are_refused(changes, message):
    settings = {"n_exponents": 3, "duration": 100.0, "dt": 0.01, "qr_interval": 1.0}
    with pytest.raises(ValueError, match=message):
        LyapunovSettings(**{**settings, **changes})


def test_bad_shapes_and_too_many_exponents(model, aal90_weights):
    p = model.pack({})
    x0 = np.tile(model.module.initial_guess(p), (90, 1))
    settings = LyapunovSettings(541, duration=10.0, dt=0.01, qr_interval=1.0)
    with pytest.raises(ValueError, match=r"n_exponents must be <= N n = 540"):
        lyap.lyapunov_spectrum(model, p, aal90_weights, x0, settings)
    with pytest.raises(ValueError, match=r"x0 must have shape \(N, n\) = \(90, 6\)"):
        lyap.lyapunov_spectrum(model, p, aal90_weights, x0[:, :5], settings)


def test_divergence_names_phase_time_and_node(model, aal90_weights):
    """Uncoupled nodes (eps = 0): node 7 starts far out and blows up alone."""
    p = model.pack({"I_E": 13.0, "eps": 0.0})
    x0 = np.tile(model.module.initial_guess(p), (90, 1))
    x0[7, 1] = 1e4
    settings = LyapunovSettings(2, duration=10.0, dt=0.01, qr_interval=1.0)
    with pytest.raises(
        LyapunovError, match=r"point X: averaging: .* at t = 0\.0[0-9]+ ms in node 7"
    ):
        lyap.lyapunov_spectrum(model, p, aal90_weights, x0, settings, where="point X")


# ---- pipeline stages -------------------------------------------------------


def test_stages_write_tables_figures_and_summaries(tmp_path, aal90_weights):
    """Short runs through the stage functions, as the rule scripts call them."""
    import json

    import pandas as pd
    from neuralmass import lyapunov_stages as stages

    np.save(tmp_path / "W.npy", aal90_weights)
    (tmp_path / "labels.txt").write_text("\n".join(f"R{j}" for j in range(90)))
    settings = {
        "n_exponents": 3,
        "transient": 20.0,
        "tangent_transient": 5.0,
        "duration": 20.0,
        "dt": 0.02,
        "qr_interval": 1.0,
        "n_blocks": 4,
        "perturbation": 0.01,
        "seed": 1,
    }
    homogeneous = {"transient": 500.0, "dt": 0.01}
    continuation = {"parameter": "I_E", "start": 0.0}
    scan = {
        "parameter": "I_E",
        "min": 2.0,
        "max": 10.0,
        "step": 8.0,
        "fixed": {"eps": 3.0},
    }
    points = stages.scan_points(scan)
    assert list(points) == ["scan_I_E2_eps3", "scan_I_E10_eps3"]
    for name, point in points.items():
        outputs = {
            key: tmp_path / name / file
            for key, file in [
                ("table", "lyapunov.csv"),
                ("convergence", "lyapunov_convergence.csv"),
                ("summary", "lyapunov.json"),
                ("figure", "convergence.png"),
            ]
        }
        stages.network_lyapunov(
            "ei_qif",
            {},
            point,
            continuation,
            homogeneous,
            settings,
            tmp_path / "W.npy",
            tmp_path / "labels.txt",
            outputs,
            name,
        )
    table = pd.read_csv(tmp_path / "scan_I_E10_eps3" / "lyapunov.csv")
    assert list(table.columns) == ["index", "exponent", "stderr", "unit"]
    assert table["index"].tolist() == [1, 2, 3] and set(table["unit"]) == {"1/ms"}
    record = json.loads((tmp_path / "scan_I_E2_eps3" / "lyapunov.json").read_text())
    assert record["homogeneous_state"] == "equilibrium"
    assert record["lambda_max"] < 0 and record["n_positive"] == 0
    convergence = pd.read_csv(tmp_path / "scan_I_E2_eps3/lyapunov_convergence.csv")
    final = pd.read_csv(tmp_path / "scan_I_E2_eps3/lyapunov.csv")["exponent"]
    assert convergence["time_ms"].iloc[-1] == pytest.approx(20.0)
    np.testing.assert_allclose(convergence.iloc[-1, 1:], final, rtol=1e-12)

    stages.lyapunov_scan_table(
        [tmp_path / name / "lyapunov.json" for name in points],
        [tmp_path / name / "lyapunov.csv" for name in points],
        "I_E",
        {
            key: tmp_path / file
            for key, file in [
                ("table", "scan.csv"),
                ("summary", "scan_summary.csv"),
                ("figure", "scan.png"),
            ]
        },
    )
    summary = pd.read_csv(tmp_path / "scan_summary.csv")
    assert summary["I_E"].tolist() == [2.0, 10.0]
    assert len(pd.read_csv(tmp_path / "scan.csv")) == 6

    block = {
        "x": {"parameter": "I_E", "min": 2.0, "max": 12.0, "step": 10.0},
        "y": {"parameter": "eps", "min": 12.0, "max": 12.0, "step": 1.0},
    }
    short = {
        key: settings[key]
        for key in (
            "transient",
            "tangent_transient",
            "duration",
            "dt",
            "qr_interval",
            "n_blocks",
        )
    }
    stages.homogeneous_lyapunov_row(
        "ei_qif",
        {},
        block,
        0,
        continuation,
        homogeneous,
        short,
        tmp_path / "row0.csv",
        "map",
    )
    stages.homogeneous_lyapunov_map(
        [tmp_path / "row0.csv"],
        block,
        {"table": tmp_path / "map.csv", "figure": tmp_path / "map.png"},
        "map",
    )
    row = pd.read_csv(tmp_path / "map.csv")
    assert row["status"].tolist() == ["ok", "ok"]
    assert [f"lambda_{i}" for i in range(1, 7)] == [
        c for c in row.columns if c.startswith("lambda_")
    ]
    assert row["lambda_1"].iloc[0] < -0.01  # a stable equilibrium at I_E = 2
    assert (tmp_path / "map.png").stat().st_size > 0
