"""HTTP endpoints for profiles: /api/profiles/{username} and its follow sub-resource."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from conduit.cache import reads
from conduit.deps import AppResources, CurrentViewer, OptionalViewer, Session
from conduit.jsonresponse import json_response, raw_json_response
from conduit.openapi import errors
from conduit.params import OPTIONAL_AUTH, UsernameParam
from conduit.profiles import service
from conduit.users.schemas import ProfileResponse

router = APIRouter(tags=["Profile"])


@router.get(
    "/profiles/{username}",
    response_model=ProfileResponse,
    responses=errors(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetProfileByUsername",
)
async def get_profile(
    username: UsernameParam, viewer: OptionalViewer, session: Session, resources: AppResources
) -> Response:
    if resources.cache is not None:
        viewer_id = viewer.id if viewer else None
        body = await reads.profile_of(resources.cache, session, username, viewer_id)
        return raw_json_response(body)
    return json_response(await service.get(session, username, viewer))


@router.post(
    "/profiles/{username}/follow",
    response_model=ProfileResponse,
    responses=errors(401, 404, 422, 429),
    operation_id="FollowUserByUsername",
)
async def follow(username: UsernameParam, viewer: CurrentViewer, session: Session) -> Response:
    return json_response(await service.follow(session, username, viewer))


@router.delete(
    "/profiles/{username}/follow",
    response_model=ProfileResponse,
    responses=errors(401, 404, 422, 429),
    operation_id="UnfollowUserByUsername",
)
async def unfollow(username: UsernameParam, viewer: CurrentViewer, session: Session) -> Response:
    return json_response(await service.unfollow(session, username, viewer))
