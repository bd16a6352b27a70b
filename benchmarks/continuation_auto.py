"""The same one-parameter diagram in our continuation and in AUTO-07p.

E-I node (self-coupled, defaults of science.md section 1) in I_E over
[-5, 20] at fixed eps: equilibria with fold and Hopf detection, then the
cycles from every Hopf point with LPC/PD/NS detection (NTST 100, NCOL 7 in
both; AUTO with the study's tolerances EPSL = EPSU = 1e-7, EPSS = 1e-5 and
its own mesh adaptation IAD = 3). No period-doubling branch switch on either
side, so that both do the same work. One thread each.

AUTO-07p is reached through bifpy 0.3 (which compiles AUTO) installed in a
separate environment; its interpreter is AUTO_PYTHON (default
/tmp/autopeer/bin/python; install: `apt-get install gfortran make`, then
`python -m venv /tmp/autopeer && /tmp/autopeer/bin/pip install bifpy==0.3`).
Without it the script says so and exits 0. The AUTO side runs this same file
with `--auto` in that interpreter (the right-hand side written out in plain
arithmetic and transpiled by bifpy to a Fortran executable, so its compile
time is included in AUTO's time and reported).

AUTO is a peer, not the truth: for each of AUTO's folds and Hopf points our
defining condition is evaluated at AUTO's parameter value (Newton on the
equilibrium, then the real part of the critical eigenvalue(s)), beside the
distance to our own point.

AUTO reports a cycle branch that reaches the second Hopf point as a fold
(LP, amplitude zero) and then runs back along itself: its run stops at the
first such fold (STOP LP1), and cycle special points are compared once.

    .venv/bin/python benchmarks/continuation_auto.py [eps ...]
"""

import json
import math
import os
import subprocess
import sys
import time

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

AUTO_PYTHON = os.environ.get("AUTO_PYTHON", "/tmp/autopeer/bin/python")
BOUNDS = (-5.0, 20.0)
KIND = {"FOLD": "LP", "HOPF_BIFURCATION": "HB", "PERIOD_DOUBLING": "PD",
        "TORUS": "NS", "BRANCH_POINT": "BP"}  # fmt: skip


# ---- AUTO side (runs in AUTO_PYTHON) ----------------------------------------
def auto_diagram(eps: float, p: dict, x0: list) -> dict:
    from bifpy import auto

    pi = math.pi

    def func(u, par):
        r_e, v_e, s_e, r_i, v_i, s_i = u[0], u[1], u[2], u[3], u[4], u[5]
        i_e, e = par[0], par[1]
        te, ti = p["tau_E"], p["tau_I"]
        return [
            (p["Delta_E"] / (pi * te) + 2 * r_e * v_e) / te,
            (v_e * v_e + p["eta_E"] - (pi * te * r_e) ** 2 + i_e
             + te * ((p["J_EE"] + e) * s_e - p["J_EI"] * s_i)) / te,
            (-s_e + r_e) / p["tau_sE"],
            (p["Delta_I"] / (pi * ti) + 2 * r_i * v_i) / ti,
            (v_i * v_i + p["eta_I"] - (pi * ti * r_i) ** 2 + p["I_I"]
             + ti * ((p["J_IE"] + e) * s_e - p["J_II"] * s_i)) / ti,
            (-s_i + r_i) / p["tau_sI"],
        ]  # fmt: skip

    def stpnt(u, par, t):
        par[0], par[1] = BOUNDS[0], eps
        for i, value in enumerate(x0):
            u[i] = value

    common = dict(ndim=6, npar=2, ntst=100, ncol=7, iad=3, isp=2, ilp=1, npr=0,
                  epsl=1e-7, epsu=1e-7, epss=1e-5, itmx=9, nwtn=3, itnw=7, jac=0,
                  rl0=BOUNDS[0], rl1=BOUNDS[1], a0=0.0, a1=1e4)  # fmt: skip
    points = []

    def special(branches, kind_of):
        out = []
        for b in branches:
            for q in b.points:
                kind = KIND.get(q.point_type.name)
                if kind is None:
                    continue
                period = q.periodic_orbit.period if q.periodic_orbit else math.nan
                out.append({"kind": kind_of(kind), "I_E": q.parameters[0],
                            "period": period, "x": list(q.state)[:6],
                            "point": q})  # fmt: skip
        return out

    wall = time.perf_counter()
    eq = auto.run(func, stpnt, dict(common, ips=auto.IPS_EQUILIBRIUM, ds=0.01,
                  dsmin=1e-6, dsmax=0.2, nmx=2000), icu=[1],
                  transpile=True)  # fmt: skip
    t_eq = time.perf_counter() - wall
    eq_points = special(eq.branches, lambda k: k)
    points += eq_points
    reached = []
    wall = time.perf_counter()
    for hopf in (q for q in eq_points if q["kind"] == "HB"):
        if any(abs(hopf["I_E"] - r) < 1e-3 for r in reached):
            continue
        cyc = auto.restart(
            func, dict(common, ips=auto.IPS_PERIODIC_ORBIT, ds=0.05, dsmin=1e-6,
                       dsmax=0.5, nmx=1000),
            restart_point=hopf["point"], icu=[1, auto.PERIOD_INDEX],
            isw=auto.ISW_HOPF_TO_PERIODIC_ORBIT, stop=["LP1"], transpile=True,
        )  # fmt: skip
        found = special(cyc.branches, lambda k: "LPC" if k == "LP" else k)
        for q in found:
            if q["kind"] == "LPC" and abs(q["I_E"] - hopf["I_E"]) > 1e-3:
                near = [h for h in eq_points if h["kind"] == "HB"
                        and abs(h["I_E"] - q["I_E"]) < 1e-3]  # fmt: skip
                if near:  # amplitude zero: the branch reached a Hopf point
                    reached.append(q["I_E"])
                    q["kind"] = "end at HB"
        points += found
    t_cyc = time.perf_counter() - wall
    for q in points:
        q.pop("point")
    return {"equilibria_s": t_eq, "cycles_s": t_cyc, "points": points}


# ---- our side -----------------------------------------------------------------
def ours(system, model, eps: float):
    from neuralmass.continuation import stage

    wall = time.perf_counter()
    rows, points = stage.one_parameter_diagram(
        system, model, "I_E", BOUNDS, {"eps": eps}, max_period=300.0,
        period_doubling_depth=0,
    )  # fmt: skip
    return time.perf_counter() - wall, points


def defining_residual(system, model, kind: str, i_e: float, eps: float, x) -> float:
    """Our fold / Hopf condition at AUTO's point: the smallest |eigenvalue|
    (LP) or |Re| of the critical pair (HB) at the equilibrium there."""
    import numpy as np
    from scipy.optimize import fsolve

    p = system.with_values({"I_E": i_e, "eps": eps})
    x = fsolve(lambda y: system.rhs(y, p), np.asarray(x, float), xtol=1e-13,
               fprime=lambda y: system.jacobian(y, p))  # fmt: skip
    lam = np.linalg.eigvals(system.jacobian(x, p))
    if kind == "LP":
        return float(np.min(np.abs(lam)))
    pairs = lam[np.abs(lam.imag) > 1e-9]
    return float(np.min(np.abs(pairs.real))) if pairs.size else math.nan


def main(values):
    import numpy as np
    from scipy.optimize import fsolve

    probe = None
    if os.path.exists(AUTO_PYTHON):
        probe = subprocess.run([AUTO_PYTHON, "-c", "import bifpy"],
                               capture_output=True, text=True)  # fmt: skip
    if probe is None or probe.returncode != 0:
        why = "not found" if probe is None else probe.stderr.strip().splitlines()[-1]
        print(f"AUTO-07p (bifpy) unavailable at {AUTO_PYTHON} ({why}): skipped")
        return

    from neuralmass.continuation import stage
    from neuralmass.continuation.system import System
    from neuralmass.models import load_model

    model = load_model("ei_qif")
    system = System.from_model(model)
    stage.one_parameter_diagram(system, model, "I_E", BOUNDS, {"eps": 0.0}, ntst=10,
                                ncol=3)  # warm-up: numba compilation  # fmt: skip
    parameters = dict(zip(system.parameters, map(float, system.p), strict=True))
    for eps in values:
        t_ours, table = ours(system, model, eps)
        p0 = system.with_values({"I_E": BOUNDS[0], "eps": eps})
        x0 = fsolve(
            lambda y, p0=p0: system.rhs(y, p0),
            stage.equilibrium_guess(system, model, p0),
            xtol=1e-13,
        )
        wall = time.perf_counter()
        run = subprocess.run(
            [AUTO_PYTHON, __file__, "--auto", json.dumps([eps, parameters,
             list(map(float, x0))])],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        t_total = time.perf_counter() - wall
        result = json.loads(run.stdout.strip().splitlines()[-1])
        t_auto = result["equilibria_s"] + result["cycles_s"]
        print(f"eps = {eps:g}: ours {t_ours:.1f} s; AUTO {t_auto:.1f} s "
              f"(equilibria {result['equilibria_s']:.1f} s, cycles "
              f"{result['cycles_s']:.1f} s, both including bifpy's transpile and "
              f"compile; {t_total:.1f} s with the subprocess); ratio ours/AUTO "
              f"{t_ours / t_auto:.2f}")  # fmt: skip
        print(
            "  kind  AUTO I_E        ours I_E        |diff|    AUTO period  "
            "ours period  our condition at AUTO's point"
        )
        seen = []
        for q in result["points"]:
            kind = q["kind"]
            if kind not in ("LP", "HB", "LPC", "PD", "NS"):
                continue
            if any(k == kind and abs(a - q["I_E"]) < 1e-5 for k, a in seen):
                continue  # AUTO revisits points when a branch runs back
            seen.append((kind, q["I_E"]))
            mine = table[table["kind"] == kind]
            if len(mine):
                j = int(np.argmin(np.abs(mine["I_E"] - q["I_E"])))
                a, period = mine["I_E"].iloc[j], mine["period"].iloc[j]
            else:
                a = period = math.nan
            check = (defining_residual(system, model, kind, q["I_E"], eps, q["x"])
                     if kind in ("LP", "HB") else math.nan)  # fmt: skip
            print(f"  {kind:4s}  {q['I_E']:.10f}  {a:.10f}  {abs(a - q['I_E']):.1e}"
                  f"   {q['period']:11.6f}  {period:11.6f}  {check:.1e}")  # fmt: skip
        theirs = {(k, round(a, 4)) for k, a in seen}
        for _, s in table.iterrows():
            if s["kind"] in ("LP", "HB", "LPC", "PD", "NS") and not any(
                k == s["kind"] and abs(a - s["I_E"]) < 1e-3 for k, a in theirs
            ):
                print(f"  {s['kind']:4s}  (not in AUTO)    {s['I_E']:.10f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--auto":
        eps, parameters, x0 = json.loads(sys.argv[2])
        print(json.dumps(auto_diagram(eps, parameters, x0)))
    else:
        main([float(v) for v in sys.argv[1:]] or [0.0, 12.0])
