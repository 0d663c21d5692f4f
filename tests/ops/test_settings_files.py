from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from conduit.settings import Settings

STRONG = "s3cr3t-from-a-file-" + "abcdefghijklmnop" * 2


def _settings() -> Settings:
    return Settings(_env_file=None)


def test_it_reads_a_setting_from_the_file_named_by_its_file_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text(STRONG + "\n")
    monkeypatch.setenv("CONDUIT_SECRET_KEY_FILE", str(secret))
    monkeypatch.setenv("CONDUIT_ENV", "production")
    assert _settings().secret_key == STRONG


def test_it_parses_file_values_like_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("conduit.example.com, api.example.com\n")
    monkeypatch.setenv("CONDUIT_ALLOWED_HOSTS_FILE", str(hosts))
    (tmp_path / "size").write_text("3")
    monkeypatch.setenv("CONDUIT_DB_POOL_SIZE_FILE", str(tmp_path / "size"))
    settings = _settings()
    assert settings.allowed_hosts == ["conduit.example.com", "api.example.com"]
    assert settings.db_pool_size == 3


def test_a_plain_variable_wins_over_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "url").write_text("redis://from-file:6379/0")
    monkeypatch.setenv("CONDUIT_REDIS_URL_FILE", str(tmp_path / "url"))
    monkeypatch.setenv("CONDUIT_REDIS_URL", "redis://from-env:6379/0")
    assert _settings().redis_url == "redis://from-env:6379/0"


def test_a_missing_secret_file_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONDUIT_SECRET_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(ValueError, match="CONDUIT_SECRET_KEY_FILE"):
        _settings()


def test_production_refuses_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONDUIT_ENV", "production")
    monkeypatch.setenv("CONDUIT_SECRET_KEY", STRONG)
    monkeypatch.setenv("CONDUIT_DEBUG", "true")
    with pytest.raises(ValidationError, match="CONDUIT_DEBUG"):
        _settings()
