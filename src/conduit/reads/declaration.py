"""What a hot read is, declared once: its parameters (one pydantic model validates them for the
API route, the ASGI fast path and the web pages alike), its typed loader, its cache key, the
generations its answer depends on, and how a viewer's own flags are applied to a shared answer.

The consumers differ only in what they keep of the typed result: the API keeps its JSON bytes
(``conduit.api.reads``), the web pages the typed value itself (``conduit.reads.serve``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.profiles.relations import Relations
from conduit.visibility import Sight

P = TypeVar("P", bound=BaseModel)
V = TypeVar("V")

# Per kind of flag, the ids a result shows it for: (article ids, author ids). A viewer brings the
# same two sets (what they favorited, whom they follow); disjoint sets leave the result as it is.
Ids = tuple[frozenset[int], frozenset[int]]
NO_IDS: Ids = (frozenset(), frozenset())


@dataclass(frozen=True, slots=True, eq=False)
class Read(Generic[P, V]):
    kind: str  # metrics label ("article", "articles", ...) and the first part of every key
    params: type[P]  # path and query parameters: their only validator, bounds included
    # The typed result: ``load(session, params, reader, flags_for, sight)``. ``reader`` is the
    # signed-in viewer's id, used only by personal reads (whose feed); ``flags_for`` is whose
    # favorited / following flags the database computes: the viewer when the cache is off, None
    # for the shared result a cache entry keeps; ``sight`` what moderated content is visible
    # (conduit/visibility.py: ``PUBLIC`` for a shared result).
    load: Callable[[AsyncSession, P, int | None, int | None, Sight], Awaitable[V]]
    # The generation names (conduit/generations.py) the result depends on, given params and reader.
    depends_on: Callable[[P, int | None], tuple[str, ...]]
    ids: Callable[[V], Ids]  # the ids its per-viewer flags depend on
    seen_by: Callable[[V, Relations], V]  # the shared result with one viewer's flags
    # The result belongs to the viewer (the feed): keyed by their id, tagged with their relations,
    # and never answered without a signed-in viewer.
    personal: bool = False

    def key(self, params: P, reader: int | None) -> str:
        """The cache key: the kind, the reader of a personal read, and every parameter value in
        the model's field order."""
        values = tuple(params.__dict__.values())
        if self.personal:
            return f"{self.kind}:{reader}:{values!r}"
        return f"{self.kind}:{values!r}"

    def parse(self, values: dict[str, str]) -> P:
        """Validates raw path and query values (raises pydantic's ValidationError)."""
        return self.params.model_validate(values)


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """``GET /api/user``: the viewer's own account, read from the database on every request (issue
    11: the database is the only record of who may act), so it has no cache entry to declare."""

    kind: str = "account"
