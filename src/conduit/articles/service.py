"""Writes to articles: create, edit, delete, favorite. Each is one ``uow.write``: run, retried on
a transient failure or a slug collision, committed, then what it touched is invalidated."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Integer, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.articles.queries import get_article
from conduit.articles.schemas import ArticleChanges, NewArticle
from conduit.articles.slugs import base_slug, with_suffix
from conduit.articles.views import ArticleView
from conduit.db import insert_ignore, inserted_id
from conduit.driver import reusable
from conduit.errors import Forbidden, Invalid, NotFound
from conduit.identity import Viewer
from conduit.models import Article, ArticleTag, Favorite, Tag, later_than, utcnow
from conduit.profiles.views import Profile
from conduit.uow import Retry, UnitOfWork
from conduit.visibility import articles_visible, sight_of


async def _free_slug(session: AsyncSession, title: str, attempt: int) -> str:
    base = base_slug(title)
    if attempt > 0:
        return with_suffix(base)
    taken = (await session.execute(select(Article.id).where(Article.slug == base))).first()
    return with_suffix(base) if taken else base


async def _link_tags(session: AsyncSession, article_id: int, names: list[str]) -> None:
    if not names:
        return
    await session.execute(insert_ignore(session, Tag, [{"name": n} for n in names]))
    tag_ids = (await session.execute(select(Tag.id).where(Tag.name.in_(names)))).scalars().all()
    await session.execute(
        insert(ArticleTag), [{"article_id": article_id, "tag_id": tag_id} for tag_id in tag_ids]
    )


async def create(uow: UnitOfWork, viewer: Viewer, data: NewArticle) -> ArticleView:
    session = uow.session

    async def work() -> ArticleView:
        slug = await _free_slug(session, data.title, uow.attempt)
        now = utcnow()
        try:
            result = await session.execute(
                insert(Article).values(
                    slug=slug,
                    title=data.title,
                    description=data.description,
                    body=data.body,
                    tag_list=data.tag_list,
                    favorites_count=0,
                    author_id=viewer.id,
                    created_at=now,
                    updated_at=now,
                )
            )
        except IntegrityError:
            raise Retry("slug taken") from None  # by a concurrent request: another suffix
        article_id = inserted_id(result)
        await _link_tags(session, article_id, data.tag_list)
        uow.touch(generations.ARTICLES, generations.TAGS)
        # The author is the viewer, who cannot follow themselves.
        author = Profile(viewer.id, viewer.username, viewer.bio, viewer.image, False)
        return ArticleView(
            article_id,
            slug,
            data.title,
            data.description,
            data.body,
            tuple(data.tag_list),
            now,
            now,
            False,
            0,
            author,
        )

    return await uow.write(work)


async def _owned(session: AsyncSession, slug: str, viewer: Viewer) -> Any:
    # What the viewer may not see is not found (404), not forbidden: a 403 would tell anyone
    # that a hidden article exists.
    row = (
        await session.execute(
            select(Article.id, Article.author_id, Article.title, Article.updated_at).where(
                Article.slug == slug, articles_visible(sight_of(viewer))
            )
        )
    ).first()
    if row is None:
        raise NotFound("article")
    if row.author_id != viewer.id:
        raise Forbidden("article")
    return row


async def change(uow: UnitOfWork, viewer: Viewer, slug: str, data: ArticleChanges) -> ArticleView:
    fields = data.model_fields_set
    if not fields:
        # Like PUT /api/user: nothing to change is a client error, not an edit that moves updatedAt.
        raise Invalid("article", "must contain at least one field")
    session = uow.session

    async def work() -> str:
        row = await _owned(session, slug, viewer)
        values: dict[str, Any] = {}
        for name in ("title", "description", "body"):
            if name in fields:
                values[name] = getattr(data, name)
        if "tag_list" in fields:
            values["tag_list"] = data.tag_list
        new_slug = slug
        # A title that slugifies the same (case, punctuation) keeps the article's URL.
        if "title" in values and base_slug(values["title"]) != base_slug(row.title):
            new_slug = await _free_slug(session, values["title"], uow.attempt)
            values["slug"] = new_slug
        values["updated_at"] = later_than(row.updated_at)
        try:
            await session.execute(update(Article).where(Article.id == row.id).values(**values))
        except IntegrityError:
            raise Retry("slug taken") from None
        if data.tag_list is not None:
            await session.execute(delete(ArticleTag).where(ArticleTag.article_id == row.id))
            await _link_tags(session, row.id, data.tag_list)
        uow.touch(generations.ARTICLES, generations.TAGS, generations.SLUGS)
        return new_slug

    new_slug = await uow.write(work)
    return await get_article(session, new_slug, viewer.id, sight_of(viewer))


async def remove(uow: UnitOfWork, viewer: Viewer, slug: str) -> None:
    session = uow.session

    async def work() -> None:
        row = await _owned(session, slug, viewer)
        # Comments, favorites and tag links go with it (ON DELETE CASCADE on every database).
        await session.execute(delete(Article).where(Article.id == row.id))
        uow.touch(generations.ARTICLES, generations.TAGS, generations.SLUGS)

    await uow.write(work)


async def _lock_article(session: AsyncSession, article_id: int) -> int | None:
    """Takes the article row's write lock first, and reads its counter under it. Without it,
    InnoDB gives each concurrent favorite a shared lock on the article (the foreign key check)
    that then blocks every counter update: a deadlock per race. PostgreSQL's foreign key check
    takes FOR KEY SHARE, which the counter update (FOR NO KEY UPDATE) does not conflict with, and
    SQLite locks the whole file: neither needs the extra statement on this hot path (None)."""
    if session.get_bind().dialect.name not in ("mysql", "mariadb"):
        return None
    locked = select(Article.favorites_count).where(Article.id == article_id).with_for_update()
    return int((await session.execute(locked)).scalar_one())


async def _count_by(session: AsyncSession, article_id: int, delta: int, locked: int | None) -> int:
    """Moves the article's favorites counter by ``delta`` and returns its new value: from the
    UPDATE itself where the database returns updated rows, else from the value read under the
    row lock (MariaDB: UPDATE has no RETURNING there)."""
    change = (
        update(Article)
        .where(Article.id == article_id)
        .values(favorites_count=Article.favorites_count + delta)
    )
    if locked is None:
        return int((await session.execute(change.returning(Article.favorites_count))).scalar_one())
    await session.execute(change)
    return locked + delta


def _counted(change: Any, delta: int) -> Any:
    """PostgreSQL: the favorite's INSERT or DELETE and the counter in one statement (a CTE): the
    counter moves only by a row the first part really added or removed, and the new count comes
    back (no row: nothing changed). Built once; ``user_id`` and ``article_id`` are parameters."""
    changed = change.returning(Favorite.article_id).cte("changed")
    return (
        update(Article)
        .where(Article.id.in_(select(changed.c.article_id)))
        .values(favorites_count=Article.favorites_count + delta)
        .returning(Article.favorites_count)
    )


_USER = bindparam("user_id", type_=Integer)
_ARTICLE = bindparam("article_id", type_=Integer)
_PG_FAVORITE = reusable(
    _counted(
        postgresql.insert(Favorite)
        .values(user_id=_USER, article_id=_ARTICLE)
        .on_conflict_do_nothing(),
        1,
    )
)
_PG_UNFAVORITE = reusable(
    _counted(delete(Favorite).where(Favorite.user_id == _USER, Favorite.article_id == _ARTICLE), -1)
)


async def _mark(session: AsyncSession, viewer_id: int, article_id: int, on: bool) -> int | None:
    """Adds (``on``) or removes the viewer's favorite and moves the counter with it, where one
    statement cannot (not PostgreSQL): the new count, or None when there was nothing to change
    (already a favorite, or not one)."""
    params = {"user_id": viewer_id, "article_id": article_id}
    locked = await _lock_article(session, article_id)
    if on:
        change: Any = insert_ignore(session, Favorite, [params])
    else:
        change = delete(Favorite).where(
            Favorite.user_id == viewer_id, Favorite.article_id == article_id
        )
    if (await session.execute(change)).rowcount:  # type: ignore[attr-defined]
        return await _count_by(session, article_id, 1 if on else -1, locked)
    return locked


async def _favorite(uow: UnitOfWork, viewer: Viewer, slug: str, on: bool) -> ArticleView:
    """The article as the viewer now sees it. It is read first (404, and everything the answer
    shows: before the write's transaction, so on the driver path of reads where there is one)
    and not re-read after the write: the write changes only the viewer's flag and the counter,
    whose new value the counter's own statement returns."""
    session = uow.session
    article = await get_article(session, slug, viewer.id, sight_of(viewer))
    touched = (generations.ARTICLES, generations.relations_of(viewer.id))
    if session.get_bind().dialect.name == "postgresql":
        # One statement (on the driver path where there is one: one round trip in all).
        statement = _PG_FAVORITE if on else _PG_UNFAVORITE
        params = {"user_id": viewer.id, "article_id": article.id}
        changed = await uow.write_statement(statement, params, touched)
        count = changed[0].favorites_count if changed else None
    else:

        async def work() -> int | None:
            found = await _mark(session, viewer.id, article.id, on)
            uow.touch(*touched)
            return found

        count = await uow.write(work)
    unchanged = article.favorites_count if count is None else count
    return replace(article, favorited=on, favorites_count=unchanged)


async def favorite(uow: UnitOfWork, viewer: Viewer, slug: str) -> ArticleView:
    return await _favorite(uow, viewer, slug, True)


async def unfavorite(uow: UnitOfWork, viewer: Viewer, slug: str) -> ArticleView:
    return await _favorite(uow, viewer, slug, False)
