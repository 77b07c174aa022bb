"""Dependencies flow one way: tui -> protocol, relay -> protocol's wire; protocol needs no I/O.

The contracts live in pyproject.toml and import-linter checks them transitively
(an import through any chain of modules counts). The checks below load the
real modules as a person's command would, to see what ends up in memory.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def loaded_after(code: str, packages: tuple[str, ...]) -> list[str]:
    """Which of ``packages`` are in sys.modules after running ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\nimport sys\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(packages)!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return list(ast.literal_eval(result.stdout.splitlines()[-1]))


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed")
def test_the_import_contracts_hold() -> None:
    result = subprocess.run(
        ["lint-imports", "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_importing_the_relay_loads_no_textual() -> None:
    code = "import relay.server, relay.cli, protocol.wire"
    assert loaded_after(code, ("textual", "tui", "rich")) == []


def test_plain_mode_and_the_asyncio_client_load_no_textual() -> None:
    code = "import tui.plain, tui.client, tui.session, tui.sentences"
    assert loaded_after(code, ("textual", "rich")) == []


def test_porch_help_does_not_import_textual() -> None:
    code = "from tui import cli\ntry:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass"
    assert loaded_after(code, ("textual",)) == []


def test_the_protocol_core_loads_no_network_or_clock_module() -> None:
    """Sans-I/O as Python really loads it, third-party imports included."""
    code = (
        "import protocol.endpoint\n"
        "from protocol import names\n"
        "names.alike('ana', 'ana')  # the confusables data, loaded on first use"
    )
    packages = ("socket", "ssl", "asyncio", "selectors", "http", "textual", "relay")
    assert loaded_after(code, packages) == []
