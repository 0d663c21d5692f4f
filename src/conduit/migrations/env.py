"""Alembic environment: one migration history for SQLite, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from conduit.db import normalise_url
from conduit.models import Base
from conduit.settings import Settings

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    from conduit.db import create_engine

    url = config.get_main_option("sqlalchemy.url") or Settings().database_url
    engine = create_engine(Settings(database_url=str(normalise_url(url).render_as_string(False))))
    async with engine.begin() as connection:  # committed when the block ends
        await connection.run_sync(_configure)
    await engine.dispose()


connection = config.attributes.get("connection")
if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
elif connection is not None:
    _configure(connection)
else:
    asyncio.run(_run_async())
