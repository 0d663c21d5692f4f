"""The hot reads, each declared once (``Read``: docs/architecture.md, "Read declarations").

The parameter models are the only validators of these reads' parameters: the API routes take
their query part as a query-parameter model, the fast path validates the raw path and query values
with the whole model, and the web pages build them from their own page numbers.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.articles import queries
from conduit.articles.queries import ArticleFilter
from conduit.articles.views import ArticlePage, ArticleView
from conduit.comments import service as comments
from conduit.comments.views import CommentThread
from conduit.params import FilterValue, SlugKey, UsernameKey
from conduit.profiles import service as profiles
from conduit.profiles.relations import Relations
from conduit.profiles.views import Profile
from conduit.reads.declaration import NO_IDS, CurrentUser, Ids, Read
from conduit.visibility import Sight

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 2**31 - 1
# Comments: clients written to the RealWorld spec send no parameters and expect the thread, so the
# default page is large; the maximum bounds what one request can make the server load and render.
DEFAULT_COMMENTS = 100
MAX_COMMENTS = 200

# What an article shows: its content, favorites counts and its author's public fields.
ARTICLE_NAMES = (generations.ARTICLES, generations.USERS)

_FROZEN = ConfigDict(frozen=True)


class Paging(BaseModel):
    model_config = _FROZEN
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Items to skip")] = 0


class ListQuery(Paging):
    tag: FilterValue = None
    author: FilterValue = None
    favorited: FilterValue = None


class CommentQuery(BaseModel):
    model_config = _FROZEN
    limit: Annotated[int, Field(ge=1, le=MAX_COMMENTS, description="Comments per page")] = (
        DEFAULT_COMMENTS
    )
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Comments to skip")] = 0


class ArticleKey(BaseModel):
    model_config = _FROZEN
    slug: SlugKey


class CommentsKey(CommentQuery):
    slug: SlugKey


class ProfileKey(BaseModel):
    model_config = _FROZEN
    username: UsernameKey


class NoParams(BaseModel):
    model_config = _FROZEN


def _article_ids(view: ArticleView) -> Ids:
    return frozenset((view.id,)), frozenset((view.author.id,))


def _page_ids(page: ArticlePage) -> Ids:
    ids = frozenset(item.id for item in page.items)
    return ids, frozenset(item.author.id for item in page.items)


def _thread_ids(thread: CommentThread) -> Ids:
    return frozenset(), frozenset(item.author.id for item in thread.items)


def _profile_seen_by(value: Profile, relations: Relations) -> Profile:
    return replace(value, following=value.id in relations.following)


async def _article(
    session: AsyncSession, p: ArticleKey, reader: int | None, flags_for: int | None, sight: Sight
) -> ArticleView:
    return await queries.get_article(session, p.slug, flags_for, sight)


async def _list(
    session: AsyncSession, p: ListQuery, reader: int | None, flags_for: int | None, sight: Sight
) -> ArticlePage:
    filters = ArticleFilter(tag=p.tag, author=p.author, favorited=p.favorited)
    return await queries.list_articles(session, filters, flags_for, p.limit, p.offset, sight)


async def _feed(
    session: AsyncSession, p: Paging, reader: int | None, flags_for: int | None, sight: Sight
) -> ArticlePage:
    assert reader is not None  # a personal read is never answered without a viewer
    filters = ArticleFilter(feed_of=reader)
    return await queries.list_articles(session, filters, flags_for, p.limit, p.offset, sight)


async def _comments(
    session: AsyncSession, p: CommentsKey, reader: int | None, flags_for: int | None, sight: Sight
) -> CommentThread:
    return await comments.list_comments(session, p.slug, flags_for, p.limit, p.offset, sight)


async def _profile(
    session: AsyncSession, p: ProfileKey, reader: int | None, flags_for: int | None, sight: Sight
) -> Profile:
    return await profiles.get(session, p.username, flags_for)


async def _tags(
    session: AsyncSession, p: NoParams, reader: int | None, flags_for: int | None, sight: Sight
) -> tuple[str, ...]:
    return tuple(await queries.popular_tags(session))


def _feed_names(p: Paging, reader: int | None) -> tuple[str, ...]:
    assert reader is not None
    return (*ARTICLE_NAMES, generations.relations_of(reader))


ARTICLE: Read[ArticleKey, ArticleView] = Read(
    "article", ArticleKey, _article, lambda p, r: ARTICLE_NAMES, _article_ids, ArticleView.seen_by
)
ARTICLES: Read[ListQuery, ArticlePage] = Read(
    "articles", ListQuery, _list, lambda p, r: ARTICLE_NAMES, _page_ids, ArticlePage.seen_by
)
FEED: Read[Paging, ArticlePage] = Read(
    "feed", Paging, _feed, _feed_names, _page_ids, ArticlePage.seen_by, personal=True
)
COMMENTS: Read[CommentsKey, CommentThread] = Read(
    "comments",
    CommentsKey,
    _comments,
    lambda p, r: (generations.SLUGS, generations.USERS, generations.comments_of(p.slug)),
    _thread_ids,
    CommentThread.seen_by,
)
PROFILE: Read[ProfileKey, Profile] = Read(
    "profile",
    ProfileKey,
    _profile,
    lambda p, r: (generations.USERS,),
    lambda v: (frozenset(), frozenset((v.id,))),
    _profile_seen_by,
)
TAGS: Read[NoParams, tuple[str, ...]] = Read(
    "tags", NoParams, _tags, lambda p, r: (generations.TAGS,), lambda v: NO_IDS, lambda v, r: v
)
CURRENT_USER = CurrentUser()
