"""Writes to articles: create, edit, delete (and favorite: ``articles.favorites``). Each is one
``uow.write``: run, retried on a transient failure or a slug collision, committed, then what it
touched is invalidated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.articles.queries import get_article
from conduit.articles.schemas import ArticleChanges, NewArticle
from conduit.articles.slugs import base_slug, with_suffix
from conduit.articles.views import ArticleView
from conduit.db import insert_ignore, inserted_id
from conduit.errors import Forbidden, Invalid, NotFound
from conduit.identity import Viewer
from conduit.models import Article, ArticleTag, Tag, later_than, utcnow
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
