"""Who may reach `porch web`: the rules every request passes before anything runs.

textual-serve starts a copy of the app for anyone who opens its WebSocket, and
any web page the person visits can try (``new WebSocket("ws://localhost:8000/ws")``),
directly or after rebinding its own name to 127.0.0.1. So, in this order:

1. ``Host`` is exactly one of the addresses served (``127.0.0.1:PORT``,
   ``localhost:PORT``, or the ``--public`` address). A rebound name sends its own
   name here and is refused.
2. A request that carries ``Origin`` comes from one of those same addresses, and
   the WebSocket upgrade must carry one (browsers always send it there). A page
   from another site sends its own origin and is refused.
3. ``GET /?token=…`` exchanges the one-time token for the session cookie, once: the
   token is compared in constant time and burned on first use. A wrong or used
   token is refused (unless the request already holds the cookie, which the same
   browser following the link twice does).
4. Everything else needs the session cookie (HttpOnly, SameSite=Strict), compared
   in constant time. Browsers keep one set of cookies per host for every port, so
   the cookie is named after the port (``porch_session_8000``): two `porch web`s on
   one machine, open in one browser, each keep their own.

The gate is pure: it reads a ``Knock`` (what a request says about itself) and
returns a verdict; the server acts on it. Only ``check`` writes its state (the
burned token). The seat (one live app per session) is the server's, after this.
"""

from __future__ import annotations

import enum
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

COOKIE = "porch_session"
TOKEN_BYTES = 32


class Refusal(enum.Enum):
    WRONG_HOST = "wrong_host"
    WRONG_ORIGIN = "wrong_origin"
    BAD_TOKEN = "bad_token"
    NO_SESSION = "no_session"


@dataclass(frozen=True, slots=True)
class Knock:
    """What one request says about itself, as the gate needs it."""

    path: str
    host: str | None
    origin: str | None = None
    token: str | None = None
    cookie: str | None = None
    upgrade: bool = False


@dataclass(frozen=True, slots=True)
class Pass:
    """Go on to the page, the files or the socket."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """Set the session cookie and send the browser to ``/`` (the link leaves the address bar)."""

    cookie: str


@dataclass(frozen=True, slots=True)
class Refuse:
    reason: Refusal


Verdict = Pass | Exchange | Refuse


def served_hosts(host: str, port: int) -> list[str]:
    """The exact Host values a server on ``host:port`` answers to."""
    if host in ("127.0.0.1", "localhost"):
        return [f"127.0.0.1:{port}", f"localhost:{port}"]
    if host == "::1":
        return [f"[::1]:{port}", f"localhost:{port}"]
    return [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]


def _same(given: str | None, expected: str) -> bool:
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("ascii"))


@dataclass
class Gate:
    """The served addresses, the one-time token and the session it turns into."""

    hosts: frozenset[str]
    token: str = field(default_factory=lambda: secrets.token_urlsafe(TOKEN_BYTES), repr=False)
    session: str = field(default_factory=lambda: secrets.token_urlsafe(TOKEN_BYTES), repr=False)
    token_used: bool = False

    @classmethod
    def serving(cls, hosts: Iterable[str]) -> Gate:
        return cls(frozenset(host.lower() for host in hosts))

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)

    @property
    def cookie(self) -> str:
        """The session cookie's name: this server's port, since every port of a host
        shares the browser's cookies for it."""
        port = min(self.hosts).rsplit(":", 1)[1]
        return f"{COOKIE}_{port}"

    def link(self, host: str | None = None) -> str:
        """The one URL to print: it works once (at the first served address, unless told)."""
        return f"http://{host or sorted(self.hosts)[0]}/?token={self.token}"

    def check(self, knock: Knock) -> Verdict:
        if knock.host is None or knock.host.lower() not in self.hosts:
            return Refuse(Refusal.WRONG_HOST)
        if knock.origin is not None and knock.origin.lower() not in self.origins:
            return Refuse(Refusal.WRONG_ORIGIN)
        if knock.upgrade and knock.origin is None:
            return Refuse(Refusal.WRONG_ORIGIN)
        holds_session = _same(knock.cookie, self.session)
        if knock.path == "/" and knock.token is not None:
            if not self.token_used and _same(knock.token, self.token):
                self.token_used = True
                return Exchange(self.session)
            if holds_session:
                return Exchange(self.session)
            return Refuse(Refusal.BAD_TOKEN)
        if not holds_session:
            return Refuse(Refusal.NO_SESSION)
        return Pass()
