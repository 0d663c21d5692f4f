"""Database URLs: the forms platforms hand out, the async drivers Conduit runs on, and a form
safe to print (the password masked)."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

# Scheme as written -> the async driver Conduit uses for it.
DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
    "mysql+aiomysql": "mysql+aiomysql",
    "mysql+pymysql": "mysql+aiomysql",
    "mysql+mysqldb": "mysql+aiomysql",
    "mariadb": "mysql+aiomysql",
    "mariadb+aiomysql": "mysql+aiomysql",
}
EXPECTED = "sqlite+aiosqlite:///file.db, postgresql+asyncpg://user:password@host/db or "
EXPECTED += "mysql+aiomysql://user:password@host/db"


class UnsupportedDatabase(ValueError):
    """The URL is not one Conduit can serve from. The message never repeats the URL (it may
    hold a password)."""


def normalise_url(raw: str) -> URL:
    """Accept the URLs platforms hand out (``postgres://``, ``mysql://``) and pick async drivers."""
    try:
        url = make_url(raw)
    except ArgumentError:
        # SQLAlchemy's message quotes the whole string, password included.
        raise UnsupportedDatabase(f"is not a database URL (expected e.g. {EXPECTED})") from None
    driver = DRIVERS.get(url.drivername)
    if driver is None:
        raise UnsupportedDatabase(
            f"uses the unsupported scheme '{url.drivername}://' (use {EXPECTED})"
        )
    url = url.set(drivername=driver)
    if url.get_backend_name() == "mysql" and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def masked(raw: str | URL) -> str:
    """The URL with its password replaced by ``***``, for messages and logs."""
    try:
        url = raw if isinstance(raw, URL) else make_url(raw)
    except ArgumentError:
        return "<not a URL>"
    return url.render_as_string(hide_password=True)


def where(raw: str | URL) -> str:
    """What a person would check: ``host:port`` of a server, or the file of SQLite."""
    url = raw if isinstance(raw, URL) else normalise_url(raw)
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database or ':memory:'}"
    default_port = 5432 if url.get_backend_name() == "postgresql" else 3306
    return f"{url.host or 'localhost'}:{url.port or default_port}"
