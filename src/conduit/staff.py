"""The staff commands behind ``conduit users ...``: promote, demote, create an admin.

They act as the command line (an ``Actor`` without an account id, named after the operating
system user) and write their audit rows like the API's actions do, in the same transaction."""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from typing import TypeVar

from conduit.app import build_resources, close_resources
from conduit.moderation import accounts
from conduit.moderation.accounts import Member
from conduit.moderation.actor import ADMIN, Actor
from conduit.resources import Resources
from conduit.settings import Settings
from conduit.uow import UnitOfWork
from conduit.users.schemas import NewUser
from conduit.users.service import create_account

T = TypeVar("T")


def command_line() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): still on the record
        who = "unknown"
    return Actor(None, f"cli:{who}"[:64], ADMIN)


async def _run(settings: Settings, job: Callable[[Resources, UnitOfWork], Awaitable[T]]) -> T:
    resources = build_resources(settings)
    try:
        uow = resources.unit_of_work()
        try:
            return await job(resources, uow)
        finally:
            await uow.close()
    finally:
        await close_resources(resources)


async def set_role(settings: Settings, username: str, role: str, reason: str) -> Member:
    async def job(_: Resources, uow: UnitOfWork) -> Member:
        return await accounts.set_role(uow, command_line(), username, role, reason)

    return await _run(settings, job)


async def create_admin(settings: Settings, data: NewUser, reason: str) -> Member:
    """A new account holding the admin role (two transactions: the account, then its role with
    its audit row; a failure between them leaves a member, which ``promote`` completes)."""

    async def job(resources: Resources, uow: UnitOfWork) -> Member:
        await create_account(uow, resources.hasher, data)
        return await accounts.set_role(uow, command_line(), data.username, ADMIN, reason)

    return await _run(settings, job)
