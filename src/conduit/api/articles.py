"""HTTP endpoints for articles and favorites."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.responses import Response

from conduit.api import presenter, reads
from conduit.api.openapi import errors
from conduit.api.presenter import ArticleListResponse, ArticleResponse
from conduit.api.routing import ApiRouter
from conduit.articles import favorites, service
from conduit.articles.schemas import NewArticleRequest, UpdateArticleRequest
from conduit.deps import MaybeSignedIn, SignedIn, Writer
from conduit.jsonresponse import json_response, raw_json_response
from conduit.params import OPTIONAL_AUTH, Slug
from conduit.reads import catalog
from conduit.reads.catalog import ArticleKey, ListQuery, Paging

router = ApiRouter()


@router.get(
    "/articles",
    response_model=ArticleListResponse,
    responses=errors(401, 422),
    tags=["Articles"],
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetArticles",
)
@reads.serves(catalog.ARTICLES)
async def list_articles(call: MaybeSignedIn, query: Annotated[ListQuery, Query()]) -> Response:
    return raw_json_response(await reads.answer(catalog.ARTICLES, query, call))


@router.get(
    "/articles/feed",
    response_model=ArticleListResponse,
    responses=errors(401, 422),
    tags=["Articles"],
    operation_id="GetArticlesFeed",
)
@reads.serves(catalog.FEED)
async def feed(call: SignedIn, query: Annotated[Paging, Query()]) -> Response:
    return raw_json_response(await reads.answer(catalog.FEED, query, call))


@router.post(
    "/articles",
    status_code=201,
    response_model=ArticleResponse,
    responses=errors(401, 413, 422, 429),
    tags=["Articles"],
    operation_id="CreateArticle",
)
async def create_article(body: NewArticleRequest, call: Writer) -> Response:
    article = await service.create(call.uow, call.viewer, body.article)
    return json_response(presenter.article_response(article), 201)


@router.get(
    "/articles/{slug}",
    response_model=ArticleResponse,
    responses=errors(401, 404, 422),
    tags=["Articles"],
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetArticle",
)
@reads.serves(catalog.ARTICLE)
async def get_article(slug: Slug, call: MaybeSignedIn) -> Response:
    params = ArticleKey.model_construct(slug=slug)  # validated by the same SlugKey type
    return raw_json_response(await reads.answer(catalog.ARTICLE, params, call))


@router.put(
    "/articles/{slug}",
    response_model=ArticleResponse,
    responses=errors(401, 403, 404, 413, 422, 429),
    tags=["Articles"],
    operation_id="UpdateArticle",
)
async def update_article(slug: Slug, body: UpdateArticleRequest, call: Writer) -> Response:
    article = await service.change(call.uow, call.viewer, slug, body.article)
    return json_response(presenter.article_response(article))


@router.delete(
    "/articles/{slug}",
    status_code=204,
    responses=errors(401, 403, 404, 422, 429),
    tags=["Articles"],
    operation_id="DeleteArticle",
)
async def delete_article(slug: Slug, call: Writer) -> Response:
    await service.remove(call.uow, call.viewer, slug)
    return Response(status_code=204)


@router.post(
    "/articles/{slug}/favorite",
    response_model=ArticleResponse,
    responses=errors(401, 404, 422, 429),
    tags=["Favorites"],
    operation_id="CreateArticleFavorite",
)
async def favorite(slug: Slug, call: Writer) -> Response:
    done = await favorites.favorite(call.uow, call.viewer, slug)
    return json_response(presenter.article_response(done))


@router.delete(
    "/articles/{slug}/favorite",
    response_model=ArticleResponse,
    responses=errors(401, 404, 422, 429),
    tags=["Favorites"],
    operation_id="DeleteArticleFavorite",
)
async def unfavorite(slug: Slug, call: Writer) -> Response:
    done = await favorites.unfavorite(call.uow, call.viewer, slug)
    return json_response(presenter.article_response(done))
