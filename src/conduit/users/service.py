"""Accounts: registration, login, the current user and its changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.cache import core as cache
from conduit.cache.invalidate import changed
from conduit.deps import Viewer
from conduit.errors import BadCredentials, Conflict, Invalid
from conduit.models import User, utcnow
from conduit.observability.logs import get_logger
from conduit.resources import Resources
from conduit.users.schemas import LoginUser, NewUser, UserChanges

log = get_logger("conduit.auth")


def user_body(
    email: str, token: str, username: str, bio: str | None, image: str | None
) -> dict[str, Any]:
    return {
        "user": {"email": email, "token": token, "username": username, "bio": bio, "image": image}
    }


async def _taken(
    session: AsyncSession, username: str | None, email: str | None, except_id: int | None = None
) -> Conflict | None:
    """The conflict to report for a username/email pair, username first."""
    conditions = []
    if username is not None:
        conditions.append(User.username == username)
    if email is not None:
        conditions.append(User.email == email)
    if not conditions:
        return None
    query = select(User.username, User.email).where(or_(*conditions))
    if except_id is not None:
        query = query.where(User.id != except_id)
    rows = (await session.execute(query)).all()
    if any(row.username == username for row in rows):
        return Conflict("username")
    if rows:
        return Conflict("email")
    return None


async def create_account(session: AsyncSession, resources: Resources, data: NewUser) -> User:
    conflict = await _taken(session, data.username, data.email)
    if conflict:
        raise conflict
    password_hash = await resources.hasher.hash(data.password)
    user = User(username=data.username, email=data.email, password_hash=password_hash)
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:
        # Lost a race with a concurrent registration: report it like the pre-check would have.
        await session.rollback()
        raise await _taken(session, data.username, data.email) or Conflict("username") from None
    return user


async def register(session: AsyncSession, resources: Resources, data: NewUser) -> dict[str, Any]:
    user = await create_account(session, resources, data)
    token = resources.tokens.issue(user.id, user.token_version)
    return user_body(user.email, token, user.username, user.bio, user.image)


async def authenticate(session: AsyncSession, resources: Resources, data: LoginUser) -> Any:
    """The user row for a valid email and password; BadCredentials otherwise."""
    row = (
        await session.execute(
            select(
                User.id,
                User.username,
                User.email,
                User.bio,
                User.image,
                User.password_hash,
                User.token_version,
            ).where(User.email == data.email)
        )
    ).first()
    # Unknown emails still pay for one Argon2 verification: no timing oracle for accounts.
    valid, new_hash = await resources.hasher.verify(
        data.password, row.password_hash if row else None
    )
    if row is None or not valid:
        # The address tried, never the password; the client address comes from the request.
        log.warning("login.failed", user=data.email)
        raise BadCredentials()
    log.info("login.succeeded", user=row.username)
    if new_hash is not None:
        await session.execute(update(User).where(User.id == row.id).values(password_hash=new_hash))
        await session.commit()
    return row


async def login(session: AsyncSession, resources: Resources, data: LoginUser) -> dict[str, Any]:
    row = await authenticate(session, resources, data)
    token = resources.tokens.issue(row.id, row.token_version)
    return user_body(row.email, token, row.username, row.bio, row.image)


def current(viewer: Viewer) -> dict[str, Any]:
    return user_body(viewer.email, viewer.token, viewer.username, viewer.bio, viewer.image)


async def change(
    session: AsyncSession, resources: Resources, viewer: Viewer, data: UserChanges
) -> dict[str, Any]:
    fields = data.model_fields_set
    if not fields:
        raise Invalid("user", "must contain at least one field")
    values: dict[str, Any] = {name: getattr(data, name) for name in fields if name != "password"}
    username = values.get("username")
    email = values.get("email")
    conflict = await _taken(
        session,
        username if username != viewer.username else None,
        email if email != viewer.email else None,
        except_id=viewer.id,
    )
    if conflict:
        raise conflict
    version = viewer.token_version
    if data.password is not None:
        values["password_hash"] = await resources.hasher.hash(data.password)
        # Every other token is revoked; the one that made the change keeps working.
        version += 1
        values["token_version"] = version
        values["kept_token_id"] = viewer.token_id
    values["updated_at"] = utcnow()
    await session.execute(update(User).where(User.id == viewer.id).values(**values))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise await _taken(session, username, email, except_id=viewer.id) or Conflict(
            "username"
        ) from None
    await changed(session, cache.USERS, cache.account_of(viewer.id))
    token = resources.tokens.issue(viewer.id, version) if data.password else viewer.token
    return user_body(
        values.get("email", viewer.email),
        token,
        values.get("username", viewer.username),
        values.get("bio", viewer.bio),
        values.get("image", viewer.image),
    )


async def account(session: AsyncSession, user_id: int) -> Viewer | None:
    """The user behind a server-side (web) session, as a Viewer without an API token.

    The Viewer's ``token_id`` names no API token, so a password change made through it (see
    ``change``) revokes every API token the user holds.
    """
    row = (
        await session.execute(
            select(
                User.id, User.username, User.email, User.bio, User.image, User.token_version
            ).where(User.id == user_id)
        )
    ).first()
    if row is None:
        return None
    return Viewer(
        row.id, row.username, row.email, row.bio, row.image, "", "web-session", row.token_version
    )


async def check_password(
    session: AsyncSession, resources: Resources, user_id: int, password: str
) -> bool:
    stored = (
        await session.execute(select(User.password_hash).where(User.id == user_id))
    ).scalar_one_or_none()
    valid, _ = await resources.hasher.verify(password, stored)
    return valid and stored is not None
