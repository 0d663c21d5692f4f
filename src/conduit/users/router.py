"""HTTP endpoints for accounts: /api/users, /api/users/login, /api/user."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from conduit.deps import AppResources, CurrentViewer, Session
from conduit.jsonresponse import json_response
from conduit.openapi import errors
from conduit.ratelimit import throttle
from conduit.users import service
from conduit.users.schemas import LoginRequest, NewUserRequest, UpdateUserRequest, UserResponse

router = APIRouter(tags=["User and Authentication"])


@router.post(
    "/users",
    status_code=201,
    response_model=UserResponse,
    responses=errors(409, 413, 422, 429),
    operation_id="CreateUser",
)
async def register(
    request: Request, body: NewUserRequest, session: Session, resources: AppResources
) -> Response:
    await throttle(request, "register", account=body.user.email)
    return json_response(await service.register(session, resources, body.user), 201)


@router.post(
    "/users/login",
    response_model=UserResponse,
    responses=errors(401, 413, 422, 429),
    operation_id="Login",
)
async def login(
    request: Request, body: LoginRequest, session: Session, resources: AppResources
) -> Response:
    await throttle(request, "login", account=body.user.email)
    return json_response(await service.login(session, resources, body.user))


@router.get(
    "/user", response_model=UserResponse, responses=errors(401), operation_id="GetCurrentUser"
)
async def current_user(viewer: CurrentViewer) -> Response:
    return json_response(service.current(viewer))


@router.put(
    "/user",
    response_model=UserResponse,
    responses=errors(401, 409, 413, 422, 429),
    operation_id="UpdateCurrentUser",
)
async def update_user(
    body: UpdateUserRequest, viewer: CurrentViewer, session: Session, resources: AppResources
) -> Response:
    return json_response(await service.change(session, resources, viewer, body.user))
