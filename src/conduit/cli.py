"""The ``conduit`` command: serve, migrate, seed, check."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from conduit.settings import Settings

app = typer.Typer(help="Conduit: a RealWorld publishing backend.", no_args_is_help=True)


async def _migrate(settings: Settings, revision: str) -> None:
    from conduit import migrate
    from conduit.db import create_engine

    engine = create_engine(settings)
    try:
        await migrate.upgrade(engine, revision)
    finally:
        await engine.dispose()


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Apply the database migrations (to the newest revision by default)."""
    settings = Settings()
    asyncio.run(_migrate(settings, revision))
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
    settings = Settings()
    if auto_migrate:
        asyncio.run(_migrate(settings, "head"))
    if workers > 1 and not settings.redis_url and settings.cache_enabled:
        # Without Redis each worker's cache could not see the others' writes: no cache then.
        os.environ["CONDUIT_CACHE_ENABLED"] = "false"
        typer.echo("several workers without CONDUIT_REDIS_URL: the read cache is disabled")
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

    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"conduit.E000 (fatal): {error['msg']}", err=True)
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
    from conduit.demo.content import PASSWORD
    from conduit.seed import run

    seeded = asyncio.run(run(Settings(), users, articles))
    for username in seeded.skipped:
        typer.echo(f"skipped {username}: the username belongs to another account", err=True)
    typer.echo(
        f"demo content: {seeded.people} people, {seeded.articles} articles "
        f"({seeded.new_articles} new); sign in as {seeded.sign_in} / {PASSWORD}"
    )


def main() -> None:
    app()
