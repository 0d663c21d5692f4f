"""The article page shows one bounded page of comments and links to older ones."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.web.pages.article import COMMENTS_PAGE
from tests.api.test_comment_pages import MANY, long_thread
from tests.factories import Persona
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio


async def test_the_article_page_shows_one_page_of_comments_and_links_to_older_ones(
    browser: Browser,
    alice: Persona,
    bob: Persona,
    db: AsyncEngine,
) -> None:
    slug = await long_thread(db, alice, bob, MANY)
    first = await browser.get(f"/article/{slug}")
    assert first.status_code == 200
    assert first.text.count('class="card-text"') == COMMENTS_PAGE
    assert f"Comment {MANY}<" in first.text
    assert f"/article/{slug}?comments=2" in first.text
    assert len(first.content) < 200_000
    second = await browser.get(f"/article/{slug}?comments=2")
    assert second.text.count('class="card-text"') == COMMENTS_PAGE
    assert f"Comment {MANY - COMMENTS_PAGE}<" in second.text
    assert f"Comment {MANY}<" not in second.text
    pages = (MANY + 1 + COMMENTS_PAGE - 1) // COMMENTS_PAGE
    oldest = await browser.get(f"/article/{slug}?comments={pages}")
    assert "Comment 0<" in oldest.text
    assert "Older comments" not in oldest.text
