"""The reader's and the writer's journeys through the server-rendered pages, in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Traffic, open_context
from tests.e2e.helpers import PASSWORD, publish, shoot, sign_in, sign_up, unique

pytestmark = pytest.mark.e2e

BODY = """## Dragons

Training needs **patience** and a [guide](https://example.com/guide).

<script>window.pwned = true</script>
"""


def test_a_writer_publishes_an_article_with_tags_and_discusses_it(
    page: Page, screenshots: Path
) -> None:
    writer = unique("writer")
    page.goto("/")
    shoot(page, screenshots, "home-anonymous")
    page.goto("/register")
    shoot(page, screenshots, "register")
    sign_up(page, writer)
    page.goto("/editor")
    shoot(page, screenshots, "editor")
    title = f"Training dragons {writer}"
    slug = publish(page, title, BODY, ["dragons", "howto"])

    content = page.locator(".article-content")
    expect(content.locator("h2")).to_have_text("Dragons")
    expect(content.locator("strong")).to_have_text("patience")
    expect(content.locator('a[href="https://example.com/guide"]')).to_have_text("guide")
    expect(content).to_contain_text("<script>window.pwned = true</script>")
    assert page.evaluate("window.pwned === undefined")
    expect(content.locator(".tag-list")).to_contain_text("dragons")
    expect(content.locator(".tag-list")).to_contain_text("howto")
    expect(page.locator(".article-meta img").first).to_have_attribute(
        "src", re.compile("default-avatar.svg")
    )

    page.fill('textarea[placeholder="Write a comment..."]', "First!")
    page.click('button:has-text("Post Comment")')
    posted = page.locator(".card:not(.comment-form) .card-block")
    expect(posted).to_have_text(["First!"])
    shoot(page, screenshots, "article")
    page.click(".mod-options .ion-trash-a")
    expect(posted).to_have_count(0)

    page.click('a:has-text("Edit Article")')
    assert page.url.endswith(f"/editor/{slug}")
    page.fill('input[name="description"]', "Revised")
    page.click('button:has-text("Publish Article")')
    expect(page.locator(".article-page h1")).to_have_text(title)

    page.goto(f"/profile/{writer}")
    expect(page.locator(".article-preview h1")).to_have_text([title])
    expect(page.locator(".user-img")).to_have_attribute("src", re.compile("default-avatar.svg"))
    expect(page.locator('a:has-text("Edit Profile Settings")')).to_be_visible()
    shoot(page, screenshots, "profile")

    page.goto(f"/article/{slug}")
    page.click('button:has-text("Delete Article")')
    expect(page).to_have_url(re.compile(r"/$"))
    response = page.goto(f"/article/{slug}")
    assert response is not None
    assert response.status == 404


def test_a_reader_follows_favorites_and_reads_their_feed(
    browser: Browser, base_url: str, traffic: Traffic, screenshots: Path
) -> None:
    writer, reader = unique("author"), unique("reader")
    author_context = open_context(browser, base_url, traffic)
    author = author_context.new_page()
    sign_up(author, writer)
    title = f"Feed me {writer}"
    slug = publish(author, title, "Some *words*.", ["feeds"])
    author_context.close()

    context = open_context(browser, base_url, traffic)
    page = context.new_page()
    sign_up(page, reader)
    page.goto("/?feed=following")
    expect(page.locator(".empty-feed-message")).to_be_visible()

    page.goto(f"/article/{slug}")
    page.locator(f'button:has-text("Follow {writer}")').first.click()
    expect(page.locator(f'button:has-text("Unfollow {writer}")').first).to_be_visible()
    favorite = page.locator('button:has-text("Favorite Article")').first
    expect(favorite).to_have_class(re.compile("btn-outline-primary"))
    favorite.click()
    unfavorite = page.locator('button:has-text("Unfavorite Article")').first
    expect(unfavorite).to_have_class(re.compile("btn-primary"))
    expect(unfavorite).to_contain_text("(1)")

    page.goto("/")
    page.click('a.nav-link:has-text("Your Feed")')
    expect(page).to_have_url(re.compile(r"feed=following"))
    expect(page.locator(".article-preview h1")).to_have_text([title])
    shoot(page, screenshots, "home-your-feed")

    page.goto(f"/profile/{reader}")
    page.click('a:has-text("Favorited")')
    expect(page).to_have_url(re.compile(f"/profile/{reader}/favorites$"))
    expect(page.locator(".article-preview h1")).to_have_text([title])

    page.goto(f"/profile/{writer}")
    page.click(f'button:has-text("Unfollow {writer}")')
    expect(page.locator(f'button:has-text("Follow {writer}")')).to_be_visible()
    context.close()
    assert traffic.foreign == []


def test_settings_change_then_logout_and_sign_in_again(page: Page, screenshots: Path) -> None:
    name = unique("settler")
    sign_up(page, name)
    page.goto("/settings")
    shoot(page, screenshots, "settings")
    page.fill('textarea[name="bio"]', "I like <b>bold</b> claims")
    page.fill('input[name="password"]', "a brand new password")
    page.fill('input[name="current_password"]', "not my password")
    page.click('button:has-text("Update Settings")')
    expect(page.locator(".error-messages")).to_contain_text("current password is wrong")

    # As the selector contract's own tests do: only the new password, moments after signing up
    # (the re-authentication window; an older session must give the current one).
    page.fill('textarea[name="bio"]', "I like <b>bold</b> claims")
    page.fill('input[name="password"]', "a brand new password")
    page.fill('input[name="current_password"]', "")
    page.click('button:has-text("Update Settings")')
    expect(page).to_have_url(re.compile(f"/profile/{name}$"))
    expect(page.locator(".user-info p")).to_have_text("I like <b>bold</b> claims")

    page.goto("/settings")
    page.click('button:has-text("Or click here to logout")')
    expect(page.locator(".navbar")).to_contain_text("Sign in")
    page.goto("/login")
    shoot(page, screenshots, "login")
    page.fill('input[name="email"]', f"{name}@example.com")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button:has-text("Sign in")')
    expect(page.locator(".error-messages")).to_be_visible()
    sign_in(page, name, "a brand new password")


def test_pagination_and_the_tag_filter(page: Page, base_url: str, screenshots: Path) -> None:
    name = unique("prolific")
    tag = unique("batch")
    token = httpx.post(
        f"{base_url}/api/users",
        json={"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}},
    ).json()["user"]["token"]
    for number in range(12):
        article = {"title": f"{name} {number}", "description": "d", "body": "b", "tagList": [tag]}
        response = httpx.post(
            f"{base_url}/api/articles",
            json={"article": article},
            headers={"Authorization": f"Token {token}"},
        )
        assert response.status_code == 201

    page.goto("/")
    expect(page.locator(".pagination .page-item.active")).to_have_text("1")
    page.click('.pagination .page-item a:text-is("2")')
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.locator(".pagination .page-item.active")).to_have_text("2")

    page.goto("/")
    page.click(f'.sidebar .tag-list a:has-text("{tag}")')
    expect(page).to_have_url(re.compile(f"/tag/{tag}$"))
    expect(page.locator(".feed-toggle .nav-link.active")).to_contain_text(tag)
    expect(page.locator(".article-preview")).to_have_count(10)
    shoot(page, screenshots, "home-tag")
    page.click('.pagination .page-item a:text-is("2")')
    expect(page).to_have_url(re.compile(f"/tag/{tag}\\?page=2$"))
    expect(page.locator(".article-preview")).to_have_count(2)


def test_it_works_with_javascript_disabled(
    browser: Browser, base_url: str, traffic: Traffic, screenshots: Path
) -> None:
    context = open_context(browser, base_url, traffic, java_script_enabled=False)
    page = context.new_page()
    name = unique("plain")
    sign_up(page, name)
    page.goto("/editor")
    page.fill('input[name="title"]', f"No script {name}")
    page.fill('input[name="description"]', "Plain forms")
    page.fill('textarea[name="body"]', "Just *HTML*.")
    page.fill('input[placeholder="Enter tags"]', "plain, forms")
    page.click('button:has-text("Publish Article")')
    expect(page.locator(".article-content .tag-list")).to_have_text(re.compile("forms\\s*plain"))
    page.goto(f"/profile/{name}")
    heart = page.locator(".article-preview .article-meta button")
    expect(heart).to_have_class(re.compile("btn-outline-primary"))
    heart.click()
    expect(heart).to_have_class(re.compile("btn-primary"))
    expect(heart).to_have_text("1")
    context.close()

    phone = open_context(
        browser, base_url, traffic, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    small = phone.new_page()
    small.goto("/")
    shoot(small, screenshots, "home-phone")
    phone.close()
    assert traffic.foreign == []


def test_the_browser_refuses_to_frame_a_page(browser: Browser, base_url: str) -> None:
    # A hostile origin embedding our login page. Its page is answered inside the browser
    # (page.route), so it never reaches any server; localhost is another origin than 127.0.0.1.
    # Chromium's local-network checks would block the frame on their own, hiding what our
    # headers do: this browser has them off.
    framing = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
    )
    try:
        page = framing.new_page()
        hostile = base_url.replace("127.0.0.1", "localhost") + "/hostile"
        page.route(
            hostile,
            lambda route: route.fulfill(
                content_type="text/html",
                body=f'<iframe id="victim" src="{base_url}/login"></iframe>',
            ),
        )
        # Chromium reports the refusal on the console, naming the directive that caused it.
        with page.expect_console_message(
            lambda message: "frame-ancestors 'none'" in message.text, timeout=10_000
        ):
            page.goto(hostile)
        [child] = [frame for frame in page.frames if frame != page.main_frame]
        assert not child.url.startswith(base_url), child.url
        assert "Sign in" not in child.content()
    finally:
        framing.close()
