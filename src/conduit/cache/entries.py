"""A cached rendering that serves every viewer: the anonymous bytes, plus what to do for a viewer
whose own flags (favorited, following) differ on this entry.

Generic over the flags: an entry lists, per kind of flag, the ids its items show it for (say, the
article ids and the author ids of a page); a viewer brings, per kind, the ids flagged for them
(what they favorited, whom they follow). Disjoint sets: the anonymous bytes are theirs too.
Otherwise the entry's ``personalise`` (given by whoever built it) renders it for that viewer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Marks = Sequence[frozenset[int]]


@dataclass(frozen=True, slots=True)
class Entry:
    body: bytes
    marks: tuple[frozenset[int], ...] = ()
    personalise: Callable[[Marks], bytes] | None = None
    # What ``personalise`` keeps alive (the typed result it renders again), named here so that
    # the cache's byte accounting counts it: a closure's captures are invisible to it, and they
    # weigh about as much as the body (a 100-item page's views, tags and author bios).
    holds: object = None

    def for_viewer(self, own: Marks | None) -> bytes:
        """The body for a viewer flagging ``own`` ids (None: anonymous)."""
        if own is None or self.personalise is None:
            return self.body
        if all(mine.isdisjoint(shown) for mine, shown in zip(own, self.marks, strict=False)):
            return self.body
        return self.personalise(own)
