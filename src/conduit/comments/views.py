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
