"""HTTP endpoints for articles, favorites and tags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from conduit.api import presenter, reads
from conduit.api.openapi import errors
from conduit.api.presenter import ArticleListResponse, ArticleResponse, TagsResponse
from conduit.articles import service
from conduit.articles.schemas import NewArticleRequest, UpdateArticleRequest
from conduit.deps import (
    AppResources,
    CurrentViewer,
    MissGate,
    OptionalViewer,
    Work,
    WriteThrottle,
)
from conduit.jsonresponse import json_response, raw_json_response
from conduit.params import OPTIONAL_AUTH, Slug
from conduit.reads import catalog
from conduit.reads.catalog import ArticleKey, ListQuery, Paging

router = APIRouter()


@router.get(
    "/articles",
    response_model=ArticleListResponse,
    responses=errors(401, 422),
    tags=["Articles"],
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetArticles",
)
@reads.serves(catalog.ARTICLES)
async def list_articles(
    viewer: OptionalViewer,
    uow: Work,
    resources: AppResources,
    query: Annotated[ListQuery, Query()],
    gate: MissGate,
) -> Response:
    body = await reads.answer(catalog.ARTICLES, query, viewer, resources.cache, uow.session, gate)
    return raw_json_response(body)


@router.get(
    "/articles/feed",
    response_model=ArticleListResponse,
    responses=errors(401, 422),
    tags=["Articles"],
    operation_id="GetArticlesFeed",
)
@reads.serves(catalog.FEED)
async def feed(
    viewer: CurrentViewer, uow: Work, resources: AppResources, query: Annotated[Paging, Query()]
) -> Response:
    body = await reads.answer(catalog.FEED, query, viewer, resources.cache, uow.session)
    return raw_json_response(body)


@router.post(
    "/articles",
    status_code=201,
    response_model=ArticleResponse,
    responses=errors(401, 413, 422, 429),
    tags=["Articles"],
    operation_id="CreateArticle",
    dependencies=[WriteThrottle],
)
async def create_article(body: NewArticleRequest, viewer: CurrentViewer, uow: Work) -> Response:
    article = await service.create(uow, viewer, body.article)
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
async def get_article(
    slug: Slug, viewer: OptionalViewer, uow: Work, resources: AppResources, gate: MissGate
) -> Response:
    params = ArticleKey.model_construct(slug=slug)  # validated by the same SlugKey type
    return raw_json_response(
        await reads.answer(catalog.ARTICLE, params, viewer, resources.cache, uow.session, gate)
    )


@router.put(
    "/articles/{slug}",
    response_model=ArticleResponse,
    responses=errors(401, 403, 404, 413, 422, 429),
    tags=["Articles"],
    operation_id="UpdateArticle",
    dependencies=[WriteThrottle],
)
async def update_article(
    slug: Slug, body: UpdateArticleRequest, viewer: CurrentViewer, uow: Work
) -> Response:
    article = await service.change(uow, viewer, slug, body.article)
    return json_response(presenter.article_response(article))


@router.delete(
    "/articles/{slug}",
    status_code=204,
    responses=errors(401, 403, 404, 422, 429),
    tags=["Articles"],
    operation_id="DeleteArticle",
    dependencies=[WriteThrottle],
)
async def delete_article(slug: Slug, viewer: CurrentViewer, uow: Work) -> Response:
    await service.remove(uow, viewer, slug)
    return Response(status_code=204)


@router.post(
    "/articles/{slug}/favorite",
    response_model=ArticleResponse,
    responses=errors(401, 404, 422, 429),
    tags=["Favorites"],
    operation_id="CreateArticleFavorite",
    dependencies=[WriteThrottle],
)
async def favorite(slug: Slug, viewer: CurrentViewer, uow: Work) -> Response:
    return json_response(presenter.article_response(await service.favorite(uow, viewer, slug)))


@router.delete(
    "/articles/{slug}/favorite",
    response_model=ArticleResponse,
    responses=errors(401, 404, 422, 429),
    tags=["Favorites"],
    operation_id="DeleteArticleFavorite",
    dependencies=[WriteThrottle],
)
async def unfavorite(slug: Slug, viewer: CurrentViewer, uow: Work) -> Response:
    return json_response(presenter.article_response(await service.unfavorite(uow, viewer, slug)))


@router.get("/tags", response_model=TagsResponse, tags=["Tags"], operation_id="GetTags")
@reads.serves(catalog.TAGS)
async def tags(uow: Work, resources: AppResources, gate: MissGate) -> Response:
    params = catalog.NoParams()
    return raw_json_response(
        await reads.answer(catalog.TAGS, params, None, resources.cache, uow.session, gate)
    )
