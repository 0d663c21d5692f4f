"""Who performs a moderation action, and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass

from conduit.errors import Forbidden
from conduit.identity import Viewer

MEMBER, MODERATOR, ADMIN = "member", "moderator", "admin"
ROLES = (MEMBER, MODERATOR, ADMIN)
STAFF = (MODERATOR, ADMIN)


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in person (API or console) or the command line (``id`` None), with what the
    audit log records about the request: the client's address and the request id."""

    id: int | None
    name: str
    role: str
    address: str | None = None
    request_id: str | None = None


def actor_of(viewer: Viewer, address: str | None, request_id: str | None) -> Actor:
    return Actor(viewer.id, viewer.username, viewer.role, address, request_id)


def require(actor: Actor, roles: tuple[str, ...]) -> None:
    """403 ``{"errors":{"role":["forbidden"]}}`` unless the actor holds one of ``roles``."""
    if actor.role not in roles:
        raise Forbidden("role")
