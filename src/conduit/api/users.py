"""HTTP endpoints for accounts: /api/users, /api/users/login, /api/user."""

from __future__ import annotations

from starlette.responses import Response

from conduit.api import presenter, reads
from conduit.api.openapi import errors
from conduit.api.presenter import UserResponse
from conduit.api.routing import ApiRouter
from conduit.deps import Anyone, SignedIn, Writer
from conduit.jsonresponse import json_response
from conduit.reads import catalog
from conduit.users import service
from conduit.users.schemas import LoginRequest, NewUserRequest, UpdateUserRequest

router = ApiRouter(tags=["User and Authentication"])


@router.post(
    "/users",
    status_code=201,
    response_model=UserResponse,
    responses=errors(409, 413, 422, 429),
    operation_id="CreateUser",
)
async def register(body: NewUserRequest, call: Anyone) -> Response:
    resources = call.resources
    await resources.limiter.check(call.request, "register", account=body.user.email)
    done = await service.register(call.uow, resources.hasher, resources.tokens, body.user)
    return json_response(presenter.user_response(done.account, done.token), 201)


@router.post(
    "/users/login",
    response_model=UserResponse,
    responses=errors(401, 413, 422, 429),
    operation_id="Login",
)
async def login(body: LoginRequest, call: Anyone) -> Response:
    resources = call.resources
    await resources.limiter.check(call.request, "login", account=body.user.email)
    done = await service.login(call.uow, resources.hasher, resources.tokens, body.user)
    return json_response(presenter.user_response(done.account, done.token))


@router.get(
    "/user", response_model=UserResponse, responses=errors(401), operation_id="GetCurrentUser"
)
@reads.serves(catalog.CURRENT_USER)
async def current_user(call: SignedIn) -> Response:
    return json_response(presenter.current_user(call.viewer))


@router.put(
    "/user",
    response_model=UserResponse,
    responses=errors(401, 409, 413, 422, 429),
    operation_id="UpdateCurrentUser",
)
async def update_user(body: UpdateUserRequest, call: Writer) -> Response:
    hasher, tokens = call.resources.hasher, call.resources.tokens
    done = await service.change(call.uow, hasher, tokens, call.viewer, body.user)
    return json_response(presenter.user_response(done.account, done.token))
