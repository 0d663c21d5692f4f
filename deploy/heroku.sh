#!/usr/bin/env bash
# Heroku (Procfile): map the add-ons' variables onto Conduit's settings, then exec the command,
# so the command is the dyno's main process and receives SIGTERM itself.
set -euo pipefail
if [[ -z "${CONDUIT_DATABASE_URL:-}" && -n "${DATABASE_URL:-}" ]]; then
  export CONDUIT_DATABASE_URL="$DATABASE_URL"  # postgres:// is accepted and mapped to asyncpg
fi
if [[ -z "${CONDUIT_REDIS_URL:-}" && -n "${REDIS_URL:-}" ]]; then
  case "$REDIS_URL" in
    # Heroku Redis serves TLS with a self-signed certificate.
    rediss://*) export CONDUIT_REDIS_URL="${REDIS_URL}?ssl_cert_reqs=none" ;;
    *) export CONDUIT_REDIS_URL="$REDIS_URL" ;;
  esac
fi
exec "$@"
