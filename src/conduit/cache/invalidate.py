"""Called by every write, right after its commit: bumps the generations of what it changed.

The cache travels on the session (``session.info``, set by the session factory), so any caller of
the services (API, web pages, scripts) invalidates without knowing about the cache.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from conduit.cache.core import Cache

INFO_KEY = "conduit.cache"


async def changed(session: AsyncSession, *names: str) -> None:
    cache: Cache | None = session.info.get(INFO_KEY)
    if cache is not None:
        await cache.invalidate(*names)
