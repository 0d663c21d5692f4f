"""Scratch databases on a PostgreSQL or MariaDB/MySQL server: the one place where the test
harness (tests/conftest.py), the Hurl run (.ci/hurl.sh) and the benchmark (bench/) create and
drop them, through the server's own async driver.

    python -m tests.databases create ADMIN_URL NAME   # prints the new database's URL
    python -m tests.databases drop ADMIN_URL NAME
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from conduit.dburl import normalise_url


def _statements(admin_url: str, name: str) -> tuple[str, str]:
    """(drop, create) for ``name`` on the server of ``admin_url``."""
    if normalise_url(admin_url).get_backend_name() == "postgresql":
        return (
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}"',
        )
    return (
        f"DROP DATABASE IF EXISTS `{name}`",
        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    )


def _execute(admin_url: str, *statements: str) -> None:
    async def run() -> None:
        engine = create_async_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                for statement in statements:
                    await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


def create_database(admin_url: str, name: str) -> str:
    """An empty database ``name`` (dropped first if it exists); its URL, in ``admin_url``'s
    form (scheme, user, password) with only the database name changed."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {name!r}")
    _execute(admin_url, *_statements(admin_url, name))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {name!r}")
    _execute(admin_url, _statements(admin_url, name)[0])


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[0] not in ("create", "drop"):
        sys.exit(__doc__)
    action, admin_url, name = argv
    if action == "create":
        print(create_database(admin_url, name))
    else:
        drop_database(admin_url, name)


if __name__ == "__main__":
    main(sys.argv[1:])
