"""Moderation: roles, suspension, hidden articles and comments, reports, the audit log.

Revision ID: 0004_moderation
Revises: 0003_cache_generations
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from conduit.models import Id, Timestamp

revision: str = "0004_moderation"
down_revision: str | None = "0003_cache_generations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    # Server defaults: existing accounts become members with nothing hidden.
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="member"))
        users.add_column(sa.Column("suspended_at", Timestamp, nullable=True))
        users.add_column(
            sa.Column("hidden_content", sa.Integer(), nullable=False, server_default="0")
        )
    for table in ("articles", "comments"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("hidden_at", Timestamp, nullable=True))
            batch.add_column(sa.Column("hidden_reason", sa.String(500), nullable=True))
    op.create_table(
        "reports",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("reporter_id", Id, nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", Id, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolution", sa.String(32), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("resolved_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "reporter_id", "target_type", "target_id", name="uq_reports_one_per_member"
        ),
        **MYSQL,
    )
    op.create_index("ix_reports_status_target", "reports", ["status", "target_type", "target_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("actor_id", Id, nullable=True),
        sa.Column("actor_name", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", Id, nullable=False),
        sa.Column("target_label", sa.String(255), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=False),
        sa.Column("after_json", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        **MYSQL,
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("reports")
    for table in ("comments", "articles"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("hidden_reason")
            batch.drop_column("hidden_at")
    with op.batch_alter_table("users") as users:
        users.drop_column("hidden_content")
        users.drop_column("suspended_at")
        users.drop_column("role")
