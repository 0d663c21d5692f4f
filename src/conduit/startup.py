"""Start-up and configuration errors a person can act on.

Each becomes one or two plain lines: which variable or server, what is wrong, how to fix it.
No traceback (``CONDUIT_DEBUG=true`` shows one) and never a secret: pydantic's ``input_value``
is never printed, URLs are shown with the password masked, and every line is scrubbed of the
secret key and passwords found in the environment before it is printed.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from conduit.settings import ENV_PREFIX

# conduit.dburl (SQLAlchemy) is imported where needed: `conduit --help` or `check` need none of it.

TRUTHY = frozenset({"1", "true", "yes", "on"})


class StartupError(Exception):
    """Refusing to start, with the lines to print and the exit status."""

    def __init__(self, *lines: str, status: int = 1) -> None:
        super().__init__(lines[0] if lines else "")
        self.lines = list(lines)
        self.status = status


def debug_requested() -> bool:
    # Read directly: the settings themselves may be what failed to load.
    return os.environ.get(f"{ENV_PREFIX}DEBUG", "").strip().lower() in TRUTHY


def _variable(location: tuple[Any, ...]) -> str:
    return f"{ENV_PREFIX}{str(location[0]).upper()}" if location else ""


def _problem(error: Any) -> str:
    """What is wrong, phrased to follow the variable's name (pydantic's ``msg`` otherwise)."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type"):
        return "must be a number"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind == "literal_error":
        return f"must be {context.get('expected', 'one of the documented values')}"
    if kind == "greater_than_equal":
        return f"must be at least {context.get('ge')}"
    if kind == "greater_than":
        return f"must be greater than {context.get('gt')}"
    return f"is not valid: {str(error['msg']).lower()}"


def settings_errors(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        variable, problem = _variable(error["loc"]), _problem(error)
        # Model-wide checks name their variables themselves.
        lines.append(f"{variable} {problem}" if variable else problem)
    return lines


def database_unreachable(url: str, exc: BaseException) -> StartupError:
    """The database did not let us in: where, why, and what to check."""
    from conduit.dburl import masked, where

    reason = _reason(exc)
    lowered = reason.lower()
    place = where(url)
    shown = f"CONDUIT_DATABASE_URL={masked(url)}"
    if place.startswith("the SQLite file"):
        return StartupError(
            f"cannot open {place} ({reason})",
            f"check that its folder exists and is writable, or change {shown}",
        )
    # PostgreSQL names a user it does not know 'role "x" does not exist': a login problem, not
    # a missing database.
    unknown_user = lowered.startswith('role "') and "does not exist" in lowered
    if unknown_user or any(w in lowered for w in ("password", "access denied", "authentication")):
        return StartupError(
            f"the database at {place} refused the login ({reason})",
            f"check the user name and password in {shown}",
        )
    if "does not exist" in lowered or "unknown database" in lowered:
        return StartupError(
            f"the database server at {place} has no such database ({reason})",
            f"create it, or fix the database name in {shown}",
        )
    return StartupError(
        f"cannot reach the database at {place} ({reason})",
        f"check that the database server is running and reachable, and {shown}",
    )


def missing_sqlite_folder(url: str) -> StartupError | None:
    """SQLite creates the file but not its folder; said before connecting, because a failed
    aiosqlite connect leaves a thread behind that complains at exit."""
    from conduit.dburl import normalise_url

    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    folder = Path(parsed.database).parent
    if folder.is_dir():
        return None
    return database_unreachable(url, FileNotFoundError(f"the folder {folder} does not exist"))


def redis_unreachable(url: str, exc: BaseException) -> StartupError:
    from conduit.dburl import masked

    parts = urlsplit(url)
    place = parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"
    return StartupError(
        f"cannot reach Redis at {place} ({_reason(exc)})",
        f"check that Redis is running and CONDUIT_REDIS_URL={masked(url)}, "
        "or unset CONDUIT_REDIS_URL to run without Redis",
    )


def _reason(exc: BaseException) -> str:
    """The innermost driver message, on one line (SQLAlchemy adds SQL and a link below it)."""
    inner: BaseException = exc
    for _ in range(5):
        nested = getattr(inner, "orig", None) or inner.__cause__
        if nested is None or nested is inner:
            break
        inner = nested
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused"
    if isinstance(inner, socket.gaierror):
        return "unknown host name"
    if isinstance(inner, TimeoutError):
        return "timed out"
    text = str(inner).strip().splitlines()[0] if str(inner).strip() else type(inner).__name__
    if "Connect call failed" in text or "Connection refused" in text:
        return "connection refused"  # redis-py words it "Error 111 connecting to ..."
    return text.removeprefix("(").rstrip(")") if text.startswith("(") else text


def explain(exc: BaseException) -> tuple[list[str], int]:
    """(lines, exit status) for any exception that stops the command."""
    from conduit.dburl import UnsupportedDatabase

    if isinstance(exc, StartupError):
        return exc.lines, exc.status
    if isinstance(exc, ValidationError):
        return settings_errors(exc), 2
    if isinstance(exc, UnsupportedDatabase):
        return [f"CONDUIT_DATABASE_URL {exc}"], 2
    if isinstance(exc, ValueError) and str(exc).startswith(ENV_PREFIX):
        return [str(exc)], 2  # e.g. an unreadable CONDUIT_<NAME>_FILE
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return [
        f"unexpected {type(exc).__name__}{': ' + first if first else ''}",
        "run again with CONDUIT_DEBUG=true to see the traceback",
    ], 1


def secrets_in_environment(environ: dict[str, str] | None = None) -> list[str]:
    """Values that must never be printed: the secret key and every password in a URL."""
    environ = dict(os.environ if environ is None else environ)
    found = []
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or not value:
            continue
        if "SECRET" in name or "PASSWORD" in name:
            found.append(value)
        if "://" in value:
            try:
                password = urlsplit(value).password
            except ValueError:
                password = None
            if password:
                found += [password, unquote(password)]
    return [value for value in found if len(value) >= 3]


def scrub(lines: Iterable[str], hidden: Iterable[str]) -> list[str]:
    ordered = sorted(set(hidden), key=len, reverse=True)
    cleaned = []
    for line in lines:
        for value in ordered:
            line = line.replace(value, "***")
        cleaned.append(line)
    return cleaned
