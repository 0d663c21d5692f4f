"""What a write can change, by name: the vocabulary shared by the writes (``uow.touch``) and the
cached reads (what an entry depends on). Plain strings, so neither side imports the other."""

from __future__ import annotations

ARTICLES = "cg:articles"  # article content, favorites counts, which articles exist
TAGS = "cg:tags"  # the popular-tags list
SLUGS = "cg:slugs"  # an article renamed or deleted (its comments move or vanish)
USERS = "cg:users"  # public profile fields (username, bio, image) shown everywhere


def comments_of(slug: str) -> str:
    return f"cg:comments:{slug}"


def relations_of(user_id: int) -> str:
    """Whom one user follows and what they favorited (their flags, their feed)."""
    return f"cg:relations:{user_id}"
