"""Serving a declared read through the read cache, whatever a consumer keeps of it.

A cache entry holds the *shared* result (no viewer's flags) in the consumer's form (``build``:
the API's JSON bytes, the web pages' typed value), tagged with the generations the declaration
names, read before the database is. A signed-in viewer's flags come from their relations, a small
entry of their own read in the same generation round trip.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from conduit import generations
from conduit.cache.core import Cache
from conduit.identity import Viewer
from conduit.profiles.relations import Relations, load_relations
from conduit.reads.declaration import Ids, Read
from conduit.visibility import PUBLIC, sight_of

P = TypeVar("P", bound=BaseModel)
V = TypeVar("V")
E = TypeVar("E")

# Called before an anonymous reader's miss goes to the database; raises to refuse it (the callers
# pass the per-address miss budget, conduit/ratelimit.py, which answers 429).
Gate = Callable[[], Awaitable[None]]

VIEW_PREFIX = "view|"  # the web pages' typed entries, beside the API's bytes under the bare key


def relations_key(user_id: int) -> str:
    return f"relations:{user_id}"


def own_ids(relations: Relations) -> Ids:
    """A viewer's flagged ids, in the order every declaration lists its own: articles, authors."""
    return relations.favorites, relations.following


async def relations(
    cache: Cache, session: AsyncSession, user_id: int, tags: Sequence[int] | None
) -> Relations:
    """The viewer's relations; ``tags`` is ``[their relations generation]``, read by the caller."""
    key = relations_key(user_id)
    found: Relations | None = cache.get("relations", key, tags)
    if found is None:
        found = await load_relations(session, user_id)
        cache.put(key, tags, found)
    return found


async def cached(
    read: Read[P, V],
    params: P,
    reader: int | None,
    cache: Cache,
    session: AsyncSession,
    prefix: str,
    build: Callable[[V], E],
    gate: Gate | None = None,
) -> tuple[E, Relations | None]:
    """The shared entry (built on a miss) and the reader's relations (None when anonymous), with
    one generation read in all. An anonymous miss passes ``gate`` first."""
    names = read.depends_on(params, reader)
    shared = len(names)
    if reader is not None:
        names = (*names, generations.relations_of(reader))
    tags = await cache.read(names)
    entry_tags = None if tags is None else tags[:shared]
    key = prefix + read.key(params, reader)
    entry: E | None = cache.get(read.kind, key, entry_tags)
    if entry is None:
        if gate is not None and reader is None:
            await gate()
        entry = build(await read.load(session, params, reader, None, PUBLIC))
        cache.put(key, entry_tags, entry)
    if reader is None:
        return entry, None
    own = None if tags is None else tags[shared:]
    return entry, await relations(cache, session, reader, own)


@dataclass(frozen=True, slots=True)
class Snapshot(Generic[V]):
    """A typed shared result and the ids its per-viewer flags depend on."""

    value: V
    ids: Ids


def cache_for(cache: Cache | None, viewer: Viewer | None) -> Cache | None:
    """The cache a viewer's reads may use: none for one who sees hidden content (a moderator, or
    an author with hidden items), since shared entries hold only what everyone may see."""
    return None if viewer is not None and viewer.sees_hidden else cache


async def uncached(read: Read[P, V], params: P, viewer: Viewer | None, session: AsyncSession) -> V:
    """The typed result straight from the database: the viewer's flags and what moderated content
    they may see are computed there (the path of every read when the cache is off or skipped)."""
    viewer_id = viewer.id if viewer else None
    return await read.load(session, params, viewer_id, viewer_id, sight_of(viewer))


async def view(
    read: Read[P, V],
    params: P,
    viewer: Viewer | None,
    cache: Cache | None,
    session: AsyncSession,
    gate: Gate | None = None,
) -> V:
    """The typed result as ``viewer`` sees it (the web pages' way in)."""
    viewer_id = viewer.id if viewer else None
    cache = cache_for(cache, viewer)
    if cache is None:
        return await uncached(read, params, viewer, session)
    snapshot, mine = await cached(
        read,
        params,
        viewer_id,
        cache,
        session,
        VIEW_PREFIX,
        lambda v: Snapshot(v, read.ids(v)),
        gate,
    )
    if mine is None or (
        mine.favorites.isdisjoint(snapshot.ids[0]) and mine.following.isdisjoint(snapshot.ids[1])
    ):
        return snapshot.value
    return read.seen_by(snapshot.value, mine)
