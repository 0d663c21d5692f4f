"""Who may call the moderation API: a signed-in moderator or admin (members get 403 role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from conduit.deps import CurrentViewer
from conduit.moderation.actor import STAFF, Actor, actor_of, require
from conduit.observability.context import current


def acting(viewer: CurrentViewer) -> Actor:
    """The viewer as an actor, with the request's client address and id for the audit log."""
    context = current.get()
    address = context.client if context else None
    request_id = context.request_id if context else None
    return actor_of(viewer, address, request_id)


async def any_member(viewer: CurrentViewer) -> Actor:
    return acting(viewer)


async def staff(viewer: CurrentViewer) -> Actor:
    actor = acting(viewer)
    require(actor, STAFF)
    return actor


Member = Annotated[Actor, Depends(any_member)]
Staff = Annotated[Actor, Depends(staff)]
