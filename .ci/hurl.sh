#!/usr/bin/env bash
# Starts the real server (`conduit serve`) on each database, with Redis, and runs the upstream
# RealWorld Hurl suite against it. Every run must execute 154 requests with no failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
HURL="$ROOT/../shared/realworld/run-hurl.sh"
# A free port, not a fixed one: other checkouts may run this script at the same time.
PORT="${CONDUIT_CI_HURL_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
CONDUIT_CI_PG_URL="${CONDUIT_CI_PG_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}"
CONDUIT_CI_MYSQL_URL="${CONDUIT_CI_MYSQL_URL:-mysql+aiomysql://root@127.0.0.1:3306/test}"
CONDUIT_CI_REDIS_URL="${CONDUIT_CI_REDIS_URL:-redis://127.0.0.1:6379/0}"
work="$(mktemp -d)"
server=""
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

NAME="conduit_hurl_$$"
admin_url() { case "$1" in postgresql) echo "$CONDUIT_CI_PG_URL" ;; mysql) echo "$CONDUIT_CI_MYSQL_URL" ;; esac; }
fresh_database() {  # prints the URL of an empty database on the given kind of server
  local kind="$1"
  [ "$kind" != sqlite ] || { echo "sqlite+aiosqlite:///$work/hurl.db"; return; }
  # The same helper as the test harness and the benchmark (tests/databases.py).
  .venv/bin/python -m tests.databases create "$(admin_url "$kind")" "$NAME"
}

for kind in sqlite postgresql mysql; do
  url="$(fresh_database "$kind")"
  # A fresh Redis too: the suite registers ~21 accounts from 127.0.0.1 per run, and the
  # per-address registration limit (60/hour) kept in Redis would carry over into the third run.
  .venv/bin/python -c 'import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()' \
    "$CONDUIT_CI_REDIS_URL"
  echo "--- Hurl on $kind"
  CONDUIT_DATABASE_URL="$url" CONDUIT_REDIS_URL="$CONDUIT_CI_REDIS_URL" \
    .venv/bin/conduit serve --host 127.0.0.1 --port "$PORT" >"$work/server-$kind.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/api/tags', timeout=1)" 2>/dev/null; then break; fi
    kill -0 "$server" 2>/dev/null || { cat "$work/server-$kind.log"; echo "server died on $kind"; exit 1; }
    sleep 0.2
  done
  set +e
  bash "$HURL" "http://127.0.0.1:$PORT" >"$work/hurl-$kind.log" 2>&1
  rc=$?
  set -e
  tail -n 8 "$work/hurl-$kind.log"
  if [ "$rc" -ne 0 ] || ! grep -q "Executed requests: 154 " "$work/hurl-$kind.log" \
      || ! grep -q "Failed files:      0 " "$work/hurl-$kind.log"; then
    cat "$work/hurl-$kind.log" | head -150
    echo "--- server log"; tail -n 80 "$work/server-$kind.log"
    echo "Hurl suite failed on $kind"; exit 1
  fi
  if grep -q "Traceback\|500 Internal" "$work/server-$kind.log"; then
    tail -n 80 "$work/server-$kind.log"; echo "server logged an error on $kind"; exit 1
  fi
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  [ "$kind" = sqlite ] || .venv/bin/python -m tests.databases drop "$(admin_url "$kind")" "$NAME"
  echo "Hurl on $kind: 154/154 passed"
done
