"""Who is acting: the authenticated person of a request or command. No web framework here, so
services, the CLI and the web pages share it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated user of this request, and which token they presented."""

    id: int
    username: str
    email: str
    bio: str | None
    image: str | None
    token: str
    token_id: str
    token_version: int
