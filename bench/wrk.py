"""Runs wrk with a generated Lua script (random path and token per request); parses the result."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = """
local paths = {%(paths)s}
local tokens = {%(tokens)s}
local bodies = {%(bodies)s}
local method = "%(method)s"
local header = "%(header)s"
local prefix = "%(prefix)s"
-- Ordered: the i-th request sends paths[i] with tokens[i] (real favorites, never a repeat).
local ordered = %(ordered)s
local counter = 0
local sent = %(start)d

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
end

function request()
  local headers = {}
  local path
  if ordered then
    sent = sent + 1
    local i = (sent - 1) %% #paths + 1
    path = paths[i]
    headers[header] = prefix .. tokens[i]
  else
    path = paths[math.random(#paths)]
    if #tokens > 0 then
      headers[header] = prefix .. tokens[math.random(#tokens)]
    end
  end
  local body = nil
  if #bodies > 0 then
    headers["Content-Type"] = "application/json"
    body = bodies[math.random(#bodies)]
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%%d,"duration_us":%%d,"p50":%%d,"p99":%%d,' ..
    '"errors":%%d,"status_errors":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
"""


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    cpu_us: float = 0.0  # server CPU time per request (robust to a busy machine)


def _lua_list(items: list[str]) -> str:
    return ", ".join(json.dumps(item) for item in items)


def script(
    folder: Path,
    name: str,
    method: str,
    paths: list[str],
    tokens: list[str],
    bodies: list[str],
    cookie: bool = False,
    ordered: bool = False,
    start: int = 0,
) -> Path:
    """A wrk script; ``tokens`` are API tokens, or ``Cookie`` header values with ``cookie``;
    ``ordered`` pairs ``paths[i]`` with ``tokens[i]`` and sends them in order, from ``start``
    (a warmup and the measured run that follows it must not send the same pairs)."""
    path = folder / f"{name}.lua"
    path.write_text(
        LUA
        % {
            "paths": _lua_list(paths),
            "tokens": _lua_list(tokens),
            "bodies": _lua_list(bodies),
            "method": method,
            "header": "Cookie" if cookie else "Authorization",
            "prefix": "" if cookie else "Token ",
            "ordered": "true" if ordered else "false",
            "start": start,
        }
    )
    return path


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk could not be installed")
    return found


def start(
    url: str, lua: Path, seconds: float, connections: int, cores: str, timeout: int = 5
) -> subprocess.Popen[str]:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        f"{timeout}s",
        "-s",
        str(lua),
        url,
    ]
    if cores:
        command = ["taskset", "-c", cores, *command]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen[str]) -> Result:
    output, _ = process.communicate()
    for line in output.splitlines():
        if line.startswith("BENCH "):
            data = json.loads(line[6:])
            seconds = data["duration_us"] / 1e6
            return Result(
                rps=data["requests"] / seconds if seconds else 0.0,
                p50_ms=data["p50"] / 1000,
                p99_ms=data["p99"] / 1000,
                errors=data["errors"],
                requests=data["requests"],
            )
    raise RuntimeError(f"wrk printed no result:\n{output}")


def run(url: str, lua: Path, seconds: float, connections: int, cores: str) -> Result:
    return finish(start(url, lua, seconds, connections, cores))
