"""A cookie-keeping HTTP client that behaves like a browser posting the app's own forms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from tests.assertions import refuse_server_errors
from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@dataclass
class Browser:
    http: AsyncClient
    origin: str

    @classmethod
    def open(cls, app: FastAPI, origin: str = "http://testserver") -> Browser:
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        hooks = {"response": [refuse_server_errors]}
        return cls(AsyncClient(transport=transport, base_url=origin, event_hooks=hooks), origin)

    async def close(self) -> None:
        await self.http.aclose()

    def set_cookie(self, name: str, value: str) -> None:
        # httpx files cookies from "testserver" under "testserver.local": replace that one.
        self.http.cookies.set(name, value, domain="testserver.local")

    async def get(self, path: str) -> Response:
        return await self.http.get(path)

    async def token(self, path: str | None = None) -> str:
        """The token from a page's form: by default the settings form (or, signed out, login)."""
        if path is None:
            page = await self.get("/settings")
            if page.status_code != 200:
                page = await self.get("/login")
            return csrf_token(page.text)
        return csrf_token((await self.get(path)).text)

    async def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        token: str | None = None,
        origin: str | None = "",
        form_page: str | None = None,
    ) -> Response:
        """Posts like the browser would: with the page's token and our Origin, unless told."""
        fields = dict(data or {})
        if token is None:
            token = await self.token(form_page)
        if token:
            fields["csrf_token"] = token
        headers = {}
        if origin is not None:
            headers["Origin"] = origin or self.origin
        return await self.http.post(path, data=fields, headers=headers)

    async def sign_up(self, username: str, password: str = PASSWORD) -> Response:
        response = await self.post(
            "/register",
            {"username": username, "email": f"{username}@example.com", "password": password},
            form_page="/register",
        )
        assert response.status_code == 303, response.text
        return response

    async def sign_in(self, username: str, password: str = PASSWORD) -> Response:
        return await self.post(
            "/login",
            {"email": f"{username}@example.com", "password": password},
        )

    async def signed_in_as(self) -> str | None:
        match = re.search(r'data-username="([^"]*)"', (await self.get("/")).text)
        return match.group(1) if match else None
