"""The ``conduit`` command: serve, migrate, seed, check.

Whatever stops a command (bad settings, a database or Redis out of reach) is reported by
``main`` as plain lines without a traceback (``conduit.startup``); ``CONDUIT_DEBUG=true`` shows
the traceback instead.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from conduit.settings import Settings
from conduit.startup import (
    StartupError,
    database_unreachable,
    debug_requested,
    explain,
    missing_sqlite_folder,
    redis_unreachable,
    scrub,
    secrets_in_environment,
)

# No local variables in tracebacks (CONDUIT_DEBUG=true): they would print the settings' secrets.
app = typer.Typer(
    help="Conduit: a RealWorld publishing backend.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
CONNECT_SECONDS = 10.0


async def _prepare(settings: Settings, revision: str | None) -> None:
    """Reach the database (and Redis when configured) and migrate to ``revision`` if given."""
    from sqlalchemy import text

    from conduit import migrate
    from conduit.db import create_engine

    problem = missing_sqlite_folder(settings.database_url)
    if problem is not None:
        raise problem
    engine = create_engine(settings)
    try:
        try:
            async with asyncio.timeout(CONNECT_SECONDS), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # whatever the driver raises, the database is out of reach
            raise database_unreachable(settings.database_url, exc) from exc
        if revision is not None:
            await migrate.upgrade(engine, revision)
    finally:
        await engine.dispose()
    if settings.redis_url:
        await _reach_redis(settings.redis_url)


async def _reach_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        await client.ping()
    except Exception as exc:
        raise redis_unreachable(url, exc) from exc
    finally:
        await client.aclose()


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Apply the database migrations (to the newest revision by default)."""
    settings = Settings()
    asyncio.run(_prepare(settings.model_copy(update={"redis_url": None}), revision))
    typer.echo(f"database migrated to {revision}")


def run_server(
    target: str | Any,
    settings: Settings,
    host: str,
    port: int,
    workers: int = 1,
    reload: bool = False,
) -> None:
    """Serve ``target`` (an app, or "module:factory" for several workers) the way production does.

    SIGTERM: uvicorn stops accepting, waits up to CONDUIT_SHUTDOWN_TIMEOUT for in-flight requests,
    runs the lifespan shutdown, then re-raises the signal it caught. The no-op handler installed
    here receives that re-raise, so a graceful shutdown ends the process with status 0.
    """
    import signal

    import uvicorn

    from conduit.observability.logs import configure_logging
    from conduit.server import PROTOCOL

    configure_logging(settings)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    with _shared_metrics(workers if not reload else 1):
        uvicorn.run(
            target,
            factory=isinstance(target, str),
            host=host,
            port=port,
            workers=None if reload else workers,
            reload=reload,
            access_log=False,  # our middleware writes one structured line per request
            log_config=None,  # uvicorn's own lines go through our structlog set-up
            proxy_headers=False,  # the app applies CONDUIT_TRUSTED_PROXIES itself, everywhere
            server_header=False,
            timeout_graceful_shutdown=settings.shutdown_timeout,
            # Deadlines for slow and idle clients (head: conduit.server; body: conduit.guard).
            http=PROTOCOL,
            timeout_keep_alive=settings.keepalive_timeout,
        )


@contextmanager
def _shared_metrics(workers: int) -> Iterator[None]:
    """Several workers: /metrics must add up all of them, whichever answers the scrape, so
    they share a prometheus-client multiprocess directory (unless one is configured)."""
    if workers < 2 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="conduit-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # inherited by the spawned workers
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, envvar="WEB_CONCURRENCY", help="Worker processes")
    ] = 1,
    auto_migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply migrations before serving")
    ] = True,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development)")] = False,
) -> None:
    """Serve the API and the web application with uvicorn."""
    from conduit import devsecret
    from conduit.observability.checks import fatal_findings

    settings = Settings()
    fatal = fatal_findings(settings)
    if fatal:
        raise StartupError(f"refusing to start in production: {'; '.join(map(str, fatal))}")
    settings, secret = devsecret.apply(settings)
    if secret is not None:
        # The workers find the same file; said once here rather than once per worker.
        typer.echo(f"conduit: {secret.notice()}", err=True)
    asyncio.run(_prepare(settings, "head" if auto_migrate else None))
    # Several workers without Redis keep the cache: its generations are then in the database,
    # which every worker checks on each cached request (docs/performance.md).
    run_server("conduit.app:create_app", settings, host, port, workers, reload)


@app.command()
def check(
    deploy: Annotated[
        bool, typer.Option("--deploy", help="Audit the settings for a production deploy")
    ] = False,
) -> None:
    """Validate the configuration; with --deploy, report what is unsafe for production."""
    from pydantic import ValidationError

    from conduit.observability.checks import deploy_findings
    from conduit.startup import settings_errors

    try:
        settings = Settings()
    except ValidationError as exc:
        for line in settings_errors(exc):
            typer.echo(f"conduit.E000 (fatal): {line}", err=True)
        raise typer.Exit(2) from None
    findings = deploy_findings(settings) if deploy else []
    for finding in findings:
        typer.echo(str(finding), err=True)
    if findings:
        typer.echo(f"{len(findings)} issue(s) found", err=True)
        raise typer.Exit(1)
    typer.echo("no issues found")


@app.command()
def seed(
    users: Annotated[int, typer.Option(min=1, help="Demo people to write (at most 5)")] = 5,
    articles: Annotated[int, typer.Option(min=0, help="Articles per person (at most 3)")] = 3,
) -> None:
    """Fill the database with the demo content; running it again changes nothing."""
    from sqlalchemy.exc import DBAPIError

    from conduit.cache.clearing import clear_everywhere
    from conduit.cache.shared import REDIS_ERRORS
    from conduit.demo.content import PASSWORD
    from conduit.seed import run

    settings = Settings()
    asyncio.run(_prepare(settings.model_copy(update={"redis_url": None}), None))
    seeded = asyncio.run(run(settings, users, articles))
    for username in seeded.skipped:
        typer.echo(f"skipped {username}: the username belongs to another account", err=True)
    typer.echo(
        f"demo content: {seeded.people} people, {seeded.articles} articles "
        f"({seeded.new_articles} new); sign in as {seeded.sign_in} / {PASSWORD}"
    )
    # Running servers must not keep answering from what they cached before the new content.
    try:
        asyncio.run(clear_everywhere(settings))
    except (DBAPIError, *REDIS_ERRORS) as exc:
        typer.echo(f"could not clear the read cache ({exc}): run `conduit cache clear`", err=True)
        raise typer.Exit(1) from None


cache_app = typer.Typer(help="The read cache of every running server.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("clear")
def cache_clear() -> None:
    """Make every server's cached reads stale at once (after changing data by hand, e.g. SQL)."""
    from sqlalchemy.exc import DBAPIError

    from conduit.cache.clearing import clear_everywhere
    from conduit.cache.shared import REDIS_ERRORS

    try:
        done = asyncio.run(clear_everywhere(Settings()))
    except DBAPIError as exc:
        typer.echo(f"could not update the database ({exc.orig}): nothing cleared", err=True)
        raise typer.Exit(1) from None
    except REDIS_ERRORS as exc:
        typer.echo(f"could not reach Redis ({exc}): run it again once Redis answers", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"cache cleared ({', '.join(done)}): the next request of every server reads afresh")


from conduit.cli_users import users_app  # noqa: E402  (below the app it joins)

app.add_typer(users_app, name="users")


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv)
    except Exception as exc:
        if debug_requested():
            raise
        lines, status = explain(exc)
        for line in scrub(lines, secrets_in_environment()):
            typer.echo(f"conduit: {line}", err=True)
        raise SystemExit(status) from None
