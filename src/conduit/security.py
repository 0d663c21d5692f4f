"""Password hashing (Argon2id, off the event loop) and JWT access tokens."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from conduit import slowlane
from conduit.settings import Settings

ALGORITHM = "HS256"
MAX_ID = 2**63


class PasswordHasher:
    """Hashes with the configured Argon2id parameters; verification also reports stale hashes."""

    def __init__(self, settings: Settings) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=settings.argon2_time_cost,
                    memory_cost=settings.argon2_memory_cost,
                    parallelism=settings.argon2_parallelism,
                ),
            )
        )
        # Verified against when the email is unknown, so both paths cost one Argon2 verification.
        self._dummy = self._hash.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await slowlane.run(self._hash.hash, password)

    async def verify(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """Returns (valid, new_hash): new_hash is set when the parameters have changed."""
        if stored is None:
            await slowlane.run(self._hash.verify, password, self._dummy)
            return False, None
        return await slowlane.run(self._hash.verify_and_update, password, stored)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    version: int
    token_id: str


class TokenError(Exception):
    pass


class Tokens:
    def __init__(self, settings: Settings) -> None:
        self._secret = settings.secret_key
        self._ttl = settings.token_ttl_seconds

    def issue(self, user_id: int, version: int) -> str:
        now = int(time.time())
        claims = {
            "sub": str(user_id),
            "ver": version,
            "jti": secrets.token_hex(8),
            "iat": now,
            "exp": now + self._ttl,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def read(self, token: str) -> TokenClaims:
        try:
            # The algorithm is pinned: "none" and asymmetric-key confusion are rejected here.
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": ["sub", "exp", "iat", "ver", "jti"]},
            )
            user_id = int(claims["sub"])
            if not 0 < user_id < MAX_ID:
                # Out of a BIGINT's range: the id lookup would fail in the driver, not miss.
                raise ValueError("subject out of range")
            return TokenClaims(user_id, int(claims["ver"]), str(claims["jti"]))
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise TokenError(str(exc)) from exc
