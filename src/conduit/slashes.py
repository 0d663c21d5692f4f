"""The trailing-slash redirect (``/login/`` -> ``/login``), with a relative ``Location``.

Starlette's own (``redirect_slashes``) writes an absolute URL built from the ``Host`` header, so
``Host: evil.example`` turned ``GET /login/`` into a redirect to ``http://evil.example/login``
whenever CONDUIT_ALLOWED_HOSTS is empty (the default). The app turns it off and answers from its
404 handlers instead: a path-absolute ``Location`` keeps the browser on the origin it asked.
"""

from __future__ import annotations

from urllib.parse import quote, quote_from_bytes

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Match

# RFC 3986 "pchar" plus "/": what may stay unescaped in a path. Everything else (controls, spaces,
# "?", "#", "\", non-ASCII) is percent-encoded, so the header is always a valid, local path.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def slash_redirect(request: Request) -> RedirectResponse | None:
    """A redirect to the same path with the trailing slash removed or added, when the router
    serves that path; ``None`` when it serves neither."""
    routes = request.app.router.routes
    if any(route.matches(request.scope)[0] != Match.NONE for route in routes):
        return None  # a route (e.g. /static) took the path and found nothing: a real 404
    path: str = request.scope["path"]
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    # "//evil.example" would be a protocol-relative URL: another site. Never redirect there.
    if not other.startswith("/") or other.startswith("//"):
        return None
    scope = {**request.scope, "path": other}
    if not any(route.matches(scope)[0] != Match.NONE for route in routes):
        return None
    location = quote(other, safe=_PATH_SAFE)
    query = request.scope.get("query_string", b"")
    if query:
        # Kept as sent, only bytes that may not appear in a header value get escaped.
        location += "?" + quote_from_bytes(query, safe="&=+%/:@!$'()*,;-._~?")
    return RedirectResponse(location, status_code=307)
