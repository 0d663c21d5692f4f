"""Form posts to the same pydantic models the API validates, and their errors to sentences."""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from conduit.errors import AppError, validation_errors

M = TypeVar("M", bound=BaseModel)

# Field names as a person reads them in a message ("tagList is too long" is not a sentence).
LABELS = {"tagList": "tags", "tag_list": "tags", "current_password": "current password"}


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def sentences(errors: dict[str, list[str]]) -> list[str]:
    return [
        f"{LABELS.get(field, field)} {message}"
        for field, items in errors.items()
        for message in items
    ]


def app_error_messages(error: AppError) -> list[str]:
    if error.errors.get("credentials"):
        return ["email or password is invalid"]
    return sentences(error.errors)


def parse(model: type[M], data: dict[str, object]) -> tuple[M | None, list[str]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, sentences(validation_errors(exc.errors()))


def split_tags(form: FormData) -> list[str]:
    """Tags from the text box (comma-separated, for browsers without JavaScript) and from the
    hidden ``tag`` inputs the enhancement script adds, one per tag."""
    typed = re.split(r"[,\n]", text(form, "tagList"))
    added = [value for value in form.getlist("tag") if isinstance(value, str)]
    return [tag.strip() for tag in typed + added if tag.strip()]
