"""What ``conduit`` prints when the settings or the database stop it, run in-process through
``conduit.cli.main`` (the console script's entry point): the variable and the rule it breaks in
plain words, the real database server's refusal, never a password (test_startup_errors.py runs
the console script itself in a subprocess for the main cases)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from conduit.cli import main

PASSWORD = "s3cret-Pa55word"
# Read before the tests clear every CONDUIT_* variable.
TEST_SERVER = os.environ.get("CONDUIT_TEST_DATABASE_URL", "")


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No CONDUIT_* variable and no .env file: each test sets what it is about."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CONDUIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CONDUIT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    return monkeypatch


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    status = stopped.value.code
    assert isinstance(status, int)
    return status, captured.err.splitlines()


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("CONDUIT_DB_POOL_TIMEOUT", "soon", "must be a number"),
        ("CONDUIT_DB_ECHO", "perhaps", "must be true or false"),
        ("CONDUIT_LOG_LEVEL", "LOUD", "must be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
        ("CONDUIT_DB_POOL_SIZE", "0", "must be at least 1"),
        ("CONDUIT_CACHE_TTL_SECONDS", "0", "must be greater than 0.0"),
        (
            "CONDUIT_MARKDOWN_WORKERS",
            "65",
            "is not valid: input should be less than or equal to 64",
        ),
    ],
)
def test_it_names_the_variable_and_the_rule_it_breaks(
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    problem: str,
) -> None:
    clean_env.setenv(variable, value)
    status, lines = run(capsys, "migrate")
    assert status == 2
    assert lines == [f"conduit: {variable} {problem}"]


def test_an_unreadable_settings_file_is_named(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-secret"
    clean_env.setenv("CONDUIT_LOG_LEVEL_FILE", str(missing))
    status, lines = run(capsys, "migrate")
    assert status == 2
    assert len(lines) == 1
    assert lines[0].startswith("conduit: CONDUIT_LOG_LEVEL_FILE: cannot read ")
    assert str(missing) in lines[0]


def test_a_string_that_is_no_url_is_refused_without_repeating_it(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CONDUIT_DATABASE_URL", f"admin:{PASSWORD} at the office")
    status, lines = run(capsys, "migrate")
    assert status == 2
    assert len(lines) == 1
    assert lines[0].startswith("conduit: CONDUIT_DATABASE_URL is not a database URL")
    assert PASSWORD not in lines[0]


def _server_url(**changes: str) -> str:
    """The test run's database server (PostgreSQL or MariaDB) with some parts changed."""
    raw = TEST_SERVER
    if not raw or raw.startswith("sqlite"):
        pytest.skip("needs a database server (CI runs this on PostgreSQL and MariaDB)")
    return make_url(raw).set(**changes).render_as_string(hide_password=False)  # type: ignore[arg-type]


def test_it_says_the_server_has_no_such_database(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _server_url(database="conduit_no_such_database")
    clean_env.setenv("CONDUIT_DATABASE_URL", url)
    status, lines = run(capsys, "migrate")
    assert status == 1
    parsed = make_url(url)
    assert lines[0].startswith(
        f"conduit: the database server at {parsed.host}:{parsed.port} has no such database ("
    )
    assert "conduit_no_such_database" in lines[0]
    assert lines[1].startswith("conduit: create it, or fix the database name in")


def test_it_says_the_server_refused_the_login_without_the_password(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _server_url(username="conduit_nobody", password=PASSWORD)
    clean_env.setenv("CONDUIT_DATABASE_URL", url)
    status, lines = run(capsys, "migrate")
    assert status == 1
    parsed = make_url(url)
    assert lines[0].startswith(
        f"conduit: the database at {parsed.host}:{parsed.port} refused the login ("
    )
    assert lines[1] == (
        "conduit: check the user name and password in "
        f"CONDUIT_DATABASE_URL={parsed.render_as_string(hide_password=True)}"
    )
    assert not any(PASSWORD in line for line in lines)
