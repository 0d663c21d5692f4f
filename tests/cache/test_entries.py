"""The per-process entries: bounded in bytes (as measured, not as counted), least recently used
first out, expired entries freed without being asked for, oversized entries not kept."""

from __future__ import annotations

import gc
import tracemalloc

from conduit.cache.entries import Entry
from conduit.cache.store import LocalEntries
from conduit.profiles.relations import Relations

TAGS = [1 << 100, 1 << 101]


def _entry(size: int, salt: int) -> Entry:
    articles = tuple(range(1000 + salt, 1020 + salt))
    authors = tuple(range(5000 + salt, 5020 + salt))
    return Entry(b"x" * size + str(salt).encode(), (frozenset(articles), frozenset(authors)))


def test_it_accounts_for_what_the_entries_really_take_within_a_quarter() -> None:
    entries = LocalEntries(1 << 30, 300)
    for size in (50, 3000, 60_000):
        entries.clear()
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i in range(500):
                entries.put(f"articles:{('tag', i, size)!r}", TAGS, _entry(size, i))
            traced = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert 0.75 * traced <= entries.bytes <= 1.25 * traced, (size, traced, entries.bytes)


def test_it_never_holds_more_bytes_than_its_budget_and_evicts_the_least_recently_used() -> None:
    entries = LocalEntries(512 * 1024, 300)
    for i in range(200):
        entries.put(f"k{i}", TAGS, _entry(200, i))
        assert entries.get("k0", TAGS) is not None  # k0 stays the most recently used
        assert entries.bytes <= 512 * 1024
    assert entries.get("k0", TAGS) is not None
    assert entries.get("k1", TAGS) is None  # the least recently used went first
    assert entries.get("k199", TAGS) is not None
    assert 50 < len(entries) < 120


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_frees_expired_entries_nobody_asks_for_again() -> None:
    clock = Clock()
    entries = LocalEntries(1 << 24, 150, clock)
    for i in range(100):  # stored at 1000, 1001, ..., 1099: expiring at 1150 ... 1249
        entries.put(f"k{i}", TAGS, _entry(1000, i))
        clock.now += 1
    assert entries.bytes > 100_000
    clock.now = 1149.5
    assert entries.sweep() == 0
    clock.now = 1159.5
    assert entries.sweep() == 10  # only the ten that expired, without a read of any of them
    assert len(entries) == 90
    clock.now = 1300
    assert entries.get("k99", TAGS) is None  # a read sweeps too (at most once a second)
    assert (len(entries), entries.bytes) == (0, 0)
    # An expired entry is never served.
    entries.put("fresh", TAGS, _entry(10, 0))
    clock.now += 150.5
    assert entries.get("fresh", TAGS) is None
    assert entries.bytes == 0


def test_it_does_not_keep_an_entry_larger_than_a_64th_of_its_budget() -> None:
    entries = LocalEntries(1 << 20, 300)  # 1 MiB: entries up to 16 KiB
    assert entries.put("small", TAGS, _entry(8000, 0)) is True
    assert entries.put("page", TAGS, _entry(20_000, 1)) is False
    assert entries.get("page", TAGS) is None
    assert entries.put("small", TAGS, _entry(20_000, 2)) is False  # replaced by nothing
    assert (len(entries), entries.bytes) == (0, 0)


def test_it_serves_an_entry_only_under_the_generations_it_was_stored_with() -> None:
    entries = LocalEntries(1 << 20, 300)
    relations = Relations(frozenset({1, 2}), frozenset({3}))
    entries.put("relations:7", [5], relations)
    assert entries.get("relations:7", [5]) is relations
    assert entries.get("relations:7", [6]) is None
    entries.put("relations:7", [6], relations)  # replaces, not adds
    assert len(entries) == 1
