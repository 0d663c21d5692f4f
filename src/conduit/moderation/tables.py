"""The moderators' tables of users, articles and comments: search, filters, sort, pages.

Each runs two statements (a page and its total), whatever the page size; open report counts
come from a correlated subquery in the same statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.models import Article, Comment, Report, User


@dataclass(frozen=True, slots=True)
class TableQuery:
    q: str | None = None
    status: str | None = None  # users: active|suspended; content: visible|hidden
    role: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: str = "-created"  # created | -created | name
    limit: int = 20
    offset: int = 0
    exact: str | None = None  # one user by username, one article by slug (detail pages)


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    username: str
    email: str
    role: str
    suspended_at: datetime | None
    created_at: datetime
    articles: int


@dataclass(frozen=True, slots=True)
class ArticleRow:
    id: int
    slug: str
    title: str
    author: str
    hidden_at: datetime | None
    hidden_reason: str | None
    created_at: datetime
    open_reports: int


@dataclass(frozen=True, slots=True)
class CommentRow:
    id: int
    body: str
    slug: str
    author: str
    hidden_at: datetime | None
    hidden_reason: str | None
    created_at: datetime
    open_reports: int


def _like(column: Any, q: str) -> ColumnElement[bool]:
    return func.lower(column).contains(q.lower(), autoescape=True)


def _dates(column: Any, query: TableQuery) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.since is not None:
        found.append(column >= query.since)
    if query.until is not None:
        found.append(column < query.until)
    return found


def _open_reports(kind: str, target: Any) -> Any:
    return (
        select(func.count())
        .where(Report.target_type == kind, Report.target_id == target, Report.status == "open")
        .correlate_except(Report)
        .scalar_subquery()
    )


async def _page(
    session: AsyncSession, query: Select[Any], conditions: list[ColumnElement[bool]], t: TableQuery
) -> tuple[list[Any], int]:
    rows = (await session.execute(query.where(*conditions).limit(t.limit).offset(t.offset))).all()
    counted = query.where(*conditions).order_by(None).subquery()
    total = (await session.execute(select(func.count()).select_from(counted))).scalar_one()
    return list(rows), total


def _order(t: TableQuery, created: Any, name: Any, key: Any) -> list[Any]:
    if t.sort == "name":
        return [name, key]
    if t.sort == "created":
        return [created.asc(), key.asc()]
    return [created.desc(), key.desc()]


async def users(session: AsyncSession, t: TableQuery) -> tuple[list[UserRow], int]:
    written = (
        select(func.count()).where(Article.author_id == User.id).correlate(User).scalar_subquery()
    )
    query = select(
        User.id, User.username, User.email, User.role, User.suspended_at, User.created_at, written
    ).order_by(*_order(t, User.created_at, User.username, User.id))
    conditions = _dates(User.created_at, t)
    if t.q:
        conditions.append(or_(_like(User.username, t.q), _like(User.email, t.q)))
    if t.role:
        conditions.append(User.role == t.role)
    if t.exact is not None:
        conditions.append(User.username == t.exact)
    if t.status == "suspended":
        conditions.append(User.suspended_at.is_not(None))
    elif t.status == "active":
        conditions.append(User.suspended_at.is_(None))
    rows, total = await _page(session, query, conditions, t)
    return [UserRow(*row) for row in rows], total


def _content_status(column: Any, t: TableQuery) -> list[ColumnElement[bool]]:
    if t.status == "hidden":
        return [column.is_not(None)]
    if t.status == "visible":
        return [column.is_(None)]
    return []


async def articles(session: AsyncSession, t: TableQuery) -> tuple[list[ArticleRow], int]:
    query = (
        select(
            Article.id,
            Article.slug,
            Article.title,
            User.username,
            Article.hidden_at,
            Article.hidden_reason,
            Article.created_at,
            _open_reports("article", Article.id),
        )
        .join(User, User.id == Article.author_id)
        .order_by(*_order(t, Article.created_at, Article.title, Article.id))
    )
    conditions = [*_dates(Article.created_at, t), *_content_status(Article.hidden_at, t)]
    if t.q:
        conditions.append(or_(_like(Article.title, t.q), _like(Article.slug, t.q)))
    if t.author:
        conditions.append(User.username == t.author)
    if t.exact is not None:
        conditions.append(Article.slug == t.exact)
    rows, total = await _page(session, query, conditions, t)
    return [ArticleRow(*row) for row in rows], total


async def comments(session: AsyncSession, t: TableQuery) -> tuple[list[CommentRow], int]:
    query = (
        select(
            Comment.id,
            Comment.body,
            Article.slug,
            User.username,
            Comment.hidden_at,
            Comment.hidden_reason,
            Comment.created_at,
            _open_reports("comment", Comment.id),
        )
        .join(Article, Article.id == Comment.article_id)
        .join(User, User.id == Comment.author_id)
        .order_by(*_order(t, Comment.created_at, Comment.id, Comment.id))
    )
    conditions = [*_dates(Comment.created_at, t), *_content_status(Comment.hidden_at, t)]
    if t.q:
        conditions.append(_like(Comment.body, t.q))
    if t.author:
        conditions.append(User.username == t.author)
    rows, total = await _page(session, query, conditions, t)
    return [CommentRow(*row) for row in rows], total
