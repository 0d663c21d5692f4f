"""Reads of articles and tags. Each function runs a fixed number of statements, whatever the size
of the page: authors, tags, favorite state and follow state come back in the same row. They return
typed views (``articles/views.py``); the API's presenter and the web templates render them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.articles.views import ArticlePage, ArticleView
from conduit.errors import NotFound
from conduit.models import Article, ArticleTag, Favorite, Follow, Tag, User
from conduit.profiles.service import following_clause
from conduit.profiles.views import Profile
from conduit.visibility import PUBLIC, Sight, articles_visible


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    tag: str | None = None
    author: str | None = None
    favorited: str | None = None
    feed_of: int | None = None  # a user id: only articles by authors this user follows


def favorited_clause(viewer_id: int | None) -> ColumnElement[bool]:
    if viewer_id is None:
        return false()
    return exists().where(and_(Favorite.user_id == viewer_id, Favorite.article_id == Article.id))


def _columns(viewer_id: int | None, with_body: bool) -> Select[Any]:
    columns: list[Any] = [
        Article.slug,
        Article.title,
        Article.description,
        Article.tag_list,
        Article.created_at,
        Article.updated_at,
        Article.favorites_count,
        User.username,
        User.bio,
        User.image,
        favorited_clause(viewer_id).label("favorited"),
        following_clause(viewer_id, Article.author_id).label("following"),
        Article.id.label("article_id"),
        Article.author_id,
        Article.hidden_at,
    ]
    if with_body:
        columns.append(Article.body)
    return select(*columns).join(User, User.id == Article.author_id)


def _view(row: Any, with_body: bool) -> ArticleView:
    author = Profile(row.author_id, row.username, row.bio, row.image, bool(row.following))
    return ArticleView(
        row.article_id,
        row.slug,
        row.title,
        row.description,
        row.body if with_body else None,
        tuple(row.tag_list),
        row.created_at,
        row.updated_at,
        bool(row.favorited),
        row.favorites_count,
        author,
        row.hidden_at is not None,
    )


def _conditions(filters: ArticleFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.tag is not None:
        conditions.append(
            Article.id.in_(
                select(ArticleTag.article_id)
                .join(Tag, Tag.id == ArticleTag.tag_id)
                .where(Tag.name == filters.tag)
            )
        )
    if filters.author is not None:
        conditions.append(
            Article.author_id.in_(select(User.id).where(User.username == filters.author))
        )
    if filters.favorited is not None:
        conditions.append(
            Article.id.in_(
                select(Favorite.article_id)
                .join(User, User.id == Favorite.user_id)
                .where(User.username == filters.favorited)
            )
        )
    if filters.feed_of is not None:
        conditions.append(
            Article.author_id.in_(
                select(Follow.followee_id).where(Follow.follower_id == filters.feed_of)
            )
        )
    return conditions


def _sight(viewer_id: int | None, sight: Sight | None) -> Sight:
    """By default a viewer sees the public articles and their own (conduit/visibility.py)."""
    return sight if sight is not None else Sight(viewer_id) if viewer_id is not None else PUBLIC


async def list_articles(
    session: AsyncSession,
    filters: ArticleFilter,
    viewer_id: int | None,
    limit: int,
    offset: int,
    sight: Sight | None = None,
) -> ArticlePage:
    """One page and the total count (two statements at most)."""
    conditions = [*_conditions(filters), articles_visible(_sight(viewer_id, sight))]
    page = (
        _columns(viewer_id, with_body=False)
        .where(*conditions)
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(page)).all()
    if offset == 0 and len(rows) < limit:
        count = len(rows)  # the whole result is on this page: no need to count
    else:
        count_query = select(func.count()).select_from(Article).where(*conditions)
        count = (await session.execute(count_query)).scalar_one()
    return ArticlePage(tuple(_view(row, False) for row in rows), count)


async def get_article(
    session: AsyncSession, slug: str, viewer_id: int | None, sight: Sight | None = None
) -> ArticleView:
    visible = articles_visible(_sight(viewer_id, sight))
    query = _columns(viewer_id, with_body=True).where(Article.slug == slug, visible)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("article")
    return _view(row, True)


async def article_id_of(session: AsyncSession, slug: str, sight: Sight | None = None) -> int:
    """The id behind a slug, for writes and sub-resources; 404 when there is none (or, given a
    ``sight``, when it is hidden from it)."""
    query = select(Article.id).where(Article.slug == slug)
    if sight is not None:
        query = query.where(articles_visible(sight))
    article_id = (await session.execute(query)).scalar_one_or_none()
    if article_id is None:
        raise NotFound("article")
    return article_id


async def popular_tags(session: AsyncSession) -> list[str]:
    uses = func.count(ArticleTag.article_id)
    query = (
        select(Tag.name)
        .join(ArticleTag, ArticleTag.tag_id == Tag.id)
        .join(Article, Article.id == ArticleTag.article_id)
        .where(articles_visible(PUBLIC))  # the same list for everyone: it is cached as one
        .group_by(Tag.id, Tag.name)
        .order_by(uses.desc(), Tag.name)
    )
    return list((await session.execute(query)).scalars())
