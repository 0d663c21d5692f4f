"""The router of the API's route groups, which steps aside at once for any path not under /api/.

FastAPI matches a request against the routes in order, and each check is a regular expression and
a save and restore of FastAPI's keys in the scope: every web page paid for the ~45 API routes
before its own, ~7% of a page's CPU (py-spy, cache off). Every API route's path has ``/api/``
in it (behind a proxy's ``root_path`` too), so a path without it skips a group with one test.
The groups are included side by side, not under one parent router: FastAPI matches again at
each level of nesting (measured: API reads +10 to 20% CPU with one more level).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


class ApiRouter(APIRouter):
    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if "/api/" not in scope["path"]:
            return Match.NONE, {}
        return super().matches(scope)
