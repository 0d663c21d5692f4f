"""Moderators suspend and reactivate accounts; admins change roles. Staff tables of users,
articles and comments."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from conduit.api.admin import wire
from conduit.api.admin.access import Staff
from conduit.api.admin.schemas import ActionRequest, RoleRequest, Table
from conduit.api.openapi import errors
from conduit.deps import Work, WriteThrottle
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
    dependencies=[WriteThrottle],
)
async def suspend(
    username: UsernameParam, body: ActionRequest, actor: Staff, uow: Work
) -> Response:
    done = await accounts.set_suspended(uow, actor, username, True, body.reason)
    return json_response(wire.member(done))


@router.delete(
    "/users/{username}/suspend",
    response_model=wire.MemberResponse,
    responses=WRITE,
    operation_id="AdminReactivateUser",
    dependencies=[WriteThrottle],
)
async def reactivate(
    username: UsernameParam, body: ActionRequest, actor: Staff, uow: Work
) -> Response:
    done = await accounts.set_suspended(uow, actor, username, False, body.reason)
    return json_response(wire.member(done))


@router.put(
    "/users/{username}/role",
    response_model=wire.MemberResponse,
    responses=WRITE,
    operation_id="AdminSetUserRole",
    dependencies=[WriteThrottle],
)
async def set_role(username: UsernameParam, body: RoleRequest, actor: Staff, uow: Work) -> Response:
    done = await accounts.set_role(uow, actor, username, body.role, body.reason)
    return json_response(wire.member(done))


@router.get(
    "/users",
    response_model=wire.UsersResponse,
    responses=errors(401, 403, 422),
    operation_id="AdminGetUsers",
)
async def list_users(actor: Staff, uow: Work, table: Table) -> Response:
    return json_response(wire.users(*await tables.users(uow.session, table)))


@router.get(
    "/articles",
    response_model=wire.ArticlesResponse,
    responses=errors(401, 403, 422),
    operation_id="AdminGetArticles",
)
async def list_articles(actor: Staff, uow: Work, table: Table) -> Response:
    return json_response(wire.articles(*await tables.articles(uow.session, table)))


@router.get(
    "/comments",
    response_model=wire.CommentsResponse,
    responses=errors(401, 403, 422),
    operation_id="AdminGetComments",
)
async def list_comments(actor: Staff, uow: Work, table: Table) -> Response:
    return json_response(wire.comments(*await tables.comments(uow.session, table)))
