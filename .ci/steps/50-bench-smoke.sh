#!/usr/bin/env bash
# The benchmark's pipeline end to end in about 40 s: SQLite, a tiny seed, 1 s per scenario, against
# `conduit serve` and the ceiling app. It checks that `python -m bench` works, not how fast.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
.venv/bin/python -m bench --smoke --port 8510 --output "$(mktemp -d)/smoke.md"
