"""Captures Conduit's real responses for every benchmark request, for the ceiling to replay."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.scenarios import Scenario


async def capture(base: str, scenarios: list[Scenario], token: str, target: Path) -> None:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def fetch(scenario: Scenario, path: str) -> None:
            headers = {"Authorization": f"Token {token}"} if scenario.authenticated else {}
            async with gate:
                response = await http.get(path, headers=headers)
            key = ("GET", path)
            if key not in seen or not scenario.authenticated:
                seen[key] = {"status": response.status_code, "body": response.text}

        jobs = [fetch(s, p) for s in scenarios if s.read for p in s.paths]
        await asyncio.gather(*jobs)
        # One real write per write scenario: the ceiling answers every such POST with its bytes.
        for scenario in scenarios:
            if scenario.read:
                continue
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            response = await http.post(scenario.paths[0], content=scenario.body, headers=headers)
            kind = scenario.paths[0].rsplit("/", 1)[1]
            seen[("POST", kind)] = {"status": response.status_code, "body": response.text}
    items = [{"method": m, "path": p, **value} for (m, p), value in seen.items()]
    target.write_bytes(orjson.dumps(items))  # noqa: ASYNC240
