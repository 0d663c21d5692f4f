#!/usr/bin/env bash
# Installs Conduit with its locked runtime dependencies (no dev tools) into a virtual environment.
#
# The Dockerfile's build stage runs this script, and CI (.ci/steps/20-ops.sh) runs it in a clean
# directory holding only what the Dockerfile copies, so the image's install logic is exercised
# on every change even where no Docker engine exists.
#
#   deploy/install.sh /opt/venv          # then /opt/venv/bin/conduit serve ...
set -euo pipefail
target="${1:?usage: deploy/install.sh VENV_DIR}"
cd "$(dirname "$0")/.."
command -v uv >/dev/null || { echo "deploy/install.sh: uv is required on PATH" >&2; exit 1; }

export UV_PROJECT_ENVIRONMENT="$target"
export UV_COMPILE_BYTECODE=1   # faster cold starts: bytecode is written once, at build time
export UV_LINK_MODE=copy       # the venv must not point into uv's cache (absent in the image)
# --locked: fail if uv.lock is out of date with pyproject.toml instead of resolving anew.
# --no-editable: the venv holds a real copy of the app; the source tree is not needed at run time.
uv sync --locked --no-dev --no-editable --extra gunicorn

# Smoke-check the result: the app imports and the command runs.
"$target/bin/python" -c "import conduit.app"
"$target/bin/conduit" --help >/dev/null
echo "deploy/install.sh: installed into $target"
