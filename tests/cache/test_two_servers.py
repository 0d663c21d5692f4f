"""Real server processes sharing one database, with generations in Redis or in the database: a
write through one is visible in the very next read through the other, even when that read was
cached a moment before. So is a write by another command (``conduit seed``), and an operator's
SQL once ``conduit cache clear`` ran."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conduit.settings import Settings
from tests.cache.conftest import flush_redis, redis_url
from tests.cache.processes import conduit, empty_database, environment, execute, serving
from tests.ops.conftest import free_port


@pytest.fixture(params=["redis", "database"])
def env(request: pytest.FixtureRequest, settings: Settings) -> dict[str, str]:
    empty_database(settings)
    if request.param == "redis":
        flush_redis()
        return environment(settings, redis_url())
    return environment(settings)


@pytest.fixture
def servers(env: dict[str, str]) -> Iterator[list[httpx.Client]]:
    with serving(env, 2) as clients:
        yield clients


def _warm(client: httpx.Client, path: str, **kwargs: object) -> httpx.Response:
    """Reads twice: the second answer is a cache hit."""
    client.get(path, **kwargs)  # type: ignore[arg-type]
    return client.get(path, **kwargs)  # type: ignore[arg-type]


def test_a_write_through_one_server_is_visible_in_the_next_read_through_the_other(
    servers: list[httpx.Client],
) -> None:
    one, two = servers
    user = {"username": "alice", "email": "alice@example.com", "password": "correct horse 12"}
    token = one.post("/api/users", json={"user": user}).json()["user"]["token"]
    auth = {"Authorization": f"Token {token}"}
    article = {"title": "Shared", "description": "d", "body": "b", "tagList": ["x"]}
    slug = one.post("/api/articles", json={"article": article}, headers=auth).json()["article"][
        "slug"
    ]
    path = f"/api/articles/{slug}"
    for _ in range(2):  # the second read is a cache hit in server two
        assert two.get(path, headers=auth).json()["article"]["favorited"] is False
        assert two.get("/api/articles").json()["articles"][0]["favoritesCount"] == 0
        assert two.get(f"{path}/comments").json() == {"comments": []}
    assert one.post(f"{path}/favorite", headers=auth).status_code == 200
    assert two.get(path, headers=auth).json()["article"]["favorited"] is True
    assert two.get("/api/articles").json()["articles"][0]["favoritesCount"] == 1
    comment = {"comment": {"body": "from one"}}
    assert one.post(f"{path}/comments", json=comment, headers=auth).status_code == 201
    assert [c["body"] for c in two.get(f"{path}/comments").json()["comments"]] == ["from one"]
    assert one.put("/api/user", json={"user": {"bio": "new"}}, headers=auth).status_code == 200
    assert two.get("/api/profiles/alice").json()["profile"]["bio"] == "new"
    assert two.get("/api/user", headers=auth).json()["user"]["bio"] == "new"
    assert one.delete(path, headers=auth).status_code == 204
    assert two.get(path).status_code == 404


def test_it_shows_what_conduit_seed_wrote_in_another_process_on_the_very_next_request(
    env: dict[str, str],
) -> None:
    with serving(env) as (server,):
        assert _warm(server, "/api/articles").json() == {"articles": [], "articlesCount": 0}
        assert _warm(server, "/api/tags").json() == {"tags": []}
        seeded = conduit(env, "seed", "--users", "2", "--articles", "2")
        assert seeded.returncode == 0, seeded.stderr
        assert server.get("/api/articles").json()["articlesCount"] == 4
        assert server.get("/api/tags").json()["tags"] != []
        assert server.get("/api/profiles/ada.moreau").status_code == 200  # the first demo person


def test_an_operators_sql_shows_once_conduit_cache_clear_ran(
    env: dict[str, str], settings: Settings
) -> None:
    with serving(env) as (server,):
        user = {"username": "olga", "email": "olga@example.com", "password": "correct horse 12"}
        token = server.post("/api/users", json={"user": user}).json()["user"]["token"]
        article = {"title": "Before", "description": "d", "body": "b", "tagList": []}
        created = server.post(
            "/api/articles", json={"article": article}, headers={"Authorization": f"Token {token}"}
        )
        slug = created.json()["article"]["slug"]
        assert _warm(server, f"/api/articles/{slug}").json()["article"]["title"] == "Before"
        execute(settings, "UPDATE articles SET title = 'After by hand'")
        # SQL by hand announces nothing: the cached entry stands until the documented command.
        assert server.get(f"/api/articles/{slug}").json()["article"]["title"] == "Before"
        cleared = conduit(env, "cache", "clear")
        assert cleared.returncode == 0, cleared.stderr
        assert "cache cleared" in cleared.stdout
        shown = server.get(f"/api/articles/{slug}").json()["article"]["title"]
        assert shown == "After by hand"
        assert server.get("/api/articles").json()["articles"][0]["title"] == "After by hand"


def test_cache_clear_fails_loudly_when_redis_cannot_be_reached(settings: Settings) -> None:
    empty_database(settings)
    dead = f"redis://127.0.0.1:{free_port()}/0"
    cleared = conduit(environment(settings, dead), "cache", "clear")
    assert cleared.returncode == 1
    assert "could not reach Redis" in cleared.stderr
    assert "Traceback" not in cleared.stderr


def test_a_hide_through_one_server_is_seen_in_the_next_read_through_the_other(
    servers: list[httpx.Client], env: dict[str, str]
) -> None:
    one, two = servers
    tokens = {}
    for name in ("alice", "mia"):
        user = {"username": name, "email": f"{name}@example.com", "password": "correct horse 12"}
        tokens[name] = one.post("/api/users", json={"user": user}).json()["user"]["token"]
    promoted = conduit(env, "users", "promote", "mia", "--role", "moderator")
    assert promoted.returncode == 0, promoted.stderr
    article = {"title": "Spam", "description": "d", "body": "b", "tagList": ["x"]}
    auth = {"Authorization": f"Token {tokens['alice']}"}
    slug = one.post("/api/articles", json={"article": article}, headers=auth).json()["article"][
        "slug"
    ]
    path = f"/api/articles/{slug}"
    assert _warm(two, path).status_code == 200
    assert _warm(two, "/api/articles").json()["articlesCount"] == 1
    assert _warm(two, "/api/tags").json() == {"tags": ["x"]}
    hidden = one.post(
        f"/api/admin/articles/{slug}/hide",
        json={"reason": "spam"},
        headers={"Authorization": f"Token {tokens['mia']}"},
    )
    assert hidden.status_code == 200, hidden.text
    assert two.get(path).status_code == 404
    assert two.get("/api/articles").json()["articlesCount"] == 0
    assert two.get("/api/tags").json() == {"tags": []}
    assert two.get(path, headers=auth).status_code == 200  # its author still sees it
