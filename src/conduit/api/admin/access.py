"""Who may call the moderation API: a signed-in moderator or admin (members get 403 role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from conduit.deps import Call, Caller
from conduit.identity import Viewer
from conduit.moderation.actor import STAFF, Actor, actor_of, require
from conduit.observability.context import current


def acting(viewer: Viewer) -> Actor:
    """The viewer as an actor, with the request's client address and id for the audit log."""
    context = current.get()
    address = context.client if context else None
    request_id = context.request_id if context else None
    return actor_of(viewer, address, request_id)


def _staff_only(viewer: Viewer) -> None:
    require(acting(viewer), STAFF)


# A staff route's one dependency (conduit.deps): reads, and writes (throttled like every write).
Staff = Annotated[Call[Viewer], Depends(Caller(required=True, check=_staff_only))]
StaffWriter = Annotated[
    Call[Viewer], Depends(Caller(required=True, throttle=True, check=_staff_only))
]
