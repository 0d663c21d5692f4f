"""``conduit seed``: writes the demo content (conduit/demo/) into the database, idempotently.

Natural keys make a second run a no-op: people are found by email, articles by (author, title).
Only articles created by this run get their favorites and comments, so a rerun never doubles
them, and whatever people did with the demo accounts in the meantime is left alone. Dates are
spread over the past weeks, relative to the first run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations as cache
from conduit.app import build_resources, close_resources
from conduit.articles.slugs import base_slug, with_suffix
from conduit.db import insert_ignore
from conduit.demo.content import PASSWORD, Demo, Person, Post, load
from conduit.migrate import upgrade
from conduit.models import Article, ArticleTag, Comment, Favorite, Follow, Tag, User, utcnow
from conduit.settings import Settings
from conduit.uow import UnitOfWork

# The demo accounts "joined" before their first article.
JOINED_DAYS_AGO = 60


@dataclass(frozen=True, slots=True)
class Seeded:
    people: int
    articles: int  # demo articles in the database after the run
    new_articles: int  # of which this run created
    skipped: tuple[str, ...]  # demo usernames taken by other accounts
    sign_in: str  # an email to sign in with


async def _people(
    uow: UnitOfWork, people: Sequence[Person], password_hash: str, now: datetime
) -> tuple[dict[str, int], list[str]]:
    """Demo username → user id (existing accounts found by email, missing ones created)."""
    session = uow.session
    rows = (
        await session.execute(
            select(User.id, User.username, User.email).where(
                User.email.in_([p.email for p in people])
                | User.username.in_([p.username for p in people])
            )
        )
    ).all()
    by_email = {row.email: row.id for row in rows}
    taken = {row.username for row in rows}
    ids: dict[str, int] = {}
    created: list[tuple[str, User]] = []
    skipped: list[str] = []
    joined = now - timedelta(days=JOINED_DAYS_AGO)
    for person in people:
        if person.email in by_email:
            ids[person.username] = by_email[person.email]
        elif person.username in taken:
            skipped.append(person.username)  # someone else's account: leave it alone
        else:
            user = User(
                username=person.username,
                email=person.email,
                password_hash=password_hash,
                bio=person.bio,
                created_at=joined,
                updated_at=joined,
            )
            session.add(user)
            created.append((person.username, user))
    await session.flush()
    ids.update((username, user.id) for username, user in created)
    if created:
        uow.touch(cache.USERS)
    return ids, skipped


async def _follows(uow: UnitOfWork, pairs: Sequence[tuple[str, str]], ids: dict[str, int]) -> None:
    rows = [
        {"follower_id": ids[a], "followee_id": ids[b]} for a, b in pairs if a in ids and b in ids
    ]
    if rows:
        await uow.session.execute(insert_ignore(uow.session, Follow, rows))
        uow.touch(*(cache.relations_of(row["follower_id"]) for row in rows))


async def _free_slugs(session: AsyncSession, posts: Sequence[Post]) -> list[str]:
    wanted = [base_slug(post.title) for post in posts]
    taken = set(
        (await session.execute(select(Article.slug).where(Article.slug.in_(wanted)))).scalars()
    )
    return [with_suffix(slug) if slug in taken else slug for slug in wanted]


async def _tag_ids(session: AsyncSession, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    await session.execute(insert_ignore(session, Tag, [{"name": name} for name in sorted(names)]))
    rows = (await session.execute(select(Tag.id, Tag.name).where(Tag.name.in_(names)))).all()
    return {row.name: row.id for row in rows}


async def _articles(
    uow: UnitOfWork, posts: Sequence[Post], ids: dict[str, int], now: datetime
) -> int:
    """Creates the posts not there yet, with their tags, favorites and comments."""
    session = uow.session
    rows = await session.execute(
        select(Article.author_id, Article.title).where(Article.author_id.in_(set(ids.values())))
    )
    existing = {(author_id, title) for author_id, title in rows}
    new = [post for post in posts if (ids[post.author], post.title) not in existing]
    if not new:
        return 0
    tags = await _tag_ids(session, {tag for post in new for tag in post.tags})
    for post, slug in zip(new, await _free_slugs(session, new), strict=True):
        written = now - timedelta(days=post.days_ago)
        fans = [ids[name] for name in post.favorited_by if name in ids and name != post.author]
        article = Article(
            slug=slug,
            title=post.title,
            description=post.description,
            body=post.body,
            tag_list=list(post.tags),
            favorites_count=len(fans),
            author_id=ids[post.author],
            created_at=written,
            updated_at=written,
        )
        session.add(article)
        await session.flush()
        if post.tags:
            links = [{"article_id": article.id, "tag_id": tags[tag]} for tag in post.tags]
            await session.execute(insert(ArticleTag), links)
        for n, fan in enumerate(fans):
            when = min(written + timedelta(hours=1 + 3 * n), now)
            session.add(Favorite(user_id=fan, article_id=article.id, created_at=when))
        for remark in post.comments:
            if remark.author in ids:
                when = min(written + timedelta(hours=remark.hours_after), now)
                session.add(
                    Comment(
                        body=remark.body,
                        article_id=article.id,
                        author_id=ids[remark.author],
                        created_at=when,
                        updated_at=when,
                    )
                )
        uow.touch(cache.comments_of(slug), *(cache.relations_of(fan) for fan in fans))
    await session.flush()
    uow.touch(cache.ARTICLES, cache.TAGS)
    return len(new)


async def _seed(
    uow: UnitOfWork, demo: Demo, people: Sequence[Person], per_user: int, password_hash: str
) -> Seeded:
    now = utcnow()
    ids, skipped = await _people(uow, people, password_hash, now)
    await _follows(uow, demo.follows, ids)
    posts = [
        post
        for person in people
        if person.username in ids
        for post in demo.posts_by(person.username)[:per_user]
    ]
    created = await _articles(uow, posts, ids, now)
    return Seeded(len(ids), len(posts), created, tuple(skipped), people[0].email)


async def run(settings: Settings, user_count: int, per_user: int) -> Seeded:
    """Writes the first ``user_count`` demo people with up to ``per_user`` articles each."""
    demo = load()
    people = demo.people[: max(user_count, 1)]
    resources = build_resources(settings)
    try:
        await upgrade(resources.engine)
        password_hash = await resources.hasher.hash(PASSWORD)
        uow = resources.unit_of_work()  # the command's one unit of work: every write through it
        try:
            return await uow.write(lambda: _seed(uow, demo, people, per_user, password_hash))
        finally:
            await uow.close()
    finally:
        await close_resources(resources)
