"""The moderation API's JSON shapes (TypedDicts, used as response models) and their rendering."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from typing_extensions import TypedDict

from conduit.api.presenter import timestamp
from conduit.moderation.accounts import Member
from conduit.moderation.audit import AuditRecord
from conduit.moderation.content import Moderated
from conduit.moderation.reports import Filed, ReportedItem
from conduit.moderation.tables import ArticleRow, CommentRow, UserRow


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else timestamp(moment)


class FiledOut(TypedDict):
    id: int
    targetType: str
    targetId: int
    reason: str
    createdAt: str


class FiledResponse(TypedDict):
    report: FiledOut


def filed(value: Filed) -> FiledResponse:
    return {
        "report": {
            "id": value.id,
            "targetType": value.target_type,
            "targetId": value.target_id,
            "reason": value.reason,
            "createdAt": timestamp(value.created_at),
        }
    }


class ModeratedOut(TypedDict):
    targetType: str
    targetId: int
    label: str
    hidden: bool
    resolvedReports: int


class ModeratedResponse(TypedDict):
    moderation: ModeratedOut


def moderated(value: Moderated) -> ModeratedResponse:
    return {
        "moderation": {
            "targetType": value.target_type,
            "targetId": value.target_id,
            "label": value.label,
            "hidden": value.hidden,
            "resolvedReports": value.resolved_reports,
        }
    }


class MemberOut(TypedDict):
    username: str
    role: str
    suspended: bool
    suspendedAt: str | None
    resolvedReports: int


class MemberResponse(TypedDict):
    user: MemberOut


def member(value: Member) -> MemberResponse:
    return {
        "user": {
            "username": value.username,
            "role": value.role,
            "suspended": value.suspended_at is not None,
            "suspendedAt": _when(value.suspended_at),
            "resolvedReports": value.resolved_reports,
        }
    }


class ReportedOut(TypedDict):
    targetType: str
    targetId: int
    reports: int
    firstReportedAt: str
    lastReportedAt: str
    reasons: list[str]
    slug: str | None
    title: str | None
    author: str | None
    hidden: bool


class ReportQueueResponse(TypedDict):
    items: list[ReportedOut]
    itemsCount: int


def queue(items: list[ReportedItem], total: int) -> ReportQueueResponse:
    return {
        "items": [
            {
                "targetType": i.target_type,
                "targetId": i.target_id,
                "reports": i.reports,
                "firstReportedAt": timestamp(i.first_at),
                "lastReportedAt": timestamp(i.last_at),
                "reasons": list(i.reasons),
                "slug": i.slug,
                "title": i.title,
                "author": i.author,
                "hidden": i.hidden,
            }
            for i in items
        ],
        "itemsCount": total,
    }


class UserRowOut(TypedDict):
    id: int
    username: str
    email: str
    role: str
    suspendedAt: str | None
    createdAt: str
    articlesCount: int


class UsersResponse(TypedDict):
    users: list[UserRowOut]
    usersCount: int


def users(rows: list[UserRow], total: int) -> UsersResponse:
    return {
        "users": [
            {
                "id": r.id,
                "username": r.username,
                "email": r.email,
                "role": r.role,
                "suspendedAt": _when(r.suspended_at),
                "createdAt": timestamp(r.created_at),
                "articlesCount": r.articles,
            }
            for r in rows
        ],
        "usersCount": total,
    }


class ContentRowOut(TypedDict):
    id: int
    slug: str
    title: str
    author: str
    hiddenAt: str | None
    hiddenReason: str | None
    createdAt: str
    openReports: int


class ArticlesResponse(TypedDict):
    articles: list[ContentRowOut]
    articlesCount: int


def articles(rows: list[ArticleRow], total: int) -> ArticlesResponse:
    return {
        "articles": [
            {
                "id": r.id,
                "slug": r.slug,
                "title": r.title,
                "author": r.author,
                "hiddenAt": _when(r.hidden_at),
                "hiddenReason": r.hidden_reason,
                "createdAt": timestamp(r.created_at),
                "openReports": r.open_reports,
            }
            for r in rows
        ],
        "articlesCount": total,
    }


class CommentRowOut(TypedDict):
    id: int
    slug: str
    body: str
    author: str
    hiddenAt: str | None
    hiddenReason: str | None
    createdAt: str
    openReports: int


class CommentsResponse(TypedDict):
    comments: list[CommentRowOut]
    commentsCount: int


def comments(rows: list[CommentRow], total: int) -> CommentsResponse:
    return {
        "comments": [
            {
                "id": r.id,
                "slug": r.slug,
                "body": r.body,
                "author": r.author,
                "hiddenAt": _when(r.hidden_at),
                "hiddenReason": r.hidden_reason,
                "createdAt": timestamp(r.created_at),
                "openReports": r.open_reports,
            }
            for r in rows
        ],
        "commentsCount": total,
    }


class AuditOut(TypedDict):
    id: int
    actor: str
    action: str
    targetType: str
    targetId: int
    target: str
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]
    createdAt: str
    clientAddress: str | None
    requestId: str | None


class AuditResponse(TypedDict):
    entries: list[AuditOut]
    entriesCount: int


def audit_entry(r: AuditRecord) -> AuditOut:
    return {
        "id": r.id,
        "actor": r.actor,
        "action": r.action,
        "targetType": r.target_type,
        "targetId": r.target_id,
        "target": r.target,
        "reason": r.reason,
        "before": r.before,
        "after": r.after,
        "createdAt": timestamp(r.created_at),
        "clientAddress": r.address,
        "requestId": r.request_id,
    }


def audit(rows: list[AuditRecord], total: int) -> AuditResponse:
    return {"entries": [audit_entry(r) for r in rows], "entriesCount": total}
