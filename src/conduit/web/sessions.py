"""Server-side sessions, held by the database alone.

Every request reads its session row and the account behind it in one indexed statement (the
primary key, joined to the user's): a logout, a password change or a deleted account holds on
every worker from the next request. There is deliberately no copy in Redis: a copy that outlived
a logout made while Redis was unreachable kept the session alive (issue 11).

The browser holds only an opaque random id. What is stored is its SHA-256, so a leaked table
cannot be replayed as a cookie. Writes go through the request's unit of work.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, or_, select, update

from conduit.db import first
from conduit.driver import reusable
from conduit.models import User, WebSession, utcnow
from conduit.settings import Settings
from conduit.uow import UnitOfWork
from conduit.users.accounts import COLUMNS, Account, account_of
from conduit.web.csrf import new_secret

# last_seen_at is written at most this often: idle expiry is exact to within this much.
TOUCH_EVERY = timedelta(seconds=60)
MAX_ID_LENGTH = 128


@dataclass(frozen=True, slots=True)
class SessionRecord:
    key: str
    user_id: int
    csrf_token: str
    token_version: int
    created_at: datetime
    last_seen_at: datetime


def hashed(raw_id: str) -> str:
    return hashlib.sha256(raw_id.encode()).hexdigest()


# Built once, the key a parameter: a signed-in page's first read, on the driver path where there
# is one (conduit.driver).
_SESSION_AND_ACCOUNT = reusable(
    select(
        WebSession.user_id,
        WebSession.csrf_token,
        WebSession.token_version,
        WebSession.created_at,
        WebSession.last_seen_at,
        *COLUMNS,
    )
    .join(User, User.id == WebSession.user_id)
    .where(WebSession.id == bindparam("key"))
)


class SessionStore:
    def __init__(self, settings: Settings) -> None:
        self.idle = timedelta(seconds=settings.web_session_idle_seconds)
        self.absolute = timedelta(seconds=settings.web_session_absolute_seconds)

    async def create(self, uow: UnitOfWork, user_id: int, token_version: int) -> tuple[str, str]:
        """A new session for ``user_id``: returns (the cookie value, the CSRF token)."""
        raw_id = secrets.token_urlsafe(32)
        key, csrf_token = hashed(raw_id), new_secret()

        async def work() -> None:
            now = utcnow()
            # Expired rows of every user are swept here, so the table cannot grow without bound.
            await uow.session.execute(
                delete(WebSession).where(
                    or_(
                        WebSession.last_seen_at < now - self.idle,
                        WebSession.created_at < now - self.absolute,
                    )
                )
            )
            await uow.session.execute(
                insert(WebSession).values(
                    id=key,
                    user_id=user_id,
                    csrf_token=csrf_token,
                    token_version=token_version,
                    created_at=now,
                    last_seen_at=now,
                )
            )

        await uow.write(work)
        return raw_id, csrf_token

    async def load(self, uow: UnitOfWork, raw_id: str) -> tuple[SessionRecord, Account] | None:
        """The live session behind a cookie value and its account, in one statement; None if
        unknown, idle too long or too old. Whether the account may still act is the caller's."""
        if not raw_id or len(raw_id) > MAX_ID_LENGTH:
            return None
        key = hashed(raw_id)
        row = await first(uow.session, _SESSION_AND_ACCOUNT, {"key": key})
        if row is None:
            return None
        record = SessionRecord(key, row[0], row[1], row[2], row[3], row[4])
        now = utcnow()
        if now - record.last_seen_at > self.idle or now - record.created_at > self.absolute:
            await self.delete(uow, key)
            return None
        if now - record.last_seen_at >= TOUCH_EVERY:
            record = replace(record, last_seen_at=now)

            async def touch() -> None:
                await uow.session.execute(
                    update(WebSession).where(WebSession.id == key).values(last_seen_at=now)
                )

            await uow.write(touch)
        return record, account_of(row)

    async def delete(self, uow: UnitOfWork, key: str) -> None:
        async def work() -> None:
            await uow.session.execute(delete(WebSession).where(WebSession.id == key))

        await uow.write(work)

    async def end_all(self, uow: UnitOfWork, user_id: int) -> None:
        """Ends every session of the user (after a password change, before a fresh one)."""

        async def work() -> None:
            await uow.session.execute(delete(WebSession).where(WebSession.user_id == user_id))

        await uow.write(work)
