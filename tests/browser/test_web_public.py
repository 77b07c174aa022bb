"""`porch web --public`: refused without it, a warning with it, and only that address served.

A public address is one that is not loopback. These tests never serve on this
computer's own network: each makes a network namespace of its own, with its own
loopback and one interface holding 192.0.2.10 (TEST-NET-1, a documentation address)
that leads nowhere, and runs `porch web`, its own requests and the browser inside it.
Nothing outside the namespace can reach what is served there. Without root, or
without `ip` (iproute2), no namespace can be made, and these tests skip, saying why.
"""

from __future__ import annotations

import ctypes
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from protocol.invite import parse_invite
from tests.browser.tabs import CHROMIUM, Tab, ask, needs_chromium

pytestmark = pytest.mark.timeout(240)

ADDRESS = "192.0.2.10"  # TEST-NET-1: never a real destination
CLONE_NEWNET = 0x40000000
IP = next(
    (
        path
        for path in (shutil.which("ip"), "/usr/sbin/ip", "/sbin/ip")
        if path is not None and os.access(path, os.X_OK)
    ),
    None,
)


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"setns: {os.strerror(number)}")


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    assert IP is not None
    return subprocess.run([IP, *args], capture_output=True, text=True, timeout=30, check=False)


@dataclass
class Namespace:
    """A network namespace of the test's own: its loopback up, and ``ADDRESS`` on an
    interface that reaches nothing outside it."""

    name: str

    @property
    def prefix(self) -> list[str]:
        """What runs a command inside."""
        assert IP is not None
        return [IP, "netns", "exec", self.name]

    def holds(self, pid: int) -> bool:
        """Whether process ``pid`` runs inside."""
        inside = os.stat(f"/run/netns/{self.name}")
        theirs = os.stat(f"/proc/{pid}/ns/net")
        return (inside.st_dev, inside.st_ino) == (theirs.st_dev, theirs.st_ino)

    @contextmanager
    def entered(self) -> Iterator[None]:
        """This thread inside the namespace, and back where it was afterwards. Sockets
        made inside stay inside."""
        back = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            inside = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
            try:
                _setns(inside)
            finally:
                os.close(inside)
            try:
                yield
            finally:
                _setns(back)
        finally:
            os.close(back)


def _set_up(name: str) -> str | None:
    """Loopback up and ``ADDRESS`` on ``pub0`` inside ``name``; None when done, else why
    not. ``pub0`` is a dummy interface or, on a kernel without those, one end of a veth
    pair whose other end is inside too."""
    failed = _ip("-n", name, "link", "set", "lo", "up")
    if failed.returncode:
        return f"lo: {failed.stderr.strip()}"
    reasons = []
    for kind in (["dummy"], ["veth", "peer", "name", "pub1"]):
        made = _ip("-n", name, "link", "add", "pub0", "type", *kind)
        if made.returncode == 0:
            break
        reasons.append(f"{kind[0]}: {made.stderr.strip()}")
    else:
        return "; ".join(reasons)
    steps = [["addr", "add", f"{ADDRESS}/24", "dev", "pub0"], ["link", "set", "pub0", "up"]]
    if kind[0] == "veth":
        steps.append(["link", "set", "pub1", "up"])
    for step in steps:
        failed = _ip("-n", name, *step)
        if failed.returncode:
            return f"{' '.join(step)}: {failed.stderr.strip()}"
    return None


@pytest.fixture
def namespace() -> Iterator[Namespace]:
    """A network namespace made for this test alone, deleted at the end."""
    if IP is None:
        pytest.skip("iproute2's ip is not installed, so no network namespace can be made")
    if os.geteuid() != 0:
        pytest.skip("only root can make a network namespace, and public addresses are "
                    "served here only inside one")  # fmt: skip
    name = f"porch-web-{secrets.token_hex(4)}"
    made = _ip("netns", "add", name)
    if made.returncode:
        pytest.skip(f"no network namespace could be made: {made.stderr.strip()}")
    try:
        why_not = _set_up(name)
        if why_not is not None:
            pytest.skip(f"the network namespace could not hold {ADDRESS}: {why_not}")
        yield Namespace(name)
    finally:
        deleted = _ip("netns", "delete", name)
        assert deleted.returncode == 0, deleted.stderr


@pytest.fixture
def namespaced_context(namespace: Namespace, tmp_path: Path) -> Iterator[object]:
    """Headless Debian Chromium running inside the namespace (Playwright talks to it
    over a pipe, not the network), one fresh profile."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed, so the browser tests cannot run")
    from playwright.sync_api import sync_playwright

    wrapper = tmp_path / "chromium-in-namespace"
    command = shlex.join([*namespace.prefix, CHROMIUM])
    wrapper.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    wrapper.chmod(0o755)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(wrapper), headless=True)
        try:
            yield chromium.new_context(viewport={"width": 1100, "height": 700})
        finally:
            chromium.close()


def public_link(porch, address: str) -> tuple[str, int]:
    line = porch.expect(rf"http://{re.escape(address)}:\d+/\?token=")
    found = re.search(rf"http://{re.escape(address)}:(\d+)/\?token=[A-Za-z0-9_-]+", line)
    assert found is not None, line
    return found.group(0), int(found.group(1))


def test_a_public_address_is_refused_without_public(
    namespace: Namespace, start_porch, tmp_path: Path
) -> None:
    address = ADDRESS
    porch = start_porch(
        ["web", "--host", address, "--no-browser"], tmp_path / "web", prefix=namespace.prefix
    )
    assert porch.finish() == 2
    said = "".join(porch.stderr)
    assert "--public" in said and "plaintext" in said, said
    assert not [line for line in porch.seen if "token=" in line], "it served anyway"


def test_with_public_it_warns_and_answers_only_at_that_address(
    namespace: Namespace, start_porch, tmp_path: Path
) -> None:
    address = ADDRESS
    porch = start_porch(
        ["web", "--host", address, "--public", "--no-browser"],
        tmp_path / "web",
        prefix=namespace.prefix,
    )
    link, port = public_link(porch, address)
    assert namespace.holds(porch.proc.pid), "porch web is serving outside the namespace"
    warning = "".join(porch.stderr)
    assert warning.startswith("Warning:") and address in warning and "plaintext" in warning

    with namespace.entered():  # where that address is
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

        # And it listens on that address alone: nothing answers on loopback (the
        # namespace's own, which is up, so a refusal means nothing listens).
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=10).close()
    porch.proc.send_signal(signal.SIGTERM)
    assert porch.finish() == 0


@needs_chromium
def test_a_tab_at_the_public_address_works_and_offers_the_invite_to_copy_by_hand(
    namespace: Namespace, start_porch, namespaced_context, tmp_path: Path
) -> None:
    """Over plain HTTP on a network address the page is not a secure context, so the
    browser gives it no clipboard at all: a refusal no test has to arrange."""
    address = ADDRESS
    porch = start_porch(
        ["web", "--host", address, "--public", "--no-browser"],
        tmp_path / "web",
        prefix=namespace.prefix,
    )
    link, _port = public_link(porch, address)

    page = namespaced_context.new_page()
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
