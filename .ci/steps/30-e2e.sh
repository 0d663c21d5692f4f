#!/usr/bin/env bash
# End-to-end: headless Debian Chromium (Playwright for Python) drives a live `conduit serve`
# through the web pages, on SQLite and on PostgreSQL with Redis. Fails when Chromium cannot be
# installed: the browser is a requirement of this step, never a reason to skip it.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONDUIT_CI_PG_URL="${CONDUIT_CI_PG_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}"
CONDUIT_CI_REDIS_URL="${CONDUIT_CI_REDIS_URL:-redis://127.0.0.1:6379/0}"

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium
fi
[ -x /usr/bin/chromium ] || { echo "chromium is not installed at /usr/bin/chromium"; exit 1; }
/usr/bin/chromium --version

echo "--- e2e on SQLite"
CONDUIT_TEST_DATABASE_URL="" CONDUIT_TEST_REDIS_URL="" \
  .venv/bin/pytest -m e2e -q -p no:cacheprovider tests/e2e
echo "--- e2e on PostgreSQL with Redis"
CONDUIT_TEST_DATABASE_URL="$CONDUIT_CI_PG_URL" CONDUIT_TEST_REDIS_URL="$CONDUIT_CI_REDIS_URL" \
  .venv/bin/pytest -m e2e -q -p no:cacheprovider tests/e2e

echo "screenshots: $PWD/artifacts/screenshots (sqlite/ and postgresql/)"
ls -1 artifacts/screenshots/*/
