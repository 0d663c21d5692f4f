"""The error envelope everywhere, odd requests, and inputs that must never reach a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.assertions import assert_error
from tests.factories import Persona

pytestmark = pytest.mark.anyio


async def test_an_unknown_path_is_a_json_404(client: AsyncClient) -> None:
    response = await client.get("/api/nowhere")
    assert_error(response, 404, "path", "not found")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


async def test_a_wrong_method_is_a_json_405(client: AsyncClient) -> None:
    response = await client.patch("/api/articles")
    assert_error(response, 405, "method", "not allowed")


async def test_bodies_are_json_with_charset(client: AsyncClient, alice: Persona) -> None:
    response = await alice.get("/api/user")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "user",
        42,
        {"user": "alice"},
        {"user": []},
        {"user": {"username": ["a"], "email": {"x": 1}, "password": 12345678}},
        {"user": {"username": "a\u0000b", "email": "a@b.co", "password": "p" * 10}},
        {"user": {"username": "x", "email": "x@y.z", "password": "p" * 10_000}},
    ],
)
async def test_odd_registration_bodies_are_422(client: AsyncClient, payload: Any) -> None:
    response = await client.post("/api/users", json=payload)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors
    assert all(isinstance(messages, list) and messages for messages in errors.values())


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"", "application/json"),
        (b"{", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"user=alice", "application/x-www-form-urlencoded"),
        (b'{"user": {}}', "text/plain"),
    ],
)
async def test_undecodable_bodies_are_422(
    client: AsyncClient, content: bytes, content_type: str
) -> None:
    response = await client.post(
        "/api/users/login", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == 422
    assert "errors" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/%00",
        "/api/articles/" + "x" * 5000,
        "/api/articles/%F0%9F%90%89",
        "/api/profiles/%00",
        "/api/profiles/" + "y" * 5000,
        "/api/articles/%E2%80%AE/comments",
    ],
)
async def test_odd_paths_are_404_not_5xx(client: AsyncClient, alice: Persona, path: str) -> None:
    assert (await client.get(path)).status_code == 404
    assert (await alice.get(path)).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"tag": "\u0000"},
        {"author": "🐉"},
        {"favorited": "'; DROP TABLE users; --"},
        {"tag": "%"},
        {"tag": "_"},
    ],
)
async def test_odd_filters_match_nothing(
    client: AsyncClient, alice: Persona, params: dict[str, str]
) -> None:
    await alice.write(tags=["python"])
    response = await client.get("/api/articles", params=params)
    assert response.json() == {"articles": [], "articlesCount": 0}


@pytest.mark.parametrize(
    "article",
    [
        {"title": "🐉 Dragons 🐉", "description": "ü", "body": "日本語", "tagList": ["日本"]},
        {"title": "T", "description": "D", "body": "B", "tagList": ["x" * 64]},
        {"title": "t" * 255, "description": "D", "body": "B" * 100_000},
    ],
)
async def test_unusual_but_valid_articles_round_trip(
    client: AsyncClient, alice: Persona, article: dict[str, Any]
) -> None:
    created = await alice.post("/api/articles", {"article": article})
    assert created.status_code == 201
    fetched = (await client.get(f"/api/articles/{created.json()['article']['slug']}")).json()
    for name, value in article.items():
        assert fetched["article"][name] == value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tagList", ["x" * 65]),
        ("tagList", ["a\u0000"]),
        ("tagList", [1, 2]),
        ("tagList", {"a": 1}),
        ("tagList", [f"t{n}" for n in range(21)]),
        ("title", ["list"]),
        ("description", "d" * 1001),
        ("body", "b" * 100_001),
    ],
)
async def test_invalid_article_fields_are_422(alice: Persona, field: str, value: Any) -> None:
    article: dict[str, Any] = {"title": "T", "description": "D", "body": "B", field: value}
    response = await alice.post("/api/articles", {"article": article})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    "path",
    [
        "/api/profiles/alice%20",
        "/api/profiles/%20alice",
        "/api/articles/dragons%20",
        "/api/articles/dragons%20/comments",
        "/api/articles/dragons%09",
    ],
)
async def test_lookups_are_exact_on_every_database(
    client: AsyncClient, alice: Persona, path: str
) -> None:
    # MariaDB's PAD SPACE collations would match "alice " to "alice": not here.
    await alice.write(title="Dragons")
    assert (await client.get(path)).status_code == 404
    assert (await alice.post(path.removesuffix("/comments") + "/favorite")).status_code == 404


@pytest.mark.parametrize(
    "params", [{"tag": "python "}, {"tag": " python"}, {"author": "alice "}, {"favorited": "bob "}]
)
async def test_filters_are_exact_on_every_database(
    client: AsyncClient, alice: Persona, bob: Persona, params: dict[str, str]
) -> None:
    slug = (await alice.write(tags=["python"]))["slug"]
    await bob.favorite(slug)
    response = await client.get("/api/articles", params=params)
    assert response.json() == {"articles": [], "articlesCount": 0}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "a\u0000b@example.com"),
        ("image", "https://img.example/\u0000.png"),
        ("bio", "nul \u0000 byte"),
        ("username", "nul\u0000"),
    ],
)
async def test_nul_bytes_in_user_fields_are_422(alice: Persona, field: str, value: str) -> None:
    response = await alice.put("/api/user", {"user": {field: value}})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


async def test_nul_bytes_in_credentials_are_refused_cleanly(client: AsyncClient) -> None:
    register = {"username": "nul", "email": "n\u0000@example.com", "password": "p" * 10}
    assert (await client.post("/api/users", json={"user": register})).status_code == 422
    login = {"email": "n\u0000@example.com", "password": "p\u0000" * 5}
    assert (await client.post("/api/users/login", json={"user": login})).status_code == 422


async def test_a_password_may_contain_any_character(client: AsyncClient) -> None:
    password = "pässwörd \u0000 🐉 \t end"
    user = {"username": "dave", "email": "dave@example.com", "password": password}
    assert (await client.post("/api/users", json={"user": user})).status_code == 201
    login = {"email": "dave@example.com", "password": password}
    assert (await client.post("/api/users/login", json={"user": login})).status_code == 200


async def test_the_openapi_document_lists_all_19_operations(client: AsyncClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    operations = [
        (operation["operationId"], operation["tags"])
        for methods in response.json()["paths"].values()
        for operation in methods.values()
    ]
    realworld = {name for name, tags in operations if tags != ["Admin"]}
    assert len(realworld) == 19
    # Besides them, the moderation API (docs/moderation.md), all under the tag "Admin".
    assert len({name for name, _ in operations}) == len(operations) == 37
