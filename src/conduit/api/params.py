"""Path and query parameter types with their limits (every text input has a maximum length)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator

from conduit.validation import LookupKey, raw


def _at_most(limit: int) -> AfterValidator:
    # No stored slug or username is longer, so a longer one is a miss (404) without a scan.
    return AfterValidator(lambda value: value if len(value) <= limit else "")


# Lookups are exact: a value no row can have (outer whitespace, controls, too long) finds nothing.
Slug = Annotated[LookupKey, _at_most(255), Path(json_schema_extra={"maxLength": 255})]
UsernameParam = Annotated[LookupKey, _at_most(64), Path(json_schema_extra={"maxLength": 64})]
# The raw check comes first: LookupKey turns unmatchable values into "", which would otherwise
# slip under Query's max_length (pydantic applies it after the union's validators).
FilterValue = Annotated[
    Annotated[LookupKey, raw(255, controls=False)] | None, Query(max_length=255)
]

# For endpoints where a token is optional (it personalises `following`/`favorited`): OpenAPI's
# way to say "Token, or nothing". FastAPI appends this to the [{"Token": []}] it declares itself.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}
