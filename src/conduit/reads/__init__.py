"""The hot reads, declared once and served through the read cache to the API, its fast path and the
web pages (docs/architecture.md, "Read declarations")."""
