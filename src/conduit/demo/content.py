"""The demo content, kept as data next to this module: ``people.toml`` (who, and who follows
whom) and ``articles/*.md`` (one article per file, TOML front matter between ``+++`` lines:
author, title, description, tags, age in days, who favorited it, its comments)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

# Every demo person signs in with their email and this password (README, "Quickstart").
PASSWORD = "password123"  # noqa: S105 - a published demo password, not a secret

FRONT_MATTER = "+++\n"


@dataclass(frozen=True, slots=True)
class Person:
    username: str
    email: str
    bio: str | None


@dataclass(frozen=True, slots=True)
class Remark:
    author: str
    body: str
    hours_after: float


@dataclass(frozen=True, slots=True)
class Post:
    author: str
    title: str
    description: str
    body: str
    tags: tuple[str, ...]
    days_ago: float
    favorited_by: tuple[str, ...]
    comments: tuple[Remark, ...]


@dataclass(frozen=True, slots=True)
class Demo:
    people: tuple[Person, ...]
    follows: tuple[tuple[str, str], ...]
    posts: tuple[Post, ...]

    def posts_by(self, username: str) -> list[Post]:
        return [post for post in self.posts if post.author == username]


def _post(name: str, text: str) -> Post:
    empty, front, body = text.split(FRONT_MATTER, 2)
    if empty:
        raise ValueError(f"{name}: the file must start with {FRONT_MATTER!r}")
    meta: dict[str, Any] = tomllib.loads(front)
    return Post(
        author=meta["author"],
        title=meta["title"],
        description=meta["description"],
        body=body.strip() + "\n",
        tags=tuple(sorted(set(meta["tags"]))),
        days_ago=float(meta["days_ago"]),
        favorited_by=tuple(meta["favorited_by"]),
        comments=tuple(
            Remark(c["author"], c["body"], float(c["hours_after"])) for c in meta["comments"]
        ),
    )


@cache
def load() -> Demo:
    """Reads and checks the content (every name it mentions is a demo person)."""
    folder = files(__package__ or "conduit.demo")
    meta = tomllib.loads(folder.joinpath("people.toml").read_text(encoding="utf-8"))
    people = tuple(Person(p["username"], p["email"], p["bio"] or None) for p in meta["people"])
    follows = tuple((a, b) for a, b in meta["follows"])
    articles = sorted(
        (entry for entry in folder.joinpath("articles").iterdir() if entry.name.endswith(".md")),
        key=lambda entry: entry.name,
    )
    posts = tuple(_post(entry.name, entry.read_text(encoding="utf-8")) for entry in articles)
    known = {person.username for person in people}
    named = {name for pair in follows for name in pair}
    for post in posts:
        named.update((post.author, *post.favorited_by, *(c.author for c in post.comments)))
    if named - known:
        raise ValueError(f"demo content names unknown people: {sorted(named - known)}")
    return Demo(people, follows, posts)
