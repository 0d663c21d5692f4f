"""Where the read cache keeps its entries: in this process, bounded in bytes, each tagged with the
generations of what it was computed from.

An entry is stored with the generations read *before* the database was queried, and served only
while they are unchanged: a write (which bumps them) makes every older entry unusable in every
process at once, and an entry computed concurrently with a write can never outlive it. Where the
generations live is ``generations.py`` (this process), ``shared.py`` (Redis) and ``table.py`` (the
database).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from sys import getsizeof
from typing import Any

# What one entry costs besides its value: the key string, the record tuple, the tag list, two
# dictionary slots (LRU and expiry order) and a float. Measured with tracemalloc on CPython 3.11
# (tests/cache/test_entries.py checks the accounting against it).
ENTRY_OVERHEAD = 360
# No single entry may take more than this share of the budget: one huge page (100 items with long
# descriptions) must not displace hundreds of small hot entries, and is cheap enough to rebuild.
LARGEST_SHARE = 64
LARGEST_ENTRY = 256 * 1024
SWEEP_INTERVAL = 1.0  # seconds between two passes that free expired entries on reads


_LEAVES = frozenset((str, bytes, bytearray, int, float, bool, type(None), datetime, date))
_SEQUENCES = frozenset((tuple, list, set, frozenset))
_FIELDS: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, looked up once per class


def _fields_of(cls: type) -> tuple[str, ...] | None:
    names = _FIELDS.get(cls)
    if names is None and is_dataclass(cls):
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    return names


def footprint(value: Any, depth: int = 6) -> int:
    """Bytes held by ``value``: the object and what it references (dataclasses, containers),
    a few levels deep (six reach an author's bio in an entry's page: entry, page, items, view,
    author, bio). An estimate for accounting (an object referenced twice counts twice), cheap
    enough to run on every store: about 2 µs per view of a page."""
    size = getsizeof(value)
    cls = type(value)
    if depth == 0 or cls in _LEAVES:
        return size
    if cls in _SEQUENCES:
        return size + sum(footprint(item, depth - 1) for item in value)
    if cls is dict:
        return size + sum(
            footprint(k, depth - 1) + footprint(v, depth - 1) for k, v in value.items()
        )
    names = _fields_of(cls)
    if names is not None:
        return size + sum(footprint(getattr(value, name), depth - 1) for name in names)
    return size


class LocalEntries:
    """An LRU of entries bounded in bytes, with a time-to-live after which they are freed.

    Every entry lives as long (``ttl``), so insertion order is expiry order: ``_expiry`` keeps it
    and a sweep pops expired entries from its head, touching only what it frees.
    """

    def __init__(
        self, max_bytes: int, ttl_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        # key -> (expires, generations, value, bytes)
        self._items: OrderedDict[str, tuple[float, Sequence[int], Any, int]] = OrderedDict()
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._ttl = ttl_seconds
        self._clock = clock
        self.max_bytes = max_bytes
        self.largest = min(LARGEST_ENTRY, max_bytes // LARGEST_SHARE)
        self.bytes = 0
        self._next_sweep = 0.0

    def get(self, key: str, generations: Sequence[int]) -> Any:
        now = self._clock()
        if now >= self._next_sweep:
            self.sweep(now)
        item = self._items.get(key)
        if item is None:
            return None
        expires, tagged, value, _ = item
        if expires <= now:
            self._drop(key)
            return None
        if tagged != generations:
            return None  # stale for this reader; a put with the new generations replaces it
        self._items.move_to_end(key)
        return value

    def put(self, key: str, generations: Sequence[int], value: Any) -> bool:
        """Stores ``value``; False when it is too large to be cached at all."""
        size = ENTRY_OVERHEAD + getsizeof(key) + footprint(value)
        if size > self.largest:
            self._drop(key)
            return False
        now = self._clock()
        self._drop(key)
        self.sweep(now)
        self._items[key] = (now + self._ttl, list(generations), value, size)
        self._expiry[key] = now + self._ttl
        self.bytes += size
        while self.bytes > self.max_bytes:
            self._drop(next(iter(self._items)))  # the least recently used
        return True

    def sweep(self, now: float | None = None) -> int:
        """Frees expired entries; returns how many."""
        now = self._clock() if now is None else now
        self._next_sweep = now + SWEEP_INTERVAL
        freed = 0
        expiry = self._expiry
        while expiry:
            key, expires = next(iter(expiry.items()))
            if expires > now:
                break
            self._drop(key)
            freed += 1
        return freed

    def _drop(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self.bytes -= item[3]
            del self._expiry[key]

    def clear(self) -> None:
        self._items.clear()
        self._expiry.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        """Whether anything is stored under ``key``, current or not: when not, a read of it is
        certainly a miss, known without reading any generation."""
        return key in self._items
