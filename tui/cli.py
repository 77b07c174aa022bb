"""The `porch` command. Kept light: Textual is imported only by the commands that draw."""

from __future__ import annotations

import argparse
import sys

from protocol.limits import (
    KNOCK_WAIT_MAX_S,
    KNOCK_WAIT_MIN_S,
    KNOCK_WAIT_S,
    MAX_OFFER_BYTES,
    NICK_CHARS,
)

MAX_OFFER_MIB = MAX_OFFER_BYTES // (1024 * 1024)

DESCRIPTION = """\
Porch: live-session rooms for small groups. End-to-end encrypted, twelve seats,
turn-taking, consent before anything is shared, and nothing kept.
"""


def version() -> str:
    """The installed distribution's version: pyproject.toml is its one source."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("porch")
    except PackageNotFoundError:
        return "(not installed: run it from an installed copy to see its version)"


class VersionAction(argparse.Action):
    """``--version``, read from the metadata only when asked: every other run starts faster."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"porch {version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="porch", description=DESCRIPTION)
    parser.add_argument("--version", action=VersionAction, help="show which Porch this is and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from relay import cli as relay_cli

    relay = sub.add_parser(
        "relay",
        help="host a relay that carries encrypted rooms",
        description="Host a Porch relay. It never sees names, text or keys, and keeps nothing.",
    )
    relay_cli.add_arguments(relay)
    relay.set_defaults(run=relay_cli.run)

    new = sub.add_parser(
        "new",
        help="open a new room and get its invite",
        description=NEW_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument(
        "--relay",
        metavar="URL",
        help="a hosted relay, e.g. wss://relay.example.org (default: one on this computer)",
    )
    new.add_argument("--name", metavar="NAME", help=NAME_HELP)
    new.add_argument(
        "--agreements",
        metavar="FILE",
        help="a text file holding the room's agreements (default: a short editable set)",
    )
    new.add_argument("--plain", action="store_true", help=PLAIN_HELP)
    _offer_limit_option(new)
    new.set_defaults(run=run_new)

    join = sub.add_parser(
        "join",
        help="join a room with an invite",
        description=JOIN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    join.add_argument("invite", metavar="INVITE", nargs="?", help=INVITE_HELP)
    join.add_argument(
        "--invite-file",
        metavar="PATH",
        help="read the invite from this file instead (it stays out of your shell history)",
    )
    join.add_argument("--name", metavar="NAME", help=NAME_HELP)
    join.add_argument("--plain", action="store_true", help=PLAIN_HELP)
    join.add_argument(
        "--knock-wait",
        type=int,
        default=KNOCK_WAIT_S,
        metavar="SECONDS",
        help=f"how long your knock waits for someone to answer before it expires "
        f"({KNOCK_WAIT_MIN_S} to {KNOCK_WAIT_MAX_S}; default: {KNOCK_WAIT_S}, ten minutes)",
    )
    _offer_limit_option(join)
    join.set_defaults(run=run_join)

    browser = sub.add_parser(
        "web",
        help="use Porch in a browser tab on this computer",
        description=WEB_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    browser.add_argument(
        "--port",
        type=int,
        default=0,
        metavar="N",
        help="the port to serve on (default: any free one)",
    )
    browser.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="the address to serve on (default: 127.0.0.1, reachable only from this computer)",
    )
    browser.add_argument(
        "--public",
        action="store_true",
        help="allow an address other computers can reach (this one sees the room in plaintext)",
    )
    browser.add_argument(
        "--relay",
        metavar="URL",
        help="the relay for rooms opened in the tab (default: one on this computer)",
    )
    browser.add_argument(
        "--no-browser", action="store_true", help="print the link without opening a browser"
    )
    browser.set_defaults(run=run_web)
    return parser


NEW_DESCRIPTION = """\
Open a new room. Porch asks for your name and the room's agreements, then shows
the invite to share. Without --relay it runs a relay inside itself on 127.0.0.1,
which only people on this computer can reach.

examples:
  porch new
  porch new --relay wss://relay.example.org
  porch new --plain --name ana --agreements agreements.txt
"""

JOIN_DESCRIPTION = """\
Join a room. Porch asks for the invite, shows the room's agreements and asks for
your consent, then knocks; someone in the room lets you in. Anyone in the room
may ask you to wait ("not now"); someone else can still let you in. A knock
nobody answers expires after ten minutes (--knock-wait), and Porch tells you
and ends.

The invite is the key to the room. Leave it off the command line: Porch then
asks for it and hides what you paste, so it stays out of your shell history and
out of the process list, where anyone on this computer can read it. Without a
terminal (--plain in a script), the first line of stdin is the invite and every
line after it is what you type in the room.

examples:
  porch join                                   # paste the invite when asked
  porch join --plain --name bo < invite.txt    # the invite, then your lines
  porch join --invite-file invite.txt --knock-wait 120
  porch join 'ws://relay.example.org#porch1.…' # works, but see above
"""

INVITE_HELP = (
    "the invite, in single quotes; better left out, so that Porch asks for it "
    "without showing it (a command line is kept in shell history and seen in the process list)"
)

WEB_DESCRIPTION = """\
Serve the Porch app to one browser tab on this computer. Porch prints a link
that works once; the tab that opens it gets the same app as the terminal: open
a room, or join one with an invite. Leaving the tab leaves the room.

The computer running porch web sees the room in plaintext, as the terminal app
does. It serves only 127.0.0.1 unless --public is given.

examples:
  porch web
  porch web --port 8000
  porch web --relay wss://relay.example.org
"""

NAME_HELP = f"your name in the room, 1 to {NICK_CHARS} characters (left out or empty: Porch asks)"

PLAIN_HELP = (
    "plain line mode for screen readers and scripts: one sentence per line on stdout, "
    "each stdin line is a message, /help lists the commands"
)


def quiet_textual() -> None:
    """Textual must keep nothing: no log file, no devtools, no screenshots on a timer."""
    import os

    for variable in ("TEXTUAL_LOG", "TEXTUAL_SCREENSHOT", "TEXTUAL_SCREENSHOT_LOCATION"):
        os.environ.pop(variable, None)
    features = [
        feature
        for feature in os.environ.get("TEXTUAL", "").split(",")
        if feature.strip() not in ("devtools", "debug", "")
    ]
    os.environ["TEXTUAL"] = ",".join(features)


def _fail(sentence: str) -> int:
    print(f"porch: {sentence}", file=sys.stderr)
    return 2


def _terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


NEEDS_A_TERMINAL = (
    "Porch's screen needs a terminal to draw in and read keys from. "
    "For scripts and screen readers, add --plain."
)


def _check_options(args: argparse.Namespace) -> str | None:
    """The sentence for the first option that cannot be used, before anything is asked."""
    from protocol.names import refusal
    from tui.prompts import NAME_NEEDED

    name = (args.name or "").strip()
    if name and (problem := refusal(name)) is not None:
        return problem
    if not name and args.plain and not sys.stdin.isatty():
        return NAME_NEEDED  # a script says --name; no line of its stdin is taken for it
    if not 1 <= args.max_offer_mb <= 4096:
        return f"--max-offer-mb is a size in MiB from 1 to 4096, not {args.max_offer_mb}."
    return None


def run_new(args: argparse.Namespace) -> int:
    relay_url = args.relay
    if relay_url is not None and not relay_url.startswith(("ws://", "wss://")):
        return _fail(
            f"The relay address {relay_url!r} must start with ws:// or wss://, "
            "for example wss://relay.example.org."
        )
    agreements = None
    if args.agreements is not None:
        try:
            with open(args.agreements, encoding="utf-8") as handle:
                agreements = handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            return _fail(f"The agreements file {args.agreements!r} cannot be read ({exc}).")
        if not agreements:
            return _fail(f"The agreements file {args.agreements!r} is empty.")
    problem = _check_options(args)
    if problem is not None:
        return _fail(problem)
    return _enter(args, relay_url=relay_url, agreements=agreements)


def _offer_limit_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-offer-mb",
        type=int,
        default=MAX_OFFER_MIB,
        metavar="MIB",
        help="the largest file you accept when someone offers one; larger offers are "
        f"declined before anything is fetched (1 to 4096; default: {MAX_OFFER_MIB})",
    )


def run_join(args: argparse.Namespace) -> int:
    from tui import prompts

    if not KNOCK_WAIT_MIN_S <= args.knock_wait <= KNOCK_WAIT_MAX_S:
        return _fail(
            f"--knock-wait is how many seconds your knock waits for an answer: "
            f"from {KNOCK_WAIT_MIN_S} to {KNOCK_WAIT_MAX_S}, not {args.knock_wait}."
        )
    problem = _check_options(args)
    if problem is not None:
        return _fail(problem)
    if args.invite is not None and args.invite_file is not None:
        return _fail("Give the invite once: as INVITE or with --invite-file, not both.")
    try:
        invite = None
        if args.invite is not None:
            invite = prompts.checked(args.invite)
        elif args.invite_file is not None:
            invite = prompts.invite_from_file(args.invite_file)
        if not args.plain and not _terminal():
            return _fail(NEEDS_A_TERMINAL)  # before asking for the invite, which needs one too
        if invite is None and sys.stdin.isatty():
            invite = prompts.invite_from_terminal()
        elif invite is None:
            invite = prompts.invite_from_stdin(sys.stdin)
    except prompts.Unanswered as exc:
        return _fail(str(exc))
    return _enter(args, invite=invite, knock_wait_s=args.knock_wait)


def run_web(args: argparse.Namespace) -> int:
    from tui.web import launch

    if args.relay is not None and not args.relay.startswith(("ws://", "wss://")):
        return _fail(
            f"The relay address {args.relay!r} must start with ws:// or wss://, "
            "for example wss://relay.example.org."
        )
    refusal = launch.check_address(args.host, public=args.public)
    if refusal is not None:
        return _fail(refusal)
    return launch.serve(
        host=args.host,
        port=args.port,
        public=args.public,
        relay_url=args.relay,
        open_browser=not args.no_browser,
    )


def _enter(
    args: argparse.Namespace,
    *,
    relay_url: str | None = None,
    agreements: str | None = None,
    invite: str | None = None,
    knock_wait_s: int = KNOCK_WAIT_S,
) -> int:
    nick = (args.name or "").strip() or None
    offer_limit = args.max_offer_mb * 1024 * 1024
    if args.plain:
        from tui import plain, prompts
        from tui.session import Door

        if nick is None:  # on a terminal (``_check_options`` saw to it)
            try:
                nick = prompts.name_from_terminal(sys.stdin, sys.stdout)
            except prompts.Unanswered as exc:
                return _fail(str(exc))
        door = Door(
            nick=nick,
            relay_url=relay_url,
            agreements=agreements,
            invite=invite,
            knock_wait_s=knock_wait_s,
            offer_limit=offer_limit,
        )
        return plain.main(door)

    if not _terminal():
        return _fail(NEEDS_A_TERMINAL)
    quiet_textual()
    from tui.app import Plan, PorchApp

    plan = Plan(
        invite=invite,
        relay_url=relay_url,
        nick=nick,
        agreements=agreements,
        knock_wait_s=knock_wait_s,
        offer_limit=offer_limit,
    )
    PorchApp(plan).run()
    return 0


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
