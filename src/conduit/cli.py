"""The ``conduit`` command: serve, migrate, seed."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    auto_migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply migrations before serving")
    ] = True,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development)")] = False,
) -> None:
    """Serve the API and the web application with uvicorn."""
    import uvicorn

    settings = Settings()
    if auto_migrate:
        asyncio.run(_migrate(settings, "head"))
    if workers > 1 and not settings.redis_url and settings.cache_enabled:
        # Without Redis each worker's cache could not see the others' writes: no cache then.
        os.environ["CONDUIT_CACHE_ENABLED"] = "false"
        typer.echo("several workers without CONDUIT_REDIS_URL: the read cache is disabled")
    uvicorn.run(
        "conduit.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


@app.command()
def seed(
    users: Annotated[int, typer.Option(min=1, help="Demo users to create")] = 5,
    articles: Annotated[int, typer.Option(min=0, help="Articles per user")] = 3,
) -> None:
    """Fill the database with demo users and articles (password: 'password123')."""
    from conduit.seed import run

    created = asyncio.run(run(Settings(), users, articles))
    typer.echo(f"seeded {created} users; sign in as demo1@example.com / password123")


def main() -> None:
    app()
