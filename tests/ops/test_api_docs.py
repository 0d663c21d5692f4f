"""The interactive API docs work offline and under a strict policy: Swagger UI and ReDoc load
only this server's assets (from the pinned fastapi-offline package), which it serves with the
right types, and the pages forbid framing and scripts from anywhere else."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio

PAGES = ("/api/docs", "/api/redoc")
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def _references(html: str) -> list[str]:
    return re.findall(r'(?:src|href|spec-url|data-openapi-url)="([^"]+)"', html)


def _policy(header: str) -> dict[str, str]:
    parts = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: rest for name, _, rest in parts}


async def test_the_pages_reference_only_this_server(client: AsyncClient) -> None:
    for page in PAGES:
        response = await client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        references = _references(response.text)
        assert references, page
        for reference in references:
            assert "//" not in reference, reference  # neither http(s):// nor //cdn...
        assert "<script>" not in response.text  # no inline script: everything is a file
        assert "cdn" not in response.text.lower()


async def test_every_referenced_asset_is_served_with_its_type(client: AsyncClient) -> None:
    for page in PAGES:
        html = (await client.get(page)).text
        for reference in _references(html):
            url = urljoin(f"http://testserver{page}", reference)
            response = await client.get(url)
            assert response.status_code == 200, url
            path = url.split("?")[0]
            if path.endswith("openapi.json"):
                assert response.json()["info"]["title"] == "Conduit API"
                continue
            suffix = path[path.rfind(".") :]
            assert response.headers["content-type"].startswith(TYPES[suffix]), url
            assert len(response.content) > 1000 or suffix == ".js", url
            assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_pages_forbid_framing_and_foreign_scripts(client: AsyncClient) -> None:
    for page in PAGES:
        response = await client.get(page)
        assert response.headers["x-frame-options"] == "DENY"
        policy = _policy(response.headers["content-security-policy"])
        assert policy["default-src"] == "'none'"
        assert policy["script-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["connect-src"] == "'self'"
        assert "http" not in response.headers["content-security-policy"]
    swagger = _policy((await client.get("/api/docs")).headers["content-security-policy"])
    assert swagger["style-src"] == "'self'"  # only ReDoc needs inline styles


async def test_the_swagger_start_up_script_is_a_file(client: AsyncClient) -> None:
    response = await client.get("/api/docs/assets/swagger-init.js")
    assert response.status_code == 200
    assert "SwaggerUIBundle(" in response.text
    assert "validatorUrl: null" in response.text  # nothing is sent to a public validator


async def test_only_the_known_assets_are_served(client: AsyncClient) -> None:
    for name in ("../__init__.py", "core.py", "..%2F__init__.py", "nothing.js"):
        response = await client.get(f"/api/docs/assets/{name}")
        assert response.status_code == 404, name


async def test_the_openapi_document_does_not_list_the_docs(client: AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert not [path for path in paths if path.startswith(("/api/docs", "/api/redoc"))]
