from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from conduit.observability import metrics
from tests.factories import Persona

# /metrics is off unless CONDUIT_METRICS_NETWORKS lets the client in (test_metrics_access.py).
pytestmark = [pytest.mark.anyio, pytest.mark.settings(metrics_networks=["127.0.0.1"])]


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    series = f"{name}{{{wanted}}}" if labels else name
    pattern = re.compile(rf"^{re.escape(series)} (\S+)$", re.MULTILINE)
    match = pattern.search(text)
    return float(match.group(1)) if match else 0.0


async def _scrape(client: AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_by_route_template(alice: Persona, client: AsyncClient) -> None:
    article = await alice.write(title="Counted")
    labels = {"method": "GET", "route": "/api/articles/{slug}", "status": "200"}
    before = await _scrape(client)
    for _ in range(3):
        await client.get(f"/api/articles/{article['slug']}")
    after = await _scrape(client)
    total = "conduit_http_requests_total"
    assert _sample(after, total, **labels) - _sample(before, total, **labels) == 3
    count = "conduit_http_request_duration_seconds_count"
    assert _sample(after, count, **labels) - _sample(before, count, **labels) == 3
    assert 'le="0.005"' in after
    # The raw path (a slug) never becomes a label value.
    assert article["slug"] not in after


async def test_unknown_paths_share_one_label(client: AsyncClient) -> None:
    await client.get("/no/such/thing-1")
    await client.get("/no/such/thing-2")
    text = await _scrape(client)
    assert "thing-1" not in text
    assert (
        _sample(
            text, "conduit_http_requests_total", method="GET", route="<unmatched>", status="404"
        )
        >= 2
    )


async def test_pool_usage_is_exported(client: AsyncClient) -> None:
    text = await _scrape(client)
    assert _sample(text, "conduit_db_pool_size") >= 1
    assert re.search(r"^conduit_db_pool_checked_out \S+$", text, re.MULTILINE)


async def test_cache_hits_and_misses_are_counted(client: AsyncClient) -> None:
    before = await _scrape(client)
    metrics.cache_hit("articles")
    metrics.cache_hit("articles")
    metrics.cache_miss("articles")
    after = await _scrape(client)
    hits, misses = "conduit_cache_hits_total", "conduit_cache_misses_total"
    assert _sample(after, hits, cache="articles") - _sample(before, hits, cache="articles") == 2
    assert _sample(after, misses, cache="articles") - _sample(before, misses, cache="articles") == 1
