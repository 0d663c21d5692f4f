"""Suspending and reactivating accounts (moderators), and changing roles (admins, the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.errors import Forbidden, Invalid, NotFound
from conduit.models import Article, Comment, User, WebSession, utcnow
from conduit.moderation import audit, reports
from conduit.moderation.actor import ADMIN, ROLES, STAFF, Actor, require
from conduit.moderation.audit import Target
from conduit.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Member:
    """An account as moderators see it (never shown by the public API)."""

    id: int
    username: str
    role: str
    suspended_at: datetime | None
    resolved_reports: int = 0


async def _locked(session: AsyncSession, username: str) -> Any:
    row = (
        await session.execute(
            select(User.id, User.username, User.role, User.suspended_at)
            .where(User.username == username)
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound("profile")
    return row


async def set_suspended(
    uow: UnitOfWork, actor: Actor, username: str, suspend: bool, reason: str
) -> Member:
    """Suspends (or reactivates) an account: its tokens and web sessions stop at the next request
    on every worker (authentication reads the database), its content is hidden meanwhile."""
    require(actor, STAFF)
    session = uow.session

    async def work() -> Member:
        row = await _locked(session, username)
        if row.id == actor.id:
            raise Invalid("profile", "cannot suspend yourself")
        if row.role != "member" and actor.role != ADMIN:
            raise Forbidden("role")  # only an admin acts on staff accounts
        # The condition is in the UPDATE: of two racing moderators exactly one changes the row
        # (SQLite locks nothing on a SELECT), the other records that it found it so already.
        current = User.suspended_at.is_(None) if suspend else User.suspended_at.is_not(None)
        moment = utcnow() if suspend else None
        result = await session.execute(
            update(User).where(User.id == row.id, current).values(suspended_at=moment)
        )
        changed = getattr(result, "rowcount", 0) == 1
        if not changed:
            # Locking read: the latest commit, not this transaction's snapshot (MariaDB).
            latest = select(User.suspended_at).where(User.id == row.id).with_for_update()
            moment = (await session.execute(latest)).scalar_one()
        before = {"suspended": (not suspend) if changed else moment is not None}
        resolved = 0
        if suspend and changed:
            await session.execute(delete(WebSession).where(WebSession.user_id == row.id))
            # Its reported items are dealt with: they are hidden now with their author.
            articles = select(Article.id).where(Article.author_id == row.id)
            comments = select(Comment.id).where(Comment.author_id == row.id)
            resolved += await reports.resolve(
                session,
                reports.ARTICLE,
                list((await session.execute(articles)).scalars()),
                "suspended",
            )
            resolved += await reports.resolve(
                session,
                reports.COMMENT,
                list((await session.execute(comments)).scalars()),
                "suspended",
            )
        after = {"suspended": moment is not None}
        action = "user.suspend" if suspend else "user.reactivate"
        await audit.record(
            session, actor, action, Target("user", row.id, row.username), reason, before, after
        )
        # Its articles and comments leave (or come back to) every list, thread and count.
        uow.touch(generations.ARTICLES, generations.TAGS, generations.SLUGS, generations.USERS)
        return Member(row.id, row.username, row.role, moment, resolved)

    return await uow.write(work)


async def set_role(uow: UnitOfWork, actor: Actor, username: str, role: str, reason: str) -> Member:
    require(actor, (ADMIN,))
    if role not in ROLES:
        raise Invalid("role", f"must be one of {', '.join(ROLES)}")
    session = uow.session

    async def work() -> Member:
        row = await _locked(session, username)
        if row.id == actor.id:
            raise Invalid("role", "cannot change your own role")
        if row.role != role:
            await session.execute(update(User).where(User.id == row.id).values(role=role))
        target = Target("user", row.id, row.username)
        await audit.record(
            session, actor, "user.role", target, reason, {"role": row.role}, {"role": role}
        )
        return Member(row.id, row.username, role, row.suspended_at)

    return await uow.write(work)
