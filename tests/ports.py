"""Free ports for servers the tests start. Fixed ports collide when several checkouts run the
suite (or CI) on one machine at once; the short window before a server binds is harmless by
comparison."""

from __future__ import annotations

import socket
from contextlib import ExitStack


def unused_ports(count: int) -> tuple[int, ...]:
    """``count`` distinct ports nobody listens on now (all held open together while chosen)."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            probe = stack.enter_context(socket.socket())
            probe.bind(("127.0.0.1", 0))
            ports.append(int(probe.getsockname()[1]))
        return tuple(ports)


def unused_port() -> int:
    return unused_ports(1)[0]
