# syntax=docker/dockerfile:1
# Conduit: a two-stage image. The build stage installs the locked runtime dependencies into
# /opt/venv with uv (deploy/install.sh, which CI runs too); the runtime stage is python-slim plus
# that venv, run by an unprivileged user. Migrations are a separate step: `conduit migrate`
# (compose's `migrate` service, Heroku's release phase, DigitalOcean's PRE_DEPLOY job).
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS build
# uv from PyPI, pinned; the same interpreter as the runtime stage (no managed Python downloads).
RUN python -m pip install --no-cache-dir --root-user-action=ignore "uv==0.13.8"
ENV UV_PYTHON=/usr/local/bin/python3 \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
COPY src ./src
COPY deploy/install.sh ./deploy/install.sh
RUN --mount=type=cache,target=/root/.cache/uv deploy/install.sh /opt/venv

FROM python:${PYTHON_VERSION}-slim AS runtime
RUN groupadd --system --gid 10001 conduit \
 && useradd --system --uid 10001 --gid conduit --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin conduit
COPY --from=build /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CONDUIT_ENV=production \
    PORT=8000
# A root-owned, empty working directory: nothing (such as a .env file) can be planted in it.
WORKDIR /app
USER conduit:conduit
EXPOSE 8000
# Liveness via the standard library only (no curl in slim images).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
# Exec form, no shell in between: SIGTERM reaches uvicorn, which drains and exits 0.
# No ENTRYPOINT, so platforms that replace the command (`conduit migrate`) see the same thing.
CMD ["conduit", "serve", "--host", "0.0.0.0", "--no-migrate"]
