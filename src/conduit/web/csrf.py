"""Cross-site request forgery defences: a synchronizer token in every form, and the origin check.

A signed-in browser's token is a random value stored with its server-side session. Before sign-in
there is no session yet, so the login and registration forms carry an HMAC of a random cookie
(a signed double-submit token): a foreign site can neither read it nor plant the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request

from conduit.errors import AppError

FIELD = "csrf_token"


class CsrfRejected(AppError):
    status_code = 403

    def __init__(self) -> None:
        super().__init__("form", "has expired or did not come from this site; please try again")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def anonymous_token(secret_key: str, seed: str) -> str:
    return hmac.new(secret_key.encode(), b"csrf-anon:" + seed.encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str, given: object) -> bool:
    return isinstance(given, str) and bool(given) and hmac.compare_digest(expected, given)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def expected_origin(request: Request, configured: str | None) -> str:
    if configured:
        return _origin_of(configured)
    return f"{request.url.scheme}://{request.url.netloc}".lower()


def same_origin(request: Request, configured: str | None) -> bool:
    """The browser says where the form came from: Origin, or else Referer. Neither → refused."""
    expected = expected_origin(request, configured)
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and _origin_of(origin) == expected
    referer = request.headers.get("referer")
    return referer is not None and _origin_of(referer) == expected
