"""Accounts: registration, login, the current user and its changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.db import inserted_id
from conduit.errors import BadCredentials, Conflict, Invalid, Suspended
from conduit.identity import Viewer
from conduit.models import User, utcnow
from conduit.observability.logs import get_logger
from conduit.security import PasswordHasher, Tokens
from conduit.uow import UnitOfWork
from conduit.users.accounts import COLUMNS, Account, account_of
from conduit.users.schemas import LoginUser, NewUser, UserChanges

log = get_logger("conduit.auth")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """An account and the API token just issued (or kept) for it."""

    account: Account
    token: str


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


async def create_account(uow: UnitOfWork, hasher: PasswordHasher, data: NewUser) -> Account:
    session = uow.session
    conflict = await _taken(session, data.username, data.email)
    if conflict:
        raise conflict
    password_hash = await hasher.hash(data.password)

    async def work() -> Account:
        now = utcnow()
        result = await session.execute(
            insert(User).values(
                username=data.username,
                email=data.email,
                password_hash=password_hash,
                token_version=0,
                created_at=now,
                updated_at=now,
            )
        )
        return Account(inserted_id(result), data.username, data.email, None, None, 0, None)

    try:
        return await uow.write(work)
    except IntegrityError:
        # Lost a race with a concurrent registration: report it like the pre-check would have.
        raise await _taken(session, data.username, data.email) or Conflict("username") from None


async def register(
    uow: UnitOfWork, hasher: PasswordHasher, tokens: Tokens, data: NewUser
) -> SignedIn:
    account = await create_account(uow, hasher, data)
    return SignedIn(account, tokens.issue(account.id, account.token_version))


async def authenticate(uow: UnitOfWork, hasher: PasswordHasher, data: LoginUser) -> Account:
    """The account for a valid email and password; BadCredentials otherwise."""
    session = uow.session
    row = (
        await session.execute(select(User.password_hash, *COLUMNS).where(User.email == data.email))
    ).first()
    # Unknown emails still pay for one Argon2 verification: no timing oracle for accounts.
    valid, new_hash = await hasher.verify(data.password, row.password_hash if row else None)
    if row is None or not valid:
        # The address tried, never the password; the client address comes from the request.
        log.warning("login.failed", user=data.email)
        raise BadCredentials()
    account = account_of(row)
    if account.suspended_at is not None:
        # Only after the password was checked: the answer tells nothing to a guesser.
        log.warning("login.suspended", user=account.username)
        raise Suspended()
    log.info("login.succeeded", user=account.username)
    if new_hash is not None:

        async def rehash() -> None:
            await session.execute(
                update(User).where(User.id == account.id).values(password_hash=new_hash)
            )

        await uow.write(rehash)
    return account


async def login(
    uow: UnitOfWork, hasher: PasswordHasher, tokens: Tokens, data: LoginUser
) -> SignedIn:
    account = await authenticate(uow, hasher, data)
    return SignedIn(account, tokens.issue(account.id, account.token_version))


async def change(
    uow: UnitOfWork, hasher: PasswordHasher, tokens: Tokens, viewer: Viewer, data: UserChanges
) -> SignedIn:
    """Applies the changes; a new password revokes every other token and web session (their
    token_version no longer matches) and the answer carries a fresh token."""
    fields = data.model_fields_set
    if not fields:
        raise Invalid("user", "must contain at least one field")
    session = uow.session
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
    kept = None
    if data.password is not None:
        values["password_hash"] = await hasher.hash(data.password)
        # Every other token is revoked; the one that made the change keeps working.
        version += 1
        kept = viewer.token_id
        values["token_version"] = version
        values["kept_token_id"] = kept

    async def work() -> None:
        values["updated_at"] = utcnow()
        await session.execute(update(User).where(User.id == viewer.id).values(**values))
        uow.touch(generations.USERS)

    try:
        await uow.write(work)
    except IntegrityError:
        raise await _taken(session, username, email, except_id=viewer.id) or Conflict(
            "username"
        ) from None
    account = Account(
        viewer.id,
        values.get("username", viewer.username),
        values.get("email", viewer.email),
        values.get("bio", viewer.bio),
        values.get("image", viewer.image),
        version,
        kept,
    )
    token = tokens.issue(viewer.id, version) if data.password else viewer.token
    return SignedIn(account, token)


async def check_password(
    session: AsyncSession, hasher: PasswordHasher, user_id: int, password: str
) -> bool:
    stored = (
        await session.execute(select(User.password_hash).where(User.id == user_id))
    ).scalar_one_or_none()
    valid, _ = await hasher.verify(password, stored)
    return valid and stored is not None
