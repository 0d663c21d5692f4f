"""Start-up cost: ``import conduit.app``, and ``conduit serve`` until its first 200.

    .venv/bin/python -m bench.startup [--runs 5] [--src PATH]

Each figure is the median of ``--runs`` fresh processes: wall time, and CPU time (user +
system), which is what the process itself spent and so moves far less than wall time when other
work shares the machine. ``serve`` runs on a fresh SQLite file (so the first start migrates it)
and then again on the migrated file, polled every 10 ms on /healthz. ``--src`` measures another
checkout's ``src`` folder with this virtual environment (e.g. the commit before a change).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.procs import free_port_run

BIN = Path(sys.executable).parent
CLI = "from conduit.cli import main; main()"


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _env(src: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDUIT_")}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    env.update(extra)
    return env


def measure_import(src: Path | None) -> tuple[float, float]:
    cpu = _cpu_of_children()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import conduit.app"], env=_env(src), check=True)
    return time.perf_counter() - started, _cpu_of_children() - cpu


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_serve(src: Path | None, database: Path) -> tuple[float, float]:
    port = free_port_run(1)
    env = _env(
        src,
        CONDUIT_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        CONDUIT_SECRET_KEY="startup-" + "s" * 40,
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = started + 300
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"conduit serve exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started, _process_cpu(process.pid)
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("conduit serve never answered")
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--src", type=Path, default=None, help="another checkout's src/")
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {
        "import conduit.app": [],
        "serve, fresh database (migrates)": [],
        "serve, migrated database": [],
    }
    with tempfile.TemporaryDirectory(prefix="conduit-startup-") as folder:
        for run in range(args.runs):
            results["import conduit.app"].append(measure_import(args.src))
            database = Path(folder) / f"run{run}.db"
            results["serve, fresh database (migrates)"].append(measure_serve(args.src, database))
            results["serve, migrated database"].append(measure_serve(args.src, database))
    print(f"load average before/after: {os.getloadavg()[0]:.1f} (1 min); {args.runs} runs each")
    print("| what | wall s (median) | CPU s (median) |")
    print("|---|---:|---:|")
    for label, samples in results.items():
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        print(f"| {label} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
