"""``conduit check --deploy``: a Django-style audit of the settings for a production deploy.

Each finding has an id, a message and whether it is fatal: production refuses to start on a
fatal one (the weak secret and debug are already refused by ``Settings`` itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import make_url

from conduit.settings import DEFAULT_SECRET, MIN_SECRET_LENGTH, Settings


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    message: str
    fatal: bool = False

    def __str__(self) -> str:
        return f"{self.id}{' (fatal)' if self.fatal else ''}: {self.message}"


def _secret(settings: Settings) -> list[Finding]:
    if settings.secret_key == DEFAULT_SECRET:
        return [Finding("conduit.E001", "CONDUIT_SECRET_KEY is the development default", True)]
    if len(settings.secret_key) < MIN_SECRET_LENGTH or len(set(settings.secret_key)) < 8:
        return [
            Finding(
                "conduit.E002",
                f"CONDUIT_SECRET_KEY is weak: use at least {MIN_SECRET_LENGTH} random characters",
                True,
            )
        ]
    return []


def _mode(settings: Settings) -> list[Finding]:
    found = []
    if settings.debug:
        found.append(Finding("conduit.E003", "CONDUIT_DEBUG is on: tracebacks reach clients", True))
    if not settings.is_production:
        found.append(Finding("conduit.W001", "CONDUIT_ENV is not 'production'"))
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        found.append(
            Finding("conduit.W002", "SQLite database: use PostgreSQL or MariaDB with replicas")
        )
    return found


def _hosts(settings: Settings) -> list[Finding]:
    if not settings.allowed_hosts or "*" in settings.allowed_hosts:
        return [
            Finding(
                "conduit.W003",
                "CONDUIT_ALLOWED_HOSTS is not set: any Host header is accepted "
                "(list your domain names, e.g. 'conduit.example.com')",
            )
        ]
    return []


def _cookies(settings: Settings) -> list[Finding]:
    found = [
        Finding("conduit.W004", f"CONDUIT_{name.upper()} is off: cookies would travel over HTTP")
        for name in type(settings).model_fields
        if name.endswith("cookie_secure") and getattr(settings, name) is False
    ]
    # Web session cookies are Secure when the public origin is https (or the request itself is).
    origin = getattr(settings, "web_origin", "") or ""
    if "web_origin" in type(settings).model_fields and not origin.lower().startswith("https://"):
        found.append(
            Finding(
                "conduit.W004",
                "CONDUIT_WEB_ORIGIN is not an https:// origin: web session cookies are not "
                "pinned to HTTPS (set it to your public https:// origin)",
            )
        )
    return found


def _cors(settings: Settings) -> list[Finding]:
    if "*" not in settings.cors_origins:
        return []
    if getattr(settings, "cors_allow_credentials", False):
        return [
            Finding("conduit.E004", "CORS allows any origin ('*') together with credentials", True)
        ]
    return [
        Finding(
            "conduit.W005",
            "CONDUIT_CORS_ORIGINS is '*': any web site may call the API from a browser "
            "(list your front-end origins)",
        )
    ]


def _https(settings: Settings) -> list[Finding]:
    if not settings.https:
        return [Finding("conduit.W006", "CONDUIT_HTTPS is off: no HSTS header, cookies not pinned")]
    if settings.hsts_seconds < 86_400:
        return [Finding("conduit.W007", "CONDUIT_HSTS_SECONDS is under one day")]
    return []


def _proxies(settings: Settings) -> list[Finding]:
    if "*" in settings.trusted_proxies:
        return [
            Finding(
                "conduit.W008",
                "CONDUIT_TRUSTED_PROXIES is '*': only safe when nothing but the proxy can reach "
                "the app",
            )
        ]
    return []


def deploy_findings(settings: Settings) -> list[Finding]:
    """Every finding, less the warnings listed in CONDUIT_SILENCED_CHECKS (fatal ones stay)."""
    checks = (_secret, _mode, _hosts, _cookies, _cors, _https, _proxies)
    silenced = set(settings.silenced_checks)
    return [
        finding
        for check in checks
        for finding in check(settings)
        if finding.fatal or finding.id not in silenced
    ]


def fatal_findings(settings: Settings) -> list[Finding]:
    """What production refuses to start with (nothing outside production)."""
    if not settings.is_production:
        return []
    return [finding for finding in deploy_findings(settings) if finding.fatal]


def refuse_fatal(settings: Settings) -> None:
    """Production does not start with a fatal finding."""
    fatal = [str(f) for f in fatal_findings(settings)]
    if fatal:
        raise RuntimeError("refusing to start in production: " + "; ".join(fatal))
