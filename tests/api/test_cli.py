"""The ``conduit`` command against a scratch SQLite file: migrate, then seed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conduit.cli import app
from conduit.demo.content import load
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


TABLES = ("users", "articles", "comments", "favorites", "follows", "tags", "article_tags")


def counts(path: Path) -> dict[str, int]:
    return {table: count(path, table) for table in TABLES}


def test_seed_fills_the_database(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    result = runner.invoke(app, ["seed", "--users", "3", "--articles", "2"])
    assert result.exit_code == 0, result.output
    assert "3 people, 6 articles (6 new); sign in as ada@example.com / password123" in result.output
    demo = load()
    people = {person.username for person in demo.people[:3]}
    posts = [post for name in people for post in demo.posts_by(name)[:2]]
    assert count(database, "users") == 3
    assert count(database, "articles") == 6
    assert count(database, "comments") == sum(
        1 for post in posts for remark in post.comments if remark.author in people
    )
    fans = sum(1 for post in posts for name in post.favorited_by if name in people)
    assert count(database, "favorites") == fans
    assert count(database, "follows") == sum(
        1 for a, b in demo.follows if a in people and b in people
    )
    with sqlite3.connect(database) as conn:
        counters = conn.execute("SELECT sum(favorites_count) FROM articles").fetchone()[0]
    assert counters == fans


def test_seed_migrates_by_itself_and_changes_nothing_on_a_rerun(database: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["seed"])
    assert first.exit_code == 0, first.output
    assert "5 people, 15 articles (15 new)" in first.output
    seeded = counts(database)
    again = runner.invoke(app, ["seed"])
    assert again.exit_code == 0, again.output
    assert "5 people, 15 articles (0 new)" in again.output
    assert counts(database) == seeded
    assert min(seeded.values()) > 0


def test_a_larger_rerun_adds_only_what_is_missing(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["seed", "--users", "2", "--articles", "1"]).exit_code == 0
    assert count(database, "articles") == 2
    result = runner.invoke(app, ["seed"])
    assert "(13 new)" in result.output
    demo = load()
    assert count(database, "users") == 5
    assert count(database, "articles") == 15
    # The two articles of the first run keep what they got then (from its two people only);
    # the others got all of theirs now.
    early = {"ada.moreau", "kenji"}
    first = [demo.posts_by(name)[0] for name in early]
    missing_comments = sum(1 for post in first for c in post.comments if c.author not in early)
    missing_fans = sum(1 for post in first for name in post.favorited_by if name not in early)
    total_comments = sum(len(post.comments) for post in demo.posts)
    total_fans = sum(len(post.favorited_by) for post in demo.posts)
    assert count(database, "comments") == total_comments - missing_comments
    assert count(database, "favorites") == total_fans - missing_fans
    fresh = runner.invoke(app, ["seed"])
    assert "(0 new)" in fresh.output


def test_seed_refuses_nonsense_counts(database: Path) -> None:
    result = CliRunner().invoke(app, ["seed", "--users", "0"])
    assert result.exit_code != 0
    assert not database.exists() or count(database, "users") == 0
