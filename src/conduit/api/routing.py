"""The router of the API's route groups, which steps aside at once for a path none of its routes
could match.

FastAPI matches a request against the route groups in order, each group's routes one by one, and
each check is a regular expression and a save and restore of FastAPI's keys in the scope; the
group it selects is matched again when it handles the request. Every web page paid for the ~45
API routes before its own (~7% of a page's CPU in py-spy, cache off), and `GET /api/tags`, the
last of the article routes, for the 15 routes before it, twice (~7% of its CPU). So a group first
tests the path for the literal start of each of its routes (`/api/articles/` for
`/articles/{slug}`): a substring test, so that a proxy's ``root_path`` in front of the path
changes nothing; a path that passes is matched by FastAPI as before, so this only ever says no
sooner. The groups are included side by side, not under one parent router: FastAPI matches again
at each level of nesting (measured: API reads +10 to 20% CPU with one more level).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope

# Where app.py includes every group (its ``prefix``).
PREFIX = "/api"


class ApiRouter(APIRouter):
    _literals: tuple[str, ...] = ()
    _counted = -1  # how many routes ``_literals`` was computed from (routes are added later)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope["path"]
        if not any(literal in path for literal in self.literals()):
            return Match.NONE, {}
        return super().matches(scope)

    def literals(self) -> tuple[str, ...]:
        """The fixed start of each route's path, with the prefix: a path without any of them
        matches none of this group's routes."""
        if self._counted != len(self.routes):
            # A group included in this one (the admin's parts) has no path of its own: any
            # path under the prefix may be its.
            starts = {PREFIX + getattr(route, "path", "/").split("{")[0] for route in self.routes}
            self._literals = tuple(sorted(starts))
            self._counted = len(self.routes)
        return self._literals
