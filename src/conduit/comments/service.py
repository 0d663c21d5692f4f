"""Comments on articles: list (newest first), add, delete."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.articles.queries import article_id_of
from conduit.comments.views import CommentView
from conduit.db import inserted_id
from conduit.errors import Forbidden, NotFound
from conduit.identity import Viewer
from conduit.models import Comment, User, utcnow
from conduit.profiles.service import following_clause
from conduit.profiles.views import Profile
from conduit.uow import UnitOfWork
from conduit.visibility import PUBLIC, Sight, comments_visible, sight_of


async def list_comments(
    session: AsyncSession, slug: str, viewer_id: int | None, sight: Sight | None = None
) -> list[CommentView]:
    """The thread of an article visible to the viewer (404 when the article is not)."""
    if sight is None:
        sight = Sight(viewer_id) if viewer_id is not None else PUBLIC
    article_id = await article_id_of(session, slug, sight)
    rows = (
        await session.execute(
            select(
                Comment.id,
                Comment.created_at,
                Comment.updated_at,
                Comment.body,
                User.username,
                User.bio,
                User.image,
                following_clause(viewer_id, Comment.author_id).label("following"),
                Comment.author_id,
            )
            .join(User, User.id == Comment.author_id)
            .where(Comment.article_id == article_id, comments_visible(sight))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
        )
    ).all()
    return [
        CommentView(
            row.id,
            row.created_at,
            row.updated_at,
            row.body,
            Profile(row.author_id, row.username, row.bio, row.image, bool(row.following)),
        )
        for row in rows
    ]


async def add(uow: UnitOfWork, viewer: Viewer, slug: str, body: str) -> CommentView:
    session = uow.session
    article_id = await article_id_of(session, slug, sight_of(viewer))

    async def work() -> CommentView:
        now = utcnow()
        result = await session.execute(
            insert(Comment).values(
                body=body,
                article_id=article_id,
                author_id=viewer.id,
                created_at=now,
                updated_at=now,
            )
        )
        uow.touch(generations.comments_of(slug))
        author = Profile(viewer.id, viewer.username, viewer.bio, viewer.image, False)
        return CommentView(inserted_id(result), now, now, body, author)

    return await uow.write(work)


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
