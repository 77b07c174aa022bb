"""`porch web --public`: refused without it, a warning with it, and only that address served.

A public address here is this computer's own address towards other computers (its
network interface), not a loopback alias and not a private namespace: those would
be loopback again. The requests still never leave this computer. A computer with
only loopback has no such address, and these tests skip there, saying why.
"""

from __future__ import annotations

import re
import signal
import socket
from pathlib import Path

import pytest

from protocol.invite import parse_invite
from tests.browser.tabs import Tab, ask, needs_chromium, outward_address

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        outward_address() is None,
        reason="this computer has no address but loopback, so nothing here is public",
    ),
]


def public_link(porch, address: str) -> tuple[str, int]:
    line = porch.expect(rf"http://{re.escape(address)}:\d+/\?token=")
    found = re.search(rf"http://{re.escape(address)}:(\d+)/\?token=[A-Za-z0-9_-]+", line)
    assert found is not None, line
    return found.group(0), int(found.group(1))


def test_a_public_address_is_refused_without_public(start_porch, tmp_path: Path) -> None:
    address = outward_address()
    assert address is not None
    porch = start_porch(["web", "--host", address, "--no-browser"], tmp_path / "web")
    assert porch.finish() == 2
    said = "".join(porch.stderr)
    assert "--public" in said and "plaintext" in said, said
    assert not [line for line in porch.seen if "token=" in line], "it served anyway"


def test_with_public_it_warns_and_answers_only_at_that_address(start_porch, tmp_path: Path) -> None:
    address = outward_address()
    assert address is not None
    porch = start_porch(["web", "--host", address, "--public", "--no-browser"], tmp_path / "web")
    link, port = public_link(porch, address)
    warning = "".join(porch.stderr)
    assert warning.startswith("Warning:") and address in warning and "plaintext" in warning

    # The Host check now knows only that address: loopback names are refused there.
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"attacker.example:{port}"):
        assert ask(port, "/", address=address, host=host).status == 403, host
    path = link.split(f":{port}", 1)[1]
    exchanged = ask(port, path, address=address)
    assert exchanged.status == 303
    cookie = (exchanged.getheader("Set-Cookie") or "").split(";", 1)[0]
    refused = ask(port, "/ws", address=address, origin=f"http://127.0.0.1:{port}",
                  cookie=cookie, socket=True)  # fmt: skip
    assert refused.status == 403
    assert ask(port, "/", address=address, cookie=cookie).status == 200

    # And it listens on that address alone: nothing answers on loopback.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
    porch.proc.send_signal(signal.SIGTERM)
    assert porch.finish() == 0


@needs_chromium
def test_a_tab_at_the_public_address_works_and_offers_the_invite_to_copy_by_hand(
    start_porch, context, tmp_path: Path
) -> None:
    """Over plain HTTP on a network address the page is not a secure context, so the
    browser gives it no clipboard at all: a refusal no test has to arrange."""
    address = outward_address()
    assert address is not None
    porch = start_porch(["web", "--host", address, "--public", "--no-browser"], tmp_path / "web")
    link, _port = public_link(porch, address)

    page = context.new_page()
    tab = Tab(page)
    page.goto(link)
    tab.wait_for(r"Open a new room")
    assert page.evaluate("window.isSecureContext") is False
    tab.click("Open a new room")
    tab.wait_for(r"The room's agreements")
    tab.type("ana")
    tab.press("Control+s")
    tab.wait_for(r"Copy invite")

    tab.click("Copy invite")
    page.wait_for_selector("#copy-text", timeout=30_000)
    offered = page.input_value("#copy-text")
    parse_invite(offered)  # the whole invite, not a piece of the screen
    assert offered[:40] in tab.text()
    assert "did not let Porch use its clipboard" in page.inner_text("#copy-message")
    focused, start, end = page.evaluate(
        "(() => { const f = document.getElementById('copy-text');"
        " return [document.activeElement === f, f.selectionStart, f.selectionEnd]; })()"
    )
    assert (focused, start, end) == (True, 0, len(offered)), "ready for Ctrl+C"
    tab.wait_for(r"The invite is on this")  # the app says where to look

    page.keyboard.press("Escape")
    page.wait_for_selector("#copy-text", state="hidden", timeout=10_000)
    # The keys go to the app again.
    assert page.evaluate("document.activeElement.classList.contains('xterm-helper-textarea')")
