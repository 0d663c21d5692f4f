"""One validation for path parameters, on the API and the web pages: 404 or 422, never a 500.

PostgreSQL refuses a NUL byte in text outright and every database refuses an integer beyond
BIGINT, so these values must be judged before any query: the suite runs on all three databases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.factories import Persona
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio

# Keys no row can have: NUL, another control character, an outer space, far too long.
UNMATCHABLE = ["%00", "a%00b", "%01", "%20alice", "x" * 300]
BEYOND_64_BITS = [str(2**63), str(2**64), "9" * 40]


@pytest.fixture
async def signed_in(app: FastAPI) -> AsyncIterator[Browser]:
    browser = Browser.open(app)
    await browser.sign_up("walter")
    yield browser
    await browser.close()


PAGES = ["/article/{}", "/profile/{}", "/profile/{}/favorites", "/editor/{}"]
ACTIONS = [
    "/article/{}/favorite",
    "/article/{}/unfavorite",
    "/article/{}/delete",
    "/article/{}/comments",
    "/article/{}/comments/1/delete",
    "/profile/{}/follow",
    "/profile/{}/unfollow",
    "/editor/{}",
]


async def test_it_answers_unmatchable_keys_in_page_paths_with_404(signed_in: Browser) -> None:
    for page in PAGES:
        for key in UNMATCHABLE:
            response = await signed_in.get(page.format(key))
            assert response.status_code == 404, page.format(key)
            assert "Page not found" in response.text


async def test_a_tag_no_article_can_have_lists_nothing(signed_in: Browser, alice: Persona) -> None:
    await alice.write(tags=["dragons"])
    assert 'class="article-preview"' in (await signed_in.get("/tag/dragons")).text
    for key in UNMATCHABLE:
        response = await signed_in.get(f"/tag/{key}")
        assert response.status_code == 200, key
        assert 'class="article-preview"' not in response.text


async def test_it_answers_unmatchable_keys_in_form_actions_with_404(signed_in: Browser) -> None:
    fields = {"body": "hello", "title": "t", "description": "d"}
    token = await signed_in.token()
    for action in ACTIONS:
        for key in UNMATCHABLE:
            response = await signed_in.post(action.format(key), fields, token=token)
            assert response.status_code == 404, action.format(key)


@pytest.mark.parametrize("comment_id", BEYOND_64_BITS)
async def test_a_comment_id_beyond_64_bits_is_422_on_the_web_and_the_api(
    signed_in: Browser, alice: Persona, comment_id: str
) -> None:
    slug = (await alice.write())["slug"]
    await alice.comment(slug)
    page = await signed_in.post(f"/article/{slug}/comments/{comment_id}/delete")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "id must be less than or equal to" in page.text
    api = await alice.delete(f"/api/articles/{slug}/comments/{comment_id}")
    assert api.status_code == 422
    assert list(api.json()["errors"]) == ["id"]


async def test_the_largest_64_bit_comment_id_is_simply_not_found_on_the_web(
    signed_in: Browser, alice: Persona
) -> None:
    slug = (await alice.write())["slug"]
    response = await signed_in.post(f"/article/{slug}/comments/{2**63 - 1}/delete")
    assert response.status_code == 404


async def test_the_api_judges_the_same_keys_alike(client: AsyncClient, alice: Persona) -> None:
    for path in ["/api/articles/{}", "/api/articles/{}/comments", "/api/profiles/{}"]:
        for key in UNMATCHABLE:
            assert (await client.get(path.format(key))).status_code == 404, path.format(key)
            assert (await alice.get(path.format(key))).status_code == 404, path.format(key)
