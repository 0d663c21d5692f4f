"""What the article reads return: typed values with real datetimes and ids, never wire dicts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from conduit.profiles.relations import Relations
from conduit.profiles.views import Profile


@dataclass(frozen=True, slots=True)
class ArticleView:
    id: int
    slug: str
    title: str
    description: str
    body: str | None  # None in lists (they never carry the body)
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    favorited: bool  # by the viewer (false for anonymous viewers)
    favorites_count: int
    author: Profile
    hidden: bool = False  # hidden by a moderator (only its author and moderators see it)

    def seen_by(self, relations: Relations) -> ArticleView:
        """This article with the flags of a viewer with these relations."""
        author = self.author
        return replace(
            self,
            favorited=self.id in relations.favorites,
            author=replace(author, following=author.id in relations.following),
        )


@dataclass(frozen=True, slots=True)
class ArticlePage:
    items: tuple[ArticleView, ...]
    count: int  # every match, not only this page's

    def seen_by(self, relations: Relations) -> ArticlePage:
        return ArticlePage(tuple(item.seen_by(relations) for item in self.items), self.count)
