"""Steps a person takes in the browser, written against the selector contract (SELECTORS.md)."""

from __future__ import annotations

import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"


def unique(name: str) -> str:
    return f"{name}{secrets.token_hex(3)}"


def sign_up(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/register")
    expect(page.locator("h1")).to_have_text("Sign up")
    page.fill('input[name="username"]', username)
    page.fill('input[name="email"]', f"{username}@example.com")
    page.fill('input[name="password"]', password)
    page.click('button:has-text("Sign up")')
    expect(page.locator(".navbar")).to_contain_text(username)


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.fill('input[name="email"]', f"{username}@example.com")
    page.fill('input[name="password"]', password)
    page.click('button:has-text("Sign in")')
    expect(page.locator(".navbar")).to_contain_text(username)


def publish(page: Page, title: str, body: str, tags: list[str], description: str = "About") -> str:
    """Writes an article through the editor (tags entered one by one with Enter); its slug."""
    page.goto("/editor")
    page.fill('input[name="title"]', title)
    page.fill('input[name="description"]', description)
    page.fill('textarea[name="body"]', body)
    for tag in tags:
        page.fill('input[placeholder="Enter tags"]', tag)
        page.press('input[placeholder="Enter tags"]', "Enter")
    page.click('button:has-text("Publish Article")')
    expect(page.locator(".article-page h1")).to_have_text(title)
    return page.url.rsplit("/article/", 1)[1]


def shoot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
