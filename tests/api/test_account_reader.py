"""The account check on a dedicated driver-level connection (conduit.keyed, users.AccountReader):
requests share rounds, never a round that started before they asked, and a dropped connection
fails one round (503), not the reader."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable

import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.errors import Unavailable
from conduit.keyed import KeyedReads, Row
from conduit.models import User
from conduit.users.accounts import AccountReader
from tests.factories import Persona

pytestmark = pytest.mark.anyio


@pytest.fixture
async def reader(db: AsyncEngine) -> AsyncIterator[AccountReader]:
    if db.dialect.name == "sqlite":
        pytest.skip("SQLite keeps its own path (CI runs this on PostgreSQL and MariaDB)")
    accounts = AccountReader(db.url)
    yield accounts
    await accounts.close()


class Rounds:
    """Counts a reader's rounds; while ``gate`` is clear, a round waits before its statement."""

    def __init__(self, rows: KeyedReads, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.gate = asyncio.Event()
        self.gate.set()
        query = rows._query

        async def counted(keys: list[Hashable]) -> list[Row]:
            self.count += 1
            await self.gate.wait()
            return await query(keys)

        monkeypatch.setattr(rows, "_query", counted)


async def _user_id(db: AsyncEngine, username: str) -> int:
    async with db.connect() as connection:
        found = await connection.scalar(
            text("SELECT id FROM users WHERE username = :u"), {"u": username}
        )
    assert isinstance(found, int)
    return found


async def test_it_reads_the_account_as_the_session_would(
    reader: AccountReader, db: AsyncEngine, alice: Persona
) -> None:
    found = await reader.load(await _user_id(db, "alice"))
    assert found is not None
    assert (found.username, found.email, found.role, found.suspended_at) == (
        "alice",
        "alice@example.com",
        "member",
        None,
    )
    assert await reader.load(10**12) is None


async def test_it_shares_a_round_between_requests_that_ask_together(
    reader: AccountReader,
    db: AsyncEngine,
    alice: Persona,
    bob: Persona,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [await _user_id(db, "alice"), await _user_id(db, "bob")]
    rounds = Rounds(reader._rows, monkeypatch)
    found = await asyncio.gather(*(reader.load(ids[n % 2]) for n in range(20)))
    assert [a.username if a else None for a in found] == ["alice", "bob"] * 10
    assert rounds.count == 1


async def test_a_request_never_joins_a_round_that_started_before_it(
    reader: AccountReader, db: AsyncEngine, alice: Persona, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = await _user_id(db, "alice")
    rounds = Rounds(reader._rows, monkeypatch)
    rounds.gate.clear()
    early = asyncio.create_task(reader.load(user_id))
    await asyncio.sleep(0.05)  # the first round is in flight, held before its statement
    assert rounds.count == 1
    async with db.begin() as connection:  # a password change, committed meanwhile
        await connection.execute(update(User).where(User.id == user_id).values(token_version=7))
    late = asyncio.create_task(reader.load(user_id))
    rounds.gate.set()
    assert (await early) is not None
    found = await late
    assert rounds.count == 2
    assert found is not None
    assert found.token_version == 7


async def test_a_dropped_connection_fails_one_round_then_reconnects(
    reader: AccountReader, db: AsyncEngine, alice: Persona
) -> None:
    user_id = await _user_id(db, "alice")
    assert await reader.load(user_id) is not None
    driver = reader._rows._driver
    async with db.connect() as connection:
        if db.dialect.name == "postgresql":
            pid = driver.get_server_pid()
            await connection.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        else:
            await connection.execute(text(f"KILL {int(driver.thread_id())}"))
    with pytest.raises(Unavailable):
        await reader.load(user_id)
    again = await reader.load(user_id)
    assert again is not None
    assert again.username == "alice"
