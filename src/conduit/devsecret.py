"""The development secret: what signs tokens when ``CONDUIT_SECRET_KEY`` is not set.

A well-known default would let anyone who read the source forge tokens for any dev or staging
server left reachable. Instead, like a framework generating a project's key on first run, a
random secret is made once and kept in ``.conduit-secret`` in the working directory (mode
0600, git-ignored), so tokens survive restarts and every worker signs alike. Production never
gets here: ``Settings`` refuses to load without a real secret.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from conduit.settings import DEFAULT_SECRET, Settings

FILE_NAME = ".conduit-secret"


@dataclass(frozen=True, slots=True)
class DevelopmentSecret:
    value: str
    path: Path | None  # None: the folder is not writable, the secret lives in memory only
    created: bool

    def notice(self) -> str:
        if self.path is None:
            return (
                "CONDUIT_SECRET_KEY is not set and the working directory cannot be written: "
                "tokens are signed with a random secret that ends with this process"
            )
        state = "created now" if self.created else "kept from an earlier run"
        return (
            f"CONDUIT_SECRET_KEY is not set: tokens are signed with a random development secret "
            f"in {self.path} ({state}); set CONDUIT_SECRET_KEY when deploying"
        )


def needed(settings: Settings) -> bool:
    return settings.secret_key == DEFAULT_SECRET and not settings.is_production


def load_or_create(folder: Path | None = None) -> DevelopmentSecret:
    path = (folder or Path.cwd()) / FILE_NAME
    existing = _read(path)
    if existing:
        return DevelopmentSecret(existing, path, created=False)
    value = secrets.token_urlsafe(48)
    try:
        # Written under a private name, then linked into place: two workers starting together
        # never see a half-written file, and the one that loses the race reads the winner's.
        staging = path.with_name(f"{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        try:
            os.link(staging, path)
        except FileExistsError:
            return DevelopmentSecret(_read(path) or value, path, created=False)
        finally:
            with contextlib.suppress(OSError):
                staging.unlink()
    except OSError:
        return DevelopmentSecret(value, None, created=True)
    return DevelopmentSecret(value, path, created=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def apply(settings: Settings) -> tuple[Settings, DevelopmentSecret | None]:
    """``settings`` signing with the development secret when none is configured."""
    if not needed(settings):
        return settings, None
    secret = load_or_create()
    return settings.model_copy(update={"secret_key": secret.value}), secret
