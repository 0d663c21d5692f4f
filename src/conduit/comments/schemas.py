"""Request and response shapes of the comment endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from conduit.users.schemas import ProfileOut
from conduit.validation import CommentBody


class NewComment(BaseModel):
    body: CommentBody


class NewCommentRequest(BaseModel):
    comment: NewComment


class CommentOut(BaseModel):
    id: int
    createdAt: str
    updatedAt: str
    body: str
    author: ProfileOut


class CommentResponse(BaseModel):
    comment: CommentOut


class CommentListResponse(BaseModel):
    comments: list[CommentOut]
