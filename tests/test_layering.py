"""The layering contracts (pyproject.toml, ``lint-imports`` in CI) hold, and they do bite: a copy of
the source with one back-edge injected fails them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _lint(source: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports over the ``conduit`` package in ``source`` (ahead of the installed one)."""
    # Not under coverage.py: it would record the temporary copies as more `conduit` files (they
    # are gone by `coverage combine`, which then fails on their missing source).
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    env["PYTHONPATH"] = str(source)
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [LINT_IMPORTS, "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layering_contracts_hold() -> None:
    result = _lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "back_edge", "contract"),
    [
        # The domain reaching for the cache (what issue 9 found: a cycle through cache/).
        ("articles/queries.py", "import conduit.cache.core", "The domain knows no web framework"),
        # The cache reaching for a domain package (cache/viewers.py held account SQL).
        ("cache/store.py", "import conduit.users.accounts", "The cache is generic"),
        # A service importing the FastAPI dependency module (for Viewer, as it used to).
        ("users/service.py", "import conduit.deps", "Layers"),
        # A service importing the web framework itself.
        ("profiles/service.py", "import fastapi", "The domain knows no web framework"),
    ],
)
def test_it_fails_on_a_back_edge(
    tmp_path: Path, module: str, back_edge: str, contract: str
) -> None:
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "conduit" / module
    target.write_text(target.read_text() + f"\n{back_edge}  # injected by the test\n")
    result = _lint(copy)
    assert result.returncode != 0, result.stdout
    assert "0 broken" not in result.stdout
    # The report names the contract and the offending import (lines may wrap).
    report = " ".join(result.stdout.split())
    assert contract in report, report
    imported = back_edge.removeprefix("import ")
    assert f"-> {imported}" in report, report
