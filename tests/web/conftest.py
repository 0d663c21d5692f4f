from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from fastapi import FastAPI

from tests.web.browser import Browser

BrowserFactory = Callable[..., Awaitable[Browser]]


@pytest.fixture
async def browsers(app: FastAPI) -> AsyncIterator[BrowserFactory]:
    """Opens independent browsers (separate cookie jars) on the app; closes them after."""
    opened: list[Browser] = []

    async def open_browser(origin: str = "http://testserver") -> Browser:
        browser = Browser.open(app, origin)
        opened.append(browser)
        return browser

    yield open_browser
    for browser in opened:
        await browser.close()


@pytest.fixture
async def browser(browsers: BrowserFactory) -> Browser:
    return await browsers()
