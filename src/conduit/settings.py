"""Configuration, read only from the environment (``CONDUIT_*``) and an optional ``.env`` file."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

# Stands for "not set": outside production the app then signs with a random secret kept in a
# local file (``conduit.devsecret``); production refuses to start with it (``_refuse_weak_secret``).
DEFAULT_SECRET = "conduit-development-secret-do-not-use-in-production"  # noqa: S105
MIN_SECRET_LENGTH = 32


ENV_PREFIX = "CONDUIT_"


class FileVariables(PydanticBaseSettingsSource):
    """``CONDUIT_<NAME>_FILE=/path``: the setting's value is that file's content.

    This is how container platforms hand over secrets (Docker/Compose secrets, Kubernetes
    volumes). A plain ``CONDUIT_<NAME>`` variable, placed earlier in the source order, wins.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = f"{ENV_PREFIX}{field_name.upper()}_FILE"
        path = os.environ.get(variable)
        if not path:
            return None, field_name, False
        try:
            content = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"{variable}: cannot read {path}: {exc.strerror}") from None
        # Files written by editors and `echo` end with a newline that is not part of the value.
        return content.rstrip("\r\n"), field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key] = value
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./conduit.db"
    redis_url: str | None = None
    secret_key: str = DEFAULT_SECRET
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=60)
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    db_echo: bool = False
    # Test each pooled connection before use (three round trips on asyncpg): off, since
    # pool_recycle and the pool's invalidation on a disconnect cover a server; on for AWS Lambda,
    # whose frozen environments let every connection go stale (docs/performance.md).
    db_pre_ping: bool = False
    # PostgreSQL: hot autocommit reads and one-statement writes run their compiled SQL on asyncpg
    # directly, from a pool of their own (conduit.driver; half db_pool_size more connections).
    # False: all on SQLAlchemy.
    db_driver_reads: bool = True
    # Argon2id parameters (argon2-cffi defaults: RFC 9106 "second recommended" profile).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    # Read cache (see docs/performance.md): generations in Redis when configured, else in the
    # database; entries in each process, at most cache_max_bytes of them (LRU, TTL).
    cache_enabled: bool = True
    cache_ttl_seconds: float = Field(default=300.0, gt=0)
    cache_max_bytes: int = Field(default=64 * 1024 * 1024, ge=64 * 1024)
    # Requests whose body is larger are refused with 413 before anything parses them.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Slow or idle clients (docs/security.md): the request head must arrive within
    # header_timeout seconds of its first byte (or of the connection opening), the whole body
    # within body_timeout of the head, and a kept-alive connection is closed after
    # keepalive_timeout seconds without a new request.
    header_timeout: float = Field(default=10.0, gt=0)
    body_timeout: float = Field(default=30.0, gt=0)
    keepalive_timeout: int = Field(default=5, ge=1)
    # Throttling (docs/security.md). Limits use the `limits` notation: "N/second|minute|hour|day".
    rate_limit_enabled: bool = True
    # Sign-in: tight per (email, address) pair, so that guessing from elsewhere never spends the
    # owner's own budget; a looser ceiling per email bounds a guesser with many addresses.
    rate_limit_login_pair: str = "10/minute"
    rate_limit_login_account: str = "100/minute"
    rate_limit_login_address: str = "30/minute"
    rate_limit_register_account: str = "5/hour"
    rate_limit_register_address: str = "60/hour"
    rate_limit_write_account: str = "60/minute"
    rate_limit_write_address: str = "300/minute"
    # Anonymous reads the cache could not answer (each costs the database a page of work, a hit
    # costs almost nothing): a client asking for pages no one asked for before is held to this
    # per address, so it cannot take most of a worker's CPU from everyone reading cached pages.
    rate_limit_miss_address: str = "30/second;600/minute"
    # Web pages: a browser session ends after this long without a request, and in any case after
    # the absolute lifetime, whatever the activity.
    web_session_idle_seconds: int = Field(default=12 * 3600, ge=60)
    web_session_absolute_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    # The public origin (https://conduit.example) when a proxy terminates TLS; form posts must
    # come from it. Unset: the origin the request itself was made to.
    web_origin: str | None = None
    # "Sudo mode": within this many seconds of signing in, the settings page may change the
    # password without the current one (the browser just proved it). 0: always ask for it.
    web_reauth_seconds: int = Field(default=300, ge=0)
    # Article bodies (docs/web.md, "Markdown"): how long one render may take before the page
    # shows the body as plain text; worker processes rendering them (0: one thread, for hosts
    # without multiprocessing); the size of the rendered-HTML cache (characters).
    markdown_budget_seconds: float = Field(default=1.0, gt=0, le=60)
    markdown_workers: int = Field(default=1, ge=0, le=64)
    markdown_cache_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    # Operations (see docs/deploy.md).
    debug: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    access_log: bool = True
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    https: bool = False
    hsts_seconds: int = Field(default=31_536_000, ge=0)
    shutdown_timeout: int = Field(default=30, ge=1)
    readiness_timeout: float = Field(default=1.0, gt=0)
    silenced_checks: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Who may read /metrics on the app's port: nobody by default (404, like an unknown path);
    # addresses or networks ("10.0.0.0/8,127.0.0.1"), or "*" for anyone.
    metrics_networks: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            FileVariables(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

    @field_validator(
        "cors_origins",
        "allowed_hosts",
        "trusted_proxies",
        "silenced_checks",
        "metrics_networks",
        mode="before",
    )
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator(
        "rate_limit_login_pair",
        "rate_limit_login_account",
        "rate_limit_login_address",
        "rate_limit_register_account",
        "rate_limit_register_address",
        "rate_limit_write_account",
        "rate_limit_write_address",
        "rate_limit_miss_address",
    )
    @classmethod
    def _parse_rate(cls, value: str) -> str:
        # Fail at start-up, not on the first throttled request. (Imported here: the `conduit`
        # command loads the settings for every subcommand, most of which never throttle.)
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"invalid rate limit {value!r} (expected e.g. '10/minute')") from None
        return value

    @field_validator("redis_url", "web_origin", mode="before")
    @classmethod
    def _empty_redis_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        from conduit.dburl import normalise_url  # SQLAlchemy: only when a URL is checked

        normalise_url(value)  # its message names the problem without repeating the URL
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("metrics_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            if item != "*":
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(
                        f"has {item!r}, which is neither an address, a network "
                        "(e.g. 10.0.0.0/8) nor '*'"
                    ) from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Settings:
        if self.env == "production" and (
            self.secret_key == DEFAULT_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                "CONDUIT_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters when CONDUIT_ENV=production (make one with: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if self.env == "production" and self.debug:
            raise ValueError("CONDUIT_DEBUG must be off when CONDUIT_ENV=production")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"
