"""Initial schema: users, follows, articles, tags, favorites, comments.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from conduit.models import Id, JSONList, Key, LongText, Timestamp

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("username", Key(64), nullable=False),
        sa.Column("email", Key(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("image", sa.String(2048), nullable=True),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("kept_token_id", sa.String(32), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        **MYSQL,
    )
    op.create_table(
        "follows",
        sa.Column("follower_id", Id, nullable=False),
        sa.Column("followee_id", Id, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["users.id"],
            name=op.f("fk_follows_follower_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["followee_id"],
            ["users.id"],
            name=op.f("fk_follows_followee_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("follower_id", "followee_id", name=op.f("pk_follows")),
        **MYSQL,
    )
    op.create_index("ix_follows_followee_id", "follows", ["followee_id"])
    op.create_table(
        "articles",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("slug", Key(255), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("body", LongText, nullable=False),
        sa.Column("tag_list", JSONList(), nullable=False),
        sa.Column("favorites_count", sa.Integer(), nullable=False),
        sa.Column("author_id", Id, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_articles_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_articles_slug")),
        **MYSQL,
    )
    op.create_index("ix_articles_created_at_id", "articles", ["created_at", "id"])
    op.create_index("ix_articles_author_id_created_at", "articles", ["author_id", "created_at"])
    op.create_table(
        "tags",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", Key(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
        **MYSQL,
    )
    op.create_table(
        "article_tags",
        sa.Column("article_id", Id, nullable=False),
        sa.Column("tag_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_tags_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_article_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tags")),
        **MYSQL,
    )
    op.create_index("ix_article_tags_tag_id_article_id", "article_tags", ["tag_id", "article_id"])
    op.create_table(
        "favorites",
        sa.Column("user_id", Id, nullable=False),
        sa.Column("article_id", Id, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_favorites_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_favorites_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "article_id", name=op.f("pk_favorites")),
        **MYSQL,
    )
    op.create_index("ix_favorites_article_id", "favorites", ["article_id"])
    op.create_table(
        "comments",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("article_id", Id, nullable=False),
        sa.Column("author_id", Id, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_comments_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_comments_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        **MYSQL,
    )
    op.create_index("ix_comments_article_id_created_at", "comments", ["article_id", "created_at"])
    op.create_index("ix_comments_author_id", "comments", ["author_id"])


def downgrade() -> None:
    op.drop_table("comments")
    op.drop_table("favorites")
    op.drop_table("article_tags")
    op.drop_table("tags")
    op.drop_table("articles")
    op.drop_table("follows")
    op.drop_table("users")
