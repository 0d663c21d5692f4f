"""The API's hot reads, as response bytes: from the read cache when it is on, else straight from
the database. What to load is the typed queries' business and how to render it the presenter's;
the cache (generic) only keeps the bytes with the generations they were computed under.

A cached entry is the anonymous rendering, of public content only (conduit/visibility.py: a
viewer who may see hidden content reads with ``cache=None``, see ``cache_for``); the viewer's own
flags (``favorited``, ``following``) come from their relations (a small cached set of their own)
on every request, so no viewer ever sees another's view.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.api import presenter
from conduit.articles import queries
from conduit.articles.queries import ArticleFilter
from conduit.articles.views import ArticlePage, ArticleView
from conduit.cache.core import Cache
from conduit.cache.entries import Entry, Marks
from conduit.comments import service as comments_service
from conduit.comments.views import CommentView
from conduit.identity import Viewer
from conduit.profiles import service as profiles_service
from conduit.profiles.relations import Relations, load_relations
from conduit.profiles.views import Profile
from conduit.visibility import Sight

# What an article shows: its content, favorites counts and its author's public fields.
ARTICLE_NAMES = (generations.ARTICLES, generations.USERS)


def list_key(
    tag: str | None, author: str | None, favorited: str | None, limit: int, offset: int
) -> str:
    return f"articles:{(tag, author, favorited, limit, offset)!r}"


def feed_key(user_id: int, limit: int, offset: int) -> str:
    return f"feed:{user_id}:{limit}:{offset}"


def relations_key(user_id: int) -> str:
    return f"relations:{user_id}"


def marks(relations: Relations) -> Marks:
    """A viewer's flagged ids, in the order every entry lists its own: articles, then authors."""
    return (relations.favorites, relations.following)


def _relations(own: Marks) -> Relations:
    return Relations(own[0], own[1])


def cache_for(cache: Cache | None, viewer: Viewer | None) -> Cache | None:
    """The cache a viewer's reads may use: none for one who sees hidden content (a moderator, or
    an author with hidden items), since shared entries hold only what everyone may see."""
    return None if viewer is not None and viewer.sees_hidden else cache


async def relations(
    cache: Cache, session: AsyncSession, user_id: int, tags: Sequence[int] | None
) -> Relations:
    """The viewer's relations; ``tags`` is ``[their relations generation]``, read by the caller."""
    key = relations_key(user_id)
    found: Relations | None = cache.get("relations", key, tags)
    if found is None:
        found = await load_relations(session, user_id)
        cache.put(key, tags, found)
    return found


def article_entry(view: ArticleView) -> Entry:
    def personalise(own: Marks) -> bytes:
        return presenter.dumps(presenter.article_response(view.seen_by(_relations(own))))

    body = presenter.dumps(presenter.article_response(view))
    return Entry(body, (frozenset((view.id,)), frozenset((view.author.id,))), personalise)


def page_entry(page: ArticlePage) -> Entry:
    def personalise(own: Marks) -> bytes:
        return presenter.dumps(presenter.article_list(page.seen_by(_relations(own))))

    ids = frozenset(item.id for item in page.items)
    authors = frozenset(item.author.id for item in page.items)
    return Entry(presenter.dumps(presenter.article_list(page)), (ids, authors), personalise)


def comments_entry(thread: list[CommentView]) -> Entry:
    def personalise(own: Marks) -> bytes:
        seen = [item.seen_by(_relations(own)) for item in thread]
        return presenter.dumps(presenter.comment_list(seen))

    authors = frozenset(item.author.id for item in thread)
    return Entry(
        presenter.dumps(presenter.comment_list(thread)), (frozenset(), authors), personalise
    )


def profile_entry(value: Profile) -> Entry:
    def personalise(own: Marks) -> bytes:
        following = value.id in own[1]
        return presenter.dumps(presenter.profile_response(_with_following(value, following)))

    body = presenter.dumps(presenter.profile_response(value))
    return Entry(body, (frozenset(), frozenset((value.id,))), personalise)


def _with_following(value: Profile, following: bool) -> Profile:
    return Profile(value.id, value.username, value.bio, value.image, following)


async def _serve(
    cache: Cache,
    session: AsyncSession,
    key: str,
    names: Sequence[str],
    viewer_id: int | None,
    build: Callable[[], Awaitable[Entry]],
    personal: bool = False,
) -> bytes:
    """Entry ``key`` (built on a miss) rendered for the viewer; one generation read in all."""
    shared = len(names)
    if viewer_id is not None:
        names = [*names, generations.relations_of(viewer_id)]
    tags = await cache.read(names)
    entry_tags = tags if personal or tags is None else tags[:shared]
    entry: Entry | None = cache.get(key.partition(":")[0], key, entry_tags)
    if entry is None:
        entry = await build()
        cache.put(key, entry_tags, entry)
    if viewer_id is None:
        return entry.body
    own = None if tags is None else tags[shared:]
    return entry.for_viewer(marks(await relations(cache, session, viewer_id, own)))


async def tags(cache: Cache | None, session: AsyncSession) -> bytes:
    async def build() -> Entry:
        return Entry(presenter.dumps(presenter.tags_response(await queries.popular_tags(session))))

    if cache is None:
        return (await build()).body
    return await _serve(cache, session, "tags:", (generations.TAGS,), None, build)


async def article(
    cache: Cache | None,
    session: AsyncSession,
    slug: str,
    viewer_id: int | None,
    sight: Sight | None = None,
) -> bytes:
    if cache is None:
        view = await queries.get_article(session, slug, viewer_id, sight)
        return presenter.dumps(presenter.article_response(view))

    async def build() -> Entry:
        return article_entry(await queries.get_article(session, slug, None))

    return await _serve(cache, session, f"article:{slug}", ARTICLE_NAMES, viewer_id, build)


async def articles(
    cache: Cache | None,
    session: AsyncSession,
    filters: ArticleFilter,
    viewer_id: int | None,
    limit: int,
    offset: int,
    sight: Sight | None = None,
) -> bytes:
    if cache is None:
        page = await queries.list_articles(session, filters, viewer_id, limit, offset, sight)
        return presenter.dumps(presenter.article_list(page))

    async def build() -> Entry:
        return page_entry(await queries.list_articles(session, filters, None, limit, offset))

    if filters.feed_of is not None:
        key = feed_key(filters.feed_of, limit, offset)
        return await _serve(cache, session, key, ARTICLE_NAMES, viewer_id, build, personal=True)
    key = list_key(filters.tag, filters.author, filters.favorited, limit, offset)
    return await _serve(cache, session, key, ARTICLE_NAMES, viewer_id, build)


def comment_names(slug: str) -> tuple[str, ...]:
    return (generations.SLUGS, generations.USERS, generations.comments_of(slug))


async def comments(
    cache: Cache | None,
    session: AsyncSession,
    slug: str,
    viewer_id: int | None,
    sight: Sight | None = None,
) -> bytes:
    if cache is None:
        thread = await comments_service.list_comments(session, slug, viewer_id, sight)
        return presenter.dumps(presenter.comment_list(thread))

    async def build() -> Entry:
        return comments_entry(await comments_service.list_comments(session, slug, None))

    return await _serve(cache, session, f"comments:{slug}", comment_names(slug), viewer_id, build)


async def profile(
    cache: Cache | None, session: AsyncSession, username: str, viewer_id: int | None
) -> bytes:
    if cache is None:
        value = await profiles_service.get(session, username, viewer_id)
        return presenter.dumps(presenter.profile_response(value))

    async def build() -> Entry:
        return profile_entry(await profiles_service.get(session, username, None))

    names = (generations.USERS,)
    return await _serve(cache, session, f"profile:{username}", names, viewer_id, build)
