from __future__ import annotations

import os
from typing import Any

import pytest
from pydantic import Field
from typer.testing import CliRunner

from conduit.app import create_app
from conduit.cli import app as cli
from conduit.observability.checks import deploy_findings
from conduit.settings import Settings

GOOD = {
    "CONDUIT_ENV": "production",
    "CONDUIT_SECRET_KEY": "Zq8vN2kLm4Xp7Rt1Yw6Bc9Hd3Fg5Js0Ua",
    "CONDUIT_DATABASE_URL": "postgresql://conduit@db:5432/conduit",
    "CONDUIT_ALLOWED_HOSTS": "conduit.example.com",
    "CONDUIT_CORS_ORIGINS": "https://conduit.example.com",
    "CONDUIT_HTTPS": "true",
    "CONDUIT_WEB_ORIGIN": "https://conduit.example.com",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CONDUIT_"):
            monkeypatch.delenv(name)


def _check(env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--deploy"], env=env)
    return result.exit_code, result.output


def test_a_careful_production_configuration_passes() -> None:
    code, output = _check(GOOD)
    assert (code, output.strip()) == (0, "no issues found")


def test_development_defaults_are_all_reported() -> None:
    code, output = _check({})
    assert code == 1
    for expected in (
        "conduit.E001",  # development secret
        "conduit.W001",  # not production
        "conduit.W002",  # SQLite
        "conduit.W003",  # allowed hosts
        "conduit.W005",  # CORS *
        "conduit.W006",  # HTTPS off
    ):
        assert expected in output


def test_a_short_secret_is_reported() -> None:
    code, output = _check({**GOOD, "CONDUIT_ENV": "development", "CONDUIT_SECRET_KEY": "short"})
    assert code == 1
    assert "conduit.E002" in output


def test_debug_is_reported() -> None:
    code, output = _check({**GOOD, "CONDUIT_ENV": "development", "CONDUIT_DEBUG": "1"})
    assert code == 1
    assert "conduit.E003" in output


def test_production_with_a_fatal_setting_does_not_even_load() -> None:
    code, output = _check({**GOOD, "CONDUIT_SECRET_KEY": "short"})
    assert code == 2
    assert "CONDUIT_SECRET_KEY" in output


def test_each_single_weakness_is_reported_alone() -> None:
    cases = {
        "CONDUIT_ALLOWED_HOSTS": ("*", "conduit.W003"),
        "CONDUIT_CORS_ORIGINS": ("*", "conduit.W005"),
        "CONDUIT_HTTPS": ("false", "conduit.W006"),
        "CONDUIT_HSTS_SECONDS": ("60", "conduit.W007"),
        "CONDUIT_TRUSTED_PROXIES": ("*", "conduit.W008"),
        "CONDUIT_WEB_ORIGIN": ("http://conduit.example.com", "conduit.W004"),
    }
    for name, (value, finding) in cases.items():
        code, output = _check({**GOOD, name: value})
        assert code == 1, name
        assert [line.split(":")[0] for line in output.splitlines()[:-1]] == [finding]


class _WithCookies(Settings):
    web_session_cookie_secure: bool = False
    cors_allow_credentials: bool = Field(default=False)


def _risky_cookies_and_cors() -> _WithCookies:
    values: dict[str, Any] = {k.removeprefix("CONDUIT_").lower(): v for k, v in GOOD.items()}
    values.update(cors_origins=["*"], cors_allow_credentials=True)
    return _WithCookies.model_validate(values)


def test_insecure_cookies_and_credentialed_wildcard_cors_are_reported() -> None:
    settings = _risky_cookies_and_cors()
    ids = {finding.id: finding.fatal for finding in deploy_findings(settings)}
    assert ids == {"conduit.W004": False, "conduit.E004": True}


def test_production_refuses_to_start_on_a_fatal_finding() -> None:
    settings = _risky_cookies_and_cors()
    with pytest.raises(RuntimeError, match=r"conduit\.E004"):
        create_app(settings)


def test_warnings_can_be_silenced_but_fatal_findings_cannot() -> None:
    env = {**GOOD, "CONDUIT_TRUSTED_PROXIES": "*", "CONDUIT_SILENCED_CHECKS": "conduit.W008"}
    assert _check(env) == (0, "no issues found\n")
    env = {**env, "CONDUIT_ENV": "development", "CONDUIT_DEBUG": "true"}
    env["CONDUIT_SILENCED_CHECKS"] += ",conduit.E003,conduit.W001"
    code, output = _check(env)
    assert code == 1
    assert [line.split(":")[0] for line in output.splitlines()[:-1]] == ["conduit.E003 (fatal)"]


def test_check_without_deploy_only_validates() -> None:
    result = CliRunner().invoke(cli, ["check"], env={})
    assert (result.exit_code, result.output.strip()) == (0, "no issues found")
