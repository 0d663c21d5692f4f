"""Moderators suspend and reactivate accounts; admins change roles. Staff tables of users,
articles and comments."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from conduit.api.admin import wire
from conduit.api.admin.access import Staff, StaffWriter, acting
from conduit.api.admin.schemas import ActionRequest, RoleRequest, Table
from conduit.api.openapi import errors
from conduit.jsonresponse import json_response
from conduit.moderation import accounts, tables
from conduit.params import UsernameParam

router = APIRouter(prefix="/admin", tags=["Admin"])
WRITE = errors(401, 403, 404, 413, 422, 429)


@router.post(
    "/users/{username}/suspend",
    response_model=wire.MemberResponse,
    responses=WRITE,
    operation_id="AdminSuspendUser",
)
async def suspend(username: UsernameParam, body: ActionRequest, call: StaffWriter) -> Response:
    done = await accounts.set_suspended(call.uow, acting(call.viewer), username, True, body.reason)
    return json_response(wire.member(done))


@router.delete(
    "/users/{username}/suspend",
    response_model=wire.MemberResponse,
    responses=WRITE,
    operation_id="AdminReactivateUser",
)
async def reactivate(username: UsernameParam, body: ActionRequest, call: StaffWriter) -> Response:
    done = await accounts.set_suspended(call.uow, acting(call.viewer), username, False, body.reason)
    return json_response(wire.member(done))


@router.put(
    "/users/{username}/role",
    response_model=wire.MemberResponse,
    responses=WRITE,
    operation_id="AdminSetUserRole",
)
async def set_role(username: UsernameParam, body: RoleRequest, call: StaffWriter) -> Response:
    done = await accounts.set_role(call.uow, acting(call.viewer), username, body.role, body.reason)
    return json_response(wire.member(done))


@router.get(
    "/users",
    response_model=wire.UsersResponse,
    responses=errors(401, 403, 422),
    operation_id="AdminGetUsers",
)
async def list_users(call: Staff, table: Table) -> Response:
    return json_response(wire.users(*await tables.users(call.uow.session, table)))


@router.get(
    "/articles",
    response_model=wire.ArticlesResponse,
    responses=errors(401, 403, 422),
    operation_id="AdminGetArticles",
)
async def list_articles(call: Staff, table: Table) -> Response:
    return json_response(wire.articles(*await tables.articles(call.uow.session, table)))


@router.get(
    "/comments",
    response_model=wire.CommentsResponse,
    responses=errors(401, 403, 422),
    operation_id="AdminGetComments",
)
async def list_comments(call: Staff, table: Table) -> Response:
    return json_response(wire.comments(*await tables.comments(call.uow.session, table)))
