"""The driver path (conduit.driver, PostgreSQL): the same rows as through SQLAlchemy, only for
statements built once, a write that is one statement by itself (no transaction), and a server
that cannot serve is a 503, not a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, update

from conduit import db as dbmod
from conduit.articles import queries
from conduit.comments import service as comments
from conduit.errors import Unavailable
from conduit.models import Article, Favorite, User, utcnow
from conduit.profiles import service as profiles
from conduit.resources import Resources
from conduit.visibility import Sight
from tests.conftest import StatementCounter
from tests.factories import Persona

pytestmark = pytest.mark.anyio


@pytest.fixture
def resources(app: FastAPI) -> Resources:
    found: Resources = app.state.resources
    if found.driver is None:
        pytest.skip("PostgreSQL only (CI runs it there); SQLite and MariaDB read on SQLAlchemy")
    return found


async def _every_read(resources: Resources, reading: bool, viewer: int, slug: str) -> Any:
    """The hot reads' typed results, through a read session (driver path) or inside a
    transaction (SQLAlchemy's execution, same statements)."""
    session = resources.reads() if reading and resources.reads else resources.sessions()
    if not reading:
        await session.connection()  # begins: every statement then stays on the session
    try:
        everyone = queries.ArticleFilter()
        followed = queries.ArticleFilter(feed_of=viewer)
        return (
            await queries.list_articles(session, everyone, None, 20, 0),
            await queries.list_articles(session, everyone, viewer, 20, 0),
            await queries.list_articles(session, queries.ArticleFilter(tag="dragons"), None, 5, 0),
            await queries.list_articles(session, followed, viewer, 5, 0),
            await queries.list_articles(session, everyone, None, 5, 50),  # past the end: 2nd read
            await queries.get_article(session, slug, viewer),
            await queries.get_article(session, slug, None),
            await queries.popular_tags(session),
            await profiles.get(session, "alice", viewer),
            await comments.list_comments(session, slug, viewer, 10, 0),
            await comments.list_comments(session, slug, None, 1, 1, Sight(None)),
        )
    finally:
        await session.close()


async def test_it_answers_exactly_what_sqlalchemy_answers(
    resources: Resources, alice: Persona, bob: Persona, sql: StatementCounter
) -> None:
    first = await alice.write("Dragons", tags=["dragons", "fire"])
    await alice.write("Knights", tags=["steel"])
    await bob.follow(alice)
    await bob.favorite(first["slug"])
    await bob.comment(first["slug"], "Hot")
    await alice.comment(first["slug"], "Thanks")
    async with resources.engine.connect() as connection:
        viewer = await connection.scalar(select(User.id).where(User.username == "bob"))
    assert isinstance(viewer, int)
    sql.reset()
    on_driver = await _every_read(resources, True, viewer, first["slug"])
    driven = [s for s in sql.statements if s.endswith("-- driver level")]
    assert len(driven) == 12  # every read above, on the driver (the past-the-end page: two)
    sql.reset()
    on_sqlalchemy = await _every_read(resources, False, viewer, first["slug"])
    assert not [s for s in sql.statements if s.endswith("-- driver level")]
    assert on_driver == on_sqlalchemy
    assert on_driver[5].tags == ("dragons", "fire")  # a JSON list kept as text, decoded
    assert on_driver[5].favorited
    assert on_driver[5].favorites_count == 1
    assert [c.body for c in on_driver[9].items] == ["Thanks", "Hot"]


async def test_it_leaves_statements_built_per_request_to_sqlalchemy(
    resources: Resources, alice: Persona, sql: StatementCounter
) -> None:
    article = await alice.write()
    assert resources.reads is not None
    session = resources.reads()
    try:
        sql.reset()
        once = select(Article.id).where(Article.slug == article["slug"])
        assert [row[0] for row in await dbmod.rows(session, once)] != []
        assert sql.count == 1
        assert not sql.statements[0].endswith("-- driver level")
    finally:
        await session.close()


@pytest.mark.server_errors
async def test_it_answers_503_when_the_server_cannot_serve(
    resources: Resources, client: AsyncClient, alice: Persona, monkeypatch: pytest.MonkeyPatch
) -> None:
    await alice.write()
    assert resources.driver is not None
    # Every free connection is ended under the pool: the next statement meets a dead one.
    pool = resources.driver._ready()
    await resources.driver.rows(queries._POPULAR_TAGS, None)
    assert pool._free
    for connection in pool._free:
        connection.terminate()
    monkeypatch.setitem(resources.driver._connect, "port", 1)  # and no new one can be opened
    response = await client.get("/api/articles")
    assert response.status_code == 503
    assert response.json() == {"errors": {"database": ["is unavailable, try again shortly"]}}
    assert response.headers["retry-after"] == "1"
    with pytest.raises(Unavailable):
        await resources.driver.rows(queries._POPULAR_TAGS, None)


async def test_a_transaction_reads_on_the_driver_only_before_it_begins(
    resources: Resources, sql: StatementCounter
) -> None:
    """A transactional session's reusable read runs on the driver until its transaction begins
    (``uow.write`` begins it before the work), then on the session's connection, which sees the
    transaction's own writes."""
    session = resources.sessions()
    try:
        sql.reset()
        await dbmod.rows(session, queries._POPULAR_TAGS)
        await session.connection()  # begins
        await dbmod.rows(session, queries._POPULAR_TAGS)
        assert len(sql.statements) == 2
        assert sql.statements[0].endswith("-- driver level")
        assert not sql.statements[1].endswith("-- driver level")
    finally:
        await session.close()


async def test_a_write_keeps_its_transaction_where_generations_are_in_the_database(
    resources: Resources, alice: Persona, bob: Persona, sql: StatementCounter
) -> None:
    """Here the cache's generations are in the database (no Redis): bumped in the write's own
    transaction, so even a one-statement write keeps its transaction, on the session."""
    assert resources.invalidator is not None
    assert resources.invalidator.in_database
    article = await alice.write()
    sql.reset()
    assert (await bob.favorite(article["slug"]))["favoritesCount"] == 1
    assert not [s for s in sql.statements if s.endswith("-- driver level")]
    writes = [s for s in sql.statements if "favorites" in s]
    assert len(writes) == 1  # the article, the mark and the counter: one statement
    assert writes[0].startswith("WITH found AS")
    assert any(s.startswith("INSERT INTO cache_generations") for s in sql.statements)
    assert (await bob.favorite(article["slug"]))["favoritesCount"] == 1  # a repeat changes nothing
    unfavorited = await bob.delete(f"/api/articles/{article['slug']}/favorite")
    assert unfavorited.json()["article"]["favoritesCount"] == 0


@pytest.mark.uncached
async def test_it_writes_one_statement_writes_by_themselves(
    resources: Resources, alice: Persona, bob: Persona, sql: StatementCounter
) -> None:
    """Favorite, unfavorite and add comment are each one statement: on the driver path, with
    no transaction around it (so nothing on SQLAlchemy's connections at all), the columns'
    Python-side defaults filled in as SQLAlchemy would, and the same answers."""
    article = await alice.write(tags=["dragons", "fire"])
    slug = article["slug"]
    await bob.follow(alice)
    sql.reset()
    favorited = await bob.favorite(slug)
    # Bob's account, then the article read, the mark and the counter in one statement, all on
    # the driver.
    sent = list(sql.statements)
    assert len(sent) == 2
    assert all(s.endswith("driver level") for s in sent)
    assert sent[1].startswith("WITH found AS")
    assert "INSERT INTO favorites" in sent[1]
    # The whole answer, as a read right after it shows the article (tags decoded, author,
    # following, the flag and the new count).
    assert favorited == (await bob.get(f"/api/articles/{slug}")).json()["article"]
    assert favorited["tagList"] == ["dragons", "fire"]
    assert favorited["author"]["following"] is True
    assert favorited["favorited"] is True
    assert favorited["favoritesCount"] == 1
    async with resources.engine.connect() as connection:
        stamped = await connection.scalar(select(Favorite.created_at))
    # created_at: bound by the statement (the driver path refuses Python-side defaults).
    assert stamped is not None
    assert abs(stamped - utcnow()) < timedelta(minutes=1)
    assert (await bob.favorite(slug))["favoritesCount"] == 1  # a repeat changes nothing
    sql.reset()
    unfavorited = await bob.delete(f"/api/articles/{slug}/favorite")
    assert unfavorited.json()["article"]["favoritesCount"] == 0
    assert all(s.endswith("driver level") for s in sql.statements)
    sql.reset()
    comment = await bob.comment(slug, "First!")
    assert comment["body"] == "First!"
    assert len(sql.statements) == 2  # the account, then INSERT ... SELECT ... RETURNING
    assert sql.statements[1].startswith("INSERT INTO comments")
    assert sql.statements[1].endswith("-- driver level")
    listed = (await bob.get(f"/api/articles/{slug}/comments")).json()["comments"]
    assert [(c["id"], c["body"]) for c in listed] == [(comment["id"], "First!")]
    missing = await bob.post("/api/articles/no-such-article/comments", {"comment": {"body": "x"}})
    assert missing.status_code == 404


@pytest.mark.uncached
async def test_a_moderators_favorite_reads_first_then_marks_in_one_statement(
    resources: Resources, alice: Persona, bob: Persona, sql: StatementCounter
) -> None:
    """A moderator sees hidden articles, so their article read is built per request and runs
    on the request's session, which begins its transaction: the mark and the counter follow
    as one statement in that transaction (not by themselves on the driver), then commit."""
    slug = (await alice.write())["slug"]
    async with resources.engine.begin() as connection:
        await connection.execute(
            update(User).where(User.username == "bob").values(role="moderator")
        )
    hidden = await bob.client.post(
        f"/api/admin/articles/{slug}/hide", headers=bob.auth, json={"reason": "spam"}
    )
    assert hidden.status_code == 200
    sql.reset()
    favorited = await bob.favorite(slug)
    assert favorited["favorited"] is True
    assert favorited["favoritesCount"] == 1
    marks = [s for s in sql.statements if "INSERT INTO favorites" in s]
    assert len(marks) == 1
    assert not marks[0].endswith("-- driver level")
    assert "UPDATE articles SET favorites_count" in marks[0]
    async with resources.engine.connect() as connection:
        stamped = await connection.scalar(select(Favorite.created_at))
        count = await connection.scalar(select(Article.favorites_count))
    assert stamped is not None
    assert abs(stamped - utcnow()) < timedelta(minutes=1)
    assert count == 1
    # The same article, hidden, is not there for anyone else to favorite.
    refused = await alice.client.post(
        f"/api/articles/{slug}/favorite",
        headers=(await Persona.register(alice.client, "carl")).auth,
    )
    assert refused.status_code == 404
    unfavorited = await bob.delete(f"/api/articles/{slug}/favorite")
    assert unfavorited.json()["article"]["favoritesCount"] == 0
