"""The `porch` command. Kept light: Textual is imported only by the commands that draw."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Porch: live-session rooms for small groups. End-to-end encrypted, twelve seats,
turn-taking, consent before anything is shared, and nothing kept.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="porch", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from relay import cli as relay_cli

    relay = sub.add_parser(
        "relay",
        help="host a relay that carries encrypted rooms",
        description="Host a Porch relay. It never sees names, text or keys, and keeps nothing.",
    )
    relay_cli.add_arguments(relay)
    relay.set_defaults(run=relay_cli.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
