"""Start-up and configuration errors, as a person sees them: the real ``conduit`` command (and
``manage.py``) in a subprocess. Each error is one or two plain lines naming the variable or the
server, with a non-zero exit, no traceback, and never the secret or a password."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.conftest import BIN, ROOT
from tests.ports import unused_port

PASSWORD = "hunter2-Pa55word"


@dataclass
class Outcome:
    status: int
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def conduit(tmp_path: Path, *args: str, **variables: str) -> Outcome:
    """``conduit ARGS`` in an empty folder (no .env), with only these CONDUIT_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDUIT_")}
    env.update(variables)
    done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(BIN / "conduit"), *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = (done.stdout + done.stderr).strip()
    return Outcome(done.returncode, output.splitlines() if output else [])


def assert_plain(outcome: Outcome, *secrets: str, most: int = 2) -> None:
    assert outcome.status != 0
    assert 1 <= len(outcome.lines) <= most, outcome.text
    assert all(line.startswith("conduit: ") for line in outcome.lines), outcome.text
    assert "Traceback" not in outcome.text
    assert "input_value" not in outcome.text
    for secret in secrets:
        assert secret not in outcome.text


def test_it_names_the_variable_of_a_value_of_the_wrong_type(tmp_path: Path) -> None:
    outcome = conduit(tmp_path, "migrate", CONDUIT_DB_POOL_SIZE="ten")
    assert_plain(outcome, most=1)
    assert outcome.status == 2
    assert outcome.lines == ["conduit: CONDUIT_DB_POOL_SIZE must be a whole number"]
    assert "db_pool_size" not in outcome.text


def test_it_refuses_production_without_a_secret_in_one_line(tmp_path: Path) -> None:
    outcome = conduit(tmp_path, "serve", CONDUIT_ENV="production")
    assert_plain(outcome, most=1)
    assert outcome.lines[0].startswith(
        "conduit: CONDUIT_SECRET_KEY must be set to a random value of at least 32 characters"
    )
    assert not (tmp_path / ".conduit-secret").exists()


def test_it_never_echoes_a_short_secret(tmp_path: Path) -> None:
    secret = "se-real-but-too-short-key"
    outcome = conduit(tmp_path, "serve", CONDUIT_ENV="production", CONDUIT_SECRET_KEY=secret)
    assert_plain(outcome, secret, secret[3:], "real-but-too-short", most=1)
    assert "CONDUIT_SECRET_KEY" in outcome.lines[0]


def test_it_names_an_unsupported_database_without_its_password(tmp_path: Path) -> None:
    url = f"mongodb://admin:{PASSWORD}@db.example.com/conduit"
    outcome = conduit(tmp_path, "migrate", CONDUIT_DATABASE_URL=url)
    assert_plain(outcome, PASSWORD, most=1)
    assert outcome.status == 2
    line = outcome.lines[0]
    assert line.startswith("conduit: CONDUIT_DATABASE_URL uses the unsupported scheme 'mongodb://'")
    assert "postgresql+asyncpg://" in line  # what to write instead


@pytest.mark.parametrize("scheme", ["postgresql+asyncpg", "mysql+aiomysql"])
def test_it_says_which_database_server_it_cannot_reach(tmp_path: Path, scheme: str) -> None:
    port = unused_port()  # nothing listens there
    url = f"{scheme}://conduit:{PASSWORD}@127.0.0.1:{port}/conduit"
    outcome = conduit(tmp_path, "migrate", CONDUIT_DATABASE_URL=url)
    assert_plain(outcome, PASSWORD)
    assert outcome.status == 1
    assert outcome.lines[0] == (
        f"conduit: cannot reach the database at 127.0.0.1:{port} (connection refused)"
    )
    assert f"{scheme}://conduit:***@127.0.0.1:{port}/conduit" in outcome.lines[1]
    assert "running" in outcome.lines[1]


def test_it_says_when_the_sqlite_folder_is_missing(tmp_path: Path) -> None:
    url = "sqlite+aiosqlite:///no/such/folder/conduit.db"
    outcome = conduit(tmp_path, "migrate", CONDUIT_DATABASE_URL=url)
    assert_plain(outcome)
    assert outcome.lines[0] == (
        "conduit: cannot open the SQLite file no/such/folder/conduit.db "
        "(the folder no/such/folder does not exist)"
    )


def test_serve_says_which_redis_it_cannot_reach_and_how_to_do_without(tmp_path: Path) -> None:
    port = unused_port()
    outcome = conduit(
        tmp_path,
        "serve",
        "--port",
        str(unused_port()),
        CONDUIT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'conduit.db'}",
        CONDUIT_REDIS_URL=f"redis://:{PASSWORD}@127.0.0.1:{port}/0",
        CONDUIT_SECRET_KEY="s" * 40,
    )
    assert_plain(outcome, PASSWORD)
    assert (
        outcome.lines[0] == f"conduit: cannot reach Redis at 127.0.0.1:{port} (connection refused)"
    )
    assert f"redis://:***@127.0.0.1:{port}/0" in outcome.lines[1]
    assert "unset CONDUIT_REDIS_URL" in outcome.lines[1]


def test_check_names_the_variables_too(tmp_path: Path) -> None:
    outcome = conduit(tmp_path, "check", CONDUIT_ENV="staging", CONDUIT_HSTS_SECONDS="-1")
    assert outcome.status == 2
    assert sorted(outcome.lines) == [
        "conduit.E000 (fatal): CONDUIT_ENV must be 'development' or 'production'",
        "conduit.E000 (fatal): CONDUIT_HSTS_SECONDS must be at least 0",
    ]


def test_debug_shows_the_traceback_instead(tmp_path: Path) -> None:
    outcome = conduit(tmp_path, "migrate", CONDUIT_DB_POOL_SIZE="ten", CONDUIT_DEBUG="true")
    assert outcome.status != 0
    assert "Traceback" in outcome.text
    assert "ValidationError" in outcome.text


def test_manage_py_names_an_unknown_command_before_the_help() -> None:
    done = subprocess.run(  # noqa: S603 - the bootstrapper itself, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "foo"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0] == "manage.py: unknown command 'foo'"
    assert any(line.startswith("commands: serve") for line in lines)
