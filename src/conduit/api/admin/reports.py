"""Members report articles and comments; moderators read the queue and dismiss reports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from conduit.api.admin import wire
from conduit.api.admin.access import Staff, StaffWriter, acting
from conduit.api.admin.schemas import ActionRequest, Paging, ReportRequest
from conduit.api.openapi import errors
from conduit.deps import Writer
from conduit.jsonresponse import json_response
from conduit.moderation import content, reports
from conduit.params import RowId, Slug

router = APIRouter(tags=["Admin"])


@router.post(
    "/articles/{slug}/reports",
    status_code=201,
    response_model=wire.FiledResponse,
    responses=errors(401, 404, 409, 413, 422, 429),
    operation_id="ReportArticle",
)
async def report_article(slug: Slug, body: ReportRequest, call: Writer) -> Response:
    done = await reports.file(call.uow, call.viewer, slug, None, body.report.reason)
    return json_response(wire.filed(done), 201)


@router.post(
    "/articles/{slug}/comments/{id}/reports",
    status_code=201,
    response_model=wire.FiledResponse,
    responses=errors(401, 404, 409, 413, 422, 429),
    operation_id="ReportArticleComment",
)
async def report_comment(
    slug: Slug,
    comment_id: Annotated[RowId, Path(alias="id")],
    body: ReportRequest,
    call: Writer,
) -> Response:
    done = await reports.file(call.uow, call.viewer, slug, comment_id, body.report.reason)
    return json_response(wire.filed(done), 201)


@router.get(
    "/admin/reports",
    response_model=wire.ReportQueueResponse,
    responses=errors(401, 403, 422),
    operation_id="AdminGetReports",
)
async def report_queue(
    call: Staff,
    paging: Paging,
    status: Annotated[Literal["open", "resolved"], Query()] = "open",
) -> Response:
    items, total = await reports.queue(call.uow.session, status, paging.limit, paging.offset)
    return json_response(wire.queue(items, total))


@router.post(
    "/admin/articles/{slug}/reports/dismiss",
    response_model=wire.ModeratedResponse,
    responses=errors(401, 403, 404, 413, 422, 429),
    operation_id="AdminDismissArticleReports",
)
async def dismiss_article(slug: Slug, body: ActionRequest, call: StaffWriter) -> Response:
    done = await content.dismiss_reports(
        call.uow, acting(call.viewer), reports.ARTICLE, slug, body.reason
    )
    return json_response(wire.moderated(done))


@router.post(
    "/admin/comments/{id}/reports/dismiss",
    response_model=wire.ModeratedResponse,
    responses=errors(401, 403, 404, 413, 422, 429),
    operation_id="AdminDismissCommentReports",
)
async def dismiss_comment(
    comment_id: Annotated[RowId, Path(alias="id")], body: ActionRequest, call: StaffWriter
) -> Response:
    done = await content.dismiss_reports(
        call.uow, acting(call.viewer), reports.COMMENT, comment_id, body.reason
    )
    return json_response(wire.moderated(done))
