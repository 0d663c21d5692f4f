"""HTTP endpoint for the tags: a route group of its own, so a request for it is matched against
one route, not after every article route (``api/routing.py``)."""

from __future__ import annotations

from starlette.responses import Response

from conduit.api import reads
from conduit.api.presenter import TagsResponse
from conduit.api.routing import ApiRouter
from conduit.deps import Anyone
from conduit.jsonresponse import raw_json_response
from conduit.reads import catalog

router = ApiRouter()


@router.get("/tags", response_model=TagsResponse, tags=["Tags"], operation_id="GetTags")
@reads.serves(catalog.TAGS)
async def tags(call: Anyone) -> Response:
    return raw_json_response(await reads.answer(catalog.TAGS, catalog.NoParams(), call))
