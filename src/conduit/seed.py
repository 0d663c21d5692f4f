"""Demo content for trying the app: a few users who follow each other, articles, comments."""

from __future__ import annotations

from sqlalchemy import select

from conduit.app import _build_resources
from conduit.articles import service as articles
from conduit.articles.schemas import NewArticle
from conduit.comments import service as comments
from conduit.deps import Viewer
from conduit.migrate import upgrade
from conduit.models import User
from conduit.profiles import service as profiles
from conduit.settings import Settings

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
    resources = _build_resources(settings)
    try:
        await upgrade(resources.engine)
        viewers: list[Viewer] = []
        async with resources.sessions() as session:
            password_hash = await resources.hasher.hash("password123")
            for i in range(1, user_count + 1):
                name = f"demo{i}"
                existing = (
                    await session.execute(select(User.id).where(User.username == name))
                ).scalar_one_or_none()
                if existing is None:
                    user = User(
                        username=name,
                        email=f"{name}@example.com",
                        password_hash=password_hash,
                        bio=f"I am demo user {i}.",
                    )
                    session.add(user)
                    await session.commit()
                    existing = user.id
                viewers.append(Viewer(existing, name, f"{name}@example.com", None, None, "", "", 0))
            for index, viewer in enumerate(viewers):
                following = viewers[(index + 1) % len(viewers)]
                if following.id != viewer.id:
                    await profiles.follow(session, following.username, viewer)
                for n in range(per_user):
                    title = f"{TOPICS[(index + n) % len(TOPICS)].title()} notes {n + 1}"
                    tags = sorted({TOPICS[(index + n) % len(TOPICS)], TOPICS[n % len(TOPICS)]})
                    created = await articles.create(
                        session,
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
                    slug = created["article"]["slug"]
                    await comments.add(session, following, slug, "Nice write-up, thanks!")
                    await articles.favorite(session, following, slug)
        return len(viewers)
    finally:
        await resources.engine.dispose()
