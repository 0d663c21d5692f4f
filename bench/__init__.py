"""Load benchmark of Conduit against a minimal ASGI ceiling (see docs/performance.md)."""
