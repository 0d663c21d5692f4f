"""Field types shared by the request schemas of the API and the web forms.

Messages are fixed strings: a validation error never quotes what the client sent.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

MAX_TAGS = 20
USERNAME_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256


def fail(message: str) -> PydanticCustomError:
    # The "conduit" type tells the error renderer that the message is ours and safe to show.
    return PydanticCustomError("conduit", message)


def _not_null(value: object) -> object:
    if value is None:
        raise fail("can't be blank")
    return value


def _username(value: str) -> str:
    if not USERNAME_RE.match(value):
        raise fail("may only contain letters, digits, '_', '-' and '.'")
    return value


def _email(value: str) -> str:
    if not EMAIL_RE.match(value):
        raise fail("is invalid")
    return value.lower()


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("conduit.data").joinpath("common_passwords.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def _password(value: str) -> str:
    if not value:
        raise fail("can't be blank")
    if len(value) < MIN_PASSWORD:
        raise fail(f"is too short (minimum is {MIN_PASSWORD} characters)")
    if value.casefold() in common_passwords():
        raise fail("is too common")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise fail("can't be blank")
    return value


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _image_url(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced "[" in the host
        raise fail("must be an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise fail("must be an http(s) URL")
    return value


def _tag(value: str) -> str:
    return " ".join(value.split())


def _tags(values: list[str]) -> list[str]:
    return sorted({tag for tag in values if tag})


def _lookup(value: str | None) -> str | None:
    # Stored usernames, slugs and tags never have outer whitespace or control characters, so a
    # value with them matches nothing. It must match nothing on every database, though:
    # PostgreSQL refuses NUL bytes outright (an error, not a miss) and MariaDB's PAD SPACE
    # collations would find "alice" for "alice ". "" is a key no row has.
    if value is None:
        return None
    if value != value.strip() or any(unicodedata.category(ch) == "Cc" for ch in value):
        return ""
    return value


NotNull = BeforeValidator(_not_null)

# The request schemas state exactly what is accepted, as JSON Schema patterns (the OpenAPI document
# is fuzzed: a value the schema allows must be accepted, and one it forbids must be refused).
# OpenAPI patterns are ECMA-262 and the checks run Python's `re`: the classes below are spelled out
# (no \s, \w) so that both read them alike. Controls (Cc) are refused except tab, LF and CR.
_CC = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_ALL_CC = r"\x00-\x1f\x7f-\x9f"
# What str.strip() removes, less the refused controls.
_SPACE = r"\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TEXT_CHAR = rf"[^{_CC}]"
_VISIBLE = rf"[^{_SPACE}{_ALL_CC}]"
_EDGE = rf"[{_SPACE}]*"
TEXT_PATTERN = rf"^{_TEXT_CHAR}*$"
NONBLANK_PATTERN = rf"^{_TEXT_CHAR}*{_VISIBLE}{_TEXT_CHAR}*$"
USERNAME_PATTERN = rf"^{_EDGE}[A-Za-z0-9_-][A-Za-z0-9_.-]*{_EDGE}$"
_EMAIL_CHAR = rf"[^@{_SPACE}{_ALL_CC}"
EMAIL_PATTERN = rf"^{_EDGE}{_EMAIL_CHAR}]+@{_EMAIL_CHAR}]+\.{_EMAIL_CHAR}.]+{_EDGE}$"
_URL_CHAR = rf"[^{_SPACE}{_ALL_CC}"
IMAGE_PATTERN = (
    rf"^{_EDGE}(?:[hH][tT][tT][pP][sS]?://{_URL_CHAR}/?#\[\]]+(?:[/?#]{_URL_CHAR}]*)?)?{_EDGE}$"
)


def _has_bad_chars(value: str, controls: bool) -> bool:
    # Lone surrogates (Cs) cannot be stored as UTF-8 by any of the databases.
    return any(
        unicodedata.category(ch) == "Cs"
        or (controls and unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
        for ch in value
    )


def raw(max_length: int, controls: bool = True) -> BeforeValidator:
    """Checks the value as sent (before any stripping): its length, and forbidden characters."""

    def check(value: object) -> object:
        if isinstance(value, str):
            if len(value) > max_length:
                raise fail(f"is too long (maximum is {max_length} characters)")
            if _has_bad_chars(value, controls):
                raise fail("contains invalid characters")
        return value

    return BeforeValidator(check)


def non_null(schema: dict[str, Any]) -> None:
    """For optional fields that refuse an explicit null: drops "null" from the documented schema."""
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


def _common_passwords_pattern() -> str:
    # Case-insensitive without regex flags (JSON Schema has none): "ab1" -> "[aA][bB]1".
    def letters(word: str) -> str:
        return "".join(
            f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() else re.escape(c) for c in word
        )

    return "^(?:" + "|".join(letters(word) for word in sorted(common_passwords())) + ")$"


def at_least_one_of(*names: str) -> ConfigDict:
    """Model config documenting that a change must name at least one known field (else 422)."""
    return ConfigDict(json_schema_extra={"anyOf": [{"required": [name]} for name in names]})


def documented(pattern: str) -> Any:
    # Documentation only: the checks above enforce it (with Python's, not pydantic's, regex rules).
    return Field(json_schema_extra={"pattern": pattern})


# A username, slug or tag taken from a URL to look a row up by: exact, on every database.
LookupKey = Annotated[str, AfterValidator(_lookup)]

Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    NotNull,
    raw(64),
    AfterValidator(_username),
    documented(USERNAME_PATTERN),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=254),
    NotNull,
    raw(254),
    AfterValidator(_email),
    documented(EMAIL_PATTERN),
]
Password = Annotated[
    str,
    StringConstraints(max_length=MAX_PASSWORD),
    NotNull,
    raw(MAX_PASSWORD, controls=False),
    AfterValidator(_password),
    Field(
        json_schema_extra=lambda schema: schema.update(
            minLength=MIN_PASSWORD, **{"not": {"pattern": _common_passwords_pattern()}}
        )
    ),
]
LoginPassword = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_PASSWORD),
    NotNull,
    raw(MAX_PASSWORD, controls=False),
]
Bio = Annotated[
    Annotated[str, StringConstraints(max_length=2000), documented(TEXT_PATTERN)] | None,
    BeforeValidator(_blank_to_none),
    raw(2000),
]
Image = Annotated[
    Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=2048),
        documented(IMAGE_PATTERN),
    ]
    | None,
    BeforeValidator(_blank_to_none),
    raw(2048),
    AfterValidator(_image_url),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    NotNull,
    raw(255),
    documented(NONBLANK_PATTERN),
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    NotNull,
    raw(1000),
    documented(NONBLANK_PATTERN),
]
Body = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100_000),
    NotNull,
    raw(100_000),
    AfterValidator(_not_blank),
    documented(NONBLANK_PATTERN),
]
CommentBody = Annotated[
    str,
    StringConstraints(min_length=1, max_length=10_000),
    NotNull,
    raw(10_000),
    AfterValidator(_not_blank),
    documented(NONBLANK_PATTERN),
]
TagName = Annotated[
    str, StringConstraints(max_length=64), raw(64), AfterValidator(_tag), documented(TEXT_PATTERN)
]
TagList = Annotated[list[TagName], Field(max_length=MAX_TAGS), NotNull, AfterValidator(_tags)]
