"""Hiding, unhiding and deleting articles and comments (moderators hide, admins delete)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.errors import NotFound
from conduit.models import Article, Comment, User, utcnow
from conduit.moderation import audit, reports
from conduit.moderation.actor import ADMIN, STAFF, Actor, require
from conduit.moderation.audit import Target
from conduit.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Moderated:
    """What an action left: the item, whether it is hidden now, the reports it resolved."""

    target_type: str
    target_id: int
    label: str
    hidden: bool
    resolved_reports: int


async def recount_hidden(session: AsyncSession, user_id: int) -> None:
    """Recomputes how many of a user's items are hidden (never drifts, whatever raced)."""
    articles = (
        select(func.count()).where(Article.author_id == user_id, Article.hidden_at.is_not(None))
    ).scalar_subquery()
    comments = (
        select(func.count()).where(Comment.author_id == user_id, Comment.hidden_at.is_not(None))
    ).scalar_subquery()
    await session.execute(
        update(User).where(User.id == user_id).values(hidden_content=articles + comments)
    )


def _state(hidden_at: Any, reason: str | None) -> dict[str, Any]:
    return {"hidden": hidden_at is not None, "hiddenReason": reason}


async def _flip(
    session: AsyncSession,
    model: type[Article] | type[Comment],
    row_id: int,
    hide: bool,
    reason: str,
    old_reason: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Hides or unhides one row; the state before and after, for the audit row.

    The UPDATE carries the condition (only a visible row is hidden, only a hidden one shown):
    of two moderators racing, exactly one changes the row and the other records that it found it
    so already. SQLite takes no row lock on a SELECT, so this is what makes it hold there too."""
    current = model.hidden_at.is_(None) if hide else model.hidden_at.is_not(None)
    values = (
        {"hidden_at": utcnow(), "hidden_reason": reason}
        if hide
        else {
            "hidden_at": None,
            "hidden_reason": None,
        }
    )
    result = await session.execute(
        update(model).where(model.id == row_id, current).values(**values)
    )
    # A locking read: it sees the latest commit (a plain one would see MariaDB's snapshot, taken
    # when this request authenticated, before the other moderator's change).
    latest = select(model.hidden_at, model.hidden_reason).where(model.id == row_id)
    now = (await session.execute(latest.with_for_update())).one()
    after = _state(now.hidden_at, now.hidden_reason)
    if getattr(result, "rowcount", 0) == 1:
        return {"hidden": not hide, "hiddenReason": None if hide else old_reason}, after
    return after, after


async def set_article_hidden(
    uow: UnitOfWork, actor: Actor, slug: str, hide: bool, reason: str
) -> Moderated:
    require(actor, STAFF)
    session = uow.session

    async def work() -> Moderated:
        # Locked: two moderators on one article see each other's result, never a stale state.
        row = (
            await session.execute(
                select(Article.id, Article.author_id, Article.hidden_reason)
                .where(Article.slug == slug)
                .with_for_update()
            )
        ).first()
        if row is None:
            raise NotFound("article")
        before, after = await _flip(session, Article, row.id, hide, reason, row.hidden_reason)
        if before != after:
            await recount_hidden(session, row.author_id)
        resolved = await reports.resolve(
            session, reports.ARTICLE, [row.id], "hidden" if hide else "unhidden"
        )
        target = Target("article", row.id, slug)
        action = "article.hide" if hide else "article.unhide"
        await audit.record(session, actor, action, target, reason, before, after)
        # Lists, counts and tags change; its comment thread appears or 404s.
        uow.touch(generations.ARTICLES, generations.TAGS, generations.SLUGS)
        return Moderated("article", row.id, slug, hide, resolved)

    return await uow.write(work)


async def set_comment_hidden(
    uow: UnitOfWork, actor: Actor, comment_id: int, hide: bool, reason: str
) -> Moderated:
    require(actor, STAFF)
    session = uow.session

    async def work() -> Moderated:
        row = (
            await session.execute(
                select(
                    Comment.id,
                    Comment.author_id,
                    Comment.hidden_at,
                    Comment.hidden_reason,
                    Article.slug,
                )
                .join(Article, Article.id == Comment.article_id)
                .where(Comment.id == comment_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            raise NotFound("comment")
        before, after = await _flip(session, Comment, row.id, hide, reason, row.hidden_reason)
        if before != after:
            await recount_hidden(session, row.author_id)
        resolved = await reports.resolve(
            session, reports.COMMENT, [row.id], "hidden" if hide else "unhidden"
        )
        label = f"comment {row.id} on {row.slug}"
        action = "comment.hide" if hide else "comment.unhide"
        await audit.record(
            session, actor, action, Target("comment", row.id, label), reason, before, after
        )
        uow.touch(generations.comments_of(row.slug))
        return Moderated("comment", row.id, label, hide, resolved)

    return await uow.write(work)


async def delete_article(uow: UnitOfWork, actor: Actor, slug: str, reason: str) -> Moderated:
    """Deletes an article and its comments for good (admins only); its reports stay, resolved."""
    require(actor, (ADMIN,))
    session = uow.session

    async def work() -> Moderated:
        row = (
            await session.execute(
                select(Article.id, Article.author_id, Article.title, Article.hidden_at)
                .where(Article.slug == slug)
                .with_for_update()
            )
        ).first()
        if row is None:
            raise NotFound("article")
        comment_ids = list(
            (
                await session.execute(select(Comment.id).where(Comment.article_id == row.id))
            ).scalars()
        )
        resolved = await reports.resolve(session, reports.ARTICLE, [row.id], "deleted")
        resolved += await reports.resolve(session, reports.COMMENT, comment_ids, "deleted")
        await session.execute(delete(Article).where(Article.id == row.id))
        await recount_hidden(session, row.author_id)
        before = {"exists": True, "title": row.title, "hidden": row.hidden_at is not None}
        await audit.record(
            session,
            actor,
            "article.delete",
            Target("article", row.id, slug),
            reason,
            before,
            {"exists": False},
        )
        uow.touch(
            generations.ARTICLES, generations.TAGS, generations.SLUGS, generations.comments_of(slug)
        )
        return Moderated("article", row.id, slug, True, resolved)

    return await uow.write(work)


async def dismiss_reports(
    uow: UnitOfWork, actor: Actor, target_type: str, key: str | int, reason: str
) -> Moderated:
    """Closes an item's open reports without acting on it (``key``: a slug or a comment id)."""
    require(actor, STAFF)
    session = uow.session

    async def work() -> Moderated:
        if target_type == reports.ARTICLE:
            found = (
                await session.execute(
                    select(Article.id, Article.slug, Article.hidden_at).where(Article.slug == key)
                )
            ).first()
            label = str(key)
        else:
            found = (
                await session.execute(
                    select(Comment.id, Article.slug, Comment.hidden_at)
                    .join(Article, Article.id == Comment.article_id)
                    .where(Comment.id == key)
                )
            ).first()
            label = f"comment {key} on {found.slug}" if found else ""
        if found is None:
            raise NotFound(target_type)
        resolved = await reports.resolve(session, target_type, [found.id], "dismissed")
        await audit.record(
            session,
            actor,
            "reports.dismiss",
            Target(target_type, found.id, label),
            reason,
            {"openReports": resolved},
            {"openReports": 0},
        )
        return Moderated(target_type, found.id, label, found.hidden_at is not None, resolved)

    return await uow.write(work)
