"""The workflow in a temporary folder, as tests/test_reruns.py and
tests/test_slurm.py run it: a small configuration, Snakemake's CLI, what a
run or a dry run planned, and a comparison of two runs' results.

Every call names its targets (the connectome, homogeneous, dispersion,
network and spectra stages of two points), so that stages added to the
workflow later do not change what these tests run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

from tests.conftest import AAL90, REGIONS

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]
#: A transversally stable cycle and an equilibrium (as tests/test_pipeline.py).
POINTS = {"I10_eps3": {"I_E": 10.0, "eps": 3.0}, "I15_eps9": {"I_E": 15.0, "eps": 9.0}}
#: Keys of results that differ between identical runs: wall time, and the
#: package versions and commit (a commit may land between two runs).
VOLATILE = {"wall_seconds", "provenance", "versions", "git_commit"}
RULE = re.compile(r"^(?:local)?rule (\w+):$")


def small_config() -> dict:
    """config/config.yaml with two points and short runs (10 s recorded)."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["models"] = {"ei_qif": config["models"]["ei_qif"]}
    config["models"]["ei_qif"]["points"] = json.loads(json.dumps(POINTS))
    config["homogeneous"]["transient"] = 1000.0
    config["dispersion"]["lambda_step"] = 0.05
    config["simulation"].update(transient=200.0, duration=10000.0)
    config["spectra"]["window"] = 1.0
    return config


def targets(points=POINTS) -> list[str]:
    paths = ["results/connectome/aal90/eigenvalues.csv",
             "results/ei_qif/homogeneous/states.csv"]  # fmt: skip
    for point in points:
        paths += [
            f"results/ei_qif/dispersion/{point}.csv",
            f"results/ei_qif/network/{point}/spectrum.csv",
        ]
    return paths


def write_config(workdir: Path, config: dict) -> None:
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))


def prepare(workdir: Path, config: dict | None = None) -> Path:
    """A working folder with the connectome in its cache and a config."""
    cache = workdir / "resources" / "connectomes"
    cache.mkdir(parents=True)
    shutil.copy(AAL90, cache / "sc2017.dat")
    shutil.copy(REGIONS, cache / "aal.dat")
    write_config(workdir, config or small_config())
    return workdir


def snakemake(workdir: Path, *args: str, check: bool = True, env=None,
              timeout: float = 900) -> subprocess.CompletedProcess:  # fmt: skip
    """Snakemake's CLI in `workdir`; output is stdout and stderr together."""
    result = subprocess.run(
        [*SNAKEMAKE, "-d", str(workdir), *args], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env=env, timeout=timeout,
    )  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n"
                             + result.stdout[-5000:])  # fmt: skip
    return result


def job_blocks(output: str) -> list[tuple[str, dict[str, str]]]:
    """(rule, fields) of every job that a run's output describes, with the
    members of group jobs (indented there)."""
    blocks, indent, fields = [], None, None
    for line in output.splitlines():
        depth = len(line) - len(line.lstrip())
        if match := RULE.match(line.strip()):
            indent, fields = depth, {}
            blocks.append((match[1], fields))
        elif fields is not None and depth > indent and ":" in line:
            key, value = line.strip().split(":", 1)
            fields.setdefault(key, value.strip())
        else:
            fields = None
    return blocks


def _point(fields: dict[str, str]) -> str | None:
    """The point wildcard of a job's fields ('model=ei_qif, point=I10_eps3')."""
    pairs = fields.get("wildcards", "").split(", ")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair).get("point")


def planned_jobs(output: str) -> dict[tuple[str, str | None], str]:
    """(rule, point or None) -> reason, for every job a (dry) run lists."""
    return {(rule, _point(fields)): fields.get("reason", "")
            for rule, fields in job_blocks(output) if rule != "all"}  # fmt: skip


def finished_jobs(output: str) -> set[tuple[str, str | None]]:
    """(rule, point) of the jobs a run's output reports as finished."""
    by_id = {fields.get("jobid"): (rule, _point(fields))
             for rule, fields in job_blocks(output)}  # fmt: skip
    done = re.findall(r"^Finished jobid: (\d+)", output, re.M)
    return {by_id[i] for i in done if by_id.get(i, ("all",))[0] != "all"}


def all_jobs() -> set[tuple[str, str | None]]:
    """Every job of the targets, from an empty folder."""
    per_point = ("homogeneous_state", "dispersion_relation", "network_simulate",
                 "spectra_welch")  # fmt: skip
    jobs = {("connectome_prepare", None), ("homogeneous_table", None)}
    return jobs | {(rule, point) for rule in per_point for point in POINTS}


def reference_run(tmp_path_factory) -> Path:
    """The small configuration run locally, once per test session."""
    workdir = tmp_path_factory.getbasetemp() / "reference-run"
    complete = workdir / ".complete"
    if not complete.exists():
        shutil.rmtree(workdir, ignore_errors=True)
        prepare(workdir)
        snakemake(workdir, "--cores", "2", *targets())
        complete.touch()
    return workdir


def result_files(workdir: Path) -> list[Path]:
    """Result files relative to `workdir`; hidden ones (a temporary left by a
    killed writer) are not results."""
    return sorted(
        path.relative_to(workdir)
        for path in (workdir / "results").rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.parts)
    )


def differences(expected: Path, actual: Path) -> list[str]:
    """How the results in `actual` differ from those in `expected`: file
    sets, bytes (tables, figures), values (JSON, NetCDF) but not VOLATILE."""
    import xarray as xr

    expected_files, actual_files = result_files(expected), result_files(actual)
    found = []
    if expected_files != actual_files:
        found.append(f"files: {sorted(set(expected_files) ^ set(actual_files))}")
    for name in sorted(set(expected_files) & set(actual_files)):
        a, b = expected / name, actual / name
        if name.suffix == ".json":
            if _stable(json.loads(a.read_text())) != _stable(json.loads(b.read_text())):
                found.append(f"{name}: values differ")
        elif name.suffix == ".nc":
            with (
                xr.open_dataset(a, engine="h5netcdf") as x,
                xr.open_dataset(b, engine="h5netcdf") as y,
            ):
                same = all(np.array_equal(x[v].to_numpy(), y[v].to_numpy())
                           for v in [*x.variables])  # fmt: skip
                same &= _stable(dict(x.attrs)) == _stable(dict(y.attrs))
                same &= sorted(x.variables) == sorted(y.variables)
            if not same:
                found.append(f"{name}: data or attributes differ")
        elif a.read_bytes() != b.read_bytes():
            found.append(f"{name}: bytes differ")
    return found


def _stable(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in VOLATILE}


def process_ids_in(workdir: Path) -> list[int]:
    """Live processes whose working directory is inside `workdir` (a run's
    Snakemake and its jobs), other than this one; zombies do not count."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cwd = Path(os.readlink(entry / "cwd"))
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z" and (cwd == workdir or workdir in cwd.parents):
                pids.append(int(entry.name))
    return pids
