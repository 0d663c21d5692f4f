"""Forms: parsing, validation messages in ul.error-messages, redirects, ownership."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import FormData

from conduit.models import Article
from conduit.users.schemas import NewUser
from conduit.web.context import safe_next
from conduit.web.forms import parse, split_tags
from conduit.web.pages.listing import page_links, page_number
from tests.conftest import StatementCounter
from tests.factories import Persona
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio


def test_tags_come_from_the_text_box_and_the_pills() -> None:
    form = FormData([("tagList", " dragons, how to ,,\nx"), ("tag", "pill"), ("tag", " ")])
    assert split_tags(form) == ["dragons", "how to", "x", "pill"]


def test_validation_errors_read_as_sentences() -> None:
    data, errors = parse(NewUser, {"username": "", "email": "nope", "password": "short"})
    assert data is None
    assert errors == [
        "username can't be blank",
        "email is invalid",
        "password is too short (minimum is 8 characters)",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/article/a?x=1", "/article/a?x=1"),
        ("//evil.example", "/home"),
        ("/\\evil.example", "/home"),
        ("/\t/evil.example", "/home"),
        ("https://evil.example", "/home"),
        (None, "/home"),
    ],
)
def test_it_only_goes_back_to_local_paths(value: object, expected: str) -> None:
    assert safe_next(value, "/home") == expected


def test_pages_are_forgiving_and_windowed() -> None:
    assert [page_number(raw) for raw in (None, "", "abc", "-2", "0", "3", "99999999")] == [
        1, 1, 1, 1, 1, 3, 100_000,
    ]  # fmt: skip
    links = page_links("/", {"feed": "following"}, current=10, total=200)
    assert [link.number for link in links] == [1, 7, 8, 9, 10, 11, 12, 13, 20]
    assert [link.url for link in links if link.active] == ["/?feed=following&page=10"]
    assert links[0].url == "/?feed=following"
    assert page_links("/", {}, current=1, total=10) == []


async def test_registration_errors_are_listed(browser: Browser, alice: Persona) -> None:
    response = await browser.post(
        "/register",
        {"username": "alice", "email": "other@example.com", "password": "long enough pw"},
    )
    assert response.status_code == 422
    assert '<ul class="error-messages">' in response.text
    assert "<li>username has already been taken</li>" in response.text
    assert 'value="other@example.com"' in response.text


async def test_wrong_credentials_say_so_without_telling_which(
    browser: Browser, alice: Persona
) -> None:
    for email in ("alice@example.com", "nobody@example.com"):
        response = await browser.post("/login", {"email": email, "password": "wrong password"})
        assert response.status_code == 422
        assert "<li>email or password is invalid</li>" in response.text


async def test_the_editor_reports_blank_fields_and_keeps_the_input(
    browser: Browser, db: AsyncEngine
) -> None:
    await browser.sign_up("alice")
    response = await browser.post(
        "/editor", {"title": " ", "description": "kept", "body": "", "tagList": "a, b"}
    )
    assert response.status_code == 422
    assert "<li>title can&#39;t be blank</li>" in response.text
    assert 'value="kept"' in response.text
    assert 'value="a, b"' in response.text
    async with db.connect() as conn:
        assert (await conn.execute(select(Article.id))).first() is None


async def test_publishing_redirects_to_the_article_and_tags_are_kept(browser: Browser) -> None:
    await browser.sign_up("alice")
    response = await browser.post(
        "/editor",
        {"title": "Dragons", "description": "d", "body": "b", "tagList": "zoo, art", "tag": "x"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/article/dragons"
    page = (await browser.get("/article/dragons")).text
    assert page.count('<li class="tag-default tag-pill tag-outline">') == 3


async def test_only_the_author_may_edit_or_delete(
    browser: Browser, alice: Persona, db: AsyncEngine
) -> None:
    article = await alice.write(title="Mine")
    await browser.sign_up("bob")
    assert (await browser.get(f"/editor/{article['slug']}")).status_code == 403
    edit = await browser.post(
        f"/editor/{article['slug']}", {"title": "Stolen", "description": "d", "body": "b"}
    )
    assert edit.status_code == 403
    assert (await browser.post(f"/article/{article['slug']}/delete")).status_code == 403
    async with db.connect() as conn:
        assert (await conn.execute(select(Article.title))).scalar_one() == "Mine"


async def test_signed_out_visitors_are_sent_to_sign_in(
    browser: Browser, alice: Persona, db: AsyncEngine
) -> None:
    article = await alice.write()
    for path in ("/editor", "/settings", "/?feed=following"):
        response = await browser.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
    response = await browser.post(f"/article/{article['slug']}/favorite")
    assert response.headers["location"] == "/login"
    async with db.connect() as conn:
        assert (await conn.execute(select(Article.favorites_count))).scalar_one() == 0


async def test_missing_things_get_an_html_404(browser: Browser) -> None:
    for path in ("/article/nope", "/profile/nobody", "/no/such/page"):
        response = await browser.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.text


async def test_an_unknown_page_still_knows_who_is_signed_in(browser: Browser) -> None:
    await browser.sign_up("alice")
    response = await browser.get("/no/such/page")
    assert response.status_code == 404
    assert 'data-username="alice"' in response.text


# The database path: with the cache on, what a page reads depends on what is warm.
@pytest.mark.uncached
async def test_pages_run_a_fixed_number_of_statements(
    browser: Browser, alice: Persona, bob: Persona, sql: StatementCounter
) -> None:
    await browser.sign_up("carol")
    counts = []
    for round_ in range(2):
        for number in range(11):  # more than a page each round, so both count the total
            article = await alice.write(title=f"A {round_} {number}", tags=["x", "y"])
            await bob.comment(article["slug"])
        sql.reset()
        await browser.get("/")
        await browser.get(f"/article/{article['slug']}")
        await browser.get("/profile/alice")
        counts.append(sql.count)
    # Twice the articles and comments, the same statements: no query per row.
    assert counts[0] == counts[1]
