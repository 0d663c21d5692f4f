"""HTTP endpoints for profiles: /api/profiles/{username} and its follow sub-resource."""

from __future__ import annotations

from starlette.responses import Response

from conduit.api import presenter, reads
from conduit.api.openapi import errors
from conduit.api.presenter import ProfileResponse
from conduit.api.routing import ApiRouter
from conduit.deps import MaybeSignedIn, Writer
from conduit.jsonresponse import json_response, raw_json_response
from conduit.params import OPTIONAL_AUTH, UsernameParam
from conduit.profiles import service
from conduit.reads import catalog
from conduit.reads.catalog import ProfileKey

router = ApiRouter(tags=["Profile"])


@router.get(
    "/profiles/{username}",
    response_model=ProfileResponse,
    responses=errors(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetProfileByUsername",
)
@reads.serves(catalog.PROFILE)
async def get_profile(username: UsernameParam, call: MaybeSignedIn) -> Response:
    params = ProfileKey.model_construct(username=username)
    return raw_json_response(await reads.answer(catalog.PROFILE, params, call))


@router.post(
    "/profiles/{username}/follow",
    response_model=ProfileResponse,
    responses=errors(401, 404, 422, 429),
    operation_id="FollowUserByUsername",
)
async def follow(username: UsernameParam, call: Writer) -> Response:
    done = await service.follow(call.uow, username, call.viewer)
    return json_response(presenter.profile_response(done))


@router.delete(
    "/profiles/{username}/follow",
    response_model=ProfileResponse,
    responses=errors(401, 404, 422, 429),
    operation_id="UnfollowUserByUsername",
)
async def unfollow(username: UsernameParam, call: Writer) -> Response:
    done = await service.unfollow(call.uow, username, call.viewer)
    return json_response(presenter.profile_response(done))
