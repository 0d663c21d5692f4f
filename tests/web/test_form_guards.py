"""Form posts the pages refuse: a signed-out visitor's writes go to the sign-in page and change
nothing; a blank comment or an author's invalid edit is shown again with its errors, unsaved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Article, Comment, Favorite, Follow
from tests.factories import Persona
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio


async def _counts(db: AsyncEngine) -> dict[str, int]:
    async with db.connect() as conn:
        return {
            model.__tablename__: int(
                (await conn.execute(select(func.count()).select_from(model))).scalar_one()
            )
            for model in (Article, Comment, Favorite, Follow)
        }


async def test_signed_out_writes_go_to_sign_in_and_change_nothing(
    browser: Browser, alice: Persona, bob: Persona, db: AsyncEngine
) -> None:
    article = await alice.write(title="Kept as it is")
    slug = article["slug"]
    comment = await alice.comment(slug, "stays")
    await bob.favorite(slug)
    await bob.follow(alice)
    before = await _counts(db)
    posts = {
        "/editor": {"title": "New", "description": "d", "body": "b"},
        f"/editor/{slug}": {"title": "Taken over", "description": "d", "body": "b"},
        f"/article/{slug}/unfavorite": {},
        f"/article/{slug}/delete": {},
        f"/article/{slug}/comments": {"body": "anonymous"},
        f"/article/{slug}/comments/{comment['id']}/delete": {},
        "/profile/alice/follow": {},
        "/profile/alice/unfollow": {},
    }
    for path, fields in posts.items():
        response = await browser.post(path, fields)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/login", path
    edit_page = await browser.get(f"/editor/{slug}")
    assert edit_page.status_code == 303
    assert edit_page.headers["location"] == "/login"
    assert await _counts(db) == before
    async with db.connect() as conn:
        assert (await conn.execute(select(Article.title))).scalar_one() == "Kept as it is"


async def test_a_blank_comment_is_refused_on_the_article_page(
    browser: Browser, alice: Persona, db: AsyncEngine
) -> None:
    article = await alice.write(title="Quiet please")
    await browser.sign_up("bob")
    response = await browser.post(f"/article/{article['slug']}/comments", {"body": "   "})
    assert response.status_code == 422
    assert "<li>body can&#39;t be blank</li>" in response.text
    assert "<h1>Quiet please</h1>" in response.text  # the article page itself, shown again
    assert (await _counts(db))["comments"] == 0


async def test_an_authors_invalid_edit_keeps_the_input_and_saves_nothing(
    browser: Browser, db: AsyncEngine
) -> None:
    await browser.sign_up("alice")
    published = await browser.post(
        "/editor", {"title": "First draft", "description": "short", "body": "text"}
    )
    assert published.headers["location"] == "/article/first-draft"
    response = await browser.post(
        "/editor/first-draft",
        {"title": "Second draft", "description": "  ", "body": "more text", "tagList": "x"},
    )
    assert response.status_code == 422
    assert "<li>description can&#39;t be blank</li>" in response.text
    assert 'value="Second draft"' in response.text
    async with db.connect() as conn:
        row = (await conn.execute(select(Article.title, Article.description))).one()
    assert tuple(row) == ("First draft", "short")
