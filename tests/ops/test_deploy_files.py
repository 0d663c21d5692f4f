"""Deployment artefacts, checked by parsing them (no Docker engine here): compose.yaml's shape,
the Dockerfile's promises, the platform manifests, and docs/deploy.md's settings table."""

from __future__ import annotations

import json
import re
import runpy
from typing import Any

import yaml

from conduit.settings import Settings
from tests.ops.conftest import ROOT


def _yaml(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text())


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text().replace("\\\n", " ")


def test_compose_puts_nginx_in_front_of_two_healthy_app_replicas() -> None:
    services = _yaml("compose.yaml")["services"]
    assert set(services) == {"nginx", "app", "migrate", "db", "redis"}
    app = services["app"]
    assert app["deploy"]["replicas"] == 2
    assert "ports" not in app  # reachable only through nginx
    assert "--no-migrate" in app["command"]
    assert services["nginx"]["depends_on"] == {"app": {"condition": "service_healthy"}}
    assert services["nginx"]["ports"]
    assert any("deploy/nginx.conf" in volume for volume in services["nginx"]["volumes"])


def test_compose_migrates_once_before_the_app_starts() -> None:
    services = _yaml("compose.yaml")["services"]
    assert services["migrate"]["command"] == ["conduit", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["app"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    # Same image, same settings as the app.
    assert services["migrate"]["image"] == services["app"]["image"]
    assert services["migrate"]["environment"] == services["app"]["environment"]


def test_every_long_running_service_has_a_health_check() -> None:
    services = _yaml("compose.yaml")["services"]
    for name in ("nginx", "app", "db", "redis"):
        check = services[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert check["interval"], name
        assert check["retries"], name
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])


def test_compose_keeps_data_in_volumes_and_secrets_in_files() -> None:
    compose = _yaml("compose.yaml")
    assert set(compose["volumes"]) == {"pgdata", "redisdata"}
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert "redisdata:/data" in compose["services"]["redis"]["volumes"]
    environment = compose["services"]["app"]["environment"]
    assert "CONDUIT_SECRET_KEY" not in environment
    assert environment["CONDUIT_SECRET_KEY_FILE"] == "/run/secrets/conduit_secret_key"
    assert compose["services"]["app"]["secrets"] == ["conduit_secret_key"]
    assert "conduit_secret_key" in compose["secrets"]
    assert environment["CONDUIT_ENV"] == "production"
    # Longer than the app's own drain time, so no request is cut by SIGKILL.
    grace = int(compose["services"]["app"]["stop_grace_period"].rstrip("s"))
    assert grace > int(environment["CONDUIT_SHUTDOWN_TIMEOUT"])


def test_nginx_forwards_to_the_replicas_and_hides_metrics() -> None:
    conf = (ROOT / "deploy/nginx.conf").read_text()
    assert "server app:8000" in conf
    assert "proxy_pass http://conduit;" in conf
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf
    assert "X-Request-ID $request_id" in conf
    assert re.search(r"location ~ \^/\(metrics\|readyz\)\$ \{\s*return 404;", conf)
    assert conf.count("{") == conf.count("}")


def test_the_dockerfile_is_multi_stage_slim_and_unprivileged() -> None:
    text = _dockerfile()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", text, re.M)
    assert len(stages) == 2
    assert all("-slim" in image for image, _ in stages)
    runtime = text.split("AS runtime", 1)[1]
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert re.search(r"^USER conduit:conduit$", runtime, re.M)
    assert "useradd --system --uid 10001" in runtime


def test_the_dockerfile_runs_the_server_in_exec_form_with_a_health_check() -> None:
    text = _dockerfile()
    assert "ENTRYPOINT" not in text.replace("No ENTRYPOINT", "")
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))  # type: ignore[union-attr]
    assert command[:2] == ["conduit", "serve"]
    assert "--no-migrate" in command  # migrations are their own step
    check = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", text, re.M)
    assert check is not None
    probe = json.loads(check.group(1))
    assert probe[0] == "python"
    assert "urllib.request" in probe[2]
    assert "/healthz" in probe[2]


def test_the_dockerfile_installs_with_the_script_ci_runs() -> None:
    text = _dockerfile()
    assert re.search(r"^RUN .*deploy/install\.sh /opt/venv$", text, re.M)
    copied = {
        source
        for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M)
        for source in line.split()[:-1]
    }
    assert copied == {"pyproject.toml", "uv.lock", "README.md", "src", "deploy/install.sh"}
    # The CI step mirrors exactly these files, and .dockerignore lets exactly these through.
    step = (ROOT / ".ci/steps/20-ops.sh").read_text()
    assert 'cp -r pyproject.toml uv.lock README.md src "$work/context/"' in step
    assert 'cp deploy/install.sh "$work/context/deploy/"' in step
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    assert allowed == copied
    assert (ROOT / "deploy/install.sh").stat().st_mode & 0o111


def test_heroku_migrates_in_the_release_phase() -> None:
    processes = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert processes["release"] == "deploy/heroku.sh conduit migrate"
    assert processes["web"].endswith("conduit serve --host 0.0.0.0 --no-migrate")
    manifest = json.loads((ROOT / "app.json").read_text())
    assert manifest["env"]["CONDUIT_SECRET_KEY"]["generator"] == "secret"
    assert manifest["env"]["CONDUIT_ENV"]["value"] == "production"
    assert any("heroku-postgresql" in addon["plan"] for addon in manifest["addons"])
    assert (ROOT / ".python-version").read_text().strip()  # the buildpack needs it with uv


def test_digitalocean_migrates_in_a_pre_deploy_job() -> None:
    spec = _yaml(".do/app.yaml")
    (job,) = spec["jobs"]
    assert (job["kind"], job["run_command"]) == ("PRE_DEPLOY", "conduit migrate")
    (web,) = spec["services"]
    assert web["dockerfile_path"] == "Dockerfile"
    assert web["health_check"]["http_path"] == "/readyz"
    assert web["instance_count"] >= 2
    env = {item["key"]: item for item in web["envs"]}
    assert env["CONDUIT_SECRET_KEY"]["type"] == "SECRET"
    assert "value" not in env["CONDUIT_SECRET_KEY"]  # never committed


def test_the_gunicorn_config_uses_the_maintained_uvicorn_worker() -> None:
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["worker_class"] == "conduit.worker.UvicornWorker"
    from conduit.server import HttpProtocol
    from conduit.worker import UvicornWorker

    assert UvicornWorker.__mro__[1].__module__.startswith("uvicorn_worker")
    assert UvicornWorker.CONFIG_KWARGS["http"] == f"{HttpProtocol.__module__}:HttpProtocol"
    assert config["wsgi_app"] == "conduit.app:create_app()"
    assert config["preload_app"] is False


def test_docs_list_every_setting_with_its_default() -> None:
    docs = (ROOT / "docs/deploy.md").read_text()
    for name, field in Settings.model_fields.items():
        row = re.search(rf"^\| `CONDUIT_{name.upper()}` \| ([^|]+) \|", docs, re.M)
        assert row is not None, f"CONDUIT_{name.upper()} missing from docs/deploy.md"
        if isinstance(field.default, bool | int | float | str) and name != "secret_key":
            assert str(field.default).lower() in row.group(1).lower(), name
