#!/usr/bin/env python3
"""Zero-setup entry point: needs only Python >= 3.11.

    python3 manage.py serve      # installs the runtime (first run), migrates SQLite, serves :8000
    python3 manage.py test       # installs runtime + dev tools (first run), runs the test suite
    python3 manage.py lint       # ruff format --check, ruff check, mypy --strict
    python3 manage.py coverage   # the test suite under coverage.py: total, artifacts/coverage/
    python3 manage.py setup      # only install (runtime + dev tools)
    python3 manage.py conduit ... # any `conduit` command (migrate, seed, check --deploy)

The first run creates `.venv` from `uv.lock` with uv (itself installed into `.tools/` from PyPI
when it is not on PATH): `serve` and `conduit` install the runtime dependencies only, `test`,
`lint`, `coverage` and `setup` add the development tools. Later runs re-sync only when
pyproject.toml or uv.lock changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TOOLS = ROOT / ".tools"
STAMP = VENV / ".conduit-lock-hash"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    uv = TOOLS / ("Scripts" if os.name == "nt" else "bin") / "uv"
    if not uv.exists():
        print("manage.py: uv is not on PATH, installing it into .tools/ from PyPI", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        pip = TOOLS / ("Scripts" if os.name == "nt" else "bin") / "pip"
        subprocess.run([str(pip), "install", "--disable-pip-version-check", "uv"], check=True)
    return str(uv)


def _lock_hash() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "uv.lock"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def setup(dev: bool = True) -> None:
    """Create or update .venv exactly as uv.lock pins it: the runtime, plus the dev tools when
    ``dev`` (or when they are installed already: serving never strips a developer's venv)."""
    wanted = _lock_hash()
    stamp = STAMP.read_text().split() if STAMP.exists() else []
    installed = (BIN / "conduit").exists()
    has_dev = installed and stamp[1:] == ["dev"]
    if installed and stamp[:1] == [wanted] and (has_dev or not dev):
        return
    dev = dev or has_dev
    what = "runtime and development dependencies" if dev else "runtime dependencies only"
    print(f"manage.py: installing {what} into .venv, as uv.lock pins them", flush=True)
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    command = [_uv(), "sync", "--frozen", "--python", sys.executable]
    if not dev:
        command.append("--no-dev")
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    STAMP.write_text(f"{wanted} {'dev' if dev else 'runtime'}")
    print("manage.py: .venv is ready", flush=True)


def _exec(program: str, *args: str) -> None:
    path = str(BIN / program)
    os.execv(path, [path, *args])  # noqa: S606 - replaces this process, arguments are ours


def main(argv: list[str]) -> None:
    if sys.version_info < (3, 11):
        sys.exit("Conduit needs Python 3.11 or newer")
    command, args = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "setup":
        setup()
    elif command == "serve":
        setup(dev=False)
        _exec("conduit", "serve", *args)
    elif command == "test":
        setup()
        _exec("pytest", *args)
    elif command == "lint":
        setup()
        for step in (
            ["ruff", "format", "--check", "."],
            ["ruff", "check", "."],
            ["mypy"],
            # The layering contracts of pyproject.toml ([tool.importlinter]).
            ["lint-imports", "--no-cache"],
        ):
            if subprocess.run([str(BIN / step[0]), *step[1:]], cwd=ROOT).returncode:
                sys.exit(f"manage.py lint: {' '.join(step)} failed")
    elif command == "coverage":
        setup()
        coverage(*args)
        _exec("coverage", "report")
    elif command == "conduit":
        setup(dev=False)
        _exec("conduit", *args)
    else:
        asked = command in ("help", "-h", "--help")
        out = sys.stdout if asked else sys.stderr  # a mistake's help goes with the error
        if not asked:
            print(f"manage.py: unknown command {command!r}\n", file=out)
        print(__doc__, file=out)
        print("commands: serve | test | lint | coverage | setup | conduit (see above)", file=out)
        sys.exit(0 if asked else 2)


def coverage(*pytest_args: str) -> None:
    """The suite under coverage.py (branch coverage, servers it starts included), combined and
    written as HTML to artifacts/coverage/."""
    coverage_bin = str(BIN / "coverage")
    subprocess.run([coverage_bin, "erase"], cwd=ROOT, check=True)
    status = subprocess.run(
        [coverage_bin, "run", "-m", "pytest", *pytest_args], cwd=ROOT
    ).returncode
    subprocess.run([coverage_bin, "combine", "--quiet"], cwd=ROOT, check=True)
    subprocess.run([coverage_bin, "html", "--quiet"], cwd=ROOT, check=True)
    print("manage.py: HTML report in artifacts/coverage/index.html", flush=True)
    if status:
        sys.exit(f"manage.py coverage: the tests failed (exit {status})")


if __name__ == "__main__":
    main(sys.argv[1:])
