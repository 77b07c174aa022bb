"""Dependencies flow one way: tui -> protocol, relay -> protocol; protocol needs no I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "protocol": {
        "asyncio",
        "websockets",
        "socket",
        "textual",
        "tui",
        "relay",
        "rich",
        "ssl",
        "selectors",
        "threading",
        "subprocess",
        "logging",
    },
    "relay": {"textual", "tui", "rich"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_stay_in_their_layer(package):
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    offences = {
        str(f.relative_to(REPO)): sorted(imported_modules(f) & FORBIDDEN[package]) for f in files
    }
    assert {k: v for k, v in offences.items() if v} == {}


def test_importing_the_relay_loads_no_textual():
    code = (
        "import sys, relay.server, relay.cli, protocol.wire\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui', 'rich')]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_porch_help_does_not_import_textual():
    code = (
        "import sys\nfrom tui import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual']\n"
        "sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
