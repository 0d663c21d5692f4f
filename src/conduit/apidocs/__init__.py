"""Interactive API documentation (Swagger UI at /api/docs, ReDoc at /api/redoc), served offline.

FastAPI's built-in pages load their JavaScript and CSS from a CDN by major version and start
Swagger UI with an inline script: blank pages without internet or behind a proxy that blocks
the CDN, and incompatible with a strict Content-Security-Policy. Here the assets come from the
``fastapi-offline`` package (pinned in uv.lock) and this folder, under /api/docs/assets/, and
the pages and assets carry a policy that allows scripts from this origin only and no framing.

URLs in the pages are relative (``docs/assets/...`` from ``/api/docs``), so they also work
under a proxy's path prefix.
"""

from __future__ import annotations

from html import escape
from importlib import metadata
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, HTTPException
from starlette.responses import FileResponse, HTMLResponse, Response

HERE = Path(__file__).parent
VENDORED = Path(fastapi_offline.__file__).parent / "static"

# name -> (file, media type). Nothing else is served from /api/docs/assets/.
ASSETS = {
    "swagger-ui-bundle.js": (VENDORED / "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": (VENDORED / "swagger-ui.css", "text/css; charset=utf-8"),
    "redoc.standalone.js": (VENDORED / "redoc.standalone.js", "text/javascript; charset=utf-8"),
    "favicon.png": (VENDORED / "favicon.png", "image/png"),
    "swagger-init.js": (HERE / "swagger-init.js", "text/javascript; charset=utf-8"),
}


def _policy(style: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            f"style-src {style}",
            # Swagger UI draws its icons from data: URIs.
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            # ReDoc runs its search index in a worker it builds from a blob: URL.
            "worker-src 'self' blob:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


# Scripts come from this origin only, on both pages. ReDoc (styled-components) writes its CSS
# into <style> elements at run time and renders nothing when they are blocked, so its page
# alone allows inline styles; Swagger UI needs nothing inline.
STRICT_POLICY = _policy("'self'")
REDOC_POLICY = _policy("'self' 'unsafe-inline'")


def _headers(policy: str, cache: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": cache,
    }


def _page(title: str, head: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="icon" type="image/png" href="docs/assets/favicon.png?v={{v}}">\n{head}'
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


SWAGGER = _page(
    "Conduit API - Swagger UI",
    '<link rel="stylesheet" href="docs/assets/swagger-ui.css?v={v}">\n',
    '<div id="swagger-ui" data-openapi-url="{openapi}"></div>\n'
    '<script src="docs/assets/swagger-ui-bundle.js?v={v}"></script>\n'
    '<script src="docs/assets/swagger-init.js?v={v}"></script>\n',
)
REDOC = _page(
    "Conduit API - ReDoc",
    "",
    '<redoc spec-url="{openapi}"></redoc>\n'
    '<script src="docs/assets/redoc.standalone.js?v={v}"></script>\n',
)


def install(app: FastAPI, openapi: str = "openapi.json") -> None:
    """Adds /api/docs, /api/redoc and /api/docs/assets/* (``openapi``: relative to /api/)."""
    # The asset URLs change with the package version, so browsers may keep them for a day.
    version = escape(metadata.version("fastapi-offline"), quote=True)
    pages = {
        "swagger": SWAGGER.format(v=version, openapi=escape(openapi, quote=True)),
        "redoc": REDOC.format(v=version, openapi=escape(openapi, quote=True)),
    }
    router = APIRouter(prefix="/api", include_in_schema=False)

    @router.get("/docs")
    async def swagger_ui() -> Response:
        return HTMLResponse(pages["swagger"], headers=_headers(STRICT_POLICY, "no-cache"))

    @router.get("/redoc")
    async def redoc() -> Response:
        return HTMLResponse(pages["redoc"], headers=_headers(REDOC_POLICY, "no-cache"))

    @router.get("/docs/assets/{name}")
    async def asset(name: str) -> Response:
        found = ASSETS.get(name)
        if found is None:
            raise HTTPException(404)
        path, media_type = found
        headers = _headers(STRICT_POLICY, "public, max-age=86400")
        return FileResponse(path, media_type=media_type, headers=headers)

    app.include_router(router)
