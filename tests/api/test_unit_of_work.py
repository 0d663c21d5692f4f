"""The unit of work on a real database: one commit place, one retry policy, invalidation after the
commit and never after a rollback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from conduit.errors import NotFound
from conduit.models import Tag
from conduit.uow import Retry, UnitOfWork

pytestmark = pytest.mark.anyio


class Recorder:
    """An invalidator that notes what it was told, and whether the write was visible by then to
    another connection (i.e. committed)."""

    in_database = False

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.before: list[list[str]] = []
        self.after: list[tuple[list[str], int]] = []

    async def in_transaction(self, session: AsyncSession, names: Sequence[str]) -> None:
        self.before.append(list(names))

    async def after_commit(self, names: Sequence[str]) -> None:
        self.after.append((list(names), await _tags(self.engine)))


async def _tags(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(Tag))).scalar_one())


@pytest.fixture
def engine(app: FastAPI) -> AsyncEngine:
    engine: AsyncEngine = app.state.resources.engine
    return engine


@pytest.fixture
async def recorder(engine: AsyncEngine) -> Recorder:
    return Recorder(engine)


@pytest.fixture
async def uow(app: FastAPI, recorder: Recorder) -> AsyncIterator[UnitOfWork]:
    work = UnitOfWork(app.state.resources.sessions(), recorder)
    yield work
    await work.close()


async def _add_tag(uow: UnitOfWork, name: str) -> None:
    await uow.session.execute(insert(Tag).values(name=name))


async def test_it_announces_what_a_write_touched_only_once_it_is_committed(
    uow: UnitOfWork, recorder: Recorder, engine: AsyncEngine
) -> None:
    async def work() -> str:
        await _add_tag(uow, "one")
        uow.touch("cg:tags", "cg:articles")
        uow.touch("cg:tags")
        return "done"

    assert await uow.write(work) == "done"
    assert recorder.before == [["cg:articles", "cg:tags"]]
    # The announcement came after the commit: another connection already saw the row.
    assert recorder.after == [(["cg:articles", "cg:tags"], 1)]


async def test_it_rolls_back_a_failed_write_and_announces_nothing(
    uow: UnitOfWork, recorder: Recorder, engine: AsyncEngine
) -> None:
    async def work() -> None:
        await _add_tag(uow, "doomed")
        uow.touch("cg:tags")
        raise NotFound("article")

    with pytest.raises(NotFound):
        await uow.write(work)
    assert await _tags(engine) == 0
    assert recorder.before == []
    assert recorder.after == []
    # Nothing touched by the failed write leaks into the next one's announcement.
    await uow.write(lambda: _add_tag(uow, "next"))
    assert recorder.after == []


async def test_a_retry_raised_by_the_work_runs_it_again_from_a_clean_transaction(
    uow: UnitOfWork, recorder: Recorder, engine: AsyncEngine
) -> None:
    attempts: list[int] = []

    async def work() -> None:
        attempts.append(uow.attempt)
        await _add_tag(uow, f"attempt-{uow.attempt}")
        uow.touch(f"cg:attempt-{uow.attempt}")
        if uow.attempt == 0:
            raise Retry("slug taken")

    await uow.write(work)
    assert attempts == [0, 1]
    async with engine.connect() as conn:
        names = (await conn.execute(select(Tag.name))).scalars().all()
    assert names == ["attempt-1"]  # the first run's row went with its rollback
    assert recorder.after == [(["cg:attempt-1"], 1)]


async def test_it_gives_up_after_the_last_attempt(uow: UnitOfWork, recorder: Recorder) -> None:
    async def work() -> None:
        uow.touch("cg:tags")
        raise Retry("always taken")

    with pytest.raises(Retry):
        await uow.write(work, attempts=3)
    assert uow.attempt == 2
    assert recorder.after == []


async def test_close_rolls_back_what_was_never_committed(app: FastAPI, engine: AsyncEngine) -> None:
    uow = UnitOfWork(app.state.resources.sessions())
    await _add_tag(uow, "left open")
    await uow.close()
    assert await _tags(engine) == 0


async def test_it_retries_a_real_transient_failure(
    app: FastAPI, engine: AsyncEngine, recorder: Recorder
) -> None:
    """Another transaction holds the lock the write needs: the database refuses it for real
    (SQLite: busy; PostgreSQL: deadlock victim; MariaDB: lock wait timeout), the unit of work
    rolls back and runs the work again once the other transaction is gone."""
    dialect = engine.dialect.name
    async with engine.begin() as conn:
        await conn.execute(insert(Tag).values([{"name": "x"}, {"name": "y"}]))
    if dialect == "sqlite":
        await _busy_sqlite(engine, recorder)
    elif dialect == "postgresql":
        await _deadlock_postgresql(app, engine, recorder)
    else:
        await _lock_timeout_mysql(app, engine, recorder)
    assert recorder.after == [(["cg:tags"], 2)]


async def _busy_sqlite(engine: AsyncEngine, recorder: Recorder) -> None:
    # The app waits up to 10 s for a busy database; this engine gives up at once.
    impatient = create_async_engine(engine.url, connect_args={"timeout": 0})
    sessions = async_sessionmaker(impatient, expire_on_commit=False)
    blocker = await engine.connect()
    await blocker.execute(text("BEGIN IMMEDIATE"))  # the write lock, held
    failures: list[str] = []
    uow = UnitOfWork(sessions(), recorder)

    async def work() -> None:
        if uow.attempt == 1:
            await blocker.rollback()  # the other writer finishes meanwhile
        try:
            await uow.session.execute(update(Tag).where(Tag.name == "x").values(name="x2"))
        except DBAPIError as exc:
            failures.append(str(exc.orig))
            raise
        uow.touch("cg:tags")

    try:
        await uow.write(work)
    finally:
        await uow.close()
        await blocker.close()
        await impatient.dispose()
    assert failures == ["database is locked"]
    assert uow.attempt == 1


async def _deadlock_postgresql(app: FastAPI, engine: AsyncEngine, recorder: Recorder) -> None:
    blocker = await engine.connect()
    await blocker.execute(update(Tag).where(Tag.name == "x").values(name="x"))  # holds x
    uow = UnitOfWork(app.state.resources.sessions(), recorder)
    codes: list[Any] = []
    holds_y = asyncio.Event()

    async def work() -> None:
        session = uow.session
        # The write checks for a deadlock long before the blocker would: it is the victim.
        await session.execute(text("SET LOCAL deadlock_timeout = '1s'"))
        await session.execute(update(Tag).where(Tag.name == "y").values(name="y"))  # holds y
        if uow.attempt == 0:
            holds_y.set()
            await asyncio.sleep(0.3)  # the blocker now waits for y
        try:
            await session.execute(update(Tag).where(Tag.name == "x").values(name="x"))
        except DBAPIError as exc:
            codes.append(getattr(exc.orig, "sqlstate", None))
            raise
        uow.touch("cg:tags")

    async def close_the_circle() -> None:
        await holds_y.wait()
        await blocker.execute(text("SET LOCAL deadlock_timeout = '30s'"))
        await blocker.execute(update(Tag).where(Tag.name == "y").values(name="y"))  # waits
        await blocker.rollback()

    try:
        await asyncio.gather(uow.write(work), close_the_circle())
    finally:
        await uow.close()
        await blocker.close()
    assert codes == ["40P01"]
    assert uow.attempt == 1


async def _lock_timeout_mysql(app: FastAPI, engine: AsyncEngine, recorder: Recorder) -> None:
    blocker = await engine.connect()
    await blocker.execute(update(Tag).where(Tag.name == "x").values(name="x"))  # holds x
    uow = UnitOfWork(app.state.resources.sessions(), recorder)
    codes: list[Any] = []

    async def work() -> None:
        session = uow.session
        if uow.attempt == 1:
            await blocker.rollback()  # the other writer finishes meanwhile
        await session.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
        try:
            await session.execute(update(Tag).where(Tag.name == "x").values(name="x2"))
        except DBAPIError as exc:
            codes.append(exc.orig.args[0] if exc.orig is not None else None)
            raise
        uow.touch("cg:tags")

    try:
        await uow.write(work)
    finally:
        await uow.close()
        await blocker.close()
    assert codes == [1205]
    assert uow.attempt == 1
