"""Request and response shapes of the comment endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from conduit.validation import CommentBody


class NewComment(BaseModel):
    body: CommentBody


class NewCommentRequest(BaseModel):
    comment: NewComment
