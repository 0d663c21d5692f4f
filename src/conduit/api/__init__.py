"""The JSON API: routers, the presenter that turns typed results into the wire format, the
cached reads and their ASGI fast path. Built on the domain packages, never imported by them."""
