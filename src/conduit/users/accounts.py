"""Accounts as authentication sees them: one indexed statement per request, never a cached copy.

The database is the only record of who may act: a deleted account, a password change (which
revokes older tokens and web sessions) or a suspension holds on every worker from the next
request, whatever Redis or any cache did meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from conduit.errors import Suspended, Unauthorized, database_unavailable
from conduit.identity import Viewer
from conduit.keyed import KeyedReads
from conduit.models import User

# What an account lookup reads (the primary key: one index probe), in ``Account``'s field order.
COLUMNS: tuple[Any, ...] = (
    User.id,
    User.username,
    User.email,
    User.bio,
    User.image,
    User.token_version,
    User.kept_token_id,
    User.suspended_at,
    User.role,
    User.hidden_content,
)


# Built once (not rebuilt and re-keyed for the compiled cache on every request).
_ACCOUNT = select(*COLUMNS).where(User.id == bindparam("user_id"))


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    email: str
    bio: str | None
    image: str | None
    token_version: int
    kept_token_id: str | None
    suspended_at: datetime | None = None
    role: str = "member"
    hidden_content: int = 0  # how many of its articles and comments a moderator hid

    def accepts(self, version: int, token_id: str | None) -> bool:
        """A password change revokes older credentials, except the token that made the change."""
        return version == self.token_version or (
            token_id is not None and token_id == self.kept_token_id
        )

    def viewer(self, token: str, token_id: str) -> Viewer:
        return Viewer(
            self.id,
            self.username,
            self.email,
            self.bio,
            self.image,
            token,
            token_id,
            self.token_version,
            self.role,
            self.hidden_content,
        )


def account_of(row: Row[Any] | tuple[Any, ...]) -> Account:
    """An Account from ``COLUMNS`` (alone, or at the end of a wider row: see web sessions)."""
    return Account(*row[-len(COLUMNS) :])


async def load_account(db: AsyncSession | AsyncConnection, user_id: int) -> Account | None:
    # On a session: through its connection, as Core (no ORM execution layer).
    connection = await db.connection() if isinstance(db, AsyncSession) else db
    row = (await connection.execute(_ACCOUNT, {"user_id": user_id})).first()
    return None if row is None else account_of(row)


class AccountReader:
    """Accounts by id on PostgreSQL and MariaDB through ``conduit.keyed``: the same indexed
    statement, on a dedicated driver-level connection, shared by the requests that ask at the same
    time. Each request's lookup starts after the request did, so a revocation committed before it
    holds exactly as with a statement of its own; it costs a fraction of SQLAlchemy's path
    (docs/performance.md). The driver's values are those SQLAlchemy would give (plain columns)."""

    TIMEOUT = 1.0  # seconds: a slower round fails (Unavailable); Resources.account then falls back

    def __init__(self, url: URL) -> None:
        names = [column.key for column in COLUMNS]
        self._rows = KeyedReads(url, User.__tablename__, names, "bigint", self.TIMEOUT)

    @property
    def statement(self) -> str:
        return self._rows.statement

    async def load(self, user_id: int) -> Account | None:
        try:
            row = (await self._rows.read((user_id,))).get(user_id)
        except Exception as exc:  # the driver's own errors, a timeout: the database is away
            raise database_unavailable() from exc
        return None if row is None else Account(*row)

    async def close(self) -> None:
        await self._rows.close()


def admit(account: Account | None, version: int, token_id: str | None) -> Account:
    """The account a credential names if it may still act: 401 when gone or revoked, 403 when
    suspended. The one check every API request's authentication goes through."""
    if account is None:
        raise Unauthorized("is invalid")
    if not account.accepts(version, token_id):
        raise Unauthorized("is revoked")
    if account.suspended_at is not None:
        raise Suspended()
    return account
