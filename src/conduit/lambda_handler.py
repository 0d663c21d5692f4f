"""AWS Lambda entry point, ``conduit.lambda_handler.handler`` (API Gateway REST/HTTP API, ALB).

Mangum translates events to ASGI. Its own lifespan support would start and stop the app around
every invocation (a new connection pool each time), so it is off: the lifespan starts once per
execution environment, at cold start, on the loop Mangum then reuses; the pool's pre-ping (on
here, ``db_pre_ping``) revives connections a frozen environment let go stale, and the reads on
the driver (``db_driver_reads``, a pool without pre-ping) are off.
``{"conduit": "migrate"}`` invoked directly applies the migrations (there is no release phase on
Lambda).
"""

from __future__ import annotations

import asyncio
from typing import Any

from mangum import Mangum

from conduit import migrate
from conduit.app import create_app
from conduit.settings import Settings


class LambdaHandler:
    def __init__(self, settings: Settings | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)  # Mangum runs each invocation on the current loop
        settings = (settings or Settings()).model_copy(
            update={"db_pre_ping": True, "db_driver_reads": False}
        )
        self.app = create_app(settings)
        self._lifespan = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self._lifespan.__aenter__())
        self._adapter = Mangum(self.app, lifespan="off")

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event.get("conduit") == "migrate":
            engine = self.app.state.resources.engine
            self.loop.run_until_complete(migrate.upgrade(engine))
            return {"migrated": "head"}
        return self._adapter(event, context)

    def close(self) -> None:
        self.loop.run_until_complete(self._lifespan.__aexit__(None, None, None))
        asyncio.set_event_loop(None)
        self.loop.close()


handler = LambdaHandler()
