"""The console's dashboard figures: open reports, hidden items, suspended accounts, and new
accounts and articles per day. A fixed handful of aggregate statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from conduit.models import Article, Comment, Report, User, utcnow

DAYS = 7


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    accounts: int
    articles: int


@dataclass(frozen=True, slots=True)
class Overview:
    open_reports: int  # reported items with open reports
    hidden_articles: int
    hidden_comments: int
    suspended_accounts: int
    days: tuple[Day, ...]  # the last DAYS days, newest first


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    return int((await session.execute(query)).scalar_one())


async def _per_day(
    session: AsyncSession, column: InstrumentedAttribute[datetime], since: date
) -> dict[date, int]:
    day = func.date(column)
    start = datetime(since.year, since.month, since.day)
    rows = await session.execute(select(day, func.count()).where(column >= start).group_by(day))
    found: dict[date, int] = {}
    for value, count in rows:
        # SQLite answers text, the others a date.
        key = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        found[key] = int(count)
    return found


async def overview(session: AsyncSession) -> Overview:
    open_items = (
        select(Report.target_type, Report.target_id)
        .where(Report.status == "open")
        .group_by(Report.target_type, Report.target_id)
        .subquery()
    )
    today = utcnow().date()
    since = today - timedelta(days=DAYS - 1)
    accounts = await _per_day(session, User.created_at, since)
    articles = await _per_day(session, Article.created_at, since)
    return Overview(
        await _count(session, select(func.count()).select_from(open_items)),
        await _count(session, select(func.count()).where(Article.hidden_at.is_not(None))),
        await _count(session, select(func.count()).where(Comment.hidden_at.is_not(None))),
        await _count(session, select(func.count()).where(User.suspended_at.is_not(None))),
        tuple(
            Day(d, accounts.get(d, 0), articles.get(d, 0))
            for d in (today - timedelta(days=n) for n in range(DAYS))
        ),
    )
