"""HTTP endpoints for comments: /api/articles/{slug}/comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from conduit.cache import reads
from conduit.comments import service
from conduit.comments.schemas import CommentListResponse, CommentResponse, NewCommentRequest
from conduit.deps import AppResources, CurrentViewer, OptionalViewer, Session
from conduit.jsonresponse import json_response, raw_json_response
from conduit.openapi import errors
from conduit.params import OPTIONAL_AUTH, RowId, Slug

router = APIRouter(tags=["Comments"])


@router.get(
    "/articles/{slug}/comments",
    response_model=CommentListResponse,
    responses=errors(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetArticleComments",
)
async def list_comments(
    slug: Slug, viewer: OptionalViewer, session: Session, resources: AppResources
) -> Response:
    if resources.cache is not None:
        viewer_id = viewer.id if viewer else None
        return raw_json_response(await reads.comments(resources.cache, session, slug, viewer_id))
    return json_response(await service.list_comments(session, slug, viewer.id if viewer else None))


@router.post(
    "/articles/{slug}/comments",
    status_code=201,
    response_model=CommentResponse,
    responses=errors(401, 404, 413, 422, 429),
    operation_id="CreateArticleComment",
)
async def add_comment(
    slug: Slug, body: NewCommentRequest, viewer: CurrentViewer, session: Session
) -> Response:
    return json_response(await service.add(session, viewer, slug, body.comment.body), 201)


@router.delete(
    "/articles/{slug}/comments/{id}",
    status_code=204,
    responses=errors(401, 403, 404, 422, 429),
    operation_id="DeleteArticleComment",
)
async def delete_comment(
    slug: Slug,
    comment_id: Annotated[RowId, Path(alias="id")],
    viewer: CurrentViewer,
    session: Session,
) -> Response:
    await service.remove(session, viewer, slug, comment_id)
    return Response(status_code=204)
