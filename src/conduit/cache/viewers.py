"""The viewer's own cached state: their account row (for authentication) and their relations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.cache import core
from conduit.cache.core import Cache
from conduit.cache.views import Relations
from conduit.models import Favorite, Follow, User


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    email: str
    bio: str | None
    image: str | None
    token_version: int
    kept_token_id: str | None

    def accepts(self, version: int, token_id: str) -> bool:
        # A password change revokes older tokens, except the one that made the change.
        return version == self.token_version or token_id == self.kept_token_id


_ACCOUNT = select(
    User.id,
    User.username,
    User.email,
    User.bio,
    User.image,
    User.token_version,
    User.kept_token_id,
)


async def load_account(session: AsyncSession, user_id: int) -> Account | None:
    row = (await session.execute(_ACCOUNT.where(User.id == user_id))).first()
    return None if row is None else Account(*row)


async def account(cache: Cache | None, session: AsyncSession, user_id: int) -> Account | None:
    if cache is None:
        return await load_account(session, user_id)
    generations = await cache.read([core.account_of(user_id)])
    key = f"account:{user_id}"
    found: Account | None = cache.get("account", key, generations)
    if found is None:
        found = await load_account(session, user_id)
        if found is not None:
            cache.put(key, generations, found)
    return found


async def load_relations(session: AsyncSession, user_id: int) -> Relations:
    query = union_all(
        select(Favorite.article_id, literal(0)).where(Favorite.user_id == user_id),
        select(Follow.followee_id, literal(1)).where(Follow.follower_id == user_id),
    )
    rows = (await session.execute(query)).all()
    return Relations(
        frozenset(other for other, kind in rows if kind == 0),
        frozenset(other for other, kind in rows if kind == 1),
    )


async def relations(
    cache: Cache, session: AsyncSession, user_id: int, generations: Sequence[int] | None
) -> Relations:
    """The viewer's relations; ``generations`` is ``[relations generation]`` read by the caller."""
    key = f"relations:{user_id}"
    found: Relations | None = cache.get("relations", key, generations)
    if found is None:
        found = await load_relations(session, user_id)
        cache.put(key, generations, found)
    return found
