"""Registration, login, the current user and its changes (POST/GET/PUT /api/user[s])."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import User
from tests.assertions import assert_error, assert_invalid
from tests.factories import PASSWORD, Persona

pytestmark = pytest.mark.anyio


def new_user(**changes: Any) -> dict[str, Any]:
    user = {"username": "dave", "email": "dave@example.com", "password": PASSWORD}
    user.update(changes)
    return {"user": user}


async def test_it_registers_with_201_and_a_working_token(client: AsyncClient) -> None:
    response = await client.post("/api/users", json=new_user())
    assert response.status_code == 201
    user = response.json()["user"]
    assert user == {
        "email": "dave@example.com",
        "token": user["token"],
        "username": "dave",
        "bio": None,
        "image": None,
    }
    me = await client.get("/api/user", headers={"Authorization": f"Token {user['token']}"})
    assert me.json()["user"]["username"] == "dave"


async def test_it_stores_emails_lower_cased(client: AsyncClient, db: AsyncEngine) -> None:
    response = await client.post("/api/users", json=new_user(email="Dave@Example.COM"))
    assert response.json()["user"]["email"] == "dave@example.com"
    async with db.connect() as conn:
        stored = (await conn.execute(select(User.email))).scalar_one()
    assert stored == "dave@example.com"


async def test_it_refuses_a_taken_username_with_409(client: AsyncClient, alice: Persona) -> None:
    response = await client.post("/api/users", json=new_user(username="alice"))
    assert_error(response, 409, "username", "has already been taken")


async def test_it_refuses_a_taken_email_whatever_its_case(
    client: AsyncClient, alice: Persona
) -> None:
    response = await client.post("/api/users", json=new_user(email="ALICE@example.com"))
    assert_error(response, 409, "email", "has already been taken")


async def test_usernames_are_case_sensitive(client: AsyncClient, alice: Persona) -> None:
    response = await client.post("/api/users", json=new_user(username="Alice"))
    assert response.status_code == 201
    profile = await client.get("/api/profiles/Alice")
    assert profile.json()["profile"]["username"] == "Alice"


@pytest.mark.parametrize("field", ["username", "email", "password"])
async def test_it_requires_every_registration_field(client: AsyncClient, field: str) -> None:
    blank = await client.post("/api/users", json=new_user(**{field: ""}))
    assert_error(blank, 422, field, "can't be blank")
    payload = new_user()
    del payload["user"][field]
    missing = await client.post("/api/users", json=payload)
    assert_error(missing, 422, field, "can't be blank")
    null = await client.post("/api/users", json=new_user(**{field: None}))
    assert_error(null, 422, field, "can't be blank")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "zz-not-an-email-zz"),
        ("username", "zz has spaces zz"),
        ("password", "zzshort"),
        ("username", "z" * 65),
    ],
)
async def test_it_rejects_bad_values_without_echoing_them(
    client: AsyncClient, field: str, value: str
) -> None:
    response = await client.post("/api/users", json=new_user(**{field: value}))
    assert_invalid(response, field)
    assert value not in response.text


async def test_it_rejects_a_body_without_the_user_envelope(client: AsyncClient) -> None:
    response = await client.post("/api/users", json=new_user()["user"])
    assert_error(response, 422, "user", "can't be blank")


async def test_it_rejects_malformed_json(client: AsyncClient) -> None:
    response = await client.post(
        "/api/users", content=b'{"user": ', headers={"Content-Type": "application/json"}
    )
    assert_invalid(response, "body")


async def test_it_logs_in_with_email_in_any_case(client: AsyncClient, alice: Persona) -> None:
    response = await client.post(
        "/api/users/login", json={"user": {"email": "ALICE@example.com", "password": PASSWORD}}
    )
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"
    assert response.json()["user"]["token"]


@pytest.mark.parametrize(
    ("email", "password"),
    [("alice@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
)
async def test_it_refuses_bad_credentials_alike(
    client: AsyncClient, alice: Persona, email: str, password: str
) -> None:
    response = await client.post(
        "/api/users/login", json={"user": {"email": email, "password": password}}
    )
    assert_error(response, 401, "credentials", "invalid")


@pytest.mark.parametrize("field", ["email", "password"])
async def test_login_requires_both_fields(client: AsyncClient, field: str) -> None:
    user = {"email": "alice@example.com", "password": PASSWORD, field: ""}
    response = await client.post("/api/users/login", json={"user": user})
    assert_error(response, 422, field, "can't be blank")


async def test_current_user_needs_a_token(client: AsyncClient) -> None:
    assert_error(await client.get("/api/user"), 401, "token", "is missing")
    assert_error(await client.put("/api/user", json={"user": {}}), 401, "token", "is missing")


async def test_it_updates_profile_fields(alice: Persona) -> None:
    changes = {"bio": "I like tea", "image": "https://img.example/alice.png"}
    response = await alice.put("/api/user", {"user": changes})
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["bio"] == "I like tea"
    assert user["image"] == "https://img.example/alice.png"
    assert user["token"] == alice.token
    assert (await alice.get("/api/user")).json()["user"]["bio"] == "I like tea"


async def test_empty_bio_and_image_become_null(alice: Persona) -> None:
    await alice.put("/api/user", {"user": {"bio": "x", "image": "https://img.example/a.png"}})
    response = await alice.put("/api/user", {"user": {"bio": "", "image": ""}})
    assert response.json()["user"]["bio"] is None
    assert response.json()["user"]["image"] is None
    stored = (await alice.get("/api/user")).json()["user"]
    assert (stored["bio"], stored["image"]) == (None, None)


async def test_it_changes_username_and_email(alice: Persona, client: AsyncClient) -> None:
    response = await alice.put("/api/user", {"user": {"username": "alicia", "email": "A@X.io"}})
    assert response.json()["user"]["username"] == "alicia"
    assert response.json()["user"]["email"] == "a@x.io"
    assert (await client.get("/api/profiles/alicia")).status_code == 200
    assert (await client.get("/api/profiles/alice")).status_code == 404


async def test_keeping_your_own_username_and_email_is_no_conflict(alice: Persona) -> None:
    response = await alice.put(
        "/api/user", {"user": {"username": "alice", "email": "ALICE@example.com"}}
    )
    assert response.status_code == 200


async def test_it_refuses_anothers_username_or_email(alice: Persona, bob: Persona) -> None:
    taken_name = await alice.put("/api/user", {"user": {"username": "bob"}})
    assert_error(taken_name, 409, "username", "has already been taken")
    taken_email = await alice.put("/api/user", {"user": {"email": "Bob@Example.com"}})
    assert_error(taken_email, 409, "email", "has already been taken")


@pytest.mark.parametrize("field", ["username", "email", "password"])
async def test_required_fields_cannot_be_blanked(alice: Persona, field: str) -> None:
    assert_error(
        await alice.put("/api/user", {"user": {field: None}}), 422, field, "can't be blank"
    )
    assert_error(await alice.put("/api/user", {"user": {field: ""}}), 422, field, "can't be blank")


async def test_an_empty_change_is_refused(alice: Persona) -> None:
    response = await alice.put("/api/user", {"user": {}})
    assert_error(response, 422, "user", "must contain at least one field")


async def test_it_rejects_an_image_that_is_not_a_web_url(alice: Persona) -> None:
    response = await alice.put("/api/user", {"user": {"image": "javascript:alert('zzq')"}})
    assert_error(response, 422, "image", "must be an http(s) URL")
    assert "zzq" not in response.text


async def test_it_ignores_token_and_id_in_a_change(alice: Persona, db: AsyncEngine) -> None:
    async with db.connect() as conn:
        before = (await conn.execute(select(User.id).where(User.username == "alice"))).scalar()
    response = await alice.put(
        "/api/user", {"user": {"bio": "hi", "token": "forged.token.value", "id": 999}}
    )
    assert response.status_code == 200
    assert response.json()["user"]["token"] == alice.token
    async with db.connect() as conn:
        after = (await conn.execute(select(User.id).where(User.username == "alice"))).scalar()
    assert after == before


async def test_passwords_are_never_echoed(client: AsyncClient) -> None:
    secret = "zz-secret-password-zz"
    registered = await client.post("/api/users", json=new_user(password=secret))
    login = await client.post(
        "/api/users/login", json={"user": {"email": "dave@example.com", "password": secret}}
    )
    token = {"Authorization": f"Token {login.json()['user']['token']}"}
    changed = await client.put(
        "/api/user", json={"user": {"password": secret + "2"}}, headers=token
    )
    failed = await client.post(
        "/api/users/login", json={"user": {"email": "dave@example.com", "password": secret}}
    )
    for response in (registered, login, changed, failed):
        assert secret not in response.text
        assert "password" not in response.json().get("user", {})


async def test_concurrent_registrations_of_one_name_give_one_account(
    client: AsyncClient, db: AsyncEngine
) -> None:
    attempts = [new_user(email=f"dave{n}@example.com") for n in range(4)]
    responses = await asyncio.gather(*(client.post("/api/users", json=p) for p in attempts))
    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409]
    for response in responses:
        if response.status_code == 409:
            assert response.json() == {"errors": {"username": ["has already been taken"]}}
    async with db.connect() as conn:
        assert len((await conn.execute(select(User.id))).all()) == 1


@pytest.mark.parametrize(
    ("username", "status"),
    [("a.b-c_d", 201), ("Zoë", 422), ("x", 201), (".hidden", 422), ("a/b", 422), ("a b", 422)],
)
async def test_usernames_are_word_characters_dots_and_dashes(
    client: AsyncClient, username: str, status: int
) -> None:
    response = await client.post("/api/users", json=new_user(username=username))
    assert response.status_code == status, response.text


async def test_after_an_email_change_only_the_new_address_logs_in(
    client: AsyncClient, alice: Persona
) -> None:
    response = await alice.put(
        "/api/user", {"user": {"email": "alice@new.example", "password": "fresh passphrase"}}
    )
    assert response.json()["user"]["email"] == "alice@new.example"
    old = {"email": "alice@example.com", "password": "fresh passphrase"}
    new = {"email": "alice@new.example", "password": "fresh passphrase"}
    assert (await client.post("/api/users/login", json={"user": old})).status_code == 401
    assert (await client.post("/api/users/login", json={"user": new})).status_code == 200


async def test_overlong_profile_fields_are_refused(alice: Persona) -> None:
    bio = await alice.put("/api/user", {"user": {"bio": "b" * 2001}})
    assert_error(bio, 422, "bio", "is too long (maximum is 2000 characters)")
    image = await alice.put("/api/user", {"user": {"image": "https://x.example/" + "i" * 2048}})
    assert_error(image, 422, "image", "is too long (maximum is 2048 characters)")
