"""The audit log: one append-only row per action, written inside the action's transaction, and
its reads. Nothing here (or anywhere) updates or deletes a row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.models import AuditEntry, utcnow
from conduit.moderation.actor import Actor


@dataclass(frozen=True, slots=True)
class Target:
    type: str  # article | comment | user | report
    id: int
    label: str  # the slug, the username, "comment 12 on <slug>": names outlive deleted rows


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    actor_id: int | None
    actor: str
    action: str
    target_type: str
    target_id: int
    target: str
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]
    created_at: datetime
    address: str | None
    request_id: str | None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _json(value: dict[str, Any]) -> str:
    return orjson.dumps(value, default=str).decode()


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target: Target,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    await session.execute(
        insert(AuditEntry).values(
            actor_id=actor.id,
            actor_name=actor.name[:64],
            action=action,
            target_type=target.type,
            target_id=target.id,
            target_label=target.label[:255],
            reason=reason,
            before_json=_json(before),
            after_json=_json(after),
            created_at=utcnow(),
            client_address=(actor.address or None) and actor.address[:64],
            request_id=(actor.request_id or None) and actor.request_id[:64],
        )
    )


def _conditions(filters: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.actor is not None:
        conditions.append(AuditEntry.actor_name == filters.actor)
    if filters.action is not None:
        conditions.append(AuditEntry.action == filters.action)
    if filters.target_type is not None:
        conditions.append(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        conditions.append(AuditEntry.target_id == filters.target_id)
    if filters.since is not None:
        conditions.append(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        conditions.append(AuditEntry.created_at < filters.until)
    return conditions


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        entry.id,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.target_label,
        entry.reason,
        orjson.loads(entry.before_json),
        orjson.loads(entry.after_json),
        entry.created_at,
        entry.client_address,
        entry.request_id,
    )


async def entries(
    session: AsyncSession, filters: AuditFilter, limit: int, offset: int
) -> tuple[list[AuditRecord], int]:
    """Newest first, and how many match (two statements)."""
    conditions = _conditions(filters)
    query = (
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(query)).scalars().all()
    total = (
        await session.execute(select(func.count()).select_from(AuditEntry).where(*conditions))
    ).scalar_one()
    return [_record(row) for row in rows], total
