#!/usr/bin/env python3
"""Zero-setup entry point: needs only Python >= 3.11.

    python3 manage.py serve   # installs (first run), migrates SQLite, serves http://127.0.0.1:8000
    python3 manage.py test    # installs (first run), runs the test suite

The first run creates `.venv` from `uv.lock` with uv (itself installed into `.tools/` from PyPI
when it is not on PATH). Later runs re-sync only when pyproject.toml or uv.lock changed.
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
        print("manage.py: installing uv into .tools/ ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        pip = TOOLS / ("Scripts" if os.name == "nt" else "bin") / "pip"
        subprocess.run([str(pip), "install", "--quiet", "uv"], check=True)
    return str(uv)


def _lock_hash() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "uv.lock"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def setup() -> None:
    """Create or update .venv exactly as uv.lock pins it (runtime + dev tools)."""
    wanted = _lock_hash()
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "conduit").exists():
        return
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    subprocess.run(
        [_uv(), "sync", "--frozen", "--python", sys.executable], cwd=ROOT, env=env, check=True
    )
    STAMP.write_text(wanted)


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
        setup()
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
    elif command == "conduit":
        setup()
        _exec("conduit", *args)
    else:
        print(__doc__)
        print("commands: serve [options] | test [pytest args] | lint | setup | conduit <args>")
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main(sys.argv[1:])
