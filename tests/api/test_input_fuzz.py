"""Generated inputs: whatever arrives, the answer is a 2xx or a clean 4xx that echoes nothing.

Every generated string starts with MARK, which no fixed error message contains, so an error body
that quotes the input is caught.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Persona

pytestmark = pytest.mark.anyio

MARK = "Zq~"

FUZZ = settings(
    max_examples=60,
    deadline=None,
    # The app and personas are shared by the examples of one test, on purpose: only reads and
    # independent writes are generated.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

marked_text = st.text(max_size=80).map(lambda s: MARK + s)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    marked_text,
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(marked_text, inner, max_size=3),
    max_leaves=6,
)


def field_values(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, values))


def assert_clean(status: int, text: str, allowed: set[int]) -> None:
    assert status in allowed, (status, text)
    if status >= 400:
        assert MARK not in text, text


@FUZZ
@given(user=field_values(["username", "email", "password", "bio", "image"]))
async def test_registration_survives_anything(client: AsyncClient, user: dict[str, Any]) -> None:
    response = await client.post("/api/users", json={"user": user})
    assert_clean(response.status_code, response.text, {201, 409, 422})


@FUZZ
@given(user=field_values(["email", "password"]))
async def test_login_survives_anything(client: AsyncClient, user: dict[str, Any]) -> None:
    response = await client.post("/api/users/login", json={"user": user})
    assert_clean(response.status_code, response.text, {401, 422})


@FUZZ
@given(changes=field_values(["bio", "image"]))
async def test_profile_edits_survive_anything(alice: Persona, changes: dict[str, Any]) -> None:
    response = await alice.put("/api/user", {"user": changes})
    assert_clean(response.status_code, response.text, {200, 422})


@FUZZ
@given(article=field_values(["title", "description", "body", "tagList"]))
async def test_article_creation_survives_anything(alice: Persona, article: dict[str, Any]) -> None:
    response = await alice.post("/api/articles", {"article": article})
    assert_clean(response.status_code, response.text, {201, 422})


@FUZZ
@given(tags=st.lists(marked_text, max_size=5))
async def test_accepted_tags_come_back_as_stored(alice: Persona, tags: list[str]) -> None:
    article = {"title": "Tagged", "description": "d", "body": "b", "tagList": tags}
    response = await alice.post("/api/articles", {"article": article})
    assert_clean(response.status_code, response.text, {201, 422})
    if response.status_code == 201:
        created = response.json()["article"]
        fetched = await alice.get(f"/api/articles/{created['slug']}")
        assert fetched.json()["article"]["tagList"] == created["tagList"]


@FUZZ
@given(comment=field_values(["body"]))
async def test_comments_survive_anything(
    alice: Persona, bob: Persona, comment: dict[str, Any]
) -> None:
    slug = "fuzzed"
    if (await alice.get(f"/api/articles/{slug}")).status_code == 404:
        await alice.write(title="Fuzzed")
    response = await bob.post(f"/api/articles/{slug}/comments", {"comment": comment})
    assert_clean(response.status_code, response.text, {201, 422})


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["limit", "offset", "tag", "author", "favorited"]),
        st.text(max_size=30),
        max_size=5,
    )
)
async def test_list_parameters_survive_anything(alice: Persona, params: dict[str, str]) -> None:
    response = await alice.get("/api/articles", params=params)
    assert_clean(response.status_code, response.text, {200, 422})


@FUZZ
@given(name=st.text(min_size=1, max_size=40))
async def test_path_segments_survive_anything(alice: Persona, name: str) -> None:
    segment = quote(name, safe="")
    for path in (
        f"/api/profiles/{segment}",
        f"/api/articles/{segment}",
        f"/api/articles/{segment}/comments",
    ):
        response = await alice.get(path)
        # 307: an encoded '/' can leave a trailing slash, which Starlette redirects away.
        assert_clean(response.status_code, response.text, {200, 307, 404})


HOLE = "<hole>"


def with_escape(payload: dict[str, Any], escape: str) -> bytes:
    """JSON text with ``escape`` (a raw \\u sequence) wherever the payload says HOLE."""
    return json.dumps(payload).replace(HOLE, escape).encode()


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d\\ude00x\\ud800"])
async def test_lone_surrogates_are_refused_cleanly(alice: Persona, escape: str) -> None:
    # Valid JSON, but not encodable text: it must not reach a database driver.
    user = {"username": f"u{HOLE}", "email": f"u{HOLE}@x.io", "password": f"p{HOLE}" * 8}
    article = {"title": f"t{HOLE}", "description": "d", "body": "b", "tagList": [HOLE]}
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/api/users", {"user": user}),
        ("POST", "/api/articles", {"article": article}),
        ("PUT", "/api/user", {"user": {"bio": f"b{HOLE}"}}),
    ]
    for method, path, payload in requests:
        response = await alice.client.request(
            method,
            path,
            content=with_escape(payload, escape),
            headers={**alice.auth, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        errors = response.json()["errors"].values()
        # A fixed message (never the input): the text is refused as invalid characters.
        assert all(messages == ["contains invalid characters"] for messages in errors), (
            response.text
        )
