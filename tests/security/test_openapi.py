"""The OpenAPI document the fuzzer (.ci/steps/40-fuzz.sh) trusts: scheme, errors, no 500s."""

from __future__ import annotations

import json
from typing import Any

import pytest
from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Persona

pytestmark = pytest.mark.anyio

OPTIONAL_AUTH = {"GetArticles", "GetArticle", "GetArticleComments", "GetProfileByUsername"}
PUBLIC = {"CreateUser", "Login", "GetTags"}


async def test_the_document_declares_the_token_scheme_and_the_error_schema(
    client: AsyncClient,
) -> None:
    document = (await client.get("/api/openapi.json")).json()
    scheme = document["components"]["securitySchemes"]["Token"]
    assert scheme == {"type": "apiKey", "in": "header", "name": "Authorization"}
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["properties"]["errors"]["additionalProperties"]["items"] == {"type": "string"}
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) == 37  # the RealWorld 19 and the moderation API's 18 (tag Admin)
    for op in operations:
        name = op["operationId"]
        if name in OPTIONAL_AUTH:
            assert op["security"] == [{"Token": []}, {}]
        elif name not in PUBLIC:
            assert op["security"] == [{"Token": []}]
            assert "401" in op["responses"]
        assert "503" in op["responses"]
        if "requestBody" in op:
            assert {"413", "422", "429"} <= set(op["responses"])


async def test_a_405_names_every_method_of_the_path(client: AsyncClient) -> None:
    response = await client.patch("/api/articles/some-slug")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "PUT", "DELETE"}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
WRAPPED = st.fixed_dictionaries(
    {},
    optional={
        "user": JSON
        | st.dictionaries(st.sampled_from(["username", "email", "password", "bio", "image"]), JSON),
        "article": JSON
        | st.dictionaries(st.sampled_from(["title", "description", "body", "tagList"]), JSON),
        "comment": JSON | st.dictionaries(st.just("body"), JSON),
    },
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=JSON | WRAPPED,
    target=st.sampled_from(
        [
            ("POST", "/api/users"),
            ("POST", "/api/users/login"),
            ("PUT", "/api/user"),
            ("POST", "/api/articles"),
            ("PUT", "/api/articles/{slug}"),
            ("POST", "/api/articles/{slug}/comments"),
        ]
    ),
)
async def test_no_body_produces_a_server_error(
    alice: Persona, body: Any, target: tuple[str, str]
) -> None:
    method, path = target
    slug = "how-to-train-your-dragon"
    if (await alice.get(f"/api/articles/{slug}")).status_code == 404:
        await alice.write()
    response = await alice.client.request(
        method,
        path.format(slug=slug),
        content=json.dumps(body),
        headers={**alice.auth, "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"errors"}
