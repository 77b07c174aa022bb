"""Bytecode as an installed Porch has it, for the benchmarks that time a start.

``pip install`` compiles Porch's modules once. A checkout run with
``PYTHONDONTWRITEBYTECODE`` (some machines set it, and so do the tests) compiles
them on every start instead, a cost nobody who installed Porch pays, while the
libraries beside them load already compiled. The benchmarks' processes keep their
compiled bytecode in a folder of their own instead, so only a first run compiles.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "porch-bench-bytecode"


def compiled(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a process that loads Porch compiled, as installed."""
    kept = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    kept["PYTHONPYCACHEPREFIX"] = str(CACHE)
    return kept
