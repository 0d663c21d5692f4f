"""The seeded demo in real Chromium: it looks like a real site (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conduit.demo.content import PASSWORD, load
from tests.e2e.helpers import shoot, sign_up, unique

pytestmark = pytest.mark.e2e

LOADED_FONTS = """() => document.fonts.ready.then(() => [...document.fonts]
    .filter(f => f.status === "loaded")
    .map(f => f.family.replace(/"/g, "")))"""


def test_a_demo_person_signs_in_with_the_email_and_reads_their_feed(
    page: Page, screenshots: Path
) -> None:
    demo = load()
    person = demo.people[0]
    page.goto("/")
    expect(page.locator(".article-preview")).to_have_count(10)
    shoot(page, screenshots, "demo-home")
    page.goto("/login")
    page.fill('input[name="email"]', person.email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button:has-text("Sign in")')
    expect(page.locator(".navbar")).to_contain_text(person.username)
    page.click('a.nav-link:has-text("Your Feed")')
    followed = {b for a, b in demo.follows if a == person.username}
    authors = page.locator(".article-preview .author").all_inner_texts()
    assert authors
    assert set(authors) <= followed
    shoot(page, screenshots, "demo-your-feed")


def test_an_article_with_code_lists_and_quotes(page: Page, screenshots: Path) -> None:
    post = next(p for p in load().posts if "```" in p.body and "\n> " in p.body)
    page.goto("/")
    page.locator(".sidebar .tag-list a", has_text=post.tags[0]).click()
    page.locator(".preview-link", has_text=post.title).click()
    content = page.locator(".article-content")
    expect(content.locator("pre code").first).to_be_visible()
    expect(content.locator("blockquote").first).to_be_visible()
    expect(page.locator(".card:not(.comment-form) .card-block")).to_have_count(len(post.comments))
    # Signed out, the comment prompt signs in and comes back here.
    here = page.url
    page.click('.comment-prompt a:has-text("Sign in")')
    expect(page).to_have_url(re.compile(r"/login\?next="))
    person = load().people[1]
    page.fill('input[name="email"]', person.email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button:has-text("Sign in")')
    expect(page).to_have_url(here)
    expect(page.locator('textarea[placeholder="Write a comment..."]')).to_be_visible()
    families = page.evaluate(LOADED_FONTS)
    assert {"Titillium Web", "Source Sans 3", "Source Serif 4"} <= set(families)
    shoot(page, screenshots, "demo-article")


def test_a_short_page_keeps_its_footer_at_the_bottom(page: Page, screenshots: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/login")
    bottom = page.evaluate("document.querySelector('footer').getBoundingClientRect().bottom")
    assert bottom == pytest.approx(page.evaluate("window.innerHeight"), abs=1)
    brand = page.evaluate("getComputedStyle(document.querySelector('.navbar-brand')).fontFamily")
    assert brand.startswith('"Titillium Web"')
    quiet = next(p for p in load().people if p.bio is None)
    page.goto(f"/profile/{quiet.username}")
    expect(page.locator(".user-info p")).to_have_count(1)
    expect(page.locator(".user-info p")).to_have_text("")
    shoot(page, screenshots, "demo-profile-without-bio")


def test_an_empty_feed_points_to_the_global_feed(page: Page, screenshots: Path) -> None:
    sign_up(page, unique("newcomer"))
    page.goto("/?feed=following")
    message = page.locator(".empty-feed-message")
    expect(message).to_contain_text("Your feed is empty")
    shoot(page, screenshots, "demo-empty-feed")
    message.locator('a:has-text("Global Feed")').click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".article-preview")).to_have_count(10)
