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
    role: str = "member"  # member | moderator | admin
    hidden_content: int = 0  # their own articles and comments a moderator hid

    @property
    def moderates(self) -> bool:
        return self.role in ("moderator", "admin")

    @property
    def sees_hidden(self) -> bool:
        """Whether some hidden content is visible to them: such a viewer reads past the shared
        cache, whose entries hold only what everyone may see."""
        return self.moderates or self.hidden_content > 0
