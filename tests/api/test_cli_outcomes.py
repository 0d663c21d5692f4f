"""The ``conduit`` command's partial outcomes on a scratch SQLite file: the demo seed next to an
account it must not touch, and the read cache that cannot be cleared (seed, cache clear)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conduit.cli import app
from conduit.demo.content import load
from tests.ports import unused_port


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "outcomes.db"
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    monkeypatch.setenv("CONDUIT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.delenv("CONDUIT_REDIS_URL", raising=False)
    monkeypatch.setenv("CONDUIT_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CONDUIT_ARGON2_MEMORY_COST", "1024")
    monkeypatch.setenv("CONDUIT_ARGON2_PARALLELISM", "1")
    return path


def rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql, params).fetchall())


def test_seed_leaves_an_account_that_took_a_demo_username_alone(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    second = load().people[1]
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO users (username, email, password_hash, token_version, created_at,"
            " updated_at) VALUES (?, 'someone.else@example.org', 'x', 0, '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00')",
            (second.username,),
        )
    result = runner.invoke(app, ["seed", "--users", "2", "--articles", "1"])
    assert result.exit_code == 0, result.output
    assert f"skipped {second.username}: the username belongs to another account" in result.output
    assert "1 people, 1 articles (1 new)" in result.output
    # The other account kept its address and got no demo article.
    emails = rows(database, "SELECT email FROM users WHERE username = ?", second.username)
    assert emails == [("someone.else@example.org",)]
    authors = rows(
        database, "SELECT DISTINCT u.username FROM articles a JOIN users u ON u.id = a.author_id"
    )
    assert authors == [(load().people[0].username,)]


def test_seed_says_when_redis_cannot_be_told_and_keeps_the_content(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONDUIT_REDIS_URL", f"redis://127.0.0.1:{unused_port()}/0")
    result = CliRunner().invoke(app, ["seed", "--users", "1", "--articles", "1"])
    assert result.exit_code == 1
    assert "1 people, 1 articles (1 new)" in result.output
    assert "could not clear the read cache (" in result.output
    assert "run `conduit cache clear`" in result.output
    assert rows(database, "SELECT count(*) FROM articles") == [(1,)]


def test_cache_clear_on_an_unmigrated_database_clears_nothing(database: Path) -> None:
    result = CliRunner().invoke(app, ["cache", "clear"])
    assert result.exit_code == 1
    assert "could not update the database (" in result.output
    assert "cache_generations" in result.output  # the table that is not there yet
    assert result.output.rstrip().endswith("nothing cleared")
