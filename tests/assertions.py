"""Assertions shared by the API tests: error shapes, timestamps, row counts."""

from __future__ import annotations

import re
from typing import Any

from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Article, Base, User

ISO_UTC_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def assert_error(response: Response, status: int, field: str, message: str) -> None:
    """The response is the spec's error shape with exactly this one field and message."""
    assert response.status_code == status, response.text
    assert response.json() == {"errors": {field: [message]}}


def assert_invalid(response: Response, field: str) -> list[str]:
    """A 422 naming ``field``; returns its messages for further checks."""
    assert response.status_code == 422, response.text
    errors: dict[str, list[str]] = response.json()["errors"]
    assert field in errors, errors
    assert errors[field], errors
    return errors[field]


def assert_iso_utc(value: Any) -> None:
    assert isinstance(value, str)
    assert ISO_UTC_MS.match(value), value


async def count_rows(db: AsyncEngine, model: type[Base], **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    async with db.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def user_id(db: AsyncEngine, username: str) -> int:
    async with db.connect() as conn:
        return int(
            (await conn.execute(select(User.id).where(User.username == username))).scalar_one()
        )


async def article_id(db: AsyncEngine, slug: str) -> int:
    async with db.connect() as conn:
        return int(
            (await conn.execute(select(Article.id).where(Article.slug == slug))).scalar_one()
        )


async def refuse_server_errors(response: Response) -> None:
    """No request in the suite may end in a 5xx: an unhandled error is a bug, whatever the test."""
    request = response.request
    assert response.status_code < 500, (
        f"{request.method} {request.url} answered {response.status_code}: "
        f"{(await response.aread())[:500]!r}"
    )
