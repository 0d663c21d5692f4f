"""HTTP endpoints for comments: /api/articles/{slug}/comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from starlette.responses import Response

from conduit.api import presenter, reads
from conduit.api.openapi import errors
from conduit.api.presenter import CommentListResponse, CommentResponse
from conduit.api.routing import ApiRouter
from conduit.comments import service
from conduit.comments.schemas import NewCommentRequest
from conduit.deps import MaybeSignedIn, Writer
from conduit.jsonresponse import json_response, raw_json_response
from conduit.params import OPTIONAL_AUTH, RowId, Slug
from conduit.reads import catalog
from conduit.reads.catalog import CommentQuery, CommentsKey

router = ApiRouter(tags=["Comments"])


@router.get(
    "/articles/{slug}/comments",
    response_model=CommentListResponse,
    responses=errors(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetArticleComments",
)
@reads.serves(catalog.COMMENTS)
async def list_comments(
    slug: Slug, call: MaybeSignedIn, query: Annotated[CommentQuery, Query()]
) -> Response:
    """Newest first, one page: ``limit`` (default 100, at most 200) and ``offset``."""
    params = CommentsKey.model_construct(slug=slug, limit=query.limit, offset=query.offset)
    return raw_json_response(await reads.answer(catalog.COMMENTS, params, call))


@router.post(
    "/articles/{slug}/comments",
    status_code=201,
    response_model=CommentResponse,
    responses=errors(401, 404, 413, 422, 429),
    operation_id="CreateArticleComment",
)
async def add_comment(slug: Slug, body: NewCommentRequest, call: Writer) -> Response:
    comment = await service.add(call.uow, call.viewer, slug, body.comment.body)
    return json_response(presenter.comment_response(comment), 201)


@router.delete(
    "/articles/{slug}/comments/{id}",
    status_code=204,
    responses=errors(401, 403, 404, 422, 429),
    operation_id="DeleteArticleComment",
)
async def delete_comment(
    slug: Slug,
    comment_id: Annotated[RowId, Path(alias="id")],
    call: Writer,
) -> Response:
    await service.remove(call.uow, call.viewer, slug, comment_id)
    return Response(status_code=204)
