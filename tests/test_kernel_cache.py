"""numba's kernel cache under parallel jobs and after a source change.

Cluster jobs share one kernel folder (NEURALMASS_KERNEL_DIR, or the home
directory's cache) and start at once. Several processes that load a model and
call its kernels at the same moment on a fresh folder must all succeed, and
once a model's source changes, every process must get kernels of the new
source, never numba's cached machine code of the old one. The model is a copy
of the FitzHugh-Nagumo example in a temporary package, edited between runs.
"""

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
N_PROCESSES = 4
OLD = "dx[0] = v - v * v * v / 3.0 - w + drive + eps * c"
NEW = "dx[0] = v - v * v * v / 4.0 - w + drive + eps * c"  # same length

# Each process waits for the go file, then loads the model and calls a kernel
# (compiling it, or loading it from numba's cache), and prints v' at a fixed
# state, numba's cache hits and the kernel module's file.
WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import numpy as np

    go = Path(sys.argv[1])
    while not go.exists():
        time.sleep(0.01)
    from neuralmass.models import load_model

    model = load_model("nm_cache_test.model")
    k = model.kernels
    x, p, dx = np.array([1.5, 0.5]), model.pack({"I": 0.3, "eps": 0.1}), np.empty(2)
    k.homogeneous_rhs(x, p, dx)
    hits = sum(k.homogeneous_rhs.stats.cache_hits.values())
    print(repr(float(dx[0])), hits, Path(k.__file__).name)
    """
)


def expected_v_dot(divisor: float) -> float:
    """v' of the node at v = 1.5, w = 0.5, I = 0.3, eps = 0.1, c = h(x) = v."""
    v, w = 1.5, 0.5
    return v - v**3 / divisor - w + 0.3 + 0.1 * v


def run_at_once(tmp_path: Path, env: dict, tag: str, n: int = N_PROCESSES
                ) -> list[tuple[float, int, str]]:  # fmt: skip
    """Start n workers, release them together, return their output."""
    go = tmp_path / f"go-{tag}"
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    workers = [
        subprocess.Popen([sys.executable, str(script), str(go)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(n)
    ]  # fmt: skip
    time.sleep(1.0)  # let the interpreters start, then release them together
    go.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, f"worker failed ({tag}):\n{err[-3000:]}"
        value, hits, kernel = out.split()
        results.append((float(value), int(hits), kernel))
    return results


def values(results) -> list[float]:
    return [value for value, _, _ in results]


@pytest.fixture
def model_package(tmp_path):
    """A copy of the example model in its own package; the path to edit."""
    package = tmp_path / "src" / "nm_cache_test"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    source = package / "model.py"
    shutil.copy(ROOT / "tests" / "models" / "example_model.py", source)
    assert source.read_text().count(OLD) == 1, "the example model's v' changed"
    return source


@pytest.fixture
def env(tmp_path, model_package):
    env = dict(os.environ)
    env["NEURALMASS_KERNEL_DIR"] = str(tmp_path / "kernels")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # Python's default: .pyc files
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(model_package.parents[1]), env.get("PYTHONPATH")) if p
    )
    return env


def test_parallel_first_use_then_source_change(tmp_path, model_package, env):
    # fresh folder: all compile at once, none crashes, all agree
    first = run_at_once(tmp_path, env, "fresh")
    assert values(first) == pytest.approx([expected_v_dot(3.0)] * N_PROCESSES)
    assert len({kernel for _, _, kernel in first}) == 1
    kernels = Path(env["NEURALMASS_KERNEL_DIR"])
    assert list(kernels.glob("__pycache__/*.nbi")), "numba cached nothing"

    # unchanged source: the cached kernels are used
    again = run_at_once(tmp_path, env, "cached")
    assert values(again) == pytest.approx([expected_v_dot(3.0)] * N_PROCESSES)
    assert all(hits >= 1 for _, hits, _ in again), again

    # the model's v' changes (same file size, a later modification time)
    text = model_package.read_text()
    stat = model_package.stat()
    model_package.write_text(text.replace(OLD, NEW))
    os.utime(model_package, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert model_package.stat().st_size == stat.st_size

    changed = run_at_once(tmp_path, env, "changed")
    assert values(changed) == pytest.approx([expected_v_dot(4.0)] * N_PROCESSES)
    assert {kernel for _, _, kernel in changed}.isdisjoint(
        kernel for _, _, kernel in first
    )
    assert len(list(kernels.glob("neuralmass_kernels_*.py"))) == 2


def test_kernels_follow_the_bytecode_that_runs(tmp_path, model_package, env):
    (before,) = run_at_once(tmp_path, env, "before", n=1)
    assert before[0] == pytest.approx(expected_v_dot(3.0))

    stat = model_package.stat()
    model_package.write_text(model_package.read_text().replace(OLD, NEW))
    os.utime(model_package, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    (after,) = run_at_once(tmp_path, env, "after", n=1)
    model_package.touch()  # a later edit renews the .pyc ...
    (later,) = run_at_once(tmp_path, env, "later", n=1)
    # Python itself still runs the stale .pyc right after a same-second edit,
    # and the kernels follow what runs (a digest of the bytecode) ...
    assert after[0] == pytest.approx(expected_v_dot(3.0))
    # ... so once the .pyc is renewed, the new code gets new kernels
    assert later[0] == pytest.approx(expected_v_dot(4.0))
