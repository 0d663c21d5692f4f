#!/usr/bin/env bash
# The benchmark's pipeline end to end in about 40 s: SQLite, a tiny seed, 1 s per scenario, against
# `conduit serve` and the ceiling app. It checks that `python -m bench` works, not how fast.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
# Free ports (the default): other checkouts may run this step at the same time.
out="$(mktemp -d)/smoke.md"
.venv/bin/python -m bench --smoke --output "$out"
# The table's heading says what really ran: SQLite without Redis, not the full run's setup.
grep -q "^### One worker, SQLite, no Redis (smoke run" "$out"
