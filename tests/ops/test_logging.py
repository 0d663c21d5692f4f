from __future__ import annotations

import io
import re

import pytest
from httpx import AsyncClient

from conduit.observability.logs import configure_logging, get_logger
from conduit.settings import Settings
from tests.factories import PASSWORD, Persona
from tests.ops.conftest import LogLines

pytestmark = pytest.mark.anyio


def _requests(lines: LogLines) -> list[dict[str, object]]:
    return [line for line in lines() if line["event"] == "request"]


def _ours(lines: LogLines) -> list[dict[str, object]]:
    """Lines the app wrote (the test client's own httpx lines go to the same root logger)."""
    return [line for line in lines() if line.get("logger") != "httpx"]


async def test_each_request_gets_one_line_with_its_route_template(
    alice: Persona, log_lines: LogLines
) -> None:
    article = await alice.write(title="Logged")
    response = await alice.get(f"/api/articles/{article['slug']}")
    line = _requests(log_lines)[-1]
    assert line["method"] == "GET"
    assert line["route"] == "/api/articles/{slug}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["user"] == "alice"
    assert line["client"] == "127.0.0.1"
    assert line["level"] == "info"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", str(line["timestamp"]))


async def test_a_sane_request_id_is_kept_and_echoed(
    client: AsyncClient, log_lines: LogLines
) -> None:
    response = await client.get("/api/tags", headers={"X-Request-ID": "edge-42.a_b"})
    assert response.headers["x-request-id"] == "edge-42.a_b"
    assert _requests(log_lines)[0]["request_id"] == "edge-42.a_b"


@pytest.mark.parametrize("given", ["bad id", "x" * 129, "a\nb", "", "é"])
async def test_an_insane_request_id_is_replaced(
    client: AsyncClient, log_lines: LogLines, given: str
) -> None:
    response = await client.get("/api/tags", headers=[(b"X-Request-ID", given.encode())])
    echoed = response.headers["x-request-id"]
    assert echoed != given
    assert echoed.isalnum()
    assert _requests(log_lines)[0]["request_id"] == echoed


async def test_generated_request_ids_differ(client: AsyncClient) -> None:
    first = await client.get("/api/tags")
    second = await client.get("/api/tags")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_unknown_paths_are_logged_without_the_raw_path(
    client: AsyncClient, log_lines: LogLines
) -> None:
    await client.get("/wp-admin/secret-probe")
    (line,) = _requests(log_lines)
    assert line["route"] == "<unmatched>"
    assert line["status"] == 404
    assert "wp-admin" not in str(_ours(log_lines))


async def test_logins_are_logged_with_user_and_client_but_no_secrets(
    alice: Persona, client: AsyncClient, log_lines: LogLines
) -> None:
    ok = await client.post(
        "/api/users/login", json={"user": {"email": alice.email, "password": PASSWORD}}
    )
    bad = await client.post(
        "/api/users/login",
        json={"user": {"email": alice.email, "password": "wrong-password-123"}},
        headers={"Authorization": f"Token {alice.token}"},
    )
    assert (ok.status_code, bad.status_code) == (200, 401)
    lines = log_lines()
    succeeded = next(line for line in lines if line["event"] == "login.succeeded")
    failed = next(line for line in lines if line["event"] == "login.failed")
    assert succeeded["user"] == "alice"
    assert succeeded["client"] == "127.0.0.1"
    assert failed["user"] == "alice@example.com"
    assert failed["client"] == "127.0.0.1"
    assert failed["level"] == "warning"
    text = str(lines)
    for secret in (PASSWORD, "wrong-password-123", alice.token, ok.json()["user"]["token"]):
        assert secret not in text


async def test_forbidden_edits_are_logged_with_the_user(
    alice: Persona, bob: Persona, log_lines: LogLines
) -> None:
    article = await alice.write(title="Mine")
    response = await bob.delete(f"/api/articles/{article['slug']}")
    assert response.status_code == 403
    (line,) = [line for line in log_lines() if line["event"] == "access.forbidden"]
    assert line["user"] == "bob"
    assert line["client"] == "127.0.0.1"
    assert line["request_id"] == response.headers["x-request-id"]
    assert bob.token not in str(log_lines())


def test_secret_keys_are_redacted_whoever_logs_them(settings: Settings) -> None:
    buffer = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": "json"}), buffer)
    get_logger("test").info("oops", password="hunter2", authorization="Token abc.def")
    configure_logging(settings)
    assert "hunter2" not in buffer.getvalue()
    assert "abc.def" not in buffer.getvalue()
    assert '"password":"[redacted]"' in buffer.getvalue()


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_control_characters_cannot_forge_a_line(settings: Settings, log_format: str) -> None:
    buffer = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": log_format}), buffer)
    forged = 'x\n{"event":"login.succeeded","user":"admin"}\r\nlevel=info event=forged\x1b[2J'
    get_logger("test").warning("login.failed", user=forged)
    configure_logging(settings)
    output = buffer.getvalue()
    assert output.count("\n") == 1
    assert "\r" not in output
    assert "\x1b" not in output


async def test_console_format_is_readable_in_development(
    client: AsyncClient, settings: Settings
) -> None:
    buffer = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": "auto"}), buffer)
    await client.get("/api/tags")
    configure_logging(settings)
    line = buffer.getvalue().splitlines()[0]
    assert not line.startswith("{")
    assert "request" in line
    assert "route=/api/tags" in line
