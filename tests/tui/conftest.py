"""Fixtures for the terminal client: a real relay in this process, and bounded waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from textual.app import App

from relay.limits import Limits
from relay.server import Relay, bound_address, start
from tests.tui.headless import Members
from tests.tui.terminals import Terminal, private_terminal


@pytest.fixture
async def relay_url() -> AsyncIterator[str]:
    """A real relay on 127.0.0.1 at a free port, in the test's own event loop."""
    server = await start(Relay(), "127.0.0.1", 0)
    host, port = bound_address(server)
    try:
        yield f"ws://{host}:{port}"
    finally:
        server.close(close_connections=True)
        await server.wait_closed()


@pytest.fixture
async def small_relay() -> AsyncIterator[tuple[str, Callable[[], None]]]:
    """A real relay whose rooms hold three people, and a way to stop it mid-test."""
    server = await start(Relay(Limits(room_cap=3)), "127.0.0.1", 0)
    host, port = bound_address(server)
    try:
        yield f"ws://{host}:{port}", lambda: server.close(close_connections=True)
    finally:
        server.close(close_connections=True)
        await server.wait_closed()


async def until(condition: Callable[[], object], what: str, seconds: float = 10.0) -> None:
    """Wait for ``condition`` to hold, checking a bounded number of times."""
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds / 0.02) + 1):
        if condition():
            return
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.02)
    raise AssertionError(f"Waited {seconds:g}s, but never saw: {what}")


@pytest.fixture
async def members() -> AsyncIterator[Members]:
    """Headless members (a real client and endpoint each), all stopped afterwards."""
    started = Members()
    yield started
    await started.close()


@pytest.fixture
def snap(snap_compare: Callable[..., bool]) -> Callable[..., bool]:
    """``snap(app, ...)``: whether the app's screen matches its stored snapshot, once sure the
    app met no error on the way (an app that failed still draws, half-settled)."""

    def compare(app: App[object], **options: object) -> bool:
        matched = snap_compare(app, **options)
        assert app._exception is None, f"The app failed before its snapshot: {app._exception!r}"
        return matched

    return compare


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    """A real terminal (tmux) of the test's own, killed with all it started at the end."""
    with private_terminal() as term:
        yield term
