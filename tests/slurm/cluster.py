"""A single-node SLURM cluster on this machine, for tests/test_slurm.py.

Starts munged, slurmctld and slurmd from Debian's packages (installed by
tests/slurm/install.sh) as children of the test, with every file (munge key
and socket, slurm.conf, spool, state, logs) under one temporary folder and
free ports, so that nothing outside that folder is touched. `stop()` cancels
what is still queued, stops the daemons by their pids and then any process
still started by this cluster. Needs root: slurmd starts the jobs.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
#: Where tests/slurm/install.sh puts the executor plugin (outside the venv's
#: site-packages, so that the default environment does not load it).
PLUGIN_DIR = ROOT / ".venv" / "slurm-plugin"
PARTITION = "debug"
BINARIES = ("munged", "slurmctld", "slurmd", "sbatch", "srun", "squeue", "scontrol",
            "scancel", "sinfo")  # fmt: skip
START_TIMEOUT = 60.0  # s for the node to register as idle
STOP_TIMEOUT = 20.0  # s for a daemon to exit after SIGTERM, before SIGKILL


class ClusterError(RuntimeError):
    """SLURM could not be started here; the message says why."""


def which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def check_requirements() -> dict[str, str]:
    """Paths of the SLURM binaries; ClusterError naming what is missing."""
    found = {name: which(name) for name in BINARIES}
    missing = [name for name, path in found.items() if path is None]
    problems = []
    if missing:
        problems.append(f"{', '.join(missing)} not found")
    if not (PLUGIN_DIR / "snakemake_executor_plugin_slurm").is_dir():
        problems.append(f"the SLURM executor plugin is not in {PLUGIN_DIR}")
    if os.geteuid() != 0:
        problems.append("not root (slurmd has to start the jobs)")
    if problems:
        raise ClusterError(
            "cannot start SLURM: " + "; ".join(problems)
            + ". Run `bash tests/slurm/install.sh` as root (it installs munge, "
            "slurmctld, slurmd, slurm-client and the plugin)."
        )  # fmt: skip
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb() -> int:
    """90% of this machine's memory, as the node's RealMemory (MB)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(int(line.split()[1]) / 1024 * 0.9)
    raise ClusterError("no MemTotal in /proc/meminfo")


def tail(path: Path, lines: int = 15) -> str:
    if not path.exists():
        return f"({path.name}: not written)"
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return f"--- {path.name}:\n" + "\n".join(text)


@dataclass
class Cluster:
    """munged, slurmctld and slurmd with their files under `state`."""

    state: Path
    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)
    host: str = field(default_factory=lambda: socket.gethostname().split(".")[0])
    daemons: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def conf(self) -> Path:
        return self.state / "slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        """Environment for sbatch, squeue and Snakemake with the plugin."""
        env = dict(os.environ)
        env["SLURM_CONF"] = str(self.conf)
        env["PATH"] = f"{self.state / 'bin'}:{env['PATH']}:/usr/sbin"
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PLUGIN_DIR), env.get("PYTHONPATH")) if p
        )
        return env

    # ---- start --------------------------------------------------------------

    def start(self) -> None:
        binaries = check_requirements()
        self.state.mkdir(parents=True, exist_ok=True)
        for sub in ("munge", "ctld", "spool", "bin"):
            (self.state / sub).mkdir(mode=0o700, exist_ok=True)
        try:
            self._start_munge(binaries["munged"])
            self._write_conf()
            self._write_srun_wrapper(binaries["srun"])
            for name, args in (
                ("slurmctld", ["-D", "-f", str(self.conf)]),
                ("slurmd", ["-D", "-f", str(self.conf), "-N", self.host]),
            ):
                self._spawn(name, [binaries[name], *args])
            self._wait_for_idle_node()
        except BaseException:
            self.stop()
            raise

    def _spawn(self, name: str, command: list[str]) -> None:
        out = open(self.state / f"{name}.out", "w")  # noqa: SIM115 (daemon's life)
        self.daemons[name] = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=self.env,
            cwd=self.state, start_new_session=True,
        )  # fmt: skip
        out.close()

    def _start_munge(self, munged: str) -> None:
        munge = self.state / "munge"
        key = munge / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        files = {"socket": "munge.socket", "pid-file": "munged.pid",
                 "log-file": "munged.log", "seed-file": "munged.seed"}  # fmt: skip
        self._spawn("munged", [
            munged, "--foreground", "--force", f"--key-file={key}",
            *(f"--{option}={munge / name}" for option, name in files.items()),
        ])  # fmt: skip
        deadline = time.monotonic() + 10
        while not (munge / "munge.socket").exists():
            if self.daemons["munged"].poll() is not None or time.monotonic() > deadline:
                raise ClusterError("munged did not start\n" + tail(
                    self.state / "munged.out"))  # fmt: skip
            time.sleep(0.1)

    def _write_conf(self) -> None:
        template = Template((HERE / "slurm.conf.in").read_text())
        self.conf.write_text(
            template.substitute(
                host=self.host,
                ctld_port=free_port(),
                slurmd_port=free_port(),
                user=getpass.getuser(),
                munge_socket=self.state / "munge" / "munge.socket",
                state=self.state,
                cpus=self.cpus,
                memory_mb=memory_mb(),
                partition=PARTITION,
            )
        )

    def _write_srun_wrapper(self, srun: str) -> None:
        """srun that knows slurm.conf: the jobstep plugin (0.6.1) removes
        SLURM_CONF from the environment of the srun it starts in a job, and
        this cluster's configuration is not in /etc/slurm."""
        wrapper = self.state / "bin" / "srun"
        wrapper.write_text(f'#!/bin/sh\nSLURM_CONF={self.conf} exec {srun} "$@"\n')
        wrapper.chmod(0o755)

    def _wait_for_idle_node(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        state = ""
        while time.monotonic() < deadline:
            for name, daemon in self.daemons.items():
                if daemon.poll() is not None:
                    raise ClusterError(f"{name} exited with {daemon.returncode}\n"
                                       + self.logs())  # fmt: skip
            state = self.run("sinfo", "--noheader", "--format=%T", check=False)
            if state.strip() == "idle":
                return
            time.sleep(0.5)
        raise ClusterError(
            f"the node is {state.strip() or 'unknown'!r}, not idle, after "
            f"{START_TIMEOUT:.0f} s\n" + self.logs()
        )

    # ---- use ----------------------------------------------------------------

    def run(self, *command: str, check: bool = True) -> str:
        result = subprocess.run(command, capture_output=True, text=True,
                                env=self.env, timeout=30)  # fmt: skip
        if check and result.returncode != 0:
            raise ClusterError(f"{' '.join(command)}: {result.stderr.strip()}")
        return result.stdout

    def jobs(self) -> list[dict[str, str]]:
        """Every job the controller knows (finished ones for MinJobAge)."""
        fields = ("id", "state", "cpus", "memory", "comment")
        out = self.run("squeue", "--states=all", "--noheader",
                       "--format=%i|%T|%C|%m|%k")  # fmt: skip
        return [dict(zip(fields, line.split("|"), strict=True))
                for line in out.splitlines() if line.strip()]  # fmt: skip

    def logs(self) -> str:
        names = ("munged.out", "slurmctld.out", "slurmctld.log", "slurmd.out",
                 "slurmd.log")  # fmt: skip
        return "\n".join(tail(self.state / name) for name in names)

    # ---- stop ---------------------------------------------------------------

    def stop(self) -> list[str]:
        """Cancel all jobs, stop the daemons by pid; what had to be killed."""
        killed = []
        if self.daemons.get("slurmctld") and self.daemons["slurmctld"].poll() is None:
            self.run("scancel", f"--user={getpass.getuser()}", check=False)
            deadline = time.monotonic() + STOP_TIMEOUT
            while time.monotonic() < deadline and any(
                job["state"] in ("PENDING", "RUNNING", "COMPLETING")
                for job in self._jobs_or_none()
            ):
                time.sleep(0.5)
        for name in ("slurmd", "slurmctld", "munged"):
            daemon = self.daemons.get(name)
            if daemon is None or daemon.poll() is not None:
                continue
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
                killed.append(f"{name} (pid {daemon.pid}) ignored SIGTERM")
        for pid in self.leftover_pids():
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(f"pid {pid} ({_cmdline(pid)}) still ran")
            except ProcessLookupError:
                pass
        return killed

    def _jobs_or_none(self) -> list[dict[str, str]]:
        try:
            return self.jobs()
        except (ClusterError, subprocess.TimeoutExpired):
            return []

    def leftover_pids(self) -> list[int]:
        """Processes that this cluster started and that still run: any
        process with this cluster's slurm.conf in its environment (the
        daemons pass it on to slurmstepd and the jobs)."""
        marker = f"SLURM_CONF={self.conf}".encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker in environ:
                pids.append(int(entry.name))
        return pids


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:120]
