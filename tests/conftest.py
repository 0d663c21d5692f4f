"""Test harness: the real ASGI app over httpx, on a real database migrated with Alembic.

``CONDUIT_TEST_DATABASE_URL`` picks the server (SQLite by default). For PostgreSQL and MySQL the
harness creates a private database per run (so parallel runs never collide) and drops it after.
Every test starts from empty tables.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import delete, event
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.db import create_engine, normalise_url
from conduit.migrate import upgrade
from conduit.models import ArticleCount, Base, TagCount
from conduit.resources import Resources
from conduit.settings import Settings
from conduit.users.accounts import Account
from tests.assertions import refuse_server_errors
from tests.databases import create_database, drop_database
from tests.factories import Persona


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    raw = os.environ.get("CONDUIT_TEST_DATABASE_URL", "").strip()
    if not raw or raw.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="conduit-test-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'test.db'}"
        return
    admin = normalise_url(raw).render_as_string(hide_password=False)
    name = f"conduit_test_{os.getpid()}_{secrets.token_hex(3)}"
    url = create_database(admin, name)
    try:
        yield url
    finally:
        drop_database(admin, name)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=None,
        secret_key="test-secret-" + "x" * 40,
        # Cheap Argon2 parameters keep the suite fast; production uses the defaults.
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        argon2_parallelism=1,
        # Feature tests make many writes from one address; tests/security/ switch it back on.
        rate_limit_enabled=False,
    )


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def _empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())
        # Deleting the articles moved their counts (triggers, migration 0004): start from none.
        await conn.execute(delete(ArticleCount))
        await conn.execute(delete(TagCount))


@pytest.fixture
async def app(
    settings: Settings, migrated: AsyncEngine, request: pytest.FixtureRequest
) -> AsyncIterator[FastAPI]:
    await _empty_tables(migrated)
    if request.node.get_closest_marker("uncached"):
        settings = settings.model_copy(update={"cache_enabled": False})
    for marker in reversed(list(request.node.iter_markers("settings"))):
        settings = settings.model_copy(update=marker.kwargs)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI, request: pytest.FixtureRequest) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    # Tests that provoke a 5xx on purpose (a dead database) opt out with this marker.
    hooks = [] if request.node.get_closest_marker("server_errors") else [refuse_server_errors]
    async with AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks={"response": hooks}
    ) as http:
        yield http


@pytest.fixture
def db(app: FastAPI) -> AsyncEngine:
    """The app's own engine, for asserting on rows directly."""
    engine: AsyncEngine = app.state.resources.engine
    return engine


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, *args: Any) -> None:
        self.statements.append(str(args[2]))

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[StatementCounter]:
    """Counts the SQL statements the app sends (for N+1 checks), on each of its engines, the
    account lookups it sends on the driver (conduit.keyed: outside SQLAlchemy's events), one
    statement each as if no other request shared it, and the reads it runs on the driver
    (conduit.driver)."""
    counter = StatementCounter()
    resources: Resources = app.state.resources
    engines = [e for e in (resources.engine, resources.lookups) if e is not None]
    accounts = resources.accounts
    if accounts is not None:
        load = accounts.load

        async def counted(user_id: int) -> Account | None:
            counter.statements.append(f"{accounts.statement} -- {user_id}, driver level")
            return await load(user_id)

        monkeypatch.setattr(accounts, "load", counted)
    driver = resources.driver
    if driver is not None:
        driver_rows = driver.rows

        async def counted_rows(statement: Any, params: Mapping[str, Any] | None) -> list[Any]:
            counter.statements.append(f"{driver.compiled(statement).sql} -- driver level")
            return await driver_rows(statement, params)

        monkeypatch.setattr(driver, "rows", counted_rows)
    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    for engine in engines:
        event.remove(engine.sync_engine, "before_cursor_execute", counter)


@pytest.fixture
async def alice(client: AsyncClient) -> Persona:
    return await Persona.register(client, "alice")


@pytest.fixture
async def bob(client: AsyncClient) -> Persona:
    return await Persona.register(client, "bob")


@pytest.fixture
async def carol(client: AsyncClient) -> Persona:
    return await Persona.register(client, "carol")
