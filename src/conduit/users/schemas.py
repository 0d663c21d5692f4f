"""Request and response shapes of the user endpoints (unknown fields are ignored)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from conduit.validation import (
    Bio,
    Email,
    Image,
    LoginPassword,
    Password,
    Username,
    at_least_one_of,
    fail,
    non_null,
)


class NewUser(BaseModel):
    username: Username
    email: Email
    password: Password


class LoginUser(BaseModel):
    email: Email
    password: LoginPassword


class UserChanges(BaseModel):
    model_config = at_least_one_of("username", "email", "password", "bio", "image")

    # Null is refused (see _not_null), so the schema does not offer it.
    username: Username | None = Field(default=None, json_schema_extra=non_null)
    email: Email | None = Field(default=None, json_schema_extra=non_null)
    password: Password | None = Field(default=None, json_schema_extra=non_null)
    bio: Bio = None
    image: Image = None

    @field_validator("username", "email", "password", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Absent means "unchanged"; an explicit null is an attempt to blank a required field.
        if value is None:
            raise fail("can't be blank")
        return value


class NewUserRequest(BaseModel):
    user: NewUser


class LoginRequest(BaseModel):
    user: LoginUser


class UpdateUserRequest(BaseModel):
    user: UserChanges
