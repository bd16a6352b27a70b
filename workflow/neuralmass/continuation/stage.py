"""The bifurcation stage: diagrams of the homogeneous states as tables.

`one_parameter_diagram` continues the equilibria in the first parameter at
a fixed value of the second (from the lower bound; and from the upper bound
too when the first branch turns back and leaves through the lower one, as an
S-shaped curve does when one of its folds lies outside the bounds), starts a
cycle branch at every Hopf point (not already reached by an earlier cycle
branch), switches once at every period doubling, and marks where cycle
branches end at a global bifurcation: kind "HC" where the branch stopped
winding into a homoclinic orbit (status "homoclinic", see
`cycles.CycleProblem.approaching_homoclinic`), and where the period grew
past `max_period` (status "large period") kind "SNIC" when no saddle lies
near the orbit and a fold of equilibria lies near where the SNIC law
T^2 |a - a_sn| = const, fitted to the end of the branch, puts a_sn (see
`snic_estimate`), "HC" otherwise.
`two_parameter_diagram` continues the fold and Hopf curves through the folds
and Hopf points found on those diagrams; `cycle_curve_diagram` the LPC and
PD curves through the folds and period doublings of cycles found inside a
box of the plane (the figure's zoom box by default). `cascade` simulates the node on a
grid of the first parameter and keeps the peaks of one variable.

Table columns (one row per computed point): branch, type ("equilibrium",
"cycle", "LP curve", "HB curve", "LPC curve", "PD curve"), the two
parameters, stable, n_unstable, norm, max_<var> and min_<var> for every
variable (of the orbit on cycle curves), period (model time unit, cycles,
Hopf and cycle curves), frequency_hz, residual (cycle curves: PD |mu + 1|,
LPC |mu_2 - 1|); when the model's recorded signal is not one of its
variables (Jansen-Rit: v_pyr = y1 - y2), also max_<signal> and
min_<signal> over each orbit. Special points: their kind, parameters,
period, frequency_hz, lyapunov_coefficient, residual (the defining
condition's; HC: distance between the last cycle's slowest point and the
saddle, in state units; SNIC and a large-period HC: empty), branch, type
and the state x. An HC is placed at the last cycle, a SNIC at its fold; the
period and frequency of both are those of the last cycle computed.

Durations in the settings (max_period; the cascade's transient, duration
and dt) are in ms, as everywhere in the config, and are converted to the
model's time unit here; periods in the tables are in the model's unit.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from neuralmass.continuation import cycle_curves as cc
from neuralmass.continuation import cycles as cy
from neuralmass.continuation import two_parameter as tp
from neuralmass.continuation.core import Settings
from neuralmass.continuation.equilibria import SpecialPoint, continue_equilibria
from neuralmass.continuation.system import System

log = logging.getLogger(__name__)

SNIC_GROWTH = 1.5  # period ratio of the two points that fit the SNIC law
# a cycle branch that ends within SAME_END x the width of the bounds and
# SAME_PERIOD (relative) in period of a Hopf point (of a period doubling, at
# twice its period, for a doubled branch) has reached it: none starts there
SAME_END = 1e-3
# a seed this close (first parameter, linear interpolation between curve
# points) to a computed curve of its kind starts no new curve
SAME_CURVE = 1e-3
SAME_PERIOD = 1e-2  # relative period difference of a seed on a cycle curve
SPECIAL_COLUMNS = ("kind", "period", "frequency_hz", "lyapunov_coefficient",
                   "residual", "branch", "type")  # fmt: skip


def _settings(block: dict | None, default: Settings) -> Settings:
    if not block:
        return default
    merged = {**default.__dict__, **block}
    return Settings(**merged)


def equilibrium_guess(system: System, model, p: np.ndarray) -> np.ndarray:
    guess = getattr(model.module, "initial_guess", None) if model else None
    return guess(p) if guess else np.zeros(system.n)


def one_parameter_diagram(
    system: System,
    model,
    parameter: str,
    bounds: tuple[float, float],
    values: dict,
    ntst: int = cy.NTST,
    ncol: int = cy.NCOL,
    max_period: float = 1000.0,
    period_doubling_depth: int = 1,
    equilibrium_settings: dict | None = None,
    cycle_settings: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Branches and special points of one diagram; see the module docstring.

    max_period is in the system's time unit; the settings dicts override
    fields of `core.Settings` for the equilibrium and cycle continuations.
    """
    eq_settings = _settings(equilibrium_settings, Settings(ds=0.01, ds_max=0.2))
    cyc_settings = _settings(
        cycle_settings, Settings(ds=0.05, ds_max=0.5, newton_tol=1e-9)
    )
    rows, points = [], []
    for eq in equilibrium_branches(system, model, parameter, bounds, values,
                                   eq_settings):  # fmt: skip
        rows += [_equilibrium_row(system, r, eq.branch_id, values) for r in eq.rows]
        points += eq.special_points
    folds = [s.values[parameter] for s in points if s.kind == "LP"]
    hopfs = [s for s in points if s.kind == "HB"]

    branch_id = max(s["branch"] for s in rows) + 1
    width = bounds[1] - bounds[0]
    reached: list[tuple[float, float]] = []  # (parameter, period) of ends
    queue = []
    for hopf in hopfs:
        a = hopf.values[parameter]
        if _reached(reached, a, hopf.period, width):
            continue
        try:
            branch = cy.continue_cycles_from_hopf(
                system, parameter, hopf, bounds, values, cyc_settings, ntst, ncol,
                max_period, branch_id,
            )  # fmt: skip
        except RuntimeError as error:
            log.warning("no cycles from the Hopf point at %s = %.6g: %s",
                        parameter, a, error)  # fmt: skip
            continue
        if branch.status == "reached a Hopf point":
            reached.append((branch.values[-1], branch.periods[-1]))
        queue.append((branch, 0))
        branch_id += 1

    doubled_ends: list[tuple[float, float]] = []
    while queue:
        branch, depth = queue.pop(0)
        rows += [_cycle_row(system, r, branch.branch_id, values) for r in branch.rows]
        points += branch.special_points
        end = _end_point(system, branch, parameter, folds)
        if end is not None:
            points.append(end)
        if depth >= period_doubling_depth:
            continue
        for pd_point in (s for s in branch.special_points if s.kind == "PD"):
            a = pd_point.values[parameter]
            if _reached(doubled_ends, a, 2 * pd_point.period, width):
                continue
            try:
                doubled = cy.switch_period_doubling(
                    branch, pd_point, bounds, cyc_settings, max_period, branch_id
                )
            except RuntimeError as error:
                log.warning("no doubled cycle at %s: %s", pd_point.values, error)
                continue
            branch_id += 1
            queue.append((doubled, depth + 1))
            if doubled.status == "reached a period doubling":
                doubled_ends.append((doubled.values[-1], doubled.periods[-1]))
    return pd.DataFrame(rows), special_table(points, values)


def equilibrium_branches(system, model, parameter, bounds, values, settings):
    """Equilibrium branches of one diagram, each with its `branch_id`.

    The first starts from the model's guess at bounds[0] and runs forward.
    If it does not reach bounds[1] (it turned at a fold and left through
    bounds[0]: an S-shaped curve with its other fold outside the bounds), a
    second starts from the guess at bounds[1] and runs backward. Components
    reached from neither end (isolas) are missed.
    """
    lo, hi = bounds
    out = []
    for start, direction in ((lo, 1.0), (hi, -1.0)):
        if out and max(out[0].values) >= hi:
            break
        p = system.with_values({**values, parameter: start})
        x0 = equilibrium_guess(system, model, p)
        eq = continue_equilibria(system, parameter, start, bounds, values, x0,
                                 direction=direction, settings=settings,
                                 branch=len(out))  # fmt: skip
        out.append(eq)
    return out


def _reached(ends, a: float, period: float, width: float) -> bool:
    """Whether a branch end (parameter, period) in `ends` is at (a, period)."""
    return any(
        abs(a - a_end) < SAME_END * width and abs(period - t_end) < SAME_PERIOD * period
        for a_end, t_end in ends
    )


def snic_estimate(values: np.ndarray, periods: np.ndarray) -> float | None:
    """Where a branch whose period diverges would meet a SNIC.

    Near a SNIC at a_sn, T ~ K / sqrt(|a - a_sn|): T^2 (a - a_sn) is constant.
    Solved for a_sn with the last point and the latest one whose period is at
    most 1 / SNIC_GROWTH of it; None when there is no such point. A fold of
    equilibria within |a_end - a_sn| of a_sn makes the end a SNIC.
    """
    earlier = np.flatnonzero(periods <= periods[-1] / SNIC_GROWTH)
    if earlier.size == 0:
        return None
    a1, t1 = values[earlier[-1]], periods[earlier[-1]]
    a2, t2 = values[-1], periods[-1]
    return float((t2**2 * a2 - t1**2 * a1) / (t2**2 - t1**2))


def _end_point(system, branch, parameter, folds) -> SpecialPoint | None:
    last = branch.rows[-1]
    a = last[parameter]
    if branch.status == "homoclinic":
        kind = "HC"
        orbit = branch.problem.unpack(branch.z)[0]
        saddle = branch.problem.saddle
        residual = float(np.min(np.linalg.norm(orbit - saddle, axis=1)))
    elif branch.status == "large period":
        u = branch.problem.unpack(branch.z)[0]
        saddle = branch.problem.nearby_saddle(u, a)
        a_sn = snic_estimate(branch.values, branch.periods)
        near = [f for f in folds if a_sn is not None and abs(f - a_sn) <= abs(a - a_sn)]
        kind = "SNIC" if saddle is None and near else "HC"
        if kind == "SNIC":  # the bifurcation is at the fold, not at the last cycle
            a = min(near, key=lambda f: abs(f - a_sn))
        residual = np.nan
    else:
        return None
    point = SpecialPoint(kind, {parameter: a}, last["x"], residual,
                         period=last["period"])  # fmt: skip
    point.frequency_hz = system.frequency_hz(last["period"])
    point.branch = branch.branch_id
    return point


def _state_columns(system: System, xmax, xmin, signal=None) -> dict:
    """max_<var>, min_<var> per variable, and max_/min_<signal> when the
    recorded signal is not a variable (signal = its (max, min))."""
    out = {}
    for i, name in enumerate(system.variables):
        out[f"max_{name}"] = float(xmax[i])
        out[f"min_{name}"] = float(xmin[i])
    name = system.observable
    if name and name not in system.variables and signal is not None:
        out[f"max_{name}"], out[f"min_{name}"] = float(signal[0]), float(signal[1])
    return out


def _equilibrium_row(system, row, branch, values) -> dict:
    x = row["x"]
    return {
        "branch": branch,
        "type": "equilibrium",
        **values,
        **{k: v for k, v in row.items() if k in system.parameters},
        "stable": row["stable"],
        "n_unstable": row["n_unstable"],
        "norm": float(np.linalg.norm(x)),
        **_state_columns(system, x, x, (system.signal(x),) * 2),
        "period": np.nan,
        "frequency_hz": np.nan,
    }


def _cycle_row(system, row, branch, values) -> dict:
    return {
        "branch": branch,
        "type": "cycle",
        **values,
        **{k: v for k, v in row.items() if k in system.parameters},
        "stable": row["stable"],
        "n_unstable": row["n_unstable"],
        "norm": row["norm"],
        **_state_columns(
            system, row["max"], row["min"], (row["max_signal"], row["min_signal"])
        ),  # fmt: skip
        "period": row["period"],
        "frequency_hz": system.frequency_hz(row["period"]),
    }


def special_table(points: list[SpecialPoint], values: dict) -> pd.DataFrame:
    records = []
    for s in points:
        records.append(
            {
                "kind": s.kind,
                **values,
                **s.values,
                "period": s.period,
                "frequency_hz": s.frequency_hz,
                "lyapunov_coefficient": s.lyapunov_coefficient,
                "residual": s.residual,
                "branch": s.branch,
                "type": s.extra.get("curve", ""),
                "x": ",".join(f"{v:.10g}" for v in np.atleast_1d(s.x)),
            }
        )
    return pd.DataFrame(records, columns=None if records else list(SPECIAL_COLUMNS))


def two_parameter_diagram(
    system: System,
    names: tuple[str, str],
    bounds,
    seeds: pd.DataFrame,
    settings: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fold and Hopf curves through the LP and HB rows of `seeds`.

    A seed that lies on a curve already computed (within SAME_CURVE in the
    first parameter at its second parameter value) starts no new curve.
    """
    cont = _settings(settings, Settings(ds=0.01, ds_max=0.5, newton_tol=1e-9))
    rows, points, done = [], [], []
    curve_id = 0
    for _, seed in seeds[seeds["kind"].isin(["LP", "HB"])].iterrows():
        kind = seed["kind"]
        a1, a2 = float(seed[names[0]]), float(seed[names[1]])
        if any(_on_curve(c, names, a1, a2) for k, c in done if k == kind):
            continue
        x = np.array([float(v) for v in seed["x"].split(",")])
        start = SpecialPoint(kind, {names[0]: a1}, x, 0.0)
        run = tp.continue_fold_curve if kind == "LP" else tp.continue_hopf_curve
        try:
            curve = run(system, names, start, {names[1]: a2}, bounds, cont)
        except RuntimeError as error:
            log.warning("no %s curve from %s: %s", kind, (a1, a2), error)
            continue
        done.append((kind, curve))
        for r in curve.rows:
            rows.append(
                {
                    "branch": curve_id,
                    "type": f"{kind} curve",
                    names[0]: r[names[0]],
                    names[1]: r[names[1]],
                    "period": r.get("period", np.nan),
                    "neutral_saddle": r.get("neutral_saddle", False),
                    "lyapunov_coefficient": r.get("lyapunov_coefficient", np.nan),
                    **{f"x_{v}": r["x"][i] for i, v in enumerate(system.variables)},
                }
            )
        for s in curve.special_points:
            s.branch = curve_id
        points += curve.special_points
        curve_id += 1
    return pd.DataFrame(rows), special_table(points, {})


def cycle_curve_diagram(
    system: System,
    names: tuple[str, str],
    box,
    seeds: pd.DataFrame,
    ntst: int = cy.NTST,
    ncol: int = cy.NCOL,
    max_period: float = np.inf,
    kinds=cc.KINDS,
    marks=(),
    settings: dict | None = None,
    first_branch: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """LPC and PD curves through the LPC and PD rows of `seeds` inside `box`.

    box = ((lo1, hi1), (lo2, hi2)) bounds the seeds and the curves. A seed
    on a curve already computed (same kind, first parameter within
    SAME_CURVE and period within SAME_PERIOD at its second parameter value)
    starts no new curve. Special points: the refined seed of every curve and
    its points at the second-parameter values `marks` (kind LPC or PD, type
    "LPC curve" or "PD curve"), each with its multiplier residual.
    """
    cont = _settings(settings, cc.CURVE_SETTINGS)
    (lo1, hi1), (lo2, hi2) = box
    rows, points, done = [], [], []
    curve_id = first_branch
    inside = seeds[
        seeds["kind"].isin(list(kinds))
        & seeds[names[0]].between(lo1, hi1)
        & seeds[names[1]].between(lo2, hi2)
    ]
    for _, seed in inside.iterrows():
        kind = seed["kind"]
        a1, a2, period = (float(seed[names[0]]), float(seed[names[1]]),
                          float(seed["period"]))  # fmt: skip
        if any(_on_cycle_curve(c, names, a1, a2, period) for c in done
               if c.kind == kind):  # fmt: skip
            continue
        x = np.array([float(v) for v in seed["x"].split(",")])
        own = [m for m in marks if lo2 <= m <= hi2 and abs(m - a2) > 1e-9]
        try:
            curve = cc.continue_cycle_curve(
                kind, system, names, {names[0]: a1, names[1]: a2}, x, period, box,
                ntst, ncol, max_period, cont, own,
            )  # fmt: skip
        except RuntimeError as error:
            log.warning("no %s curve from %s: %s", kind, (a1, a2), error)
            continue
        done.append(curve)
        for r in curve.rows:
            rows.append(_cycle_curve_row(system, r, curve_id, kind, names))
        for r in [None, *curve.marked]:
            point = curve.start if r is None else _marked_point(system, kind, names, r)
            point.branch = curve_id
            point.extra["curve"] = f"{kind} curve"
            points.append(point)
        curve_id += 1
    return pd.DataFrame(rows), special_table(points, {})


def _cycle_curve_row(system, row, branch, kind, names) -> dict:
    return {
        "branch": branch,
        "type": f"{kind} curve",
        names[0]: row[names[0]],
        names[1]: row[names[1]],
        "norm": row["norm"],
        **_state_columns(system, row["max"], row["min"]),
        "period": row["period"],
        "frequency_hz": system.frequency_hz(row["period"]),
        "residual": row["residual"],
    }


def _marked_point(system, kind, names, row) -> SpecialPoint:
    values = {names[0]: row[names[0]], names[1]: row[names[1]]}
    point = SpecialPoint(kind, values, row["x"], row["residual"],
                         period=row["period"])  # fmt: skip
    point.frequency_hz = system.frequency_hz(row["period"])
    return point


def _on_cycle_curve(curve, names, a1, a2, period) -> bool:
    pts = np.array([[r[names[0]], r[names[1]], r["period"]] for r in curve.rows])
    for (p1, q1, t1), (p2, q2, t2) in zip(pts[:-1], pts[1:], strict=True):
        if (q1 - a2) * (q2 - a2) <= 0 and q1 != q2:
            s = (a2 - q1) / (q2 - q1)
            near = abs(p1 + s * (p2 - p1) - a1) < SAME_CURVE
            if near and abs(t1 + s * (t2 - t1) - period) < SAME_PERIOD * period:
                return True
    return False


def _on_curve(curve, names, a1, a2) -> bool:
    pts = np.array([[r[names[0]], r[names[1]]] for r in curve.rows])
    if pts.size == 0:
        return False
    # interpolate along segments that straddle a2
    for (p1, q1), (p2, q2) in zip(pts[:-1], pts[1:], strict=True):
        if (q1 - a2) * (q2 - a2) <= 0 and q1 != q2:
            s = (a2 - q1) / (q2 - q1)
            if abs(p1 + s * (p2 - p1) - a1) < SAME_CURVE:
                return True
    return False


def cascade(model, values: dict, parameter: str, grid: np.ndarray, variable: str,
            transient: float, duration: float, dt: float) -> pd.DataFrame:  # fmt: skip
    """Peaks (local maxima) of `variable` after a transient, per grid value.

    `variable` is a state variable or the model's recorded signal (e.g.
    v_pyr); transient, duration and dt are in the model's time unit. Each
    run starts from the end of the previous one (a sweep, as an
    experimentalist would do), the first from a perturbed resting state. A
    run whose state turns non-finite raises RuntimeError (dt too large).
    """
    k = model.index(parameter)
    weights = _signal_weights(model, variable)
    p = model.pack(values)
    p[k] = grid[0]
    x = np.asarray(model.module.initial_guess(p), float) * (1 + 1e-3)
    n_transient = int(round(transient / dt))
    n_record = int(round(duration / dt))
    records = []
    for value in grid:
        p[k] = value
        out = np.empty((1, x.size))
        x = model.kernels.rk4_homogeneous(x, p, dt, n_transient, n_transient + 1, out)
        samples = np.empty((n_record + 1, x.size))
        x = model.kernels.rk4_homogeneous(x, p, dt, n_record, 1, samples)
        if not np.all(np.isfinite(samples)):
            raise RuntimeError(
                f"the cascade run at {parameter} = {value:g} diverged (non-finite "
                f"state); RK4 step dt = {dt:g} {model.time_unit} is likely too large"
            )
        s = samples @ weights
        peaks = np.flatnonzero((s[1:-1] > s[:-2]) & (s[1:-1] >= s[2:])) + 1
        if peaks.size == 0 or np.ptp(s) < 1e-9:
            records.append({parameter: value, "peak": s[-1], "resting": True})
            continue
        heights = np.unique(np.round(s[peaks], 6))
        records += [{parameter: value, "peak": h, "resting": False} for h in heights]
    return pd.DataFrame(records)


def _signal_weights(model, variable: str) -> np.ndarray:
    """Weights over the state variables of a variable or the recorded signal."""
    if variable == model.observable:
        return model.observable_weights
    if variable not in model.variables:
        raise ValueError(
            f"bifurcation.cascade.variable: allowed {list(model.variables)} or "
            f"{model.observable!r}, got {variable!r}"
        )
    return np.eye(len(model.variables))[model.variables.index(variable)]


# ---- writers called by the rule scripts ---------------------------------------
def _system(model_name: str, parameters: dict):
    from neuralmass.models import load_model

    model = load_model(model_name)
    return model, System.from_model(model, parameters)


def write_one_parameter(model_name, parameters, settings, second_value,
                        branches_csv, special_csv) -> None:  # fmt: skip
    """One diagram in settings["parameter"] at second parameter = value."""
    from neuralmass.io import atomic_path
    from neuralmass.pipeline import model_time

    model, system = _system(model_name, parameters)
    values = {settings["second"]: float(second_value)}
    rows, points = one_parameter_diagram(
        system, model, settings["parameter"], tuple(settings["bounds"]), values,
        ntst=settings["ntst"], ncol=settings["ncol"],
        max_period=model_time(model, settings["max_period"]),
        period_doubling_depth=settings["period_doubling_depth"],
    )  # fmt: skip
    with atomic_path(branches_csv) as tmp:
        rows.to_csv(tmp, index=False)
    with atomic_path(special_csv) as tmp:
        points.to_csv(tmp, index=False)


def write_two_parameter(model_name, parameters, settings, special_csvs,
                        curves_csv, special_csv) -> None:  # fmt: skip
    from neuralmass.io import atomic_path
    from neuralmass.pipeline import model_time

    model, system = _system(model_name, parameters)
    seeds = pd.concat([pd.read_csv(f) for f in special_csvs], ignore_index=True)
    names = (settings["parameter"], settings["second"])
    bounds = (tuple(settings["bounds"]), tuple(settings["second_bounds"]))
    curves, points = two_parameter_diagram(system, names, bounds, seeds)
    options = cycle_curve_options(settings)
    if options["kinds"]:
        first = int(curves["branch"].max()) + 1 if len(curves) else 0
        cycle_rows, cycle_points = cycle_curve_diagram(
            system, names, options["box"], seeds, settings["ntst"], settings["ncol"],
            model_time(model, settings["max_period"]), options["kinds"],
            settings["values"],
            options["settings"], first,
        )  # fmt: skip
        curves = pd.concat([curves, cycle_rows], ignore_index=True)
        points = pd.concat([points, cycle_points], ignore_index=True)
    with atomic_path(curves_csv) as tmp:
        curves.to_csv(tmp, index=False)
    with atomic_path(special_csv) as tmp:
        points.to_csv(tmp, index=False)


def cycle_curve_options(settings: dict) -> dict:
    """The optional `cycle_curves` block of the bifurcation settings: kinds
    (LPC, PD; empty to skip), box ({first: [lo, hi], second: [lo, hi]},
    default the zoom box) and continuation settings (core.Settings fields)."""
    block = settings.get("cycle_curves") or {}
    first, second = settings["parameter"], settings["second"]
    box = block.get("box") or settings["zoom"]
    kinds = tuple(block.get("kinds", cc.KINDS))
    unknown = set(kinds) - set(cc.KINDS)
    if unknown:
        raise ValueError(
            f"bifurcation.cycle_curves.kinds: allowed {list(cc.KINDS)}, got "
            f"{sorted(unknown)}"
        )
    return {
        "kinds": kinds,
        "box": (tuple(box[first]), tuple(box[second])),
        "settings": block.get("settings"),
    }


def write_cascade(model_name, parameters, settings, output) -> None:
    from neuralmass.io import atomic_path
    from neuralmass.models import load_model
    from neuralmass.pipeline import model_time

    model = load_model(model_name)
    c = settings["cascade"]
    grid = np.linspace(c["start"], c["stop"], c["n"])
    values = {**parameters, settings["second"]: c["second_value"]}
    table = cascade(model, values, settings["parameter"], grid, c["variable"],
                    *(model_time(model, c[key]) for key in
                      ("transient", "duration", "dt")))  # fmt: skip
    with atomic_path(output) as tmp:
        table.to_csv(tmp, index=False)


def write_tables(branch_csvs, special_csvs, curves_csv, curve_special_csv,
                 branches_out, special_out) -> None:  # fmt: skip
    """Merge the per-diagram tables into branches.csv and special_points.csv.

    Branch ids are made unique across diagrams; the fold and Hopf curves are
    appended to the branches as types "LP curve" and "HB curve".
    """
    from neuralmass.io import atomic_path

    parts, offset = [], 0
    specials = []
    for b_csv, s_csv in zip(branch_csvs, special_csvs, strict=True):
        b = pd.read_csv(b_csv)
        s = pd.read_csv(s_csv)
        b["branch"] += offset
        if len(s):
            s["branch"] += offset
        offset = int(b["branch"].max()) + 1
        parts.append(b)
        specials.append(s)
    curves = pd.read_csv(curves_csv)
    if len(curves):
        curves["branch"] += offset
    parts.append(curves)
    cs = pd.read_csv(curve_special_csv)
    if len(cs):
        cs["branch"] += offset
    specials.append(cs)
    with atomic_path(branches_out) as tmp:
        pd.concat(parts, ignore_index=True).to_csv(tmp, index=False)
    table = pd.concat(specials, ignore_index=True)
    table = table[~table["kind"].astype(str).str.startswith("UZ")]
    with atomic_path(special_out) as tmp:
        table.to_csv(tmp, index=False)
