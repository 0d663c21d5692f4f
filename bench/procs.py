"""Starting and stopping the servers under test, pinned to cores, and reading their memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port_run(count: int = 3) -> int:
    """The first of ``count`` consecutive ports nobody listens on now (the benchmark uses
    port, port + 1, ...): fixed ports collide with other checkouts on the same machine."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + count > 65535:
            continue
        sockets = []
        try:
            for port in range(first, first + count):
                taken = socket.socket()
                sockets.append(taken)
                taken.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for taken in sockets:
                taken.close()
    raise RuntimeError(f"no {count} consecutive free ports")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the server: the process and everything it started (uvicorn's
        workers, each worker's Markdown renderer)."""
        return sum(_rss_kb(pid) for pid in self.pids()) / 1024

    def process_rss_mb(self) -> float:
        """Resident memory of the serving process alone (one worker: the parent), without the
        Markdown renderer it started (a separate, separately bounded process)."""
        return _rss_kb(self.process.pid) / 1024

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and all its descendants have used so far."""
        return sum(_cpu_ticks(pid) for pid in self.pids()) / os.sysconf("SC_CLK_TCK")

    def pids(self) -> list[int]:
        # Not only the children: a single worker serves in the parent and its only child is
        # the Markdown renderer, so "the children or else the parent" measured an idle process.
        return [self.process.pid, *_descendants(self.process.pid)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        children = parents.get(pending.pop(), [])
        found.extend(children)
        pending.extend(children)
    # multiprocessing's resource tracker does no serving: its memory is not the server's.
    return [p for p in found if "resource_tracker" not in _cmdline(p)]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def start(args: list[str], port: int, env: dict[str, str], cores: str, log: Path) -> Server:
    command = ["taskset", "-c", cores, *args] if cores else args
    handle = log.open("wb")
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT
    )
    wait_for_port(port, process)
    return Server(process, port, log)


def conduit(port: int, env: dict[str, str], cores: str, log: Path, workers: int = 1) -> Server:
    args = [str(BIN / "conduit"), "serve", "--port", str(port), "--workers", str(workers)]
    return start(args, port, env, cores, log)


def ceiling(port: int, responses: Path, cores: str, log: Path) -> Server:
    # The same server stack as `conduit serve`: uvicorn, uvloop, httptools, one worker.
    args = [
        str(BIN / "uvicorn"),
        "bench.ceiling:app",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--lifespan",
        "off",
        "--no-server-header",
        "--log-level",
        "warning",
    ]
    return start(args, port, {"BENCH_RESPONSES": str(responses)}, cores, log)
