"""``conduit cache clear``: makes every cached entry of every process unusable at once, by bumping
the global generation ``cg:all`` wherever generations live (the database table always, Redis when
configured). For operators after changing data by hand (SQL), and run by ``conduit seed``."""

from __future__ import annotations

from redis.asyncio import Redis

from conduit.cache.generations import ALL, FLOOR, fresh_generation
from conduit.cache.shared import pipelining
from conduit.cache.table import bump_statement
from conduit.db import create_engine
from conduit.settings import Settings


async def clear_everywhere(settings: Settings) -> list[str]:
    """Bumps ``cg:all``; returns where. Raises when a configured store cannot be reached."""
    done: list[str] = []
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.execute(bump_statement(engine.dialect.name, [ALL]))
        done.append("database")
    finally:
        await engine.dispose()
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        client = pipelining(redis)
        try:
            (value,) = await client.pipeline([("INCR", ALL)])
            if value < FLOOR:  # a missing counter: start it at the clock like the readers do
                await client.pipeline([("SET", ALL, fresh_generation())])
            done.append("redis")
        finally:
            await client.close()
            await redis.aclose()
    return done
