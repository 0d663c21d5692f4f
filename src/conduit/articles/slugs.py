"""URL slugs for articles: readable, ASCII, unique."""

from __future__ import annotations

import secrets

from slugify import slugify

MAX_BASE = 200


def base_slug(title: str) -> str:
    """The readable part, from the title; never empty (a title of only symbols gives "article")."""
    return slugify(title, max_length=MAX_BASE, word_boundary=True) or "article"


def with_suffix(base: str) -> str:
    """A variant for when ``base`` is taken: a short random suffix, so no count query races."""
    return f"{base}-{secrets.token_hex(3)}"
