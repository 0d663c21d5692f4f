"""Moderators hide and unhide articles and comments; admins delete articles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from conduit.api.admin import wire
from conduit.api.admin.access import StaffWriter, acting
from conduit.api.admin.schemas import ActionRequest
from conduit.api.openapi import errors
from conduit.jsonresponse import json_response
from conduit.moderation import content
from conduit.params import RowId, Slug

router = APIRouter(prefix="/admin", tags=["Admin"])
CommentId = Annotated[RowId, Path(alias="id")]
WRITE = errors(401, 403, 404, 413, 422, 429)


@router.post(
    "/articles/{slug}/hide",
    response_model=wire.ModeratedResponse,
    responses=WRITE,
    operation_id="AdminHideArticle",
)
async def hide_article(slug: Slug, body: ActionRequest, call: StaffWriter) -> Response:
    done = await content.set_article_hidden(call.uow, acting(call.viewer), slug, True, body.reason)
    return json_response(wire.moderated(done))


@router.delete(
    "/articles/{slug}/hide",
    response_model=wire.ModeratedResponse,
    responses=WRITE,
    operation_id="AdminUnhideArticle",
)
async def unhide_article(slug: Slug, body: ActionRequest, call: StaffWriter) -> Response:
    done = await content.set_article_hidden(call.uow, acting(call.viewer), slug, False, body.reason)
    return json_response(wire.moderated(done))


@router.delete(
    "/articles/{slug}",
    response_model=wire.ModeratedResponse,
    responses=WRITE,
    operation_id="AdminDeleteArticle",
)
async def delete_article(slug: Slug, body: ActionRequest, call: StaffWriter) -> Response:
    done = await content.delete_article(call.uow, acting(call.viewer), slug, body.reason)
    return json_response(wire.moderated(done))


@router.post(
    "/comments/{id}/hide",
    response_model=wire.ModeratedResponse,
    responses=WRITE,
    operation_id="AdminHideComment",
)
async def hide_comment(comment_id: CommentId, body: ActionRequest, call: StaffWriter) -> Response:
    done = await content.set_comment_hidden(
        call.uow, acting(call.viewer), comment_id, True, body.reason
    )
    return json_response(wire.moderated(done))


@router.delete(
    "/comments/{id}/hide",
    response_model=wire.ModeratedResponse,
    responses=WRITE,
    operation_id="AdminUnhideComment",
)
async def unhide_comment(comment_id: CommentId, body: ActionRequest, call: StaffWriter) -> Response:
    done = await content.set_comment_hidden(
        call.uow, acting(call.viewer), comment_id, False, body.reason
    )
    return json_response(wire.moderated(done))
