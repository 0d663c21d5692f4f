"""Moderation and administration: roles, hiding, suspension, reports and the audit log
(docs/moderation.md). Every action runs through the unit of work and writes its audit row in the
same transaction."""
