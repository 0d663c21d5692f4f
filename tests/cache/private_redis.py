"""A throw-away redis-server on a free port that a test may stop, restart (with its data: AOF on)
and pause, without touching the shared one."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.ops.conftest import free_port


class PrivateRedis:
    def __init__(self, folder: Path, password: str | None = None) -> None:
        self.folder = folder
        self.port = free_port()
        self.password = password
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is required (apt-get install redis-server)"
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir"]
        command += [str(self.folder), "--save", "", "--appendonly", "yes"]
        if self.password:
            command += ["--requirepass", self.password]
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait(listening=True)

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits; its data comes back on start."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self._wait(listening=False)

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def _wait(self, listening: bool) -> None:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                up = True
            except OSError:
                up = False
            if up == listening:
                return
            time.sleep(0.05)
        raise AssertionError(
            f"redis-server on {self.port} never {'started' if listening else 'stopped'}"
        )


@contextlib.contextmanager
def private_redis(password: str | None = None) -> Iterator[PrivateRedis]:
    with tempfile.TemporaryDirectory(prefix="conduit-redis-") as folder:
        server = PrivateRedis(Path(folder), password)
        server.start()
        try:
            yield server
        finally:
            if server.process is not None:
                with contextlib.suppress(ProcessLookupError):
                    server.process.send_signal(signal.SIGCONT)
            server.stop()
