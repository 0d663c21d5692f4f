"""Request and response shapes of the article and tag endpoints (unknown fields are ignored)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from conduit.validation import Body, Description, TagList, Title, at_least_one_of, fail, non_null


class NewArticle(BaseModel):
    title: Title
    description: Description
    body: Body
    tag_list: TagList = Field(default_factory=list, alias="tagList")


class ArticleChanges(BaseModel):
    model_config = at_least_one_of("title", "description", "body", "tagList")

    # Null is refused (see _not_null), so the schema does not offer it.
    title: Title | None = Field(default=None, json_schema_extra=non_null)
    description: Description | None = Field(default=None, json_schema_extra=non_null)
    body: Body | None = Field(default=None, json_schema_extra=non_null)
    tag_list: TagList | None = Field(default=None, alias="tagList", json_schema_extra=non_null)

    @field_validator("title", "description", "body", "tag_list", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise fail("can't be blank")
        return value


class NewArticleRequest(BaseModel):
    article: NewArticle


class UpdateArticleRequest(BaseModel):
    article: ArticleChanges
