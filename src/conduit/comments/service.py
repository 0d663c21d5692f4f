"""Comments on articles: list (newest first, a page at a time), add, delete."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    insert,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import db, generations
from conduit.articles.queries import article_id_of
from conduit.comments.views import CommentThread, CommentView
from conduit.driver import reusable
from conduit.errors import Forbidden, NotFound
from conduit.identity import Viewer
from conduit.models import Article, Comment, User, utcnow
from conduit.profiles.service import VIEWER, following_clause
from conduit.profiles.views import Profile
from conduit.uow import UnitOfWork
from conduit.visibility import (
    PUBLIC,
    Sight,
    comments_visible_to,
    sight_of,
    visible_to,
)


@cache
def _thread_statement(signed_in: bool, moderator: bool) -> Select[Any]:
    """One shape per (signed in, moderator), built once; the slug, the viewer and the page are
    bind parameters (a statement rebuilt per request is re-keyed for SQLAlchemy's compiled cache
    every time, and cannot take the driver path: conduit.driver)."""
    viewer = VIEWER if signed_in else None
    articles: ColumnElement[bool]
    comments: ColumnElement[bool]
    if moderator:
        articles, comments = true(), true()
    else:
        articles, comments = visible_to(VIEWER), comments_visible_to(VIEWER)
    columns: list[Any] = [
        Comment.id,
        Comment.created_at,
        Comment.updated_at,
        Comment.body,
        User.username,
        User.bio,
        User.image,
        following_clause(viewer, Comment.author_id).label("following"),
        Comment.author_id,
    ]
    return reusable(
        select(*columns)
        .select_from(Article)
        .outerjoin(Comment, and_(Comment.article_id == Article.id, comments))
        .outerjoin(User, User.id == Comment.author_id)
        .where(Article.slug == bindparam("slug"), articles)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


async def list_comments(
    session: AsyncSession,
    slug: str,
    viewer_id: int | None,
    limit: int,
    offset: int,
    sight: Sight | None = None,
) -> CommentThread:
    """One page of the thread the viewer may see, newest first, in one statement: the article
    (404 when there is none, or it is hidden from them) LEFT JOINed to its visible comments, so
    an article without comments is one row of NULLs instead of a separate slug lookup. One row
    beyond the page tells whether older comments exist."""
    if sight is None:
        sight = Sight(viewer_id) if viewer_id is not None else PUBLIC
    statement = _thread_statement(viewer_id is not None, sight.moderator)
    params = {"slug": slug, "viewer_id": viewer_id, "limit": limit + 1, "offset": offset}
    rows = await db.rows(session, statement, params)
    if not rows:
        # No row at all: no such article, or a page beyond the last comment (asked for rarely:
        # only then does telling them apart cost a second statement).
        if offset == 0:
            raise NotFound("article")
        await article_id_of(session, slug, sight)
    items = tuple(
        CommentView(
            row.id,
            row.created_at,
            row.updated_at,
            row.body,
            Profile(row.author_id, row.username, row.bio, row.image, bool(row.following)),
        )
        for row in rows[:limit]
        if row.id is not None
    )
    return CommentThread(items, len(rows) > limit)


@cache
def _insert_statement(moderator: bool, returning: bool) -> Any:
    """One INSERT ... SELECT per shape, built once (the text, the author, the time and the slug
    are bind parameters): the SELECT finds the article by its slug, as the author may see it."""
    now = bindparam("now", type_=Comment.created_at.type)
    source = select(bindparam("body", type_=Comment.body.type), Article.id, VIEWER, now, now).where(
        Article.slug == bindparam("slug"), true() if moderator else visible_to(VIEWER)
    )
    names = ["body", "article_id", "author_id", "created_at", "updated_at"]
    statement = insert(Comment).from_select(names, source)
    return reusable(statement.returning(Comment.id)) if returning else statement


async def add(uow: UnitOfWork, viewer: Viewer, slug: str, body: str) -> CommentView:
    """One statement: the INSERT finds the article by its slug itself (INSERT ... SELECT), so
    an unknown slug inserts nothing (404) instead of costing a lookup first."""
    session = uow.session
    now = utcnow()
    returning = session.get_bind().dialect.insert_returning
    statement = _insert_statement(sight_of(viewer).moderator, returning)
    params = {"body": body, "viewer_id": viewer.id, "now": now, "slug": slug}
    touched = (generations.comments_of(slug),)
    if returning:
        # On the driver path where there is one: the statement is the whole write.
        inserted = await uow.write_statement(statement, params, touched)
        new_id = inserted[0].id if inserted else None
    else:

        async def work() -> int | None:
            # On the session's connection, as Core: the ORM's bulk-INSERT layer adds nothing.
            connection = await session.connection()
            done = cast(CursorResult[Any], await connection.execute(statement, params))
            if not done.rowcount:
                return None
            uow.touch(*touched)
            return done.lastrowid

        new_id = await uow.write(work)
    if new_id is None:
        raise NotFound("article")
    author = Profile(viewer.id, viewer.username, viewer.bio, viewer.image, False)
    return CommentView(int(new_id), now, now, body, author)


async def remove(uow: UnitOfWork, viewer: Viewer, slug: str, comment_id: int) -> None:
    session = uow.session
    article_id = await article_id_of(session, slug)

    async def work() -> None:
        # Scoped to the article: a comment id under the wrong article is simply not found.
        author_id = (
            await session.execute(
                select(Comment.author_id).where(
                    Comment.id == comment_id, Comment.article_id == article_id
                )
            )
        ).scalar_one_or_none()
        if author_id is None:
            raise NotFound("comment")
        if author_id != viewer.id:
            raise Forbidden("comment")
        await session.execute(delete(Comment).where(Comment.id == comment_id))
        uow.touch(generations.comments_of(slug))

    await uow.write(work)
