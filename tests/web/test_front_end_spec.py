"""The pages follow the RealWorld front-end spec closely (issue 10): empty states, the profile
without a bio, signing in from an article and coming back to it."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, Persona
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio


def main_part(html: str) -> str:
    """The page body without the navbar and the footer."""
    return html.split("<main>", 1)[1].split("</main>", 1)[0]


async def test_an_empty_your_feed_says_so_and_links_to_the_global_feed(
    browser: Browser, alice: Persona
) -> None:
    await alice.write(title="Somebody else's article")
    await browser.sign_up("bob")
    feed = main_part((await browser.get("/?feed=following")).text)
    (message,) = re.findall(r'<div class="article-preview empty-feed-message">(.*?)</div>', feed)
    assert message.startswith("Your feed is empty.")
    assert '<a href="/">Global Feed</a>' in message
    # The Global Feed itself is not empty, and says nothing of the kind.
    assert "empty-feed-message" not in (await browser.get("/")).text


async def test_a_profile_without_a_bio_still_has_its_paragraph(
    browser: Browser, alice: Persona, bob: Persona
) -> None:
    await bob.put("/api/user", {"user": {"bio": "Writes about dragons."}})
    without = (await browser.get("/profile/alice")).text
    assert re.search(r"<h4>alice</h4>\s*<p></p>", without)
    with_bio = (await browser.get("/profile/bob")).text
    assert re.search(r"<h4>bob</h4>\s*<p>Writes about dragons.</p>", with_bio)


async def test_a_signed_out_article_page_has_one_sign_in_link_that_comes_back(
    browser: Browser, alice: Persona
) -> None:
    article = await alice.write()
    here = f"/article/{article['slug']}"
    body = main_part((await browser.get(here)).text)
    logins = re.findall(r'href="(/login[^"]*)"', body)
    assert logins == [f"/login?next={here}"]
    assert f'href="/register?next={here}"' in body


async def test_signing_in_goes_back_to_a_same_site_next(browser: Browser, alice: Persona) -> None:
    article = await alice.write()
    here = f"/article/{article['slug']}"
    form = (await browser.get(f"/login?next={here}")).text
    assert f'<input type="hidden" name="next" value="{here}">' in form
    assert f'href="/register?next={here}"' in form
    signed_in = await browser.post(
        "/login", {"email": alice.email, "password": PASSWORD, "next": here}, form_page="/login"
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == here
    # Already signed in: the sign-in page sends the browser straight on.
    again = await browser.get("/login?next=/settings")
    assert again.status_code == 303
    assert again.headers["location"] == "/settings"


async def test_signing_up_goes_back_to_a_same_site_next(browser: Browser) -> None:
    form = (await browser.get("/register?next=/editor")).text
    assert '<input type="hidden" name="next" value="/editor">' in form
    fields = {"username": "dora", "email": "dora@example.com", "password": PASSWORD}
    made = await browser.post("/register", {**fields, "next": "/editor"}, form_page="/register")
    assert made.status_code == 303
    assert made.headers["location"] == "/editor"


@pytest.mark.parametrize(
    "onward",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "home"],
)
async def test_a_next_leading_elsewhere_goes_home(
    browser: Browser, alice: Persona, onward: str
) -> None:
    page = await browser.http.get("/login", params={"next": onward})
    assert 'name="next"' not in page.text
    signed_in = await browser.post(
        "/login", {"email": alice.email, "password": PASSWORD, "next": onward}, form_page="/login"
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/"
