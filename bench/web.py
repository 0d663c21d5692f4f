"""Signed-in web sessions for the page scenarios: the real sign-in form (CSRF token included)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx

from bench.seed import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _sign_in(base: str, user: dict[str, Any]) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        page = await http.get("/login")
        found = _TOKEN.search(page.text)
        if found is None:
            raise RuntimeError("the sign-in page carries no CSRF token")
        response = await http.post(
            "/login",
            data={"email": user["email"], "password": PASSWORD, "csrf_token": found.group(1)},
            headers={"Origin": base},
        )
        if response.status_code != 303:
            raise RuntimeError(f"web sign-in: {response.status_code} {response.text[:200]}")
        for name, value in http.cookies.items():
            if name.endswith("conduit_session"):
                return f"{name}={value}"
    raise RuntimeError("web sign-in set no session cookie")


async def session_cookies(base: str, users: list[dict[str, Any]], count: int = 8) -> list[str]:
    """``Cookie`` header values of ``count`` signed-in users (each sign-in hashes a password,
    so a few are enough: the pages do the same work whoever is signed in)."""
    return list(await asyncio.gather(*(_sign_in(base, u) for u in users[:count])))
