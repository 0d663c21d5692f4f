"""Property-based tests (hypothesis): slugs, validation vs. its documented schema, pagination."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from conduit.articles.slugs import MAX_BASE, base_slug, with_suffix
from conduit.validation import (
    EMAIL_PATTERN,
    IMAGE_PATTERN,
    NONBLANK_PATTERN,
    USERNAME_PATTERN,
    Email,
    Image,
    Title,
    Username,
)
from tests.factories import Persona

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Text that includes the awkward parts: controls, odd whitespace, astral characters.
ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300
) | st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000aZ0_-.@/:#?[]é\x00\x7f", max_size=40)


@settings(deadline=None)  # no timing in tests: a loaded CI machine must not fail them
@given(ANY_TEXT)
def test_slugs_are_url_safe_bounded_and_never_empty(title: str) -> None:
    slug = base_slug(title)
    assert SLUG.match(slug), slug
    assert 1 <= len(slug) <= MAX_BASE
    assert base_slug(slug) == slug


@settings(deadline=None)
@given(ANY_TEXT)
def test_suffixed_slugs_stay_url_safe_and_differ(title: str) -> None:
    base = base_slug(title)
    first, second = with_suffix(base), with_suffix(base)
    assert SLUG.match(first)
    assert first.startswith(base + "-")
    assert len(first) == len(base) + 7
    # 24 random bits: two draws colliding would be a one-in-sixteen-million event.
    assert first != second


def _accepts(kind: Any, value: str) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("kind", "pattern", "limit"),
    [
        (Title, NONBLANK_PATTERN, 255),
        (Username, USERNAME_PATTERN, 64),
        (Email, EMAIL_PATTERN, 254),
        (Image, IMAGE_PATTERN, 2048),
    ],
    ids=["title", "username", "email", "image"],
)
@settings(deadline=None)
@given(value=ANY_TEXT)
def test_validation_accepts_exactly_what_the_openapi_schema_documents(
    kind: Any, pattern: str, limit: int, value: str
) -> None:
    # The fuzzer relies on it: schema-valid input is accepted and nothing else.
    documented = re.search(pattern, value) is not None and len(value) <= limit
    if kind is Title or kind is Username or kind is Email:
        documented = documented and len(value) >= 1
    assert _accepts(kind, value) == documented, repr(value)


@settings(deadline=None)
@given(value=st.text(max_size=400))
def test_text_beyond_a_limit_is_always_refused(value: str) -> None:
    if len(value) > 255:
        assert not _accepts(Title, value)


# --- pagination, against a model of the data -------------------------------------------------

TAGS = ["red", "green", "blue"]


@pytest.fixture
async def corpus(alice: Persona, bob: Persona, carol: Persona) -> list[dict[str, Any]]:
    """Thirteen articles by three authors, tags and favorites spread unevenly; newest first."""
    authors = [alice, bob, alice, carol, alice, bob, bob, alice, carol, alice, alice, bob, carol]
    articles: list[dict[str, Any]] = []
    for i, author in enumerate(authors):
        tags = [TAGS[j] for j in range(3) if (i >> j) & 1]
        article = await author.write(title=f"Article {i}", tags=tags)
        fans = [p for k, p in enumerate((alice, bob, carol)) if (i + k) % 3 == 0]
        for fan in fans:
            await fan.favorite(article["slug"])
        articles.append(
            {
                "slug": article["slug"],
                "author": author.username,
                "tags": tags,
                "fans": {fan.username for fan in fans},
            }
        )
    return list(reversed(articles))


@pytest.mark.anyio
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(min_value=1, max_value=100),
    offset=st.integers(min_value=0, max_value=20),
    tag=st.sampled_from([None, *TAGS, "nope"]),
    author=st.sampled_from([None, "alice", "bob", "carol", "nobody"]),
    favorited=st.sampled_from([None, "alice", "bob", "carol", "nobody"]),
)
async def test_pagination_counts_and_pages_agree_with_the_data(
    corpus: list[dict[str, Any]],
    alice: Persona,
    limit: int,
    offset: int,
    tag: str | None,
    author: str | None,
    favorited: str | None,
) -> None:
    expected = [
        a["slug"]
        for a in corpus
        if (tag is None or tag in a["tags"])
        and (author is None or a["author"] == author)
        and (favorited is None or favorited in a["fans"])
    ]
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    params |= {k: v for k, v in (("tag", tag), ("author", author), ("favorited", favorited)) if v}
    response = await alice.client.get("/api/articles", params=params)
    body = response.json()
    assert response.status_code == 200
    assert body["articlesCount"] == len(expected)
    assert [a["slug"] for a in body["articles"]] == expected[offset : offset + limit]
    assert len(body["articles"]) == max(0, min(limit, len(expected) - offset))
