"""Article lists shared by the home and profile pages: one page of previews plus pagination."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any
from urllib.parse import urlencode

from conduit.articles import queries
from conduit.articles.queries import ArticleFilter
from conduit.visibility import sight_of
from conduit.web.context import WebContext

PAGE_SIZE = 10
MAX_PAGE = 100_000
WINDOW = 3


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    url: str
    active: bool


def page_number(raw: str | None) -> int:
    """?page=N, forgiving: anything that is not a sensible number is page 1."""
    if raw is None or not raw.isdigit():
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def _url(path: str, params: dict[str, str], number: int) -> str:
    query = dict(params)
    if number > 1:
        query["page"] = str(number)
    return f"{path}?{urlencode(query)}" if query else path


def page_links(path: str, params: dict[str, str], current: int, total: int) -> list[PageLink]:
    pages = ceil(total / PAGE_SIZE)
    if pages <= 1:
        return []
    shown = {1, pages, *range(max(1, current - WINDOW), min(pages, current + WINDOW) + 1)}
    return [PageLink(n, _url(path, params, n), n == current) for n in sorted(shown)]


async def article_page(
    ctx: WebContext, filters: ArticleFilter, page: int, path: str, params: dict[str, str]
) -> dict[str, Any]:
    viewer_id = ctx.viewer.id if ctx.viewer else None
    offset = (page - 1) * PAGE_SIZE
    sight = sight_of(ctx.viewer)
    result = await queries.list_articles(ctx.db, filters, viewer_id, PAGE_SIZE, offset, sight)
    here = _url(path, params, page)
    return {
        "articles": result.items,
        "pages": page_links(path, params, page, result.count),
        "here": here,
    }
