"""Cached bodies and the per-viewer fields laid over them on every request.

Entries hold the anonymous rendering (``favorited`` and ``following`` false) plus the ids those
fields depend on. A viewer's favorites and follows are a small cached set of their own, so the
personal fields are always computed for the person asking: no viewer ever sees another's view.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "articles", "article", "comments", "profile" or "tags"
    body: bytes
    articles: tuple[int, ...] = ()  # per item: the article whose ``favorited`` flag it shows
    authors: tuple[int, ...] = ()  # per item: the user whose ``following`` flag it shows


@dataclass(frozen=True, slots=True)
class Relations:
    """What one viewer has favorited and whom they follow."""

    favorites: frozenset[int]
    following: frozenset[int]


def render(entry: Entry, relations: Relations | None) -> bytes:
    if relations is None or (
        relations.favorites.isdisjoint(entry.articles)
        and relations.following.isdisjoint(entry.authors)
    ):
        return entry.body  # the anonymous bytes are this viewer's bytes too
    favorites, following = relations.favorites, relations.following
    doc = orjson.loads(entry.body)
    if entry.kind == "profile":
        doc["profile"]["following"] = entry.authors[0] in following
    elif entry.kind == "comments":
        for comment, author in zip(doc["comments"], entry.authors, strict=True):
            comment["author"]["following"] = author in following
    else:
        items = doc["articles"] if entry.kind == "articles" else [doc["article"]]
        for item, article, author in zip(items, entry.articles, entry.authors, strict=True):
            item["favorited"] = article in favorites
            item["author"]["following"] = author in following
    return orjson.dumps(doc)


def list_key(
    tag: str | None, author: str | None, favorited: str | None, limit: int, offset: int
) -> str:
    return f"articles:{(tag, author, favorited, limit, offset)!r}"


def feed_key(user_id: int, limit: int, offset: int) -> str:
    return f"feed:{user_id}:{limit}:{offset}"
