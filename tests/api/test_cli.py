"""The ``conduit`` command against a scratch SQLite file: migrate, then seed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conduit.cli import app
from conduit.migrate import heads


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    monkeypatch.setenv("CONDUIT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.delenv("CONDUIT_REDIS_URL", raising=False)
    # Cheap Argon2 for the demo password hash.
    monkeypatch.setenv("CONDUIT_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CONDUIT_ARGON2_MEMORY_COST", "1024")
    monkeypatch.setenv("CONDUIT_ARGON2_PARALLELISM", "1")
    return path


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def test_migrate_creates_the_schema(database: Path) -> None:
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "database migrated to head" in result.output
    with sqlite3.connect(database) as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert revision == heads()[0]
    assert {"users", "articles", "comments", "tags", "favorites", "follows"} <= tables
    assert count(database, "users") == 0


def test_seed_fills_the_database(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    result = runner.invoke(app, ["seed", "--users", "3", "--articles", "2"])
    assert result.exit_code == 0, result.output
    assert "seeded 3 users" in result.output
    assert count(database, "users") == 3
    assert count(database, "articles") == 6
    assert count(database, "comments") == 6
    assert count(database, "favorites") == 6
    assert count(database, "follows") == 3
    assert count(database, "article_tags") >= 6
    with sqlite3.connect(database) as conn:
        counters = conn.execute("SELECT sum(favorites_count) FROM articles").fetchone()[0]
    assert counters == 6


def test_seed_migrates_by_itself_and_keeps_users_on_a_rerun(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["seed", "--users", "2", "--articles", "1"]).exit_code == 0
    assert runner.invoke(app, ["seed", "--users", "2", "--articles", "1"]).exit_code == 0
    assert count(database, "users") == 2
    assert count(database, "follows") == 2
    assert count(database, "articles") == 4


def test_seed_refuses_nonsense_counts(database: Path) -> None:
    result = CliRunner().invoke(app, ["seed", "--users", "0"])
    assert result.exit_code != 0
    assert not database.exists() or count(database, "users") == 0
