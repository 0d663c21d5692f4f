"""`conduit seed` makes a demo that looks like a real site (issue 10)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.demo.content import PASSWORD, load
from conduit.models import Article, Comment, User
from conduit.seed import run
from conduit.settings import Settings
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio


async def test_it_seeds_varied_content_spread_over_weeks(
    settings: Settings, db: AsyncEngine
) -> None:
    seeded = await run(settings, 5, 3)
    assert (seeded.people, seeded.articles, seeded.new_articles) == (5, 15, 15)
    async with db.connect() as conn:
        articles = (
            await conn.execute(select(Article.title, Article.body, Article.favorites_count))
        ).all()
        dates = (await conn.execute(select(Article.created_at))).scalars().all()
        per_article = (
            (
                await conn.execute(
                    select(func.count()).select_from(Comment).group_by(Comment.article_id)
                )
            )
            .scalars()
            .all()
        )
    assert len({title for title, _, _ in articles}) == 15
    bodies = [body for _, body, _ in articles]
    assert sum("```" in body for body in bodies) >= 10
    assert sum(bool(re.search(r"^(- |1\. )", body, re.M)) for body in bodies) >= 12
    assert sum(bool(re.search(r"^> ", body, re.M)) for body in bodies) >= 8
    assert all(body.count("\n\n") >= 4 for body in bodies)  # several paragraphs each
    assert len({count for _, _, count in articles}) >= 4
    assert max(dates) - min(dates) >= timedelta(weeks=5)
    assert len(per_article) == 15
    assert min(per_article) >= 2


async def test_a_second_run_changes_nothing(settings: Settings, db: AsyncEngine) -> None:
    await run(settings, 5, 3)
    again = await run(settings, 5, 3)
    assert again.new_articles == 0
    async with db.connect() as conn:
        users = (await conn.execute(select(func.count()).select_from(User))).scalar_one()
        articles = (await conn.execute(select(func.count()).select_from(Article))).scalar_one()
    assert (users, articles) == (5, 15)


async def test_a_demo_person_signs_in_with_the_email_and_has_a_feed(
    settings: Settings, browser: Browser
) -> None:
    seeded = await run(settings, 5, 3)
    person = load().people[0]
    assert seeded.sign_in == person.email
    response = await browser.post(
        "/login", {"email": person.email, "password": PASSWORD}, form_page="/login"
    )
    assert response.status_code == 303, response.text
    assert await browser.signed_in_as() == person.username
    feed = (await browser.get("/?feed=following")).text
    assert feed.count('class="article-preview"') >= 3
    assert "empty-feed-message" not in feed
    home = (await browser.get("/")).text
    assert 'class="pagination"' in home
    assert home.count('class="tag-pill tag-default"') >= 10
    slug = re.findall(r'href="/article/([^"]+)" class="preview-link"', home)[0]
    page = (await browser.get(f"/article/{slug}")).text
    assert page.count('<div class="card">') >= 2
    assert "<pre><code" in page or "<ul>" in page
