"""Favorite and unfavorite: the viewer's mark and the article's counter, moved together, and the
article as the viewer then sees it.

On PostgreSQL, for anyone but a moderator, it is one statement: the article read as the viewer
sees it (404 when it is not there), the favorite added or removed, the counter moved by what that
really changed, and the article returned with its new count. One round trip, and on the driver
path no transaction around it either: a statement is atomic by itself (``uow.write_statement``).
A moderator's article read is built per request (it sees hidden articles), so a moderator's
article is read first and marked in a second statement. MariaDB and SQLite read first too, then
mark and count in the write's transaction (MariaDB under the article row's lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from conduit import generations
from conduit.articles.queries import article_view, get_article, signed_in_article
from conduit.articles.views import ArticleView
from conduit.db import insert_ignore
from conduit.driver import reusable
from conduit.errors import NotFound
from conduit.identity import Viewer
from conduit.models import Article, Favorite, utcnow
from conduit.profiles.service import VIEWER
from conduit.uow import UnitOfWork
from conduit.visibility import sight_of

_USER = bindparam("user_id", type_=Integer)
_ARTICLE = bindparam("article_id", type_=Integer)
_NOW = bindparam("now", type_=Favorite.created_at.type)


def _counted(change: Any, delta: int) -> Any:
    """The favorite's INSERT or DELETE (``change``) and the counter in one statement (CTEs): the
    counter moves only by a row the first part really added or removed and returns its new
    value (no row: nothing changed)."""
    changed = change.returning(Favorite.article_id).cte("changed")
    return (
        update(Article)
        .where(Article.id.in_(select(changed.c.article_id)))
        .values(favorites_count=Article.favorites_count + delta)
        .returning(Article.favorites_count)
    )


@cache
def _read_and_mark(on: bool) -> Select[Any]:
    """PostgreSQL, built once per direction: the signed-in article read, the mark and the
    counter. The article's own columns are its snapshot from before the change (PostgreSQL runs
    every part on one snapshot); ``counted`` is the new count, NULL when nothing changed."""
    found = signed_in_article(bindparam("article_slug", type_=Article.slug.type)).cte("found")
    if on:
        change: Any = (
            postgresql.insert(Favorite)
            .from_select(
                ["user_id", "article_id", "created_at"], select(VIEWER, found.c.article_id, _NOW)
            )
            .on_conflict_do_nothing()
        )
    else:
        change = delete(Favorite).where(
            Favorite.user_id == VIEWER, Favorite.article_id.in_(select(found.c.article_id))
        )
    counted = _counted(change, 1 if on else -1).cte("counted")
    new_count = select(counted.c.favorites_count).scalar_subquery().label("counted")
    return reusable(select(found, new_count))


# PostgreSQL, an article already read (a moderator's): the mark and the counter.
_MARK = {
    True: reusable(
        _counted(
            postgresql.insert(Favorite)
            .values(user_id=_USER, article_id=_ARTICLE, created_at=_NOW)
            .on_conflict_do_nothing(),
            1,
        )
    ),
    False: reusable(
        _counted(
            delete(Favorite).where(Favorite.user_id == _USER, Favorite.article_id == _ARTICLE), -1
        )
    ),
}


async def _lock_article(session: AsyncSession, article_id: int) -> int | None:
    """Takes the article row's write lock first, and reads its counter under it. Without it,
    InnoDB gives each concurrent favorite a shared lock on the article (the foreign key check)
    that then blocks every counter update: a deadlock per race. SQLite locks the whole file: it
    needs no extra statement (None)."""
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


async def _mark(session: AsyncSession, viewer_id: int, article_id: int, on: bool) -> int | None:
    """Adds (``on``) or removes the viewer's favorite and moves the counter with it, statement
    by statement (not PostgreSQL): the new count, or None when there was nothing to change."""
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


def _changed_count(rows: Sequence[Any]) -> bool:
    return bool(rows) and rows[0].counted is not None


async def _favorite(uow: UnitOfWork, viewer: Viewer, slug: str, on: bool) -> ArticleView:
    """The article as the viewer now sees it: favorited (or not) and its new count. Nothing
    else about it can have changed, so it is never read again after the write."""
    session = uow.session
    touched = (generations.ARTICLES, generations.relations_of(viewer.id))
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and not sight_of(viewer).moderator:
        params = {"article_slug": slug, "viewer_id": viewer.id, "now": utcnow()}
        found = await uow.write_statement(_read_and_mark(on), params, touched, _changed_count)
        if not found:
            raise NotFound("article")
        article, count = article_view(found[0]), found[0].counted
    else:
        # Read first: the 404, and everything the answer shows. (On PostgreSQL only a
        # moderator comes here, whose read is built per request: it runs on the session and
        # begins its transaction, and the one-statement mark joins it.)
        article = await get_article(session, slug, viewer.id, sight_of(viewer))
        if postgres:
            params = {"user_id": viewer.id, "article_id": article.id, "now": utcnow()}
            counted = await uow.write_statement(_MARK[on], params, touched)
            count = counted[0].favorites_count if counted else None
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
