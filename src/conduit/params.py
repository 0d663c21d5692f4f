"""Path and query parameter types with their limits (every text input has a maximum length).

The API's routes and the web pages take their parameters through these same types, so a value
is judged alike on both: a key no row can have (NUL or other control characters, outer spaces,
too long) finds nothing (404), an id outside the database's 64-bit range is refused (422). None of
them ever reaches a database that would fail on it (PostgreSQL refuses NUL in text, every
database an integer beyond BIGINT).
"""

from __future__ import annotations

from typing import Annotated, Any

import annotated_types
from fastapi import Path, Query
from pydantic import AfterValidator

from conduit.validation import LookupKey, raw


def _at_most(limit: int) -> AfterValidator:
    # No stored slug or username is longer, so a longer one is a miss (404) without a scan.
    return AfterValidator(lambda value: value if len(value) <= limit else "")


# Lookups are exact: a value no row can have (outer whitespace, controls, too long) finds nothing.
# The values alone (no Path()): the read declarations (conduit/reads) validate them with these.
SlugKey = Annotated[LookupKey, _at_most(255)]
UsernameKey = Annotated[LookupKey, _at_most(64)]
Slug = Annotated[SlugKey, Path(json_schema_extra={"maxLength": 255})]
UsernameParam = Annotated[UsernameKey, Path(json_schema_extra={"maxLength": 64})]
# A tag in a web page's path (/tag/{tag}); the API takes tags as a query filter (FilterValue).
TagParam = Annotated[LookupKey, _at_most(64), Path()]
# Row ids are BIGINT everywhere. Plain constraints (no Path()), so that a route may add its own
# Path(alias=...) and keep them.
MAX_ID = 2**63 - 1
RowId = Annotated[int, annotated_types.Ge(1), annotated_types.Le(MAX_ID)]
# The raw check comes first: LookupKey turns unmatchable values into "", which would otherwise
# slip under Query's max_length (pydantic applies it after the union's validators).
FilterValue = Annotated[
    Annotated[LookupKey, raw(255, controls=False)] | None, Query(max_length=255)
]

# For endpoints where a token is optional (it personalises `following`/`favorited`): OpenAPI's
# way to say "Token, or nothing". FastAPI appends this to the [{"Token": []}] it declares itself.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}
