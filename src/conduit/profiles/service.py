"""Public profiles and the follow relation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    false,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from conduit import generations
from conduit.db import first, insert_ignore
from conduit.driver import reusable
from conduit.errors import Invalid, NotFound
from conduit.identity import Viewer
from conduit.models import Follow, User
from conduit.profiles.views import Profile
from conduit.uow import UnitOfWork

# The viewer's id in statements built once at import (a hot read's statement is then neither
# rebuilt nor re-keyed for SQLAlchemy's compiled cache on every request): pass ``viewer_id``.
VIEWER: BindParameter[int] = bindparam("viewer_id", type_=Integer)


def following_clause(
    viewer_id: int | BindParameter[int] | None, author_id: InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """Whether the viewer follows ``author_id``, as a column expression (false when anonymous)."""
    if viewer_id is None:
        return false()
    return exists().where(and_(Follow.follower_id == viewer_id, Follow.followee_id == author_id))


def _profile_statement(viewer: BindParameter[int] | None) -> Select[Any]:
    columns: list[Any] = [
        User.id,
        User.username,
        User.bio,
        User.image,
        following_clause(viewer, User.id).label("following"),
    ]
    return reusable(select(*columns).where(User.username == bindparam("username")))


_PROFILE = {False: _profile_statement(None), True: _profile_statement(VIEWER)}


async def get(session: AsyncSession, username: str, viewer_id: int | None) -> Profile:
    statement = _PROFILE[viewer_id is not None]
    params = {"username": username, "viewer_id": viewer_id}
    row = await first(session, statement, params)
    if row is None:
        raise NotFound("profile")
    return Profile(row.id, row.username, row.bio, row.image, bool(row.following))


async def _target(session: AsyncSession, username: str) -> Profile:
    return await get(session, username, None)


async def follow(uow: UnitOfWork, username: str, viewer: Viewer) -> Profile:
    target = await _target(uow.session, username)
    if target.id == viewer.id:
        raise Invalid("profile", "cannot follow yourself")

    async def work() -> None:
        # Idempotent and race-safe: the primary key keeps one row however many requests arrive.
        await uow.session.execute(
            insert_ignore(
                uow.session, Follow, [{"follower_id": viewer.id, "followee_id": target.id}]
            )
        )
        uow.touch(generations.relations_of(viewer.id))

    await uow.write(work)
    return Profile(target.id, target.username, target.bio, target.image, True)


async def unfollow(uow: UnitOfWork, username: str, viewer: Viewer) -> Profile:
    target = await _target(uow.session, username)

    async def work() -> None:
        await uow.session.execute(
            delete(Follow).where(Follow.follower_id == viewer.id, Follow.followee_id == target.id)
        )
        uow.touch(generations.relations_of(viewer.id))

    await uow.write(work)
    return Profile(target.id, target.username, target.bio, target.image, False)
