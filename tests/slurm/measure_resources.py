"""Measure each job's time and peak memory, for the SLURM profile.

Runs the workflow once in a temporary folder (so that numba's kernels are
compiled and every input exists), then reruns every job alone, one core, under
GNU time (`/usr/bin/time -v`), and prints one row per job: the rule, one
output, the wall time of the job's script (first to last time stamp of its
log; 0 when it logs once), the wall time of the whole `snakemake` call, its
CPU time (user plus system: the wall time on an idle core, which the wall
time is not on a busy machine) and the peak resident memory of the largest
process (Snakemake itself or the rule's script). The last row is a dry run:
Snakemake alone, which a SLURM job runs twice (the job's own Snakemake and
the one that `srun` starts for the rule).

    .venv/bin/python tests/slurm/measure_resources.py                # quick
    .venv/bin/python tests/slurm/measure_resources.py config/paper.yaml

The connectome is copied from ../shared/data (as the tests do). The numbers
behind config/profiles/slurm/config.yaml come from this script.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data"
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ", re.M)


def snakemake(workdir: Path, *args: str, timed: bool = False) -> str:
    command = [*SNAKEMAKE, "-d", str(workdir), "--cores", "1", *args]
    if timed:
        command = ["/usr/bin/time", "-v", *command]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return result.stderr


def gnu_time(report: str) -> tuple[float, float, float]:
    """(wall s, CPU s, peak resident MB) from the report of `time -v`."""
    wall = re.search(
        r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", report
    )
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", report)[1])
              for kind in ("User", "System"))  # fmt: skip
    peak_kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    return 3600 * hours + 60 * minutes + seconds, cpu, int(peak_kb[1]) / 1024


def log_seconds(path: Path) -> float:
    """Seconds between the first and the last time stamp of a job's log."""
    stamps = [datetime.strptime(s, "%Y-%m-%d %H:%M:%S,%f")
              for s in STAMP.findall(path.read_text())]  # fmt: skip
    return (stamps[-1] - stamps[0]).total_seconds() if len(stamps) > 1 else 0.0


def jobs(workdir: Path) -> list[tuple[str, str, Path]]:
    """(rule, one output, log) of every job, from the workflow's summary."""
    summary = subprocess.run(
        [*SNAKEMAKE, "-d", str(workdir), "--cores", "1", "--detailed-summary"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rows, seen = [], set()
    for line in summary.splitlines()[1:]:
        fields = line.split("\t")
        output, rule = fields[0], fields[2]
        log = fields[3].split(",")[0]
        if rule != "-" and log and log not in seen:
            seen.add(log)
            rows.append((rule, output, workdir / log))
    return rows


def main(configfile: str = "config/config.yaml") -> None:
    config = yaml.safe_load((ROOT / configfile).read_text())
    with tempfile.TemporaryDirectory(prefix="measure-") as tmp:
        workdir = Path(tmp)
        cache = workdir / config["connectome"]["cache"]
        cache.mkdir(parents=True)
        shutil.copy(SHARED_DATA / "aal90_sc2017.dat", cache / "sc2017.dat")
        shutil.copy(SHARED_DATA / "aal90_regions.dat", cache / "aal.dat")
        (workdir / "config").mkdir()
        (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
        snakemake(workdir)

        print(f"{'rule':20} {'output':48} {'script s':>8} {'call s':>7} "
              f"{'CPU s':>6} {'peak MB':>7}")  # fmt: skip
        for rule, output, log in jobs(workdir):
            if rule == "connectome_fetch":
                continue
            report = snakemake(workdir, output, "--forcerun", rule, timed=True)
            wall, cpu, peak = gnu_time(report)
            print(f"{rule:20} {output:48} {log_seconds(log):8.1f} {wall:7.1f} "
                  f"{cpu:6.1f} {peak:7.0f}")  # fmt: skip
        report = snakemake(workdir, "--dry-run", "--forceall", timed=True)
        wall, cpu, peak = gnu_time(report)
        print(f"{'(snakemake dry run)':69} {wall:16.1f} {cpu:6.1f} {peak:7.0f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
