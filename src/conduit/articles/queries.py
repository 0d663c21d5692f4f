"""Reads of articles and tags. Each function runs a fixed number of statements, whatever the size
of the page: authors, tags, favorite state and follow state come back in the same row. They return
typed views (``articles/views.py``); the API's presenter and the web templates render them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import db
from conduit.articles.views import ArticlePage, ArticleView
from conduit.driver import reusable
from conduit.errors import NotFound
from conduit.models import (
    ALL_ARTICLES,
    Article,
    ArticleCount,
    ArticleTag,
    Favorite,
    Follow,
    Tag,
    TagCount,
    User,
)
from conduit.profiles.service import VIEWER, following_clause
from conduit.profiles.views import Profile
from conduit.visibility import PUBLIC, Sight, articles_visible, hidden_from, visible_to


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    tag: str | None = None
    author: str | None = None
    favorited: str | None = None
    feed_of: int | None = None  # a user id: only articles by authors this user follows


def favorited_clause(viewer_id: int | BindParameter[int] | None) -> ColumnElement[bool]:
    if viewer_id is None:
        return false()
    return exists().where(and_(Favorite.user_id == viewer_id, Favorite.article_id == Article.id))


def _columns(viewer_id: int | BindParameter[int] | None, with_body: bool) -> Select[Any]:
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


# The filters, each a bind parameter of its own name: every statement below is built once per
# shape (which filters, signed in or not, moderator or not; at most 64 shapes, remembered), so a
# request neither builds nor hashes a statement (the cache key of a statement built once is
# memoized on it; generating it was ~12% of a list's CPU in the profile).
FILTERS = ("tag", "author", "favorited", "feed_of")
SEER: BindParameter[int] = bindparam("seer", type_=Integer)  # whose own hidden articles show
_LIMIT: BindParameter[int] = bindparam("limit", type_=Integer)
_OFFSET: BindParameter[int] = bindparam("offset", type_=Integer)


def _condition(name: str) -> ColumnElement[bool]:
    value: BindParameter[Any] = bindparam(name)
    if name == "tag":
        # The tag's id first (one row by its unique name), so each candidate article is checked
        # with one probe of ``article_tags``' primary key rather than a join through ``tags``.
        tag_id = select(Tag.id).where(Tag.name == value).scalar_subquery()
        return Article.id.in_(select(ArticleTag.article_id).where(ArticleTag.tag_id == tag_id))
    if name == "author":
        return Article.author_id.in_(select(User.id).where(User.username == value))
    if name == "favorited":
        liked = select(Favorite.article_id).join(User, User.id == Favorite.user_id)
        return Article.id.in_(liked.where(User.username == value))
    return Article.author_id.in_(select(Follow.followee_id).where(Follow.follower_id == value))


def _sight(viewer_id: int | None, sight: Sight | None) -> Sight:
    """By default a viewer sees the public articles and their own (conduit/visibility.py)."""
    return sight if sight is not None else Sight(viewer_id) if viewer_id is not None else PUBLIC


# On PostgreSQL the first pages (``offset + limit`` within ``WINDOW`` rows: every page size the
# API allows) are read through a window of a literal size. Its plan cache keeps a prepared
# statement's generic plan (after five custom ones) only while that plan is estimated no dearer
# than a custom one; with ``LIMIT``/``OFFSET`` parameters the generic plan must guess 10% of
# the matches for each, a cost that grows with the table, so on a large table it always loses
# and every execution is planned afresh (~1 ms, more than running it). With a literal bound the
# generic plan knows it reads at most ``WINDOW`` rows: it is chosen, and good (an index walked
# newest first), at any size (docs/performance.md, "Counting at 100 000 articles"). MariaDB
# (aiomysql sends the values inline) and SQLite plan with the values they get, and MariaDB would
# materialise the whole window: they keep the plain statement.
WINDOW = 100


@cache
def _list_statements(
    names: tuple[str, ...], signed_in: bool, moderator: bool
) -> tuple[Any, Any, Any]:
    """For one shape: the page (with the total riding along) read through the window, the same
    page read plainly (past the window, and on the other databases), and the total alone."""
    conditions = [_condition(name) for name in names]
    # A member sees the public articles and their own (``seer``; NULL, anonymous, matches none).
    visible = true() if moderator else visible_to(SEER)
    counted = _count(names, conditions, visible, moderator)
    total = counted.scalar_subquery().label("total")
    matches = (
        _columns(VIEWER if signed_in else None, with_body=False)
        .where(*conditions, visible)
        .order_by(Article.created_at.desc(), Article.id.desc())
    )
    window = matches.limit(literal_column(str(WINDOW), Integer)).subquery("listed")
    # The order again: SQL promises none for a derived table's rows (PostgreSQL sees the window
    # already sorted and adds no sort).
    first = (
        select(*window.c, total)
        .order_by(window.c.created_at.desc(), window.c.article_id.desc())
        .limit(_LIMIT)
        .offset(_OFFSET)
    )
    deep = matches.add_columns(total).limit(_LIMIT).offset(_OFFSET)
    return reusable(first), reusable(deep), reusable(counted)


async def list_articles(
    session: AsyncSession,
    filters: ArticleFilter,
    viewer_id: int | None,
    limit: int,
    offset: int,
    sight: Sight | None = None,
) -> ArticlePage:
    """One page and the total count in one statement: the count rides along as an uncorrelated
    scalar subquery, which each database evaluates once. Only a page past the end (no row to
    carry it) costs a second statement."""
    seen = _sight(viewer_id, sight)
    values = {name: getattr(filters, name) for name in FILTERS}
    names = tuple(name for name in FILTERS if values[name] is not None)
    first, deep, total = _list_statements(names, viewer_id is not None, seen.moderator)
    windowed = offset + limit <= WINDOW and session.get_bind().dialect.name == "postgresql"
    page = first if windowed else deep
    params = {**values, "viewer_id": viewer_id, "seer": seen.viewer_id}
    rows = await db.rows(session, page, {**params, "limit": limit, "offset": offset})
    if rows:
        # int(): a SUM is a NUMERIC (a Decimal) on PostgreSQL and MariaDB.
        count = int(rows[0].total)
    elif offset == 0:
        count = 0
    else:
        count = int((await db.rows(session, total, params))[0][0])
    return ArticlePage(tuple(_view(row, False) for row in rows), count)


def _summed(counts: Any, key: Any, matching: Select[Any]) -> Select[Any]:
    return select(func.coalesce(func.sum(counts), 0)).where(key.in_(matching))


def _count(
    names: tuple[str, ...],
    conditions: list[ColumnElement[bool]],
    visible: ColumnElement[bool],
    moderator: bool,
) -> Select[Any]:
    """Every match the viewer may see, exactly, without visiting every matching article where a
    cheaper source holds the same number: the maintained counts, ``ArticleCount`` for all
    articles, one author and a feed, ``TagCount`` for a tag. Those include moderated articles
    (hidden, or by a suspended author), so the few the viewer may not see are counted apart and
    subtracted (indexes on ``articles.hidden_at`` and ``users.suspended_at`` keep that count to
    the moderated rows). Any combination of filters counts the visible matches themselves."""
    counted: Select[Any]
    if not names:
        counted = select(func.coalesce(func.sum(ArticleCount.articles), 0)).where(
            ArticleCount.author_id == ALL_ARTICLES
        )
    elif names == ("feed_of",):
        followed = select(Follow.followee_id).where(Follow.follower_id == bindparam("feed_of"))
        counted = _summed(ArticleCount.articles, ArticleCount.author_id, followed)
    elif names == ("author",):
        author = select(User.id).where(User.username == bindparam("author"))
        counted = _summed(ArticleCount.articles, ArticleCount.author_id, author)
    elif names == ("tag",):
        tag = select(Tag.id).where(Tag.name == bindparam("tag"))
        counted = _summed(TagCount.articles, TagCount.tag_id, tag)
    else:
        return select(func.count()).select_from(Article).where(*conditions, visible)
    if moderator:  # sees every article: the maintained count is the answer
        return counted
    hidden, suspended = (
        select(func.count()).select_from(Article).where(*conditions, part).scalar_subquery()
        for part in hidden_from(SEER)
    )
    return select(counted.scalar_subquery() - hidden - suspended)


# Built once: anonymous and signed-in (``VIEWER``), the slug a bind parameter. Anyone but a
# moderator sees public articles and their own (conduit/visibility.py); anonymous, ``VIEWER``
# is NULL, which matches no author.
def _article_read(signed_in: bool, slug: BindParameter[str]) -> Select[Any]:
    return _columns(VIEWER if signed_in else None, with_body=True).where(
        Article.slug == slug, visible_to(VIEWER)
    )


_ARTICLE = {
    signed_in: reusable(_article_read(signed_in, bindparam("slug"))) for signed_in in (False, True)
}


def signed_in_article(slug: BindParameter[str]) -> Select[Any]:
    """The signed-in article read (``viewer_id`` bound, and ``slug``), for a statement built on
    it (``articles.favorites``); ``article_view`` turns its row into the view. A statement that
    also writes to ``articles`` must bind the slug under another name: SQLAlchemy sets a
    parameter named after a written table's column on that column."""
    return _article_read(True, slug)


def article_view(row: Any) -> ArticleView:
    return _view(row, True)


async def get_article(
    session: AsyncSession, slug: str, viewer_id: int | None, sight: Sight | None = None
) -> ArticleView:
    seen = _sight(viewer_id, sight)
    if seen.moderator:
        statement = _columns(viewer_id, with_body=True).where(Article.slug == slug)
    else:
        statement = _ARTICLE[viewer_id is not None]
    row = await db.first(session, statement, {"slug": slug, "viewer_id": seen.viewer_id})
    if row is None:
        raise NotFound("article")
    return _view(row, True)


async def article_id_of(session: AsyncSession, slug: str, sight: Sight | None = None) -> int:
    """The id behind a slug, for writes and sub-resources; 404 when there is none (or, given a
    ``sight``, when it is hidden from it)."""
    query = select(Article.id).where(Article.slug == slug)
    if sight is not None:
        query = query.where(articles_visible(sight))
    row = await db.first(session, query)
    if row is None:
        raise NotFound("article")
    return int(row[0])


_USES = func.count(ArticleTag.article_id)
_POPULAR_TAGS = reusable(
    select(Tag.name)
    .join(ArticleTag, ArticleTag.tag_id == Tag.id)
    .join(Article, Article.id == ArticleTag.article_id)
    .where(articles_visible(PUBLIC))  # the same list for everyone: it is cached as one
    .group_by(Tag.id, Tag.name)
    .order_by(_USES.desc(), Tag.name)
)


async def popular_tags(session: AsyncSession) -> list[str]:
    return [row[0] for row in await db.rows(session, _POPULAR_TAGS)]
