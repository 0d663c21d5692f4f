"""URL slugs for articles: readable, ASCII, unique, never a route word."""

from __future__ import annotations

import secrets

from slugify import slugify

MAX_BASE = 200
# Static segments that sit where a slug would under /api/articles (GET /api/articles/feed): an
# article with such a slug could never be read. tests/api/test_slugs.py keeps this list complete.
RESERVED = frozenset({"feed"})


def base_slug(title: str) -> str:
    """The readable part, from the title; never empty (a title of only symbols gives "article")
    and never a route word ("Feed" gives "feed-article")."""
    slug = slugify(title, max_length=MAX_BASE, word_boundary=True) or "article"
    return f"{slug}-article" if slug in RESERVED else slug


def with_suffix(base: str) -> str:
    """A variant for when ``base`` is taken: a short random suffix, so no count query races."""
    return f"{base}-{secrets.token_hex(3)}"
