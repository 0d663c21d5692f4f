"""HTTP endpoints for articles, favorites and tags."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from conduit.articles import queries, service
from conduit.articles.queries import ArticleFilter
from conduit.articles.schemas import (
    ArticleListResponse,
    ArticleResponse,
    NewArticleRequest,
    TagsResponse,
    UpdateArticleRequest,
)
from conduit.cache import reads
from conduit.deps import AppResources, CurrentViewer, OptionalViewer, Session
from conduit.jsonresponse import json_response, raw_json_response
from conduit.openapi import errors
from conduit.pagination import Paging
from conduit.params import OPTIONAL_AUTH, FilterValue, Slug

router = APIRouter()


@router.get(
    "/articles",
    response_model=ArticleListResponse,
    responses=errors(401, 422),
    tags=["Articles"],
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetArticles",
)
async def list_articles(
    viewer: OptionalViewer,
    session: Session,
    resources: AppResources,
    paging: Paging,
    tag: FilterValue = None,
    author: FilterValue = None,
    favorited: FilterValue = None,
) -> Response:
    filters = ArticleFilter(tag=tag, author=author, favorited=favorited)
    viewer_id = viewer.id if viewer else None
    if resources.cache is not None:
        return raw_json_response(
            await reads.articles(
                resources.cache, session, filters, viewer_id, paging.limit, paging.offset
            )
        )
    return json_response(
        await queries.list_articles(session, filters, viewer_id, paging.limit, paging.offset)
    )


@router.get(
    "/articles/feed",
    response_model=ArticleListResponse,
    responses=errors(401, 422),
    tags=["Articles"],
    operation_id="GetArticlesFeed",
)
async def feed(
    viewer: CurrentViewer, session: Session, resources: AppResources, paging: Paging
) -> Response:
    filters = ArticleFilter(feed_of=viewer.id)
    if resources.cache is not None:
        return raw_json_response(
            await reads.articles(
                resources.cache, session, filters, viewer.id, paging.limit, paging.offset
            )
        )
    return json_response(
        await queries.list_articles(session, filters, viewer.id, paging.limit, paging.offset)
    )


@router.post(
    "/articles",
    status_code=201,
    response_model=ArticleResponse,
    responses=errors(401, 413, 422, 429),
    tags=["Articles"],
    operation_id="CreateArticle",
)
async def create_article(
    body: NewArticleRequest, viewer: CurrentViewer, session: Session
) -> Response:
    return json_response(await service.create(session, viewer, body.article), 201)


@router.get(
    "/articles/{slug}",
    response_model=ArticleResponse,
    responses=errors(401, 404, 422),
    tags=["Articles"],
    openapi_extra=OPTIONAL_AUTH,
    operation_id="GetArticle",
)
async def get_article(
    slug: Slug, viewer: OptionalViewer, session: Session, resources: AppResources
) -> Response:
    if resources.cache is not None:
        viewer_id = viewer.id if viewer else None
        return raw_json_response(await reads.article(resources.cache, session, slug, viewer_id))
    return json_response(await queries.get_article(session, slug, viewer.id if viewer else None))


@router.put(
    "/articles/{slug}",
    response_model=ArticleResponse,
    responses=errors(401, 403, 404, 413, 422, 429),
    tags=["Articles"],
    operation_id="UpdateArticle",
)
async def update_article(
    slug: Slug, body: UpdateArticleRequest, viewer: CurrentViewer, session: Session
) -> Response:
    return json_response(await service.change(session, viewer, slug, body.article))


@router.delete(
    "/articles/{slug}",
    status_code=204,
    responses=errors(401, 403, 404, 422, 429),
    tags=["Articles"],
    operation_id="DeleteArticle",
)
async def delete_article(slug: Slug, viewer: CurrentViewer, session: Session) -> Response:
    await service.remove(session, viewer, slug)
    return Response(status_code=204)


@router.post(
    "/articles/{slug}/favorite",
    response_model=ArticleResponse,
    responses=errors(401, 404, 422, 429),
    tags=["Favorites"],
    operation_id="CreateArticleFavorite",
)
async def favorite(slug: Slug, viewer: CurrentViewer, session: Session) -> Response:
    return json_response(await service.favorite(session, viewer, slug))


@router.delete(
    "/articles/{slug}/favorite",
    response_model=ArticleResponse,
    responses=errors(401, 404, 422, 429),
    tags=["Favorites"],
    operation_id="DeleteArticleFavorite",
)
async def unfavorite(slug: Slug, viewer: CurrentViewer, session: Session) -> Response:
    return json_response(await service.unfavorite(session, viewer, slug))


@router.get("/tags", response_model=TagsResponse, tags=["Tags"], operation_id="GetTags")
async def tags(session: Session, resources: AppResources) -> Response:
    if resources.cache is not None:
        return raw_json_response(await reads.tags(resources.cache, session))
    return json_response(await queries.popular_tags(session))
