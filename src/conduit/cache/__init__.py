"""Read cache for hot public reads, with per-viewer fields resolved per request."""
