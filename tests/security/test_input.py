"""Input guarantees: length limits, body size, malformed bodies, inert SQL/LIKE, no 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient

from conduit.settings import Settings
from tests.factories import Persona
from tests.security.conftest import running

pytestmark = pytest.mark.anyio

# (method, path, wrapper, field, limit): every text field of every request body.
BODY_FIELDS = [
    ("POST", "/api/users", "user", "username", 64),
    ("POST", "/api/users", "user", "email", 254),
    ("POST", "/api/users", "user", "password", 256),
    ("POST", "/api/users/login", "user", "email", 254),
    ("POST", "/api/users/login", "user", "password", 256),
    ("PUT", "/api/user", "user", "username", 64),
    ("PUT", "/api/user", "user", "email", 254),
    ("PUT", "/api/user", "user", "password", 256),
    ("PUT", "/api/user", "user", "bio", 2000),
    ("PUT", "/api/user", "user", "image", 2048),
    ("POST", "/api/articles", "article", "title", 255),
    ("POST", "/api/articles", "article", "description", 1000),
    ("POST", "/api/articles", "article", "body", 100_000),
    ("PUT", "/api/articles/{slug}", "article", "title", 255),
    ("PUT", "/api/articles/{slug}", "article", "description", 1000),
    ("PUT", "/api/articles/{slug}", "article", "body", 100_000),
    ("POST", "/api/articles/{slug}/comments", "comment", "body", 10_000),
]

VALID = {
    "username": "someone",
    "email": "someone@example.com",
    "password": "a perfectly fine passphrase",
    "title": "A title",
    "description": "A description",
    "body": "A body",
}


def _too_long(field: str, limit: int) -> str:
    if field == "email":
        return "a" * (limit - 11) + "@example.com"
    if field == "image":
        return "https://example.com/" + "a" * limit
    return "a" * (limit + 1)


@pytest.fixture
async def article(alice: Persona) -> dict[str, Any]:
    return await alice.write(title="Limits")


@pytest.mark.parametrize(("method", "path", "wrapper", "field", "limit"), BODY_FIELDS)
async def test_it_rejects_every_text_field_beyond_its_limit(
    alice: Persona,
    article: dict[str, Any],
    method: str,
    path: str,
    wrapper: str,
    field: str,
    limit: int,
) -> None:
    payload = {key: value for key, value in VALID.items() if wrapper != "comment"}
    payload[field] = _too_long(field, limit)
    url = path.format(slug=article["slug"])
    response = await alice.client.request(method, url, json={wrapper: payload}, headers=alice.auth)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


async def test_it_rejects_tag_names_and_lists_beyond_their_limits(alice: Persona) -> None:
    base = {"title": "T", "description": "D", "body": "B"}
    too_long = await alice.post("/api/articles", {"article": {**base, "tagList": ["x" * 65]}})
    too_many = await alice.post(
        "/api/articles", {"article": {**base, "tagList": [f"t{i}" for i in range(21)]}}
    )
    assert too_long.status_code == 422
    assert too_many.status_code == 422


@pytest.mark.parametrize("param", ["tag", "author", "favorited"])
async def test_it_rejects_filters_beyond_their_limit(client: AsyncClient, param: str) -> None:
    ok = await client.get("/api/articles", params={param: "x" * 255})
    too_long = await client.get("/api/articles", params={param: "x" * 256})
    # Found by the fuzzer: an unmatchable value (here, trailing newlines) is still length-checked.
    padded = await client.get("/api/articles", params={param: "x" * 250 + "\n" * 10})
    assert ok.status_code == 200
    for response in (too_long, padded):
        assert response.status_code == 422
        assert param in response.json()["errors"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/{long}",
        "/api/articles/{long}/comments",
        "/api/profiles/{long}",
    ],
)
async def test_path_parameters_beyond_their_limit_find_nothing(
    client: AsyncClient, path: str
) -> None:
    # No stored slug (255) or username (64) is longer: a longer one is a plain miss.
    response = await client.get(path.format(long="s" * 5000))
    assert response.status_code == 404


@pytest.fixture
async def small_body_client(settings: Settings, app: object) -> AsyncIterator[AsyncClient]:
    async with running(settings, max_body_bytes=2048) as (_app, http):
        yield http


async def test_it_refuses_a_declared_oversized_body_with_413(client: AsyncClient) -> None:
    body = b'{"user": {"email": "' + b"a" * 1_100_000 + b'", "password": "x"}}'
    response = await client.post(
        "/api/users/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"errors": {"body": ["is too large"]}}


async def test_it_refuses_a_streamed_oversized_body_with_413(
    small_body_client: AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"user": {"email": "'
        for _ in range(10):
            yield b"a" * 512
        yield b'", "password": "x"}}'

    # A generator body has no Content-Length: it is sent chunked and counted as it arrives.
    response = await small_body_client.post(
        "/api/users/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"errors": {"body": ["is too large"]}}


async def test_it_accepts_a_body_just_under_the_limit(small_body_client: AsyncClient) -> None:
    body = b'{"user": {"email": "nobody@example.com", "password": "' + b"p" * 200 + b'"}}'
    response = await small_body_client.post(
        "/api/users/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"user": ',
        b"\xff\xfe\x00garbage",
        b"",
        b"[]",
        b"null",
        b'"user"',
        b'{"user": null}',
        b'{"user": []}',
        b'{"user": "alice"}',
        b'{"email": "a@b.co", "password": "xxxxxxxx"}',
        b'{"user": {"email": 42, "password": ["x"]}}',
        b'{"user": {"email": {"$ne": null}, "password": true}}',
    ],
)
async def test_it_answers_malformed_bodies_with_422_in_the_spec_format(
    client: AsyncClient, content: bytes
) -> None:
    response = await client.post(
        "/api/users/login", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in errors.values())


@pytest.mark.parametrize(
    "value",
    ["%", "_", "%%", "a%", "' OR '1'='1", "'; DROP TABLE users; --", '" OR 1=1 --', "\\", "*"],
)
async def test_sql_looking_input_and_like_wildcards_in_filters_are_inert(
    alice: Persona, client: AsyncClient, value: str
) -> None:
    await alice.write(title="Tagged", tags=["dragons"])
    for param in ("tag", "author", "favorited"):
        response = await client.get("/api/articles", params={param: value})
        assert response.status_code == 200
        assert response.json() == {"articles": [], "articlesCount": 0}
    assert (await client.get(f"/api/profiles/{value}")).status_code in (404, 422)
    listed = await client.get("/api/articles")
    assert listed.json()["articlesCount"] == 1


async def test_sql_looking_text_is_stored_verbatim(alice: Persona) -> None:
    title = "Robert'); DROP TABLE articles;-- 100% _real_"
    article = await alice.write(title=title, body="SELECT * FROM users WHERE 1=1")
    fetched = await alice.get(f"/api/articles/{article['slug']}")
    assert fetched.json()["article"]["title"] == title
    assert fetched.json()["article"]["body"] == "SELECT * FROM users WHERE 1=1"


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "\ud800"])
async def test_it_refuses_control_characters_and_lone_surrogates(
    alice: Persona, client: AsyncClient, bad: str
) -> None:
    # json.dumps escapes to ASCII, so even a lone surrogate travels as valid JSON text.
    article = await client.post(
        "/api/articles",
        content=json.dumps({"article": {"title": bad, "description": "d", "body": "b"}}),
        headers={**alice.auth, "Content-Type": "application/json"},
    )
    login = await client.post(
        "/api/users/login",
        content=json.dumps({"user": {"email": f"{bad}@example.com", "password": "x"}}),
        headers={"Content-Type": "application/json"},
    )
    listed = await client.get("/api/articles", params={"tag": bad.replace("\ud800", "\x00")})
    assert article.status_code == 422
    assert login.status_code == 422
    # A lookup no row can match is a miss, not an error (and never a database error).
    assert listed.status_code == 200
    assert listed.json()["articlesCount"] == 0
