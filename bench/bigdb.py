"""Bench-only: fills a PostgreSQL database fast with COPY, for the scaling check."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import asyncpg
import orjson

from bench.seed import TAGS
from conduit.security import Tokens
from conduit.settings import Settings

USERS = 50
FOLLOWS = 10


async def fill(dsn: str, articles: int, settings: Settings) -> list[str]:
    """Inserts users, follows, tags and ``articles`` articles; returns one token per user."""
    rng = random.Random(11)
    connection = await asyncpg.connect(dsn)
    try:
        start = datetime(2024, 1, 1)
        users = [
            (n + 1, f"user{n}", f"user{n}@bench.test", "x", None, None, 0, None, start, start)
            for n in range(USERS)
        ]
        await connection.copy_records_to_table(
            "users",
            records=users,
            columns=[
                "id",
                "username",
                "email",
                "password_hash",
                "bio",
                "image",
                "token_version",
                "kept_token_id",
                "created_at",
                "updated_at",
            ],
        )
        follows = [
            (u, other, start)
            for u in range(1, USERS + 1)
            for other in rng.sample([o for o in range(1, USERS + 1) if o != u], FOLLOWS)
        ]
        await connection.copy_records_to_table(
            "follows", records=follows, columns=["follower_id", "followee_id", "created_at"]
        )
        await connection.copy_records_to_table(
            "tags", records=[(i + 1, t) for i, t in enumerate(TAGS)], columns=["id", "name"]
        )
        rows, links = [], []
        for n in range(1, articles + 1):
            tags = sorted(rng.sample(range(len(TAGS)), rng.randint(1, 4)))
            moment = start + timedelta(seconds=n * 7)
            rows.append(
                (
                    n,
                    f"article-{n}",
                    f"Article {n}",
                    "A description of the article.",
                    "Some *markdown* body. " * 10,
                    orjson.dumps(sorted(TAGS[t] for t in tags)).decode(),
                    0,
                    rng.randint(1, USERS),
                    moment,
                    moment,
                )
            )
            links += [(n, t + 1) for t in tags]
        await connection.copy_records_to_table(
            "articles",
            records=rows,
            columns=[
                "id",
                "slug",
                "title",
                "description",
                "body",
                "tag_list",
                "favorites_count",
                "author_id",
                "created_at",
                "updated_at",
            ],
        )
        await connection.copy_records_to_table(
            "article_tags", records=links, columns=["article_id", "tag_id"]
        )
        for table in ("users", "tags", "articles"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        # The steady state autovacuum keeps a live database in (visibility map, statistics).
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    tokens = Tokens(settings)
    return [tokens.issue(n + 1, 0) for n in range(USERS)]
