"""The AWS Lambda handler, invoked in-process with API Gateway REST (v1) and HTTP API (v2)."""

from __future__ import annotations

import base64
import importlib
import secrets
import sys
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from tests.factories import PASSWORD

Handler = Any


@pytest.fixture
def handler(server_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Handler]:
    """``conduit.lambda_handler.handler`` as Lambda imports it: configured by the environment."""
    for name, value in server_env.items():
        if name.startswith("CONDUIT_"):
            monkeypatch.setenv(name, value)
    sys.modules.pop("conduit.lambda_handler", None)
    module = importlib.import_module("conduit.lambda_handler")
    yield module.handler
    module.handler.close()
    sys.modules.pop("conduit.lambda_handler", None)


def _rest_event(
    method: str, path: str, body: Any = None, token: str | None = None
) -> dict[str, Any]:
    headers = {
        "Host": "abc123.execute-api.eu-west-1.amazonaws.com",
        "Content-Type": "application/json",
    }
    if token:
        headers["Authorization"] = f"Token {token}"
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "pytest"},
        },
        "body": orjson.dumps(body).decode() if body is not None else None,
        "isBase64Encoded": False,
    }


def _http_api_event(
    method: str, path: str, body: Any = None, token: str | None = None, query: str = ""
) -> dict[str, Any]:
    headers = {
        "host": "abc123.execute-api.eu-west-1.amazonaws.com",
        "content-type": "application/json",
    }
    if token:
        headers["authorization"] = f"Token {token}"
    raw = orjson.dumps(body) if body is not None else b""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.8",
                "userAgent": "pytest",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
        },
        # HTTP APIs may hand bodies over base64-encoded.
        "body": base64.b64encode(raw).decode() if raw else None,
        "isBase64Encoded": bool(raw),
    }


def _user(name: str) -> dict[str, Any]:
    return {"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}}


def test_a_rest_api_v1_round_trip(handler: Handler) -> None:
    name = "v1" + secrets.token_hex(4)
    created = handler(_rest_event("POST", "/api/users", _user(name)), None)
    assert created["statusCode"] == 201, created
    token = orjson.loads(created["body"])["user"]["token"]
    me = handler(_rest_event("GET", "/api/user", token=token), None)
    assert me["statusCode"] == 200
    assert orjson.loads(me["body"])["user"]["username"] == name
    headers = {**me["headers"], **me.get("multiValueHeaders", {})}
    assert headers["x-request-id"]


def test_an_http_api_v2_round_trip(handler: Handler) -> None:
    name = "v2" + secrets.token_hex(4)
    created = handler(_http_api_event("POST", "/api/users", _user(name)), None)
    assert created["statusCode"] == 201, created
    token = orjson.loads(created["body"])["user"]["token"]
    me = handler(_http_api_event("GET", "/api/user", token=token), None)
    assert me["statusCode"] == 200
    assert orjson.loads(me["body"])["user"]["username"] == name
    listed = handler(_http_api_event("GET", "/api/articles", query="limit=5&author=" + name), None)
    assert listed["statusCode"] == 200
    assert orjson.loads(listed["body"]) == {"articles": [], "articlesCount": 0}


def test_warm_invocations_reuse_one_started_app(handler: Handler) -> None:
    first = handler(_http_api_event("GET", "/readyz"), None)
    second = handler(_rest_event("GET", "/readyz"), None)
    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    assert handler.app.state.resources.engine is not None


def test_a_direct_invocation_can_migrate(handler: Handler) -> None:
    assert handler({"conduit": "migrate"}, None) == {"migrated": "head"}
