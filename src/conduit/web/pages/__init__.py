"""Routes of the web pages, one module per page family, all on one router."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

# Imported for their side effect: each module adds its routes to ``router``.
from conduit.web.pages import (  # noqa: E402
    article,
    auth,
    console,
    console_actions,
    editor,
    home,
    profile,
    report,
    settings,
)

__all__ = [
    "article",
    "auth",
    "console",
    "console_actions",
    "editor",
    "home",
    "profile",
    "report",
    "router",
    "settings",
]
