"""The benchmark's scenarios: which requests, whose credentials, and the figures to beat."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from bench.seed import World

COMMENT_BODY = '{"comment":{"body":"Thanks, that was useful."}}'

# Issue 12: the best peer's server CPU per request (µs), cache off, PostgreSQL, one worker pinned
# to one core, 16 connections. Constants, not measured here: they were measured side by side on a
# machine of this kind (2 cores; the best peer is a FastAPI implementation on raw SQL through
# asyncpg; list/feed figures are a peer without N+1). "list authenticated" has no figure of its
# own in the issue: the list's is used. The peer answers a repeated favorite with a cheaper 400.
PEER_CPU_US: dict[str, float] = {
    "tags": 856,
    "list_anon": 5216,
    "list_auth": 5216,
    "list_tag": 5991,
    "feed": 5763,
    "article_anon": 1363,
    "article_auth": 1802,
    "comments": 3760,
    "profile_auth": 1188,
    "current_user": 926,
    "add_comment": 2128,
    "favorite": 1713,
}
# Conduit's own figures in the issue (cache off, before this work), for reference.
ISSUE_CONDUIT_CPU_US: dict[str, float] = {
    "tags": 1404,
    "list_anon": 2638,
    "list_tag": 3138,
    "feed": 3363,
    "article_anon": 1420,
    "article_auth": 2438,
    "comments": 2003,
    "profile_auth": 2120,
    "current_user": 1307,
    "add_comment": 2523,
    "favorite": 3332,
}


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    method: str
    paths: list[str]
    authenticated: bool
    best_known: float  # share of the ceiling reached by the best known implementation, in %
    body: str | None = None
    # Ordered credentials: the i-th request sends paths[i] with ordered_tokens[i].
    ordered_tokens: list[str] | None = None
    web: bool = False  # a page: credentials are session cookies, not API tokens
    # Web pages: the API reads that carry the same data (their CPU per request is summed).
    same_data: tuple[str, ...] = field(default=())

    @property
    def read(self) -> bool:
        return self.method == "GET"


def build(world: World, articles: int, half: int = 0) -> list[Scenario]:
    """The API scenarios; ``half`` (0 or 1) picks which half of the not-yet-favorited
    (user, article) pairs the favorite scenario sends, so two runs never repeat a favorite."""
    pages = [f"/api/articles?limit=20&offset={20 * k}" for k in range(math.ceil(articles / 20))]
    slugs = world.slugs
    fav_paths, fav_tokens = _fresh_favorites(world, half)
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
        Scenario(
            "favorite",
            "favorite (write)",
            "POST",
            fav_paths,
            True,
            1.3,
            "",
            ordered_tokens=fav_tokens,
        ),
    ]


def pages(world: World) -> list[Scenario]:
    """The web pages on the database path, each anonymous and signed in."""
    slugs, users = world.slugs, world.users
    kinds = [
        ("home", ["/"], ("list", "tags")),
        ("article", [f"/article/{s}" for s in slugs], ("article", "comments")),
        ("profile", [f"/profile/{u['username']}" for u in users], ("profile", "list")),
        ("tag", [f"/tag/{t}" for t in world.tags], ("list_tag", "tags")),
    ]
    found = []
    for kind, paths, data in kinds:
        for signed_in in (False, True):
            suffix = "auth" if signed_in else "anon"
            same = tuple(_api_name(d, signed_in) for d in data)
            found.append(
                Scenario(
                    f"page_{kind}_{suffix}",
                    f"page: {kind} ({'signed in' if signed_in else 'anonymous'})",
                    "GET",
                    paths,
                    signed_in,
                    0.0,
                    web=True,
                    same_data=same,
                )
            )
    return found


def _api_name(data: str, signed_in: bool) -> str:
    """The API scenario carrying ``data`` for this kind of viewer."""
    if data in ("list", "article"):
        return f"{data}_{'auth' if signed_in else 'anon'}"
    if data == "profile":
        return "profile_auth"  # the one profile scenario (its cost barely depends on the viewer)
    return data


def _fresh_favorites(world: World, half: int) -> tuple[list[str], list[str]]:
    """(path, token) pairs of users and articles not favorited by the seed, shuffled with a
    fixed seed; every other pair, starting at ``half``."""
    pairs = [
        (f"/api/articles/{slug}/favorite", user["token"])
        for user in world.users
        for slug in world.slugs
        if (user["username"], slug) not in world.favorites
    ]
    random.Random(12).shuffle(pairs)
    chosen = pairs[half::2]
    return [p for p, _ in chosen], [t for _, t in chosen]


def _each(slugs: list[str], suffix: str) -> list[str]:
    return [f"/api/articles/{slug}{suffix}" for slug in slugs]
