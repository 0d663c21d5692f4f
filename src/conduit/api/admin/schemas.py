"""Request bodies and query parameters of the moderation API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import BaseModel, StringConstraints

from conduit.moderation.tables import TableQuery
from conduit.reads.catalog import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from conduit.reads.catalog import Paging as Page

# Every action says why: what the audit log and the author's notice show.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ReportBody(BaseModel):
    reason: Reason


class ReportRequest(BaseModel):
    report: ReportBody


class ActionRequest(BaseModel):
    reason: Reason


class RoleRequest(BaseModel):
    role: Literal["member", "moderator", "admin"]
    reason: Reason


# The staff lists page like the public ones: the same bounds, the same model.
async def page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


Paging = Annotated[Page, Depends(page)]

Text = Annotated[str | None, Query(max_length=255)]
Sort = Annotated[Literal["created", "-created", "name"], Query()]


async def table_query(
    paging: Paging,
    q: Text = None,
    status: Annotated[Literal["active", "suspended", "visible", "hidden"] | None, Query()] = None,
    role: Annotated[Literal["member", "moderator", "admin"] | None, Query()] = None,
    author: Text = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: Sort = "-created",
) -> TableQuery:
    naive = [None if d is None else d.replace(tzinfo=None) for d in (since, until)]
    return TableQuery(
        q or None, status, role, author, naive[0], naive[1], sort, paging.limit, paging.offset
    )


Table = Annotated[TableQuery, Depends(table_query)]
