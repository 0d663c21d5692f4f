#!/usr/bin/env bash
# Deployment artefacts without a Docker engine (docs/deploy.md):
#  1. the image's build stage: deploy/install.sh on exactly the files the Dockerfile copies,
#     into a fresh virtual environment; the source is then removed (the runtime stage has none);
#  2. `conduit check --deploy`: passes on careful production settings, fails on the defaults;
#  3. the container's release step and command (`conduit migrate`, `conduit serve --no-migrate`
#     on $PORT), probed with the Dockerfile's own HEALTHCHECK command, then SIGTERM -> exit 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
# A free port, not a fixed one: other checkouts may run this step at the same time.
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
work="$(mktemp -d)"
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if command -v uv >/dev/null; then UV_DIR="$(dirname "$(command -v uv)")"
elif [[ -x "$ROOT/.tools/bin/uv" ]]; then UV_DIR="$ROOT/.tools/bin"
else echo "20-ops: uv not found (python3 manage.py setup installs it)" >&2; exit 1; fi

echo "--- 1. build stage: deploy/install.sh in a clean context"
mkdir -p "$work/context/deploy"
# Keep in step with the Dockerfile's COPY lines (tests/ops/test_deploy_files.py checks that).
cp -r pyproject.toml uv.lock README.md src "$work/context/"
cp deploy/install.sh "$work/context/deploy/"
find "$work/context" -name __pycache__ -prune -exec rm -rf {} +
PATH="$UV_DIR:$PATH" "$work/context/deploy/install.sh" "$work/venv"
rm -rf "$work/context"

# The runtime stage: nothing but the venv and the base system (like `env -i` in a container).
runtime() {
  env -i PATH="$work/venv/bin:/usr/local/bin:/usr/bin:/bin" HOME="$work" LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 CONDUIT_ENV=production "$@"
}
SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"

echo "--- 2. conduit check --deploy"
runtime CONDUIT_SECRET_KEY="$SECRET" \
  CONDUIT_DATABASE_URL=postgresql://conduit@db:5432/conduit \
  CONDUIT_ALLOWED_HOSTS=conduit.example.com CONDUIT_CORS_ORIGINS=https://conduit.example.com \
  CONDUIT_HTTPS=true CONDUIT_WEB_ORIGIN=https://conduit.example.com conduit check --deploy
if runtime CONDUIT_ENV=development conduit check --deploy 2>"$work/findings"; then
  echo "20-ops: check --deploy accepted the development defaults" >&2; exit 1
fi
grep -q "conduit.E001" "$work/findings"
if runtime CONDUIT_SECRET_KEY=short conduit check --deploy 2>/dev/null; then
  echo "20-ops: production accepted a short secret" >&2; exit 1
fi

echo "--- 3. release step, container command, HEALTHCHECK, SIGTERM"
APP_ENV=(CONDUIT_SECRET_KEY="$SECRET" CONDUIT_DATABASE_URL="sqlite+aiosqlite:///$work/conduit.db"
         PORT="$PORT" CONDUIT_LOG_FORMAT=json)
runtime "${APP_ENV[@]}" conduit migrate
# The Dockerfile's CMD and HEALTHCHECK, read from the Dockerfile itself (exec-form JSON arrays).
mapfile -t CMD < <(python3 - <<'PY'
import json, re
text = open("Dockerfile").read()
print("\n".join(json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))))
PY
)
mapfile -t HEALTHCHECK < <(python3 - <<'PY'
import json, re
text = open("Dockerfile").read().replace("\\\n", " ")
print("\n".join(json.loads(re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", text, re.M).group(1))))
PY
)
CMD=("${CMD[@]/0.0.0.0/127.0.0.1}")
# `exec` so that $! is the server itself, not a subshell running the function.
(exec env -i PATH="$work/venv/bin:/usr/local/bin:/usr/bin:/bin" HOME="$work" LANG=C.UTF-8 \
   PYTHONUNBUFFERED=1 CONDUIT_ENV=production "${APP_ENV[@]}" "${CMD[@]}") >"$work/server.log" 2>&1 &
server=$!
healthy=""
for _ in $(seq 1 200); do
  if runtime PORT="$PORT" "${HEALTHCHECK[@]}" 2>/dev/null; then healthy=yes; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[[ -n "$healthy" ]] || { cat "$work/server.log"; echo "20-ops: HEALTHCHECK never passed" >&2; exit 1; }
python3 - "$PORT" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
    assert json.load(response)["status"] == "ok"
body = json.dumps({"user": {"username": "ops", "email": "ops@example.com",
                            "password": "correct horse battery"}}).encode()
request = urllib.request.Request(base + "/api/users", body, {"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=10) as response:
    assert response.status == 201 and response.headers["X-Request-ID"]
print("served: /readyz ok, registration 201")
PY
kill -TERM "$server"
status=0; wait "$server" || status=$?
server=""
grep -q '"route":"/api/users"' "$work/server.log"
[[ "$status" == 0 ]] || { cat "$work/server.log"; echo "20-ops: exit $status after SIGTERM" >&2; exit 1; }
echo "20-ops: all green"
