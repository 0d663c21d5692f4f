"""HTTP endpoints for accounts: /api/users, /api/users/login, /api/user."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from conduit.api import presenter, reads
from conduit.api.openapi import errors
from conduit.api.presenter import UserResponse
from conduit.deps import AppResources, CurrentViewer, Work, WriteThrottle
from conduit.jsonresponse import json_response
from conduit.reads import catalog
from conduit.users import service
from conduit.users.schemas import LoginRequest, NewUserRequest, UpdateUserRequest

router = APIRouter(tags=["User and Authentication"])


@router.post(
    "/users",
    status_code=201,
    response_model=UserResponse,
    responses=errors(409, 413, 422, 429),
    operation_id="CreateUser",
)
async def register(
    request: Request, body: NewUserRequest, uow: Work, resources: AppResources
) -> Response:
    await resources.limiter.check(request, "register", account=body.user.email)
    done = await service.register(uow, resources.hasher, resources.tokens, body.user)
    return json_response(presenter.user_response(done.account, done.token), 201)


@router.post(
    "/users/login",
    response_model=UserResponse,
    responses=errors(401, 413, 422, 429),
    operation_id="Login",
)
async def login(
    request: Request, body: LoginRequest, uow: Work, resources: AppResources
) -> Response:
    await resources.limiter.check(request, "login", account=body.user.email)
    done = await service.login(uow, resources.hasher, resources.tokens, body.user)
    return json_response(presenter.user_response(done.account, done.token))


@router.get(
    "/user", response_model=UserResponse, responses=errors(401), operation_id="GetCurrentUser"
)
@reads.serves(catalog.CURRENT_USER)
async def current_user(viewer: CurrentViewer) -> Response:
    return json_response(presenter.current_user(viewer))


@router.put(
    "/user",
    response_model=UserResponse,
    responses=errors(401, 409, 413, 422, 429),
    operation_id="UpdateCurrentUser",
    dependencies=[WriteThrottle],
)
async def update_user(
    body: UpdateUserRequest, viewer: CurrentViewer, uow: Work, resources: AppResources
) -> Response:
    done = await service.change(uow, resources.hasher, resources.tokens, viewer, body.user)
    return json_response(presenter.user_response(done.account, done.token))
