"""Comments on articles: list (newest first), add, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.articles.queries import article_id_of
from conduit.cache import core as cache
from conduit.cache.invalidate import changed
from conduit.db import inserted_id
from conduit.deps import Viewer
from conduit.errors import Forbidden, NotFound
from conduit.models import Comment, User, iso, utcnow
from conduit.profiles.service import following_clause


def comment_body(
    comment_id: int, created: Any, updated: Any, body: str, author: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": comment_id,
        "createdAt": iso(created),
        "updatedAt": iso(updated),
        "body": body,
        "author": author,
    }


async def comment_rows(session: AsyncSession, slug: str, viewer_id: int | None) -> list[Any]:
    article_id = await article_id_of(session, slug)
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
            .where(Comment.article_id == article_id)
            .order_by(Comment.created_at.desc(), Comment.id.desc())
        )
    ).all()
    return list(rows)


def comments_body(rows: list[Any]) -> dict[str, Any]:
    return {
        "comments": [
            comment_body(
                row.id,
                row.created_at,
                row.updated_at,
                row.body,
                {
                    "username": row.username,
                    "bio": row.bio,
                    "image": row.image,
                    "following": bool(row.following),
                },
            )
            for row in rows
        ]
    }


async def list_comments(session: AsyncSession, slug: str, viewer_id: int | None) -> dict[str, Any]:
    return comments_body(await comment_rows(session, slug, viewer_id))


async def add(session: AsyncSession, viewer: Viewer, slug: str, body: str) -> dict[str, Any]:
    article_id = await article_id_of(session, slug)
    now = utcnow()
    result = await session.execute(
        insert(Comment).values(
            body=body, article_id=article_id, author_id=viewer.id, created_at=now, updated_at=now
        )
    )
    comment_id = inserted_id(result)
    await session.commit()
    await changed(session, cache.comments_of(slug))
    author = {
        "username": viewer.username,
        "bio": viewer.bio,
        "image": viewer.image,
        "following": False,
    }
    return {"comment": comment_body(comment_id, now, now, body, author)}


async def remove(session: AsyncSession, viewer: Viewer, slug: str, comment_id: int) -> None:
    article_id = await article_id_of(session, slug)
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
    await session.commit()
    await changed(session, cache.comments_of(slug))
