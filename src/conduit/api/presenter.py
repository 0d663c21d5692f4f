"""The one place typed results become the API's JSON: camelCase keys, ISO 8601 UTC timestamps with
milliseconds and a ``Z``. The wire shapes are TypedDicts, and the routes declare these same types
as their ``response_model``: the OpenAPI document describes exactly what this module returns."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
from typing_extensions import TypedDict  # pydantic needs this one below Python 3.12

from conduit.articles.views import ArticlePage, ArticleView
from conduit.comments.views import CommentView
from conduit.identity import Viewer
from conduit.profiles.views import Profile
from conduit.users.accounts import Account


class ProfileOut(TypedDict):
    username: str
    bio: str | None
    image: str | None
    following: bool


class ArticleSummary(TypedDict):
    """An article in a list: everything but the body."""

    slug: str
    title: str
    description: str
    tagList: list[str]
    createdAt: str
    updatedAt: str
    favorited: bool
    favoritesCount: int
    author: ProfileOut


class ArticleOut(ArticleSummary):
    body: str


class CommentOut(TypedDict):
    id: int
    createdAt: str
    updatedAt: str
    body: str
    author: ProfileOut


class UserOut(TypedDict):
    email: str
    token: str
    username: str
    bio: str | None
    image: str | None


class ProfileResponse(TypedDict):
    profile: ProfileOut


class ArticleResponse(TypedDict):
    article: ArticleOut


class ArticleListResponse(TypedDict):
    articles: list[ArticleSummary]
    articlesCount: int


class CommentResponse(TypedDict):
    comment: CommentOut


class CommentListResponse(TypedDict):
    comments: list[CommentOut]


class TagsResponse(TypedDict):
    tags: list[str]


class UserResponse(TypedDict):
    user: UserOut


def timestamp(moment: datetime) -> str:
    """2016-02-18T03:22:56.637Z. ``isoformat`` is C code: several times faster than strftime."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def profile(value: Profile) -> ProfileOut:
    return {
        "username": value.username,
        "bio": value.bio,
        "image": value.image,
        "following": value.following,
    }


def article_summary(value: ArticleView) -> ArticleSummary:
    return {
        "slug": value.slug,
        "title": value.title,
        "description": value.description,
        "tagList": list(value.tags),
        "createdAt": timestamp(value.created_at),
        "updatedAt": timestamp(value.updated_at),
        "favorited": value.favorited,
        "favoritesCount": value.favorites_count,
        "author": profile(value.author),
    }


def article(value: ArticleView) -> ArticleOut:
    return {
        "slug": value.slug,
        "title": value.title,
        "description": value.description,
        "body": value.body or "",
        "tagList": list(value.tags),
        "createdAt": timestamp(value.created_at),
        "updatedAt": timestamp(value.updated_at),
        "favorited": value.favorited,
        "favoritesCount": value.favorites_count,
        "author": profile(value.author),
    }


def comment(value: CommentView) -> CommentOut:
    return {
        "id": value.id,
        "createdAt": timestamp(value.created_at),
        "updatedAt": timestamp(value.updated_at),
        "body": value.body,
        "author": profile(value.author),
    }


def user(account: Account, token: str) -> UserOut:
    return {
        "email": account.email,
        "token": token,
        "username": account.username,
        "bio": account.bio,
        "image": account.image,
    }


def current_user(viewer: Viewer) -> UserResponse:
    """The authenticated user, with the token they presented."""
    user: UserOut = {
        "email": viewer.email,
        "token": viewer.token,
        "username": viewer.username,
        "bio": viewer.bio,
        "image": viewer.image,
    }
    return {"user": user}


def profile_response(value: Profile) -> ProfileResponse:
    return {"profile": profile(value)}


def article_response(value: ArticleView) -> ArticleResponse:
    return {"article": article(value)}


def article_list(page: ArticlePage) -> ArticleListResponse:
    return {"articles": [article_summary(item) for item in page.items], "articlesCount": page.count}


def comment_response(value: CommentView) -> CommentResponse:
    return {"comment": comment(value)}


def comment_list(values: Iterable[CommentView]) -> CommentListResponse:
    return {"comments": [comment(value) for value in values]}


def tags_response(names: list[str]) -> TagsResponse:
    return {"tags": names}


def user_response(account: Account, token: str) -> UserResponse:
    return {"user": user(account, token)}


def dumps(document: Any) -> bytes:
    return orjson.dumps(document)
