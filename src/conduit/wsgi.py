"""WSGI entry point, ``conduit.wsgi:application``, for hosts that only speak WSGI.

The ASGI app runs on an event loop in a background thread (a2wsgi's model). a2wsgi does not run
the ASGI lifespan, so this module does: the engine and clients start once at import, before the
first request, and close when the interpreter exits. Prefer ``conduit serve`` (ASGI) when the
host allows it: WSGI servers tie up a thread per request.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from typing import Any, cast

from a2wsgi import ASGIMiddleware

from conduit.app import create_app
from conduit.settings import Settings


def make_application(settings: Settings | None = None) -> ASGIMiddleware:
    settings = settings or Settings()
    app = create_app(settings)
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name="conduit-asgi", daemon=True).start()
    lifespan = app.router.lifespan_context(app)
    asyncio.run_coroutine_threadsafe(lifespan.__aenter__(), loop).result()

    def close() -> None:
        finished = asyncio.run_coroutine_threadsafe(lifespan.__aexit__(None, None, None), loop)
        finished.result(timeout=settings.shutdown_timeout)
        loop.call_soon_threadsafe(loop.stop)

    atexit.register(close)
    return ASGIMiddleware(cast(Any, app), loop=loop)


application = make_application()
