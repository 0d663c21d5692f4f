"""The moderation and administration API (OpenAPI tag "Admin"; docs/moderation.md)."""

from __future__ import annotations

from conduit.api.admin import audit, content, people, reports
from conduit.api.routing import ApiRouter

router = ApiRouter()
for part in (reports.router, content.router, people.router, audit.router):
    router.include_router(part)
