"""The Report form of an article page: a signed-in member reports an article with a reason."""

from __future__ import annotations

from starlette.responses import Response

from conduit.errors import AlreadyReported
from conduit.moderation import reports
from conduit.params import Slug
from conduit.web.context import Web
from conduit.web.forms import text
from conduit.web.pages import router
from conduit.web.pages.article import article_view
from conduit.web.templates import segment

MAX_REASON = 500


@router.post("/article/{slug}/report")
async def report_article(ctx: Web, slug: Slug) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect(f"/login?next=/article/{segment(slug)}")
    reason = text(form, "reason").strip()
    if not reason or len(reason) > MAX_REASON:
        message = f"reason must be 1 to {MAX_REASON} characters"
        return await article_view(ctx, slug, [message], "", 422)
    try:
        await reports.file(ctx.uow, ctx.viewer, slug, None, reason)
    except AlreadyReported:
        return await article_view(ctx, slug, ["you have already reported this article"], "", 409)
    return await article_view(ctx, slug, [], "", 200, reported=True)
