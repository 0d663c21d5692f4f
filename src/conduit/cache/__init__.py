"""Generic read cache: entries tagged with generations, shared counters (Redis or in-process)."""
