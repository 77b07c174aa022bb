"""Fixtures for the browser tests: `porch web` as a real process, and a real Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.tabs import CHROMIUM, LINK
from tests.tui.processes import Porch, start


@dataclass
class Web:
    """A running `porch web`: its process, the one link it printed, and its port."""

    porch: Porch
    link: str
    port: int

    @property
    def pid(self) -> int:
        return self.porch.proc.pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def start_porch(porches: list[Porch]) -> Callable[..., Porch]:
    def started(args: list[str], sandbox: Path, prefix: list[str] | None = None) -> Porch:
        return start(porches, args, sandbox, prefix)

    return started


@pytest.fixture
def plain_host(start_porch: Callable[..., Porch], tmp_path: Path) -> tuple[Porch, str]:
    """ana, in a room of her own in plain mode (its relay inside her Porch), and its invite."""
    host = start_porch(["new", "--plain", "--name", "ana"], tmp_path / "ana")
    invite = host.expect(r"^invite: ").removeprefix("invite: ")
    host.expect(r"^You are in the room")
    return host, invite


@pytest.fixture
def start_web(start_porch: Callable[..., Porch], tmp_path: Path) -> Callable[..., Web]:
    def start(sandbox: Path | None = None, **kw: object) -> Web:
        porch = start_porch(["web", "--no-browser"], sandbox or tmp_path / "web", **kw)
        found = LINK.search(porch.expect(r"http://127\.0\.0\.1:\d+/\?token="))
        assert found is not None
        return Web(porch, found.group(0), int(found.group(1)))

    return start


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Debian Chromium per test module; each test opens its own context."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed, so the browser tests cannot run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # A name an attacker controls that answers 127.0.0.1: DNS rebinding, for real.
            args=["--host-resolver-rules=MAP rebound.example 127.0.0.1"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: object) -> Iterator[object]:
    """A fresh browser profile (no cookie, no cache) at a fixed size."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 700})  # type: ignore[attr-defined]
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
async def relay_url() -> AsyncIterator[str]:
    """A real relay on 127.0.0.1 at a free port, in the test's own event loop."""
    from relay.server import Relay, bound_address, start

    server = await start(Relay(), "127.0.0.1", 0)
    host, port = bound_address(server)
    try:
        yield f"ws://{host}:{port}"
    finally:
        server.close(close_connections=True)
        await server.wait_closed()


@pytest.fixture
async def async_context() -> AsyncIterator[object]:
    """Headless Debian Chromium through Playwright's async API, for a test whose other
    side (a Pilot-driven app) runs in the same event loop; one fresh profile."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed, so the browser tests cannot run")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield await chromium.new_context(viewport={"width": 1100, "height": 700})
        finally:
            await chromium.close()
