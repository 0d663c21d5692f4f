"""Without CONDUIT_SECRET_KEY outside production, tokens are signed with a random secret made
on first run and kept in ``.conduit-secret`` (mode 0600), never with a value from the source."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit import devsecret
from conduit.app import create_app
from conduit.settings import DEFAULT_SECRET, Settings
from tests.conftest import _empty_tables

pytestmark = pytest.mark.anyio


def test_it_makes_one_secret_and_keeps_it(tmp_path: Path) -> None:
    first = devsecret.load_or_create(tmp_path)
    again = devsecret.load_or_create(tmp_path)
    assert first.created
    assert not again.created
    assert first.value == again.value
    assert len(first.value) >= 48
    assert first.value != DEFAULT_SECRET
    path = tmp_path / ".conduit-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [".conduit-secret"]  # no staging file left


def test_each_checkout_gets_its_own(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = devsecret.load_or_create(tmp_path / "a")
    b = devsecret.load_or_create(tmp_path / "b")
    assert a.value != b.value


def test_a_folder_it_cannot_write_falls_back_to_memory(tmp_path: Path) -> None:
    # A path below a plain file cannot be written even by root (CI runs as root).
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    secret = devsecret.load_or_create(blocked)
    assert secret.path is None
    assert secret.created
    assert len(secret.value) >= 48
    assert "cannot be written" in secret.notice()


def test_production_and_configured_secrets_are_left_alone(settings: Settings) -> None:
    assert devsecret.apply(settings) == (settings, None)


async def test_it_signs_tokens_with_the_file_secret_without_a_configured_one(
    settings: Settings, migrated: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _empty_tables(migrated)
    monkeypatch.chdir(tmp_path)
    unset = settings.model_copy(update={"secret_key": DEFAULT_SECRET})
    application = create_app(unset)
    async with application.router.lifespan_context(application):
        transport = ASGITransport(app=application)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            user = {"username": "dev", "email": "dev@example.com", "password": "a fine password"}
            response = await http.post("/api/users", json={"user": user})
            assert response.status_code == 201, response.text
            token = response.json()["user"]["token"]
            secret = (tmp_path / ".conduit-secret").read_text().strip()
            assert jwt.decode(token, secret, algorithms=["HS256"])["sub"]
            with pytest.raises(jwt.InvalidSignatureError):
                jwt.decode(token, DEFAULT_SECRET, algorithms=["HS256"])
            # The signature is checked with the same file: the token works.
            me = await http.get("/api/user", headers={"Authorization": f"Token {token}"})
            assert me.status_code == 200
