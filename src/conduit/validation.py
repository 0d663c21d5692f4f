"""Field types shared by the request schemas of the API and the web forms.

Messages are fixed strings: a validation error never quotes what the client sent.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

MAX_TAGS = 20
USERNAME_RE = re.compile(r"^[\w-][\w.-]*$")
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


def _no_controls(value: str) -> str:
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise fail("contains invalid characters")
    return value


def _username(value: str) -> str:
    if not USERNAME_RE.match(value):
        raise fail("may only contain letters, digits, '_', '-' and '.'")
    return value


def _email(value: str) -> str:
    if not EMAIL_RE.match(value):
        raise fail("is invalid")
    return value.lower()


def _password(value: str) -> str:
    if not value:
        raise fail("can't be blank")
    if len(value) < MIN_PASSWORD:
        raise fail(f"is too short (minimum is {MIN_PASSWORD} characters)")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise fail("can't be blank")
    return value


def _optional_text(value: str | None) -> str | None:
    return None if value is None else _no_controls(value)


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _image_url(value: str | None) -> str | None:
    if value is None:
        return None
    _no_controls(value)
    parts = urlsplit(value)
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

# A username, slug or tag taken from a URL to look a row up by: exact, on every database.
LookupKey = Annotated[str, AfterValidator(_lookup)]

Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    NotNull,
    AfterValidator(_username),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=254),
    NotNull,
    AfterValidator(_no_controls),
    AfterValidator(_email),
]
Password = Annotated[
    str, StringConstraints(max_length=MAX_PASSWORD), NotNull, AfterValidator(_password)
]
LoginPassword = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD), NotNull]
Bio = Annotated[
    Annotated[str, StringConstraints(max_length=2000)] | None,
    BeforeValidator(_blank_to_none),
    AfterValidator(_optional_text),
]
Image = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=2048)] | None,
    BeforeValidator(_blank_to_none),
    AfterValidator(_image_url),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    NotNull,
    AfterValidator(_no_controls),
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    NotNull,
    AfterValidator(_no_controls),
]
Body = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100_000),
    NotNull,
    AfterValidator(_no_controls),
    AfterValidator(_not_blank),
]
CommentBody = Annotated[
    str,
    StringConstraints(min_length=1, max_length=10_000),
    NotNull,
    AfterValidator(_no_controls),
    AfterValidator(_not_blank),
]
TagName = Annotated[
    str, StringConstraints(max_length=64), AfterValidator(_no_controls), AfterValidator(_tag)
]
TagList = Annotated[list[TagName], Field(max_length=MAX_TAGS), NotNull, AfterValidator(_tags)]
