"""The benchmark's scenarios: which requests, whose tokens, and the best known share to beat."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.seed import World

COMMENT_BODY = '{"comment":{"body":"Thanks, that was useful."}}'


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    method: str
    paths: list[str]
    authenticated: bool
    best_known: float  # share of the ceiling reached by the best known implementation, in %
    body: str | None = None

    @property
    def read(self) -> bool:
        return self.method == "GET"


def build(world: World, articles: int) -> list[Scenario]:
    pages = [f"/api/articles?limit=20&offset={20 * k}" for k in range(math.ceil(articles / 20))]
    slugs = world.slugs
    return [
        Scenario("tags", "tags", "GET", ["/api/tags"], False, 3.1),
        Scenario("list_anon", "list anonymous", "GET", pages, False, 0.36),
        Scenario("list_auth", "list authenticated", "GET", pages, True, 0.37),
        Scenario(
            "list_tag",
            "list by tag",
            "GET",
            [f"/api/articles?tag={t}&limit=20&offset=0" for t in world.tags],
            False,
            0.42,
        ),
        Scenario("feed", "feed", "GET", ["/api/articles/feed?limit=20&offset=0"], True, 0.60),
        Scenario("article_anon", "article anonymous", "GET", _each(slugs, ""), False, 2.0),
        Scenario("article_auth", "article authenticated", "GET", _each(slugs, ""), True, 1.5),
        Scenario("comments", "comments", "GET", _each(slugs, "/comments"), False, 1.2),
        Scenario(
            "profile_auth",
            "profile authenticated",
            "GET",
            [f"/api/profiles/{u['username']}" for u in world.users],
            True,
            2.1,
        ),
        Scenario("current_user", "current user", "GET", ["/api/user"], True, 2.3),
        Scenario(
            "add_comment",
            "add comment (write)",
            "POST",
            _each(slugs, "/comments"),
            True,
            1.1,
            COMMENT_BODY,
        ),
        Scenario("favorite", "favorite (write)", "POST", _each(slugs, "/favorite"), True, 1.3, ""),
    ]


def _each(slugs: list[str], suffix: str) -> list[str]:
    return [f"/api/articles/{slug}{suffix}" for slug in slugs]
