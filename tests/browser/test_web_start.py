"""Starting `porch web`: the port asked for, a port in use, and what the app kept ready is given."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest

from tests.browser.tabs import ask, the_spare

pytestmark = pytest.mark.timeout(120)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_port_n_serves_that_port(start_porch, tmp_path: Path) -> None:
    port = free_port()
    porch = start_porch(["web", "--port", str(port), "--no-browser"], tmp_path / "web")
    line = porch.expect(rf"http://127\.0\.0\.1:{port}/\?token=")
    path = line.strip().removeprefix(f"http://127.0.0.1:{port}")
    assert ask(port, path).status == 303  # served there, by the gate
    porch.proc.send_signal(signal.SIGTERM)
    assert porch.finish() == 0


def test_a_port_in_use_is_a_sentence_and_starts_nothing(start_porch, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        porch = start_porch(["web", "--port", str(port), "--no-browser"], tmp_path / "web")
        assert porch.finish() == 2
    said = "".join(porch.stderr)
    assert f"cannot serve 127.0.0.1:{port}" in said and "Choose another port" in said, said
    assert not [line for line in porch.seen if "token=" in line]


def test_the_app_kept_ready_gets_only_the_environment_it_needs(
    start_web, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read from the running process itself, not from the function that builds it."""
    monkeypatch.setenv("SSH_AUTH_SOCK", "/run/user/ssh-agent.canary")
    monkeypatch.setenv("PORCH_TEST_SECRET", "canary-secret")
    monkeypatch.setenv("TEXTUAL", "devtools,debug")
    web = start_web()
    spare = the_spare(web.pid)
    server = Path(f"/proc/{web.pid}/environ").read_bytes()
    assert b"canary-secret" in server, "the check is blind: porch web itself has the canary"
    environ = dict(
        entry.split("=", 1)
        for entry in Path(f"/proc/{spare}/environ").read_bytes().decode().split("\0")
        if "=" in entry
    )
    assert environ["TEXTUAL_DRIVER"] == "textual.drivers.web_driver:WebDriver"
    assert "HOME" in environ and "PATH" in environ
    for leaked in ("SSH_AUTH_SOCK", "PORCH_TEST_SECRET", "TEXTUAL", "DISPLAY"):
        assert leaked not in environ, leaked
    assert "canary" not in repr(environ)
