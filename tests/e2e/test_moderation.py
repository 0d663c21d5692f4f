"""Moderation in real Chromium: a member reports an article; a moderator works the queue, hides
it and suspends its author; the audit log shows both; anonymous visitors no longer find it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Traffic, _conduit_command, open_context
from tests.e2e.helpers import publish, shoot, sign_up, unique

pytestmark = pytest.mark.e2e


def promote(database_url: str, username: str) -> None:
    """What an operator does: ``conduit users promote`` against the server's database."""
    env = {
        **os.environ,
        "CONDUIT_DATABASE_URL": database_url,
        "CONDUIT_REDIS_URL": "",
        "CONDUIT_SECRET_KEY": "e2e-secret-" + "y" * 40,
    }
    done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*_conduit_command(), "users", "promote", username, "--role", "moderator"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"{username} is now moderator" in done.stdout


def fresh(browser: Browser, base_url: str, traffic: Traffic) -> Page:
    return open_context(browser, base_url, traffic).new_page()


def test_a_reported_article_is_hidden_and_its_author_suspended(
    browser: Browser, base_url: str, traffic: Traffic, database_url: str, screenshots: Path
) -> None:
    writer, reader, moderator = unique("spammer"), unique("reader"), unique("mod")
    author = fresh(browser, base_url, traffic)
    sign_up(author, writer)
    title = f"Cheap pills {writer}"
    slug = publish(author, title, "Buy now at a link.", ["offers"])

    member = fresh(browser, base_url, traffic)
    sign_up(member, reader)
    member.goto(f"/article/{slug}")
    member.click("summary:has-text('Report this article')")
    member.fill("textarea[name='reason']", "Spam: selling pills")
    member.click("button:has-text('Report')")
    expect(member.locator(".moderation-notice")).to_contain_text("the moderators will look")

    staff = fresh(browser, base_url, traffic)
    sign_up(staff, moderator)
    promote(database_url, moderator)
    staff.goto("/admin/reports")
    item = staff.locator(".console-queue li.card", has_text=title)
    expect(item).to_contain_text("Spam: selling pills")
    shoot(staff, screenshots, "admin-reports")
    hide = item.locator("form:has(input[name='op'][value='hide'])")
    hide.locator("input[name='reason']").fill("spam")
    hide.locator("button").click()
    expect(staff.locator(".console-queue")).to_contain_text("No open reports.")

    staff.goto(f"/admin/users/{writer}")
    suspend = staff.locator("form:has(input[name='op'][value='suspend'])")
    suspend.locator("input[name='reason']").fill("spammer")
    suspend.locator("button").click()
    expect(staff.locator(".console-facts")).to_contain_text("suspended since")

    staff.goto(f"/admin/audit?actor={moderator}")
    log = staff.locator(".console-table tbody")
    expect(log).to_contain_text("article.hide")
    expect(log).to_contain_text("user.suspend")
    shoot(staff, screenshots, "admin-audit")

    anonymous = fresh(browser, base_url, traffic)
    response = anonymous.goto(f"/article/{slug}")
    assert response is not None
    assert response.status == 404
    anonymous.goto("/")
    expect(anonymous.locator("body")).not_to_contain_text(title)
    # The author's session ended with the suspension.
    author.goto("/")
    expect(author.locator("body")).to_have_attribute("data-auth", "unauthenticated")
    assert traffic.foreign == []
