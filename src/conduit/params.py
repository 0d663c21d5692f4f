"""Path and query parameter types with their limits (every text input has a maximum length)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from conduit.validation import TEXT_PATTERN

Slug = Annotated[str, Path(max_length=255, pattern=TEXT_PATTERN)]
UsernameParam = Annotated[str, Path(max_length=64, pattern=TEXT_PATTERN)]
FilterValue = Annotated[str | None, Query(max_length=255, pattern=TEXT_PATTERN)]

# For endpoints where a token is optional (it personalises `following`/`favorited`): OpenAPI's
# way to say "Token, or nothing". FastAPI appends this to the [{"Token": []}] it declares itself.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}
