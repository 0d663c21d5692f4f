"""Read-cache generations held in the database (multi-process freshness without Redis).

Revision ID: 0003_cache_generations
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from conduit.models import Key

revision: str = "0003_cache_generations"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    op.create_table(
        "cache_generations",
        sa.Column("name", Key(320), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_generations")),
        **MYSQL,
    )


def downgrade() -> None:
    op.drop_table("cache_generations")
