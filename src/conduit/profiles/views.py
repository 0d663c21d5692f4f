"""What the profile reads return: typed values, never wire-format dicts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Profile:
    """A user as others see them (an article's or a comment's author, a profile page)."""

    id: int
    username: str
    bio: str | None
    image: str | None
    following: bool  # whether the viewer follows them (false for anonymous viewers)
