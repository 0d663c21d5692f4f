"""The audit log, read-only: a filtered JSON page, or every matching row as CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from conduit.api.admin import wire
from conduit.api.admin.access import Staff
from conduit.api.admin.schemas import Paging, Text
from conduit.api.openapi import errors
from conduit.jsonresponse import json_response
from conduit.moderation import audit
from conduit.moderation.audit import AuditFilter
from conduit.params import MAX_ID

router = APIRouter(prefix="/admin", tags=["Admin"])
CSV_ROWS = 10_000  # an export is for reading, not a backup: the newest rows


async def audit_filter(
    actor: Text = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
    target_type: Annotated[str | None, Query(alias="targetType", max_length=16)] = None,
    target_id: Annotated[int | None, Query(alias="targetId", ge=1, le=MAX_ID)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AuditFilter:
    def naive(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.replace(tzinfo=None)

    return AuditFilter(actor, action, target_type, target_id, naive(since), naive(until))


Filters = Annotated[AuditFilter, Depends(audit_filter)]


@router.get(
    "/audit",
    response_model=wire.AuditResponse,
    responses=errors(401, 403, 422),
    operation_id="AdminGetAudit",
)
async def audit_log(call: Staff, filters: Filters, paging: Paging) -> Response:
    rows, total = await audit.entries(call.uow.session, filters, paging.limit, paging.offset)
    return json_response(wire.audit(rows, total))


@router.get(
    "/audit.csv",
    responses={**errors(401, 403, 422), 200: {"content": {"text/csv": {}}}},
    operation_id="AdminExportAudit",
)
async def audit_csv(call: Staff, filters: Filters) -> Response:
    rows, _ = await audit.entries(call.uow.session, filters, CSV_ROWS, 0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(wire.AuditOut.__annotations__)
    for row in rows:
        entry = wire.audit_entry(row)
        cells = [entry[key] for key in wire.AuditOut.__annotations__]  # type: ignore[literal-required]
        writer.writerow(
            [orjson.dumps(cell).decode() if isinstance(cell, dict) else cell for cell in cells]
        )
    headers = {"Content-Disposition": 'attachment; filename="audit.csv"'}
    return Response(out.getvalue(), 200, headers, "text/csv; charset=utf-8")
