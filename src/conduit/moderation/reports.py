"""Reports from members, and the moderators' queue of them, grouped by item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.articles.queries import article_id_of
from conduit.db import inserted_id
from conduit.errors import AlreadyReported, NotFound
from conduit.identity import Viewer
from conduit.models import Article, Comment, Report, User, utcnow
from conduit.uow import UnitOfWork
from conduit.visibility import comments_visible, sight_of

OPEN, RESOLVED = "open", "resolved"
ARTICLE, COMMENT = "article", "comment"


@dataclass(frozen=True, slots=True)
class Filed:
    id: int
    target_type: str
    target_id: int
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReportedItem:
    """One reported item of the queue: how many reports, the latest reasons, what it is."""

    target_type: str
    target_id: int
    reports: int
    first_at: datetime
    last_at: datetime
    reasons: tuple[str, ...]
    slug: str | None  # the article, or the comment's article (None once deleted)
    title: str | None  # the article's title, or the comment's body
    author: str | None
    hidden: bool


async def file(
    uow: UnitOfWork, viewer: Viewer, slug: str, comment_id: int | None, reason: str
) -> Filed:
    """A member's report of an article (or of one of its comments): one per member per item."""
    session = uow.session
    sight = sight_of(viewer)
    article_id = await article_id_of(session, slug, sight)
    target_type, target_id = ARTICLE, article_id
    if comment_id is not None:
        found = (
            await session.execute(
                select(Comment.id).where(
                    Comment.id == comment_id,
                    Comment.article_id == article_id,
                    comments_visible(sight),
                )
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("comment")
        target_type, target_id = COMMENT, comment_id

    async def work() -> Filed:
        now = utcnow()
        result = await session.execute(
            insert(Report).values(
                reporter_id=viewer.id,
                target_type=target_type,
                target_id=target_id,
                reason=reason,
                status=OPEN,
                created_at=now,
            )
        )
        report_id = inserted_id(result)
        return Filed(report_id, target_type, target_id, reason, now)

    try:
        return await uow.write(work)
    except IntegrityError:
        raise AlreadyReported() from None


async def resolve(
    session: AsyncSession, target_type: str, target_ids: list[int], resolution: str
) -> int:
    """Closes the open reports of these items (inside the caller's write); how many it closed."""
    if not target_ids:
        return 0
    result = await session.execute(
        update(Report)
        .where(
            Report.target_type == target_type,
            Report.target_id.in_(target_ids),
            Report.status == OPEN,
        )
        .values(status=RESOLVED, resolution=resolution, resolved_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def queue(
    session: AsyncSession, status: str, limit: int, offset: int
) -> tuple[list[ReportedItem], int]:
    """Reported items with reports in ``status``, the most recently reported first. A fixed
    number of statements whatever the page size: groups, total, reasons, articles, comments."""
    groups = (
        await session.execute(
            select(
                Report.target_type,
                Report.target_id,
                func.count().label("reports"),
                func.min(Report.created_at).label("first_at"),
                func.max(Report.created_at).label("last_at"),
            )
            .where(Report.status == status)
            .group_by(Report.target_type, Report.target_id)
            .order_by(func.max(Report.created_at).desc(), Report.target_type, Report.target_id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    distinct = (
        select(Report.target_type, Report.target_id)
        .where(Report.status == status)
        .group_by(Report.target_type, Report.target_id)
        .subquery()
    )
    total = (await session.execute(select(func.count()).select_from(distinct))).scalar_one()
    ids = {
        kind: [g.target_id for g in groups if g.target_type == kind] for kind in (ARTICLE, COMMENT)
    }
    reasons: dict[tuple[str, int], list[str]] = {}
    if groups:
        rows = await session.execute(
            select(Report.target_type, Report.target_id, Report.reason)
            .where(
                Report.status == status,
                (Report.target_type == ARTICLE) & Report.target_id.in_(ids[ARTICLE] or [-1])
                | (Report.target_type == COMMENT) & Report.target_id.in_(ids[COMMENT] or [-1]),
            )
            .order_by(Report.created_at.desc(), Report.id.desc())
        )
        for kind, target_id, reason in rows:
            reasons.setdefault((kind, target_id), []).append(reason)
    described = await _describe(session, ids)
    items = [
        ReportedItem(
            g.target_type,
            g.target_id,
            g.reports,
            g.first_at,
            g.last_at,
            tuple(reasons.get((g.target_type, g.target_id), [])[:5]),
            *described.get((g.target_type, g.target_id), (None, None, None, False)),
        )
        for g in groups
    ]
    return items, total


async def _describe(
    session: AsyncSession, ids: dict[str, list[int]]
) -> dict[tuple[str, int], tuple[str | None, str | None, str | None, bool]]:
    # Both statements whatever the page holds: the same count for 1 item as for 20.
    found: dict[tuple[str, int], tuple[str | None, str | None, str | None, bool]] = {}
    if ids[ARTICLE] or ids[COMMENT]:
        rows = await session.execute(
            select(Article.id, Article.slug, Article.title, User.username, Article.hidden_at)
            .join(User, User.id == Article.author_id)
            .where(Article.id.in_(ids[ARTICLE]))
        )
        for row in rows:
            found[(ARTICLE, row.id)] = (
                row.slug,
                row.title,
                row.username,
                row.hidden_at is not None,
            )
    if ids[ARTICLE] or ids[COMMENT]:
        rows = await session.execute(
            select(Comment.id, Article.slug, Comment.body, User.username, Comment.hidden_at)
            .join(Article, Article.id == Comment.article_id)
            .join(User, User.id == Comment.author_id)
            .where(Comment.id.in_(ids[COMMENT]))
        )
        for row in rows:
            found[(COMMENT, row.id)] = (
                row.slug,
                row.body[:200],
                row.username,
                row.hidden_at is not None,
            )
    return found
