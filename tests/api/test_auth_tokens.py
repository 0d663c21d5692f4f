"""Which tokens authenticate: schemes, bad tokens on required and optional auth, revocation."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from httpx import AsyncClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import User
from conduit.settings import Settings
from tests.assertions import assert_error, user_id
from tests.factories import PASSWORD, Persona

pytestmark = pytest.mark.anyio

# Endpoints where a token is optional: a bad one must still be refused, not silently ignored.
OPTIONAL_AUTH = ["/api/articles", "/api/profiles/alice", "/api/articles/a-slug/comments"]
REQUIRED_AUTH = ["/api/user", "/api/articles/feed"]


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


BAD_TOKEN_KINDS = [
    "garbage",
    "truncated",
    "tampered payload",
    "tampered signature",
    "expired",
    "alg none",
    "wrong secret",
    "missing version",
]


def bad_tokens(good: str, secret: str) -> dict[str, str]:
    claims = claims_of(good)
    header, payload, signature = good.split(".")
    flipped = "A" if signature[0] != "A" else "B"
    past = int(time.time()) - 3600
    return {
        "garbage": "not-a-jwt",
        "truncated": f"{header}.{payload}",
        "tampered payload": f"{header}.{_segment({**claims, 'sub': '999999'})}.{signature}",
        "tampered signature": f"{header}.{payload}.{flipped}{signature[1:]}",
        "expired": jwt.encode({**claims, "iat": past - 60, "exp": past}, secret, "HS256"),
        "alg none": f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "wrong secret": jwt.encode(claims, "another-secret-" + "y" * 40, "HS256"),
        "missing version": jwt.encode(
            {k: v for k, v in claims.items() if k != "ver"}, secret, "HS256"
        ),
    }


@pytest.fixture
def tokens(alice: Persona, settings: Settings) -> dict[str, str]:
    made = bad_tokens(alice.token, settings.secret_key)
    assert sorted(made) == sorted(BAD_TOKEN_KINDS)
    return made


async def test_a_token_signed_like_the_bad_ones_but_valid_works(
    client: AsyncClient, alice: Persona, settings: Settings
) -> None:
    # The control for the forgeries below: only their one defect gets them refused.
    token = jwt.encode(claims_of(alice.token), settings.secret_key, "HS256")
    response = await client.get("/api/user", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize("kind", BAD_TOKEN_KINDS)
@pytest.mark.parametrize("path", OPTIONAL_AUTH + REQUIRED_AUTH)
async def test_a_bad_token_is_refused_everywhere(
    client: AsyncClient, tokens: dict[str, str], kind: str, path: str
) -> None:
    response = await client.get(path, headers={"Authorization": f"Token {tokens[kind]}"})
    assert_error(response, 401, "token", "is invalid")
    assert response.headers["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "BEARER"])
async def test_token_and_bearer_schemes_both_work(
    client: AsyncClient, alice: Persona, scheme: str
) -> None:
    response = await client.get("/api/user", headers={"Authorization": f"{scheme} {alice.token}"})
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"


@pytest.mark.parametrize("header", ["Basic {token}", "{token}", "Token", "Token ", "JWT {token}"])
@pytest.mark.parametrize("path", ["/api/user", "/api/articles"])
async def test_other_header_shapes_are_refused(
    client: AsyncClient, alice: Persona, header: str, path: str
) -> None:
    response = await client.get(path, headers={"Authorization": header.format(token=alice.token)})
    assert_error(response, 401, "token", "is invalid")


async def test_a_missing_token_is_401_only_where_required(client: AsyncClient) -> None:
    for path in REQUIRED_AUTH:
        assert_error(await client.get(path), 401, "token", "is missing")
    assert (await client.get("/api/articles")).status_code == 200


@pytest.mark.parametrize("name", ["token", "access_token", "Authorization"])
async def test_a_token_in_the_query_string_never_authenticates(
    client: AsyncClient, alice: Persona, name: str
) -> None:
    response = await client.get("/api/user", params={name: alice.token})
    assert_error(response, 401, "token", "is missing")
    await alice.write(title="Mine")
    await alice.favorite("mine")
    listed = await client.get("/api/articles", params={name: f"Token {alice.token}"})
    assert listed.json()["articles"][0]["favorited"] is False


async def test_a_token_of_a_deleted_user_is_refused(alice: Persona, db: AsyncEngine) -> None:
    async with db.begin() as conn:
        await conn.execute(delete(User).where(User.id == await user_id(db, "alice")))
    assert_error(await alice.get("/api/user"), 401, "token", "is invalid")


async def test_login_issues_a_fresh_token_each_time(client: AsyncClient, alice: Persona) -> None:
    credentials = {"user": {"email": alice.email, "password": PASSWORD}}
    first = (await client.post("/api/users/login", json=credentials)).json()["user"]["token"]
    second = (await client.post("/api/users/login", json=credentials)).json()["user"]["token"]
    assert first != second != alice.token
    for token in (first, second, alice.token):
        response = await client.get("/api/user", headers={"Authorization": f"Token {token}"})
        assert response.status_code == 200


class TestPasswordChange:
    NEW_PASSWORD = "a brand new passphrase"

    async def _change(self, alice: Persona) -> str:
        response = await alice.put("/api/user", {"user": {"password": self.NEW_PASSWORD}})
        assert response.status_code == 200
        fresh: str = response.json()["user"]["token"]
        return fresh

    async def _login(self, client: AsyncClient, password: str) -> int:
        credentials = {"user": {"email": "alice@example.com", "password": password}}
        return (await client.post("/api/users/login", json=credentials)).status_code

    async def test_it_returns_a_fresh_token_that_works(
        self, client: AsyncClient, alice: Persona
    ) -> None:
        fresh = await self._change(alice)
        assert fresh != alice.token
        response = await client.get("/api/user", headers={"Authorization": f"Token {fresh}"})
        assert response.status_code == 200

    async def test_it_revokes_tokens_issued_before(
        self, client: AsyncClient, alice: Persona
    ) -> None:
        credentials = {"user": {"email": alice.email, "password": PASSWORD}}
        login = await client.post("/api/users/login", json=credentials)
        earlier = login.json()["user"]["token"]
        await self._change(alice)
        response = await client.get("/api/user", headers={"Authorization": f"Token {earlier}"})
        assert_error(response, 401, "token", "is revoked")
        optional = await client.get("/api/articles", headers={"Authorization": f"Token {earlier}"})
        assert optional.status_code == 401

    async def test_the_token_that_made_the_change_keeps_working(self, alice: Persona) -> None:
        await self._change(alice)
        assert (await alice.get("/api/user")).status_code == 200

    async def test_only_the_new_password_logs_in(self, client: AsyncClient, alice: Persona) -> None:
        await self._change(alice)
        assert await self._login(client, PASSWORD) == 401
        assert await self._login(client, self.NEW_PASSWORD) == 200

    async def test_a_second_change_revokes_the_token_kept_by_the_first(
        self, client: AsyncClient, alice: Persona
    ) -> None:
        fresh = await self._change(alice)
        second = await client.put(
            "/api/user",
            json={"user": {"password": "yet another passphrase"}},
            headers={"Authorization": f"Token {fresh}"},
        )
        assert second.status_code == 200
        assert_error(await alice.get("/api/user"), 401, "token", "is revoked")
        kept = await client.get("/api/user", headers={"Authorization": f"Token {fresh}"})
        assert kept.status_code == 200

    async def test_other_changes_keep_every_token(
        self, client: AsyncClient, alice: Persona
    ) -> None:
        credentials = {"user": {"email": alice.email, "password": PASSWORD}}
        other = (await client.post("/api/users/login", json=credentials)).json()["user"]["token"]
        response = await alice.put("/api/user", {"user": {"bio": "still me"}})
        assert response.json()["user"]["token"] == alice.token
        still = await client.get("/api/user", headers={"Authorization": f"Token {other}"})
        assert still.status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"sub": "alice"},
        {"sub": str(2**70)},
        {"sub": "-1"},
        {"ver": "latest"},
        {"ver": 2**70},
        {"jti": None},
        {"exp": "never"},
    ],
)
async def test_odd_claims_even_when_signed_are_refused(
    client: AsyncClient, alice: Persona, settings: Settings, changes: dict[str, Any]
) -> None:
    # Only a holder of the secret could sign these; they must still fail closed, never 5xx.
    token = jwt.encode({**claims_of(alice.token), **changes}, settings.secret_key, "HS256")
    for path in ("/api/user", "/api/articles"):
        response = await client.get(path, headers={"Authorization": f"Token {token}"})
        assert response.status_code == 401
