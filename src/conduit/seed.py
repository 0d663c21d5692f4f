"""Demo content for trying the app: a few users who follow each other, articles, comments."""

from __future__ import annotations

from sqlalchemy import insert, select

from conduit.app import build_resources, close_resources
from conduit.articles import service as articles
from conduit.articles.schemas import NewArticle
from conduit.comments import service as comments
from conduit.db import inserted_id
from conduit.identity import Viewer
from conduit.migrate import upgrade
from conduit.models import User
from conduit.profiles import service as profiles
from conduit.resources import Resources
from conduit.settings import Settings
from conduit.uow import UnitOfWork
from conduit.users.accounts import load_account

TOPICS = ["python", "databases", "web", "async", "testing", "security", "design"]
BODY = """## {title}

Conduit demo article number **{n}** by *{user}*.

- Markdown is rendered safely
- Lists, `code` and [links](https://example.com) work

```python
print("hello, {user}")
```
"""


async def run(settings: Settings, user_count: int, per_user: int) -> int:
    resources = build_resources(settings)
    try:
        await upgrade(resources.engine)
        uow = resources.unit_of_work()  # the command's one unit of work: every write through it
        try:
            viewers = await _users(uow, resources, user_count)
            for index, viewer in enumerate(viewers):
                following = viewers[(index + 1) % len(viewers)]
                if following.id != viewer.id:
                    await profiles.follow(uow, following.username, viewer)
                for n in range(per_user):
                    title = f"{TOPICS[(index + n) % len(TOPICS)].title()} notes {n + 1}"
                    tags = sorted({TOPICS[(index + n) % len(TOPICS)], TOPICS[n % len(TOPICS)]})
                    created = await articles.create(
                        uow,
                        viewer,
                        NewArticle.model_validate(
                            {
                                "title": title,
                                "description": f"Thoughts on {tags[0]} by {viewer.username}",
                                "body": BODY.format(title=title, n=n + 1, user=viewer.username),
                                "tagList": tags,
                            }
                        ),
                    )
                    await comments.add(uow, following, created.slug, "Nice write-up, thanks!")
                    await articles.favorite(uow, following, created.slug)
        finally:
            await uow.close()
        return len(viewers)
    finally:
        await close_resources(resources)


async def _users(uow: UnitOfWork, resources: Resources, count: int) -> list[Viewer]:
    """demo1..demoN, created unless they exist (the seed can run twice)."""
    password_hash = await resources.hasher.hash("password123")
    viewers: list[Viewer] = []
    for i in range(1, count + 1):
        name = f"demo{i}"

        async def work(name: str = name, i: int = i) -> int:
            existing = (
                await uow.session.execute(select(User.id).where(User.username == name))
            ).scalar_one_or_none()
            if existing is not None:
                return existing
            result = await uow.session.execute(
                insert(User).values(
                    username=name,
                    email=f"{name}@example.com",
                    password_hash=password_hash,
                    bio=f"I am demo user {i}.",
                )
            )
            return inserted_id(result)

        user_id = await uow.write(work)
        account = await load_account(uow.session, user_id)
        assert account is not None
        viewers.append(account.viewer("", ""))
    return viewers
