"""Starting `porch web`: which addresses it may serve, the one link it prints, the browser."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import os
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Iterator

PUBLIC_WARNING = (
    "Warning: porch web is serving {address}, which other computers can reach. "
    "This computer runs the app and sees the room in plaintext, and the link and the "
    "screen cross the network unencrypted: use it only on a network you trust."
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(host: str, *, public: bool) -> str | None:
    """None when ``host`` may be served; otherwise the sentence that says why not."""
    if host in ("0.0.0.0", "::", ""):
        return (
            "porch web checks the address the browser asks for, so it needs one address, "
            "not every one: give --host the address people will open, e.g. --host 192.168.1.20."
        )
    if is_loopback(host):
        return None
    if not public:
        return (
            f"{host} can be reached from other computers, and this computer sees the room in "
            "plaintext. porch web serves only 127.0.0.1 unless you add --public."
        )
    return None


def _can_open_browser() -> bool:
    """A graphical browser, not a text one that would take over this terminal."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_in_browser(link: str) -> None:
    """In a thread of its own: some launchers wait until the browser exits, and the server
    must answer that browser meanwhile."""
    if not webbrowser.open(link):
        print(
            "No browser could be opened here: open the link above in a browser on this computer.",
            flush=True,
        )


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything else is loaded: its link can be printed
    (and the browser start opening it) while the server loads; a browser that is quicker
    waits in the socket's queue until the server, gate first, answers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=128)


def announce(link: str, *, opening: bool) -> None:
    print("Porch is ready for one browser tab at this link (it works once):", flush=True)
    print(f"  {link}", flush=True)
    if opening:
        print("Opening it in your browser. Press Ctrl+C here to stop.", flush=True)
    else:
        print("Open it in a browser on this computer. Press Ctrl+C here to stop.", flush=True)


@contextlib.contextmanager
def no_system_certificates() -> Iterator[None]:
    """OpenSSL pointed at no certificate file while the server's libraries load.

    aiohttp makes its HTTPS client's contexts as it is imported, each reading every
    certificate of the system: CPU the tab's first screen would wait for. porch web makes
    no HTTPS request (those contexts would refuse every server, should one be used).
    Nothing is started meanwhile: a tab's app gets an environment of its own, and the
    browser is opened after, with the person's."""
    saved = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = os.devnull
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SSL_CERT_FILE"]
        else:
            os.environ["SSL_CERT_FILE"] = saved


def serve(*, host: str, port: int, public: bool, relay_url: str | None, open_browser: bool) -> int:
    if not is_loopback(host):
        print(PUBLIC_WARNING.format(address=host), file=sys.stderr, flush=True)
    host = "127.0.0.1" if host == "localhost" else host

    async def run() -> None:
        from tui.web.guard import Gate, served_hosts
        from tui.web.process import TabApp, tab_argv

        # Ctrl+C or SIGTERM from now on stops porch web cleanly, even while it loads.
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stopping.set)
        listening = listen(host, port)
        gate = Gate.serving(served_hosts(host, int(listening.getsockname()[1])))
        # The first tab's app starts now, so that it gets ready while the server loads its
        # own libraries and the browser loads the page. Until a tab's socket has passed the
        # gate, it is only a child process whose pipes no one else holds.
        spare = TabApp(tab_argv(relay_url))
        await spare.start_spare()
        link, opening = gate.link(), open_browser and _can_open_browser()
        announce(link, opening=opening)
        with no_system_certificates():
            from tui.web.server import PorchWeb
        if opening:
            threading.Thread(target=_open_in_browser, args=(link,), daemon=True).start()
        server = PorchWeb(
            host=host, port=port, relay_url=relay_url, spare=spare, listening=listening, gate=gate
        )
        server.stopping = stopping
        await server.run()

    try:
        asyncio.run(run())
    except OSError as exc:
        remedy = (
            "Give --host an address of this computer."
            if exc.errno == errno.EADDRNOTAVAIL
            else "Choose another port with --port N."
        )
        print(
            f"porch: porch web cannot serve {host}:{port} "
            f"({os.strerror(exc.errno) if exc.errno else exc}). {remedy}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
