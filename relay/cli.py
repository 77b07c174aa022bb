"""`porch relay`: the command-line face of the relay, shared by `python -m relay`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Callable
from dataclasses import fields

from relay.limits import Limits

_DEFAULTS = Limits()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8765,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--behind-proxy",
        action="store_true",
        help="count connections per address from X-Forwarded-For (only behind your own proxy)",
    )
    parser.add_argument(
        "--event-loop",
        choices=EVENT_LOOPS,
        default="auto",
        help="uvloop is faster per delivery; auto uses it where installed (default: %(default)s)",
    )
    parser.add_argument(
        "--write-each",
        action="store_true",
        help="write every frame at once rather than each reader's frames once per loop turn "
        "(for comparison: more system calls under load)",
    )
    limits = parser.add_argument_group("limits")
    for f in fields(Limits):
        default = getattr(_DEFAULTS, f.name)
        limits.add_argument(
            "--" + f.name.replace("_", "-"),
            type=type(default),
            default=default,
            metavar="N",
            help=f"{_HELP[f.name]} (default: {default})",
        )


_HELP = {
    "room_cap": "people in one room, at most 12",
    "max_payload": "bytes of payload in one frame, at most 65536",
    "rate": "frames per second one connection may send",
    "burst": "frames one connection may send at once",
    "per_ip": "open connections from one address",
    "max_connections": "open connections in total",
    "write_buffer": "bytes queued for a reader before it is closed as too slow",
    "ping_interval": "seconds between keepalive pings",
    "open_timeout": "seconds a client has to finish the handshake",
}


FULL_COLLECTION_EVERY = 600.0
"""Seconds between a relay process's full garbage collections (see ``collect_on_a_clock``)."""


def collect_on_a_clock(
    loop: asyncio.AbstractEventLoop, every: float = FULL_COLLECTION_EVERY
) -> None:
    """For a relay process of its own: full garbage collections on a clock, not on their own.

    A full collection walks every object the process holds, and with 5,000
    connections that stalls every room for 0.1 to 0.3 s. Python starts one
    whenever a quarter more objects have aged into its oldest generation: five
    or six times while 5,000 people connect, and now and then under steady load.
    Here one runs every ``every`` seconds instead, often enough to free what
    closed connections leave in cycles. The young generations are collected as
    usual, and what the process holds at start is frozen out of every collection.
    """
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 2**31 - 1)

    def collect() -> None:
        gc.collect()
        loop.call_later(every, collect)

    loop.call_later(every, collect)


EVENT_LOOPS = ("auto", "uvloop", "asyncio")


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop for ``auto`` where it is installed (and always for ``uvloop``), else None."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise
        return None
    return uvloop.new_event_loop


def run(args: argparse.Namespace) -> int:
    try:
        limits = Limits(**{f.name: getattr(args, f.name) for f in fields(Limits)})
    except ValueError as exc:
        print(f"porch relay: {exc}.", file=sys.stderr)
        return 2
    from relay import server

    try:
        factory = loop_factory(getattr(args, "event_loop", "auto"))
    except ImportError:
        print("porch relay: uvloop is not installed; use --event-loop asyncio.", file=sys.stderr)
        return 2
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            collect_on_a_clock(runner.get_loop())
            runner.run(
                server.run(
                    args.host,
                    args.port,
                    limits,
                    lambda line: print(line, flush=True),
                    behind_proxy=args.behind_proxy,
                    coalesce=not getattr(args, "write_each", False),
                )
            )
    except OSError as exc:
        print(
            f"porch relay: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}). "
            "Pick another --port or stop whatever holds it.",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="porch relay", description="Run a Porch relay.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
