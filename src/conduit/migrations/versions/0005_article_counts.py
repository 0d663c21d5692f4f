"""Article counts kept by triggers: in all, per author and per tag (``articlesCount`` without
counting).

Revision ID: 0005_article_counts
Revises: 0004_moderation
Create Date: 2026-11-26

The triggers run in the writer's statement, so the counts are exact for every writer. On
PostgreSQL they are statement-level with transition tables: a bulk insert (COPY) updates each
count once, not once per row. Rows are upserted in author order (0 first), so two writers
never wait for each other's rows in opposite orders. MariaDB runs no trigger for rows a foreign
key cascade deletes: nothing in Conduit deletes a user (whose articles would go that way), and
an article's tag links, which go with it by cascade, are counted out by a trigger on the article
itself there.

The counts include hidden articles and those of suspended authors: a list subtracts the few
moderated rows it matches (indexes on ``articles.hidden_at`` and ``users.suspended_at``, made
here), so hiding and suspending need no trigger of their own (articles/queries.py, ``_count``).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from conduit.models import Id

revision: str = "0005_article_counts"
down_revision: str | None = "0004_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

_PG_FUNCTION = """
CREATE FUNCTION article_counts_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO article_counts (author_id, articles)
  SELECT author_id, n FROM (
    SELECT 0 AS author_id, {sign}count(*) AS n FROM changed HAVING count(*) > 0
    UNION ALL
    SELECT author_id, {sign}count(*) FROM changed GROUP BY author_id
  ) AS counted ORDER BY author_id
  ON CONFLICT (author_id) DO UPDATE SET articles = article_counts.articles + EXCLUDED.articles;
  RETURN NULL;
END $$
"""
_PG_TRIGGER = """
CREATE TRIGGER articles_{name} AFTER {event} ON articles
REFERENCING {table} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION article_counts_{name}()
"""
_MYSQL_TRIGGER = """
CREATE TRIGGER articles_{name} AFTER {event} ON articles FOR EACH ROW
INSERT INTO article_counts (author_id, articles) VALUES (0, {sign}1), ({row}.author_id, {sign}1)
ON DUPLICATE KEY UPDATE articles = articles + VALUES(articles)
"""
_SQLITE_TRIGGER = """
CREATE TRIGGER articles_{name} AFTER {event} ON articles FOR EACH ROW BEGIN
INSERT INTO article_counts (author_id, articles) VALUES (0, {sign}1), ({row}.author_id, {sign}1)
ON CONFLICT (author_id) DO UPDATE SET articles = articles + excluded.articles;
END
"""
_PG_TAG_FUNCTION = """
CREATE FUNCTION tag_counts_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tag_counts (tag_id, articles)
  SELECT tag_id, {sign}count(*) FROM changed GROUP BY tag_id ORDER BY tag_id
  ON CONFLICT (tag_id) DO UPDATE SET articles = tag_counts.articles + EXCLUDED.articles;
  RETURN NULL;
END $$
"""
_PG_TAG_TRIGGER = """
CREATE TRIGGER article_tags_{name} AFTER {event} ON article_tags
REFERENCING {table} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tag_counts_{name}()
"""
_MYSQL_TAG_TRIGGER = """
CREATE TRIGGER article_tags_{name} AFTER {event} ON article_tags FOR EACH ROW
INSERT INTO tag_counts (tag_id, articles) VALUES ({row}.tag_id, {sign}1)
ON DUPLICATE KEY UPDATE articles = articles + VALUES(articles)
"""
# InnoDB's cascades run no trigger: the links an article deletion takes with it are counted out
# before it goes.
_MYSQL_UNTAG = """
CREATE TRIGGER articles_untagged BEFORE DELETE ON articles FOR EACH ROW
UPDATE tag_counts JOIN article_tags ON article_tags.tag_id = tag_counts.tag_id
SET tag_counts.articles = tag_counts.articles - 1 WHERE article_tags.article_id = OLD.id
"""
_SQLITE_TAG_TRIGGER = """
CREATE TRIGGER article_tags_{name} AFTER {event} ON article_tags FOR EACH ROW BEGIN
INSERT INTO tag_counts (tag_id, articles) VALUES ({row}.tag_id, {sign}1)
ON CONFLICT (tag_id) DO UPDATE SET articles = articles + excluded.articles;
END
"""
# (trigger name, event, transition table, row alias, sign)
_EVENTS = (("added", "INSERT", "NEW", "NEW", ""), ("removed", "DELETE", "OLD", "OLD", "-"))


def upgrade() -> None:
    op.create_table(
        "article_counts",
        sa.Column("author_id", Id, autoincrement=False, nullable=False),
        sa.Column("articles", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("author_id", name=op.f("pk_article_counts")),
        **MYSQL,
    )
    op.execute(
        "INSERT INTO article_counts (author_id, articles) "
        "SELECT 0, count(*) FROM articles "
        "UNION ALL SELECT author_id, count(*) FROM articles GROUP BY author_id"
    )
    op.create_table(
        "tag_counts",
        sa.Column("tag_id", Id, autoincrement=False, nullable=False),
        sa.Column("articles", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tag_id", name=op.f("pk_tag_counts")),
        **MYSQL,
    )
    op.execute(
        "INSERT INTO tag_counts (tag_id, articles) "
        "SELECT tag_id, count(*) FROM article_tags GROUP BY tag_id"
    )
    op.create_index("ix_articles_hidden_at", "articles", ["hidden_at"])
    op.create_index("ix_users_suspended_at", "users", ["suspended_at"])
    dialect = op.get_bind().dialect.name
    for name, event, table, row, sign in _EVENTS:
        if dialect == "postgresql":
            op.execute(_PG_FUNCTION.format(name=name, sign=sign))
            op.execute(_PG_TRIGGER.format(name=name, event=event, table=table))
            op.execute(_PG_TAG_FUNCTION.format(name=name, sign=sign))
            op.execute(_PG_TAG_TRIGGER.format(name=name, event=event, table=table))
        elif dialect in ("mysql", "mariadb"):
            op.execute(_MYSQL_TRIGGER.format(name=name, event=event, row=row, sign=sign))
            op.execute(_MYSQL_TAG_TRIGGER.format(name=name, event=event, row=row, sign=sign))
        else:
            op.execute(_SQLITE_TRIGGER.format(name=name, event=event, row=row, sign=sign))
            op.execute(_SQLITE_TAG_TRIGGER.format(name=name, event=event, row=row, sign=sign))
    if dialect in ("mysql", "mariadb"):
        op.execute(_MYSQL_UNTAG)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        op.execute("DROP TRIGGER articles_untagged")
    for name, *_ in _EVENTS:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER articles_{name} ON articles")
            op.execute(f"DROP FUNCTION article_counts_{name}()")
            op.execute(f"DROP TRIGGER article_tags_{name} ON article_tags")
            op.execute(f"DROP FUNCTION tag_counts_{name}()")
        else:
            op.execute(f"DROP TRIGGER articles_{name}")
            op.execute(f"DROP TRIGGER article_tags_{name}")
    op.drop_table("tag_counts")
    op.drop_table("article_counts")
    op.drop_index("ix_users_suspended_at", table_name="users")
    op.drop_index("ix_articles_hidden_at", table_name="articles")
