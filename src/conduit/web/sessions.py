"""Server-side sessions: the database row is the record; Redis, when configured, is a copy that
answers most reads and expires by itself after the idle timeout.

The browser holds only an opaque random id. What is stored is its SHA-256, so a leaked table or
Redis dump cannot be replayed as a cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.models import WebSession, utcnow
from conduit.settings import Settings
from conduit.web.csrf import new_secret

REDIS_PREFIX = "conduit:web-session:"
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


def _dump(record: SessionRecord) -> bytes:
    return orjson.dumps(
        {
            "u": record.user_id,
            "c": record.csrf_token,
            "v": record.token_version,
            "t0": record.created_at.isoformat(),
            "t1": record.last_seen_at.isoformat(),
        }
    )


def _load(key: str, raw: bytes | str) -> SessionRecord:
    data = orjson.loads(raw)
    return SessionRecord(
        key,
        int(data["u"]),
        str(data["c"]),
        int(data["v"]),
        datetime.fromisoformat(data["t0"]),
        datetime.fromisoformat(data["t1"]),
    )


class SessionStore:
    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        self.idle = timedelta(seconds=settings.web_session_idle_seconds)
        self.absolute = timedelta(seconds=settings.web_session_absolute_seconds)
        self.redis = redis

    async def create(self, db: AsyncSession, user_id: int, token_version: int) -> tuple[str, str]:
        """A new session for ``user_id``: returns (the cookie value, the CSRF token)."""
        raw_id = secrets.token_urlsafe(32)
        now = utcnow()
        record = SessionRecord(hashed(raw_id), user_id, new_secret(), token_version, now, now)
        # Expired rows of every user are swept here, so the table cannot grow without bound.
        await db.execute(
            delete(WebSession).where(
                or_(
                    WebSession.last_seen_at < now - self.idle,
                    WebSession.created_at < now - self.absolute,
                )
            )
        )
        await db.execute(
            insert(WebSession).values(
                id=record.key,
                user_id=user_id,
                csrf_token=record.csrf_token,
                token_version=token_version,
                created_at=now,
                last_seen_at=now,
            )
        )
        await db.commit()
        await self._cache(record)
        return raw_id, record.csrf_token

    async def load(self, db: AsyncSession, raw_id: str) -> SessionRecord | None:
        """The live session behind a cookie value; None if unknown, idle too long or too old."""
        if not raw_id or len(raw_id) > MAX_ID_LENGTH:
            return None
        key = hashed(raw_id)
        record = await self._cached(key)
        if record is None:
            record = await self._from_db(db, key)
            if record is None:
                return None
            await self._cache(record)
        now = utcnow()
        if now - record.last_seen_at > self.idle or now - record.created_at > self.absolute:
            await self.delete(db, key)
            return None
        if now - record.last_seen_at >= TOUCH_EVERY:
            record = replace(record, last_seen_at=now)
            await db.execute(
                update(WebSession).where(WebSession.id == key).values(last_seen_at=now)
            )
            await db.commit()
            await self._cache(record)
        return record

    async def delete(self, db: AsyncSession, key: str) -> None:
        await db.execute(delete(WebSession).where(WebSession.id == key))
        await db.commit()
        await self._forget([key])

    async def end_all(self, db: AsyncSession, user_id: int) -> None:
        """Ends every session of the user (after a password change, before a fresh one)."""
        keys = list(
            (await db.execute(select(WebSession.id).where(WebSession.user_id == user_id))).scalars()
        )
        await db.execute(delete(WebSession).where(WebSession.user_id == user_id))
        await db.commit()
        await self._forget(keys)

    async def _from_db(self, db: AsyncSession, key: str) -> SessionRecord | None:
        row = (
            await db.execute(
                select(
                    WebSession.user_id,
                    WebSession.csrf_token,
                    WebSession.token_version,
                    WebSession.created_at,
                    WebSession.last_seen_at,
                ).where(WebSession.id == key)
            )
        ).first()
        if row is None:
            return None
        return SessionRecord(key, row[0], row[1], row[2], row[3], row[4])

    # Redis is an accelerator: any failure of it falls back to the database silently.
    async def _cached(self, key: str) -> SessionRecord | None:
        if self.redis is None:
            return None
        try:
            raw = await self.redis.get(REDIS_PREFIX + key)
            return None if raw is None else _load(key, raw)
        except (RedisError, OSError, ValueError, KeyError):
            return None

    async def _cache(self, record: SessionRecord) -> None:
        if self.redis is None:
            return
        # The copy vanishes when the session would go idle (or reach its absolute end).
        remaining = (
            min(record.last_seen_at + self.idle, record.created_at + self.absolute) - utcnow()
        )
        seconds = max(1, int(remaining.total_seconds()))
        try:
            await self.redis.set(REDIS_PREFIX + record.key, _dump(record), ex=seconds)
        except (RedisError, OSError):
            return

    async def _forget(self, keys: list[str]) -> None:
        if self.redis is None or not keys:
            return
        try:
            await self.redis.delete(*(REDIS_PREFIX + key for key in keys))
        except (RedisError, OSError):
            return
