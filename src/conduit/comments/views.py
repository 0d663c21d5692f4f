"""What the comment reads return."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from conduit.profiles.relations import Relations
from conduit.profiles.views import Profile


@dataclass(frozen=True, slots=True)
class CommentView:
    id: int
    created_at: datetime
    updated_at: datetime
    body: str
    author: Profile

    def seen_by(self, relations: Relations) -> CommentView:
        following = self.author.id in relations.following
        return replace(self, author=replace(self.author, following=following))


@dataclass(frozen=True, slots=True)
class CommentThread:
    """One page of an article's comments, newest first, and whether older ones follow it."""

    items: tuple[CommentView, ...]
    more: bool

    def seen_by(self, relations: Relations) -> CommentThread:
        return CommentThread(tuple(item.seen_by(relations) for item in self.items), self.more)
