"""The article page and its actions: favorite, delete, comment, delete a comment."""

from __future__ import annotations

from fastapi import Query
from starlette.responses import Response

from conduit.articles import favorites
from conduit.articles import service as articles
from conduit.comments import service as comment_service
from conduit.comments.schemas import NewComment
from conduit.params import RowId, Slug
from conduit.reads import catalog
from conduit.reads.catalog import ArticleKey, CommentsKey
from conduit.web.bodies import body_renderer
from conduit.web.context import Web, WebContext, safe_next
from conduit.web.forms import parse, text
from conduit.web.pages import router
from conduit.web.pages.listing import page_number
from conduit.web.templates import segment

# Comments shown per page; "Older comments" pages on with ?comments=N.
COMMENTS_PAGE = 50


def _here(slug: str) -> str:
    return f"/article/{segment(slug)}"


async def _page(
    ctx: WebContext,
    slug: str,
    errors: list[str],
    draft: str,
    status: int,
    comments_page: int = 1,
    reported: bool = False,
) -> Response:
    viewer_id = ctx.viewer.id if ctx.viewer else None
    article = await ctx.read(catalog.ARTICLE, ArticleKey(slug=slug))
    offset = (comments_page - 1) * COMMENTS_PAGE
    thread = await ctx.read(
        catalog.COMMENTS, CommentsKey(slug=slug, limit=COMMENTS_PAGE, offset=offset)
    )
    own = viewer_id == article.author.id
    older = f"{_here(slug)}?comments={comments_page + 1}" if thread.more else None
    # Rendered off the event loop (web/bodies.py): the template only inserts it.
    body_html = await body_renderer(ctx.request).html(article.body or "")
    return ctx.render(
        "article.html",
        status=status,
        article=article,
        body_html=body_html,
        comments=thread.items,
        older_comments=older,
        own=own,
        errors=errors,
        draft=draft,
        here=_here(slug),
        nav="",
        reported=reported,
    )


article_view = _page  # the Report form (web/pages/report.py) answers with this same page


@router.get("/article/{slug}")
async def article_page(ctx: Web, slug: Slug, comments: str | None = Query(None)) -> Response:
    return await _page(ctx, slug, [], "", 200, page_number(comments))


@router.post("/article/{slug}/favorite")
async def favorite(ctx: Web, slug: Slug) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    await favorites.favorite(ctx.uow, ctx.viewer, slug)
    return ctx.redirect(safe_next(form.get("next"), _here(slug)))


@router.post("/article/{slug}/unfavorite")
async def unfavorite(ctx: Web, slug: Slug) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    await favorites.unfavorite(ctx.uow, ctx.viewer, slug)
    return ctx.redirect(safe_next(form.get("next"), _here(slug)))


@router.post("/article/{slug}/delete")
async def delete_article(ctx: Web, slug: Slug) -> Response:
    await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    await articles.remove(ctx.uow, ctx.viewer, slug)
    return ctx.redirect("/")


@router.post("/article/{slug}/comments")
async def add_comment(ctx: Web, slug: Slug) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    body = text(form, "body")
    data, errors = parse(NewComment, {"body": body})
    if data is None:
        return await _page(ctx, slug, errors, body, 422)
    await comment_service.add(ctx.uow, ctx.viewer, slug, data.body)
    return ctx.redirect(_here(slug))


@router.post("/article/{slug}/comments/{comment_id}/delete")
async def delete_comment(ctx: Web, slug: Slug, comment_id: RowId) -> Response:
    await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    await comment_service.remove(ctx.uow, ctx.viewer, slug, comment_id)
    return ctx.redirect(_here(slug))
