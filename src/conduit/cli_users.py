"""``conduit users ...``: staff roles from the command line (docs/moderation.md)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from conduit.settings import Settings

users_app = typer.Typer(help="Staff accounts: roles (docs/moderation.md).", no_args_is_help=True)
Reason = Annotated[str, typer.Option(help="Why: kept in the audit log")]


def _member_line(member: Any) -> str:
    return f"{member.username} is now {member.role}"


@users_app.command("promote")
def users_promote(
    username: Annotated[str, typer.Argument(help="The account to promote")],
    role: Annotated[str, typer.Option(help="moderator or admin")],
    reason: Reason = "promoted from the command line",
) -> None:
    """Give an account the moderator or admin role (written to the audit log)."""
    from conduit.staff import set_role

    if role not in ("moderator", "admin"):
        typer.echo("--role must be moderator or admin", err=True)
        raise typer.Exit(2)
    typer.echo(_member_line(_staff(set_role(Settings(), username, role, reason))))


@users_app.command("demote")
def users_demote(
    username: Annotated[str, typer.Argument(help="The account to demote")],
    reason: Reason = "demoted from the command line",
) -> None:
    """Make an account a plain member again (written to the audit log)."""
    from conduit.staff import set_role

    typer.echo(_member_line(_staff(set_role(Settings(), username, "member", reason))))


@users_app.command("create-admin")
def users_create_admin(
    username: Annotated[str, typer.Option(help="Username of the new account")],
    email: Annotated[str, typer.Option(help="Email of the new account")],
    password_file: Annotated[
        str | None, typer.Option(help="Read the password from this file (else a prompt)")
    ] = None,
    reason: Reason = "created from the command line",
) -> None:
    """Create an account with the admin role."""
    from pydantic import ValidationError

    from conduit.staff import create_admin
    from conduit.users.schemas import NewUser

    if password_file is not None:
        with open(password_file, encoding="utf-8") as handle:
            password = handle.read().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = NewUser(username=username, email=email, password=password)
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"{error['loc'][0]}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    typer.echo(_member_line(_staff(create_admin(Settings(), data, reason))))


def _staff(job: Any) -> Any:
    """Runs a staff command; refusals (unknown account, taken name) are one line, exit 1."""
    from conduit.errors import AppError

    try:
        return asyncio.run(job)
    except AppError as exc:
        for field, messages in exc.errors.items():
            typer.echo(f"{field}: {', '.join(messages)}", err=True)
        raise typer.Exit(1) from None
