"""The Alembic history: one head, up from empty, down to base and up again, models == schema.

Runs on the database ``CONDUIT_TEST_DATABASE_URL`` names. The round trip uses a scratch database
(or SQLite file) of its own, so the session's migrated database is never downgraded under the
other tests.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from conduit.db import create_engine, normalise_url
from conduit.migrate import current_revision, downgrade, heads, upgrade
from conduit.models import Base
from conduit.settings import Settings

pytestmark = pytest.mark.anyio

TABLES = {"users", "follows", "articles", "tags", "article_tags", "favorites", "comments"}


def schema_differences(connection: Connection) -> list[Any]:
    """What autogenerate would emit to make the database match the models (empty: in sync).

    Types and server defaults are compared too. No dialect noise needs filtering: the models
    spell each dialect's types through ``with_variant`` and the migrations reuse those very
    types, so SQLite, PostgreSQL and MariaDB all reflect back exactly what the models declare.
    (Collations are not compared by Alembic; the case-sensitivity tests cover them.)
    """
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    differences: list[Any] = compare_metadata(context, Base.metadata)
    return differences


async def differences(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return await conn.run_sync(schema_differences)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


@pytest.fixture
async def scratch(settings: Settings, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty database on the same server as the suite's, dropped afterwards."""
    raw = os.environ.get("CONDUIT_TEST_DATABASE_URL", "").strip()
    if not raw or raw.startswith("sqlite"):
        engine = create_engine(
            settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path}/s.db"})
        )
        yield engine
        await engine.dispose()
        return
    server = normalise_url(raw)
    name = f"conduit_scratch_{secrets.token_hex(4)}"
    quoted = f'"{name}"' if server.get_backend_name() == "postgresql" else f"`{name}`"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE DATABASE {quoted}"))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(settings.model_copy(update={"database_url": url}))
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {quoted}"))
        await admin.dispose()


def test_the_history_has_a_single_head() -> None:
    # One head, and it is the newest revision file: no branch was left unmerged.
    from conduit.migrate import MIGRATIONS

    newest = sorted(p.stem for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))[-1]
    # Revision ids are the file name ("0003_cache_generations") or its number ("0002").
    assert len(heads()) == 1
    assert heads()[0] in (newest, newest.split("_", 1)[0])


async def test_the_suites_database_matches_the_models(migrated: AsyncEngine) -> None:
    assert await current_revision(migrated) == heads()[0]
    assert await differences(migrated) == []


async def test_it_migrates_up_from_empty_down_to_base_and_up_again(scratch: AsyncEngine) -> None:
    assert await current_revision(scratch) is None
    assert not await table_names(scratch) & TABLES

    await upgrade(scratch)
    assert await current_revision(scratch) == heads()[0]
    assert await table_names(scratch) >= TABLES
    assert await differences(scratch) == []

    await downgrade(scratch, "base")
    assert await current_revision(scratch) is None
    assert not await table_names(scratch) & TABLES

    await upgrade(scratch)
    assert await current_revision(scratch) == heads()[0]
    assert await differences(scratch) == []


async def test_upgrading_an_up_to_date_database_changes_nothing(scratch: AsyncEngine) -> None:
    await upgrade(scratch)
    await upgrade(scratch)
    assert await current_revision(scratch) == heads()[0]
    assert await differences(scratch) == []


async def test_an_out_of_date_schema_is_detected(scratch: AsyncEngine) -> None:
    # The control for the comparisons above: a real drift must show up as a difference.
    await upgrade(scratch)
    async with scratch.begin() as conn:
        await conn.execute(text("ALTER TABLE tags ADD COLUMN stray INTEGER"))
    found = await differences(scratch)
    assert [(entry[0], entry[2], entry[3].name) for entry in found] == [
        ("remove_column", "tags", "stray")
    ]
