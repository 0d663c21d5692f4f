"""``conduit users promote|demote|create-admin`` against a scratch SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conduit.cli import app


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONDUIT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.delenv("CONDUIT_REDIS_URL", raising=False)
    monkeypatch.setenv("CONDUIT_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CONDUIT_ARGON2_MEMORY_COST", "1024")
    monkeypatch.setenv("CONDUIT_ARGON2_PARALLELISM", "1")
    assert CliRunner().invoke(app, ["migrate"]).exit_code == 0
    return path


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(query))


def test_it_creates_an_admin_promotes_and_demotes_with_audit_rows(
    database: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "password.txt"
    secret.write_text("a long enough passphrase\n")
    runner = CliRunner()
    created = runner.invoke(
        app,
        [
            "users",
            "create-admin",
            "--username",
            "root",
            "--email",
            "root@example.com",
            "--password-file",
            str(secret),
        ],
    )
    assert created.exit_code == 0, created.output
    assert "root is now admin" in created.output
    second = runner.invoke(
        app,
        ["users", "create-admin", "--username", "mia", "--email", "mia@example.com"],
        input="another long passphrase\nanother long passphrase\n",
    )
    assert second.exit_code == 0, second.output

    demoted = runner.invoke(app, ["users", "demote", "mia"])
    assert demoted.exit_code == 0, demoted.output
    promoted = runner.invoke(app, ["users", "promote", "mia", "--role", "moderator"])
    assert promoted.exit_code == 0, promoted.output
    assert rows(database, "SELECT username, role FROM users ORDER BY id") == [
        ("root", "admin"),
        ("mia", "moderator"),
    ]
    audit = rows(
        database,
        "SELECT actor_name, action, target_label, before_json, after_json"
        " FROM audit_log ORDER BY id",
    )
    assert [(a[1], a[2], a[3], a[4]) for a in audit] == [
        ("user.role", "root", '{"role":"member"}', '{"role":"admin"}'),
        ("user.role", "mia", '{"role":"member"}', '{"role":"admin"}'),
        ("user.role", "mia", '{"role":"admin"}', '{"role":"member"}'),
        ("user.role", "mia", '{"role":"member"}', '{"role":"moderator"}'),
    ]
    assert all(str(a[0]).startswith("cli:") for a in audit)


def test_it_refuses_unknown_accounts_and_roles(database: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["users", "promote", "nobody", "--role", "admin"])
    assert missing.exit_code == 1
    assert "profile: not found" in missing.output
    wrong = runner.invoke(app, ["users", "promote", "nobody", "--role", "owner"])
    assert wrong.exit_code == 2
    assert rows(database, "SELECT count(*) FROM audit_log") == [(0,)]
