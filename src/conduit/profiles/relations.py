"""One viewer's relations: what they favorited and whom they follow (their per-viewer flags)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.models import Favorite, Follow


@dataclass(frozen=True, slots=True)
class Relations:
    favorites: frozenset[int]  # article ids
    following: frozenset[int]  # user ids


NONE = Relations(frozenset(), frozenset())


async def load_relations(session: AsyncSession, user_id: int) -> Relations:
    """Both sets in one statement."""
    query = union_all(
        select(Favorite.article_id, literal(0)).where(Favorite.user_id == user_id),
        select(Follow.followee_id, literal(1)).where(Follow.follower_id == user_id),
    )
    rows = (await session.execute(query)).all()
    return Relations(
        frozenset(other for other, kind in rows if kind == 0),
        frozenset(other for other, kind in rows if kind == 1),
    )
