"""The relational schema, shared by the API, the web pages and the migrations.

Relationships are deliberately absent: every read is an explicit query that loads exactly what it
needs, so nothing can lazy-load under asyncio.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def Key(length: int) -> String:
    """A case- and accent-sensitive string, so that MariaDB compares like PostgreSQL and SQLite."""
    return String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )


# Microsecond precision everywhere (MySQL's DATETIME defaults to whole seconds).
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
Id = BigInteger().with_variant(Integer(), "sqlite")


class JSONList(TypeDecorator[list[str]]):
    """A list of strings stored as JSON text; identical on every database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> str:
        return orjson.dumps(value or []).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str]:
        return list(orjson.loads(value)) if value else []


def utcnow() -> datetime:
    """Naive UTC with millisecond precision: what the API shows is exactly what is stored."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def later_than(previous: datetime) -> datetime:
    """A timestamp strictly after ``previous``, so an edit always moves ``updatedAt``."""
    return max(utcnow(), previous + timedelta(milliseconds=1))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


TABLE_ARGS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


class User(Base):
    __tablename__ = "users"
    # The suspended accounts are looked up by every public read (conduit/visibility.py).
    __table_args__ = (Index("ix_users_suspended_at", "suspended_at"), TABLE_ARGS)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(Key(64), unique=True)
    # Stored lower-cased: addresses are unique regardless of case.
    email: Mapped[str] = mapped_column(Key(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    bio: Mapped[str | None] = mapped_column(Text, default=None)
    image: Mapped[str | None] = mapped_column(String(2048), default=None)
    # Bumped by a password change: tokens carrying an older version stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    # The one token (its jti) that survives the last password change: the one that made it.
    kept_token_id: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # member | moderator | admin (docs/moderation.md). Never part of the public API.
    role: Mapped[str] = mapped_column(String(16), default="member", server_default="member")
    # Set while a moderator has suspended the account: it cannot act, its content is hidden.
    suspended_at: Mapped[datetime | None] = mapped_column(Timestamp, default=None)
    # How many of this user's articles and comments are hidden: an author with any reads them
    # past the shared cache (which holds only what everyone may see). Kept by moderation writes.
    hidden_content: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Follow(Base):
    __tablename__ = "follows"
    __table_args__ = (Index("ix_follows_followee_id", "followee_id"), TABLE_ARGS)

    follower_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    followee_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_created_at_id", "created_at", "id"),
        Index("ix_articles_author_id_created_at", "author_id", "created_at"),
        # The few hidden articles, counted apart from the maintained counts (articles/queries.py).
        Index("ix_articles_hidden_at", "hidden_at"),
        TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(Key(255), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(LongText)
    # Denormalised copy of the article's tags (sorted), so lists need no join to show them;
    # article_tags remains the source for filtering and popularity.
    tag_list: Mapped[list[str]] = mapped_column(JSONList, default=list)
    favorites_count: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Hidden by a moderator: only its author and moderators still see it (conduit/visibility.py).
    hidden_at: Mapped[datetime | None] = mapped_column(Timestamp, default=None)
    hidden_reason: Mapped[str | None] = mapped_column(String(500), default=None)


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = TABLE_ARGS

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Key(64), unique=True)


class ArticleTag(Base):
    __tablename__ = "article_tags"
    __table_args__ = (
        Index("ix_article_tags_tag_id_article_id", "tag_id", "article_id"),
        TABLE_ARGS,
    )

    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        Id, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )


class Favorite(Base):
    __tablename__ = "favorites"
    __table_args__ = (Index("ix_favorites_article_id", "article_id"), TABLE_ARGS)

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_article_id_created_at", "article_id", "created_at"),
        TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    body: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int] = mapped_column(Id, ForeignKey("articles.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(Timestamp, default=None)
    hidden_reason: Mapped[str | None] = mapped_column(String(500), default=None)


class WebSession(Base):
    """A signed-in browser. The key is a SHA-256 of the cookie's value, never the value itself."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        Index("ix_web_sessions_user_id", "user_id"),
        Index("ix_web_sessions_last_seen_at", "last_seen_at"),
        TABLE_ARGS,
    )

    id: Mapped[str] = mapped_column(Key(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    # The user's token_version when signed in: a password change made elsewhere ends the session.
    token_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class CacheGeneration(Base):
    """A read-cache generation held in the database (when there is no Redis): every process that
    writes bumps the rows of what it changed, every process that caches checks them. The name is
    ``cg:...`` (``src/conduit/cache/core.py``); 320 characters fit a 255-character slug's name."""

    __tablename__ = "cache_generations"
    __table_args__ = TABLE_ARGS

    name: Mapped[str] = mapped_column(Key(320), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class ArticleCount(Base):
    """How many articles there are: in all (``author_id`` 0, ``ALL_ARTICLES``) and per author.
    Kept exact by database triggers (migration 0005), so every writer counts, the API, the
    ``seed`` command, a bulk COPY and an operator's SQL alike; a missing row means 0. The
    list's and the feed's ``articlesCount`` read it instead of counting every match
    (docs/performance.md)."""

    __tablename__ = "article_counts"
    __table_args__ = TABLE_ARGS

    author_id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    articles: Mapped[int] = mapped_column(BigInteger)


ALL_ARTICLES = 0  # ArticleCount.author_id of the total (user ids start at 1)


class Report(Base):
    """A member's report of an article or a comment: one per member per item."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint(
            "reporter_id", "target_type", "target_id", name="uq_reports_one_per_member"
        ),
        Index("ix_reports_status_target", "status", "target_type", "target_id"),
        TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    reporter_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(16))  # article | comment
    target_id: Mapped[int] = mapped_column(Id)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    resolution: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp, default=None)


class AuditEntry(Base):
    """One moderation or administration action. Append-only: nothing updates or deletes a row.

    No foreign keys on purpose: the record outlives the accounts and items it names, so the
    actor's and the target's names are copied in."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_created_at", "created_at"),
        Index("ix_audit_log_target", "target_type", "target_id"),
        Index("ix_audit_log_actor_id", "actor_id"),
        TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    actor_id: Mapped[int | None] = mapped_column(Id, default=None)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Id)
    target_label: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(500))
    before_json: Mapped[str] = mapped_column(Text)  # what changed, as it was
    after_json: Mapped[str] = mapped_column(Text)  # and as it is now
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    client_address: Mapped[str | None] = mapped_column(String(64), default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)


class TagCount(Base):
    """How many articles carry each tag, kept exact by triggers on ``article_tags`` (migration
    0005) like ``ArticleCount``; a missing row means 0."""

    __tablename__ = "tag_counts"
    __table_args__ = TABLE_ARGS

    tag_id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    articles: Mapped[int] = mapped_column(BigInteger)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``: 2016-02-18T03:22:56.637Z.

    Stored timestamps are naive UTC. ``isoformat`` is implemented in C: formatting through
    ``strftime`` cost ~6% of a list request's CPU. Milliseconds are truncated, never rounded, so
    what is shown is exactly what ``utcnow`` stored. An aware value is shown by its wall-clock
    fields, like before.
    """
    if moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"
