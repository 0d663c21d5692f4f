"""The selector contract (shared/realworld/e2e/SELECTORS.md), page by page."""

from __future__ import annotations

import pytest

from tests.factories import Persona
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio


def assert_has(html: str, *needles: str) -> None:
    for needle in needles:
        assert needle in html, needle


async def test_signed_out_pages(browser: Browser, alice: Persona) -> None:
    article = await alice.write(tags=["dragons"])
    home = (await browser.get("/")).text
    assert_has(
        home, 'class="navbar', 'class="navbar-brand" href="/"', 'class="banner"',
        'class="container', 'class="feed-toggle"', 'class="nav-link active" href="/">Global Feed',
        'class="article-preview"', 'class="article-meta"', 'class="preview-link"',
        'class="author"', 'class="sidebar"', 'class="tag-list"', "tag-pill tag-default",
        'href="/login">Sign in', 'href="/register">Sign up', "default-avatar.svg",
        'class="nav-link active" href="/">Home',
    )  # fmt: skip
    assert "Your Feed" not in home
    assert_has((await browser.get("/login")).text, '<h1 class="text-xs-center">Sign in</h1>',
               'name="email"', 'name="password"')  # fmt: skip
    assert_has((await browser.get("/register")).text, '<h1 class="text-xs-center">Sign up</h1>',
               'name="username"', 'name="email"', 'name="password"')  # fmt: skip
    page = (await browser.get(f"/article/{article['slug']}")).text
    assert_has(page, 'class="article-page"', 'class="row article-content"', "Follow alice",
               "Favorite Article", "btn-outline-primary")  # fmt: skip
    empty = (await browser.get("/tag/none-such")).text
    assert_has(empty, 'class="article-preview empty-feed-message"')


async def test_signed_in_pages(browser: Browser, alice: Persona) -> None:
    article = await alice.write(tags=["dragons"])
    await browser.sign_up("bob")
    home = (await browser.get("/")).text
    assert_has(home, 'href="/?feed=following">Your Feed', 'class="user-pic"', "New Article",
               'href="/settings"', 'href="/profile/bob"')  # fmt: skip
    settings = (await browser.get("/settings")).text
    assert_has(settings, 'name="image"', 'rows="8" name="bio"',
               'name="username"', 'name="email"', 'name="password"', "Update Settings",
               "btn btn-outline-danger\">Or click here to logout.")  # fmt: skip
    assert_has((await browser.get("/editor")).text, 'name="title"', 'name="description"',
               'textarea class="form-control" rows="8" name="body"', 'placeholder="Enter tags"',
               "Publish Article")  # fmt: skip
    await browser.post(f"/article/{article['slug']}/comments", {"body": "Hello"})
    page = (await browser.get(f"/article/{article['slug']}")).text
    assert_has(page, 'class="card comment-form"', 'placeholder="Write a comment..."',
               "Post Comment", 'class="comment-author-img"', 'class="mod-options"',
               'class="ion-trash-a"', 'class="card-block"')  # fmt: skip
    await browser.post(f"/article/{article['slug']}/favorite")
    page = (await browser.get(f"/article/{article['slug']}")).text
    assert_has(page, 'class="btn btn-sm btn-primary"', "Unfavorite Article")
    await browser.post("/profile/alice/follow")
    profile = (await browser.get("/profile/alice")).text
    assert_has(profile, 'class="profile-page"', 'class="user-info"', 'class="user-img"',
               "Unfollow alice", ">My Articles<", ">Favorited Articles<")  # fmt: skip
    own = (await browser.get("/profile/bob")).text
    assert_has(own, "Edit Profile Settings", 'class="nav-link active" href="/profile/bob"')
    mine = await browser.post("/editor", {"title": "Bob's", "description": "d", "body": "b"})
    page = (await browser.get(mine.headers["location"])).text
    assert_has(page, "Edit Article", "Delete Article", 'href="/editor/bob-s"')
