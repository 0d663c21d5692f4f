"""Public profiles and the follow relation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, false, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from conduit.cache import core as cache
from conduit.cache.invalidate import changed
from conduit.db import insert_ignore
from conduit.deps import Viewer
from conduit.errors import Invalid, NotFound
from conduit.models import Follow, User


def following_clause(
    viewer_id: int | None, author_id: InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """Whether the viewer follows ``author_id``, as a column expression (false when anonymous)."""
    if viewer_id is None:
        return false()
    return exists().where(and_(Follow.follower_id == viewer_id, Follow.followee_id == author_id))


def profile(username: str, bio: str | None, image: str | None, following: bool) -> dict[str, Any]:
    return {"username": username, "bio": bio, "image": image, "following": bool(following)}


async def profile_row(session: AsyncSession, username: str, viewer_id: int | None) -> Any:
    """(username, bio, image, following, id) of one user, or NotFound."""
    row = (
        await session.execute(
            select(
                User.username, User.bio, User.image, following_clause(viewer_id, User.id), User.id
            ).where(User.username == username)
        )
    ).first()
    if row is None:
        raise NotFound("profile")
    return row


async def get(session: AsyncSession, username: str, viewer: Viewer | None) -> dict[str, Any]:
    row = await profile_row(session, username, viewer.id if viewer else None)
    return {"profile": profile(row[0], row[1], row[2], row[3])}


async def _target(session: AsyncSession, username: str) -> tuple[int, str, str | None, str | None]:
    row = (
        await session.execute(
            select(User.id, User.username, User.bio, User.image).where(User.username == username)
        )
    ).first()
    if row is None:
        raise NotFound("profile")
    return row[0], row[1], row[2], row[3]


async def follow(session: AsyncSession, username: str, viewer: Viewer) -> dict[str, Any]:
    target_id, name, bio, image = await _target(session, username)
    if target_id == viewer.id:
        raise Invalid("profile", "cannot follow yourself")
    # Idempotent and race-safe: the primary key keeps one row however many requests arrive.
    await session.execute(
        insert_ignore(session, Follow, [{"follower_id": viewer.id, "followee_id": target_id}])
    )
    await session.commit()
    await changed(session, cache.relations_of(viewer.id))
    return {"profile": profile(name, bio, image, True)}


async def unfollow(session: AsyncSession, username: str, viewer: Viewer) -> dict[str, Any]:
    target_id, name, bio, image = await _target(session, username)
    await session.execute(
        delete(Follow).where(Follow.follower_id == viewer.id, Follow.followee_id == target_id)
    )
    await session.commit()
    await changed(session, cache.relations_of(viewer.id))
    return {"profile": profile(name, bio, image, False)}
