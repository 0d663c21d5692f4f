"""The API's route groups step aside early (conduit.api.routing), and only for paths none of
their routes could match."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.routing import APIRoute

from conduit.api.admin import audit, content, people, reports
from conduit.api.admin import router as admin
from conduit.api.articles import router as articles
from conduit.api.comments import router as comments
from conduit.api.profiles import router as profiles
from conduit.api.routing import PREFIX, ApiRouter
from conduit.api.tags import router as tags
from conduit.api.users import router as users

GROUPS: dict[str, ApiRouter] = {
    "users": users,
    "profiles": profiles,
    "articles": articles,
    "comments": comments,
    "tags": tags,
}


def _concrete(path: str) -> str:
    return PREFIX + re.sub(r"\{[^}]+\}", "some-thing", path)


def _routes(router: APIRouter) -> list[APIRoute]:
    return [route for route in router.routes if isinstance(route, APIRoute)]


def test_it_lets_every_route_of_a_group_through_to_fastapi() -> None:
    for router in GROUPS.values():
        for route in _routes(router):
            path = _concrete(route.path)
            assert any(literal in path for literal in router.literals()), path
    for part in (reports.router, content.router, people.router, audit.router):
        for route in _routes(part):
            path = _concrete(route.path)
            assert any(literal in path for literal in admin.literals()), path


def test_it_turns_away_paths_of_other_groups_before_any_regular_expression() -> None:
    tags_path = "/api/tags"
    assert not any(literal in tags_path for literal in users.literals())
    assert not any(literal in tags_path for literal in articles.literals())
    profile = "/api/profiles/user1"  # "/user" is inside it, "/api/user" is not
    assert not any(literal in profile for literal in users.literals())
    for router in (*GROUPS.values(), admin):
        for page in ("/", "/article/apis", "/tag/api", "/profile/api"):
            assert not any(literal in page for literal in router.literals()), (page, router)


def test_a_proxys_root_path_in_front_changes_nothing() -> None:
    behind = "/conduit" + _concrete("/articles/{slug}/comments")
    assert any(literal in behind for literal in comments.literals())
