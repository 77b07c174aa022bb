"""The gate in front of `porch web`, rule by rule, and what a tab's process is given."""

from __future__ import annotations

import pytest
from textual.binding import Binding

from tui.web.files import CONTENT_SECURITY_POLICY, STATIC_FILES, WEBGL_RENDERER, terminal_script
from tui.web.guard import Exchange, Gate, Knock, Pass, Refusal, Refuse, served_hosts
from tui.web.launch import check_address
from tui.web.pages import CONFLICT, REFUSALS, Page
from tui.web.process import tab_environment

HOSTS = ("127.0.0.1:8123", "localhost:8123")
ORIGIN = "http://127.0.0.1:8123"


def fresh() -> Gate:
    return Gate.serving(HOSTS)


def other_than(secret: str) -> str:
    """The same secret with its last character changed."""
    return secret[:-1] + ("A" if secret[-1] != "A" else "B")


def with_session(gate: Gate) -> str:
    verdict = gate.check(Knock("/", "127.0.0.1:8123", token=gate.token))
    assert isinstance(verdict, Exchange)
    return verdict.cookie


def test_the_token_is_exchanged_for_the_session_once() -> None:
    gate = fresh()
    assert gate.check(Knock("/", "127.0.0.1:8123", token=gate.token)) == Exchange(gate.session)
    assert gate.token_used
    assert gate.check(Knock("/", "127.0.0.1:8123", token=gate.token)) == Refuse(Refusal.BAD_TOKEN)


def test_a_wrong_token_is_refused_and_does_not_burn_the_real_one() -> None:
    gate = fresh()
    for wrong in ("", "x", gate.token[:-1], other_than(gate.token), gate.session, "é" * 43):
        assert gate.check(Knock("/", "127.0.0.1:8123", token=wrong)) == Refuse(Refusal.BAD_TOKEN)
    assert not gate.token_used
    assert isinstance(gate.check(Knock("/", "localhost:8123", token=gate.token)), Exchange)


def test_the_same_browser_following_the_link_again_keeps_its_session() -> None:
    gate = fresh()
    cookie = with_session(gate)
    again = gate.check(Knock("/", "127.0.0.1:8123", token=gate.token, cookie=cookie))
    assert again == Exchange(cookie)


def test_tokens_and_sessions_differ_between_servers() -> None:
    one, two = fresh(), fresh()
    assert len({one.token, one.session, two.token, two.session}) == 4
    assert len(one.token) >= 43  # 32 random bytes
    assert two.check(Knock("/", "127.0.0.1:8123", token=one.token)) == Refuse(Refusal.BAD_TOKEN)


@pytest.mark.parametrize("path", ["/", "/ws", "/static/textual.js", "/anything"])
def test_without_the_cookie_nothing_passes(path: str) -> None:
    gate = fresh()
    with_session(gate)
    knock = Knock(path, "127.0.0.1:8123", origin=ORIGIN if path == "/ws" else None)
    assert gate.check(knock) == Refuse(Refusal.NO_SESSION)
    wrong = Knock(path, "127.0.0.1:8123", origin=knock.origin, cookie=other_than(gate.session))
    assert gate.check(wrong) == Refuse(Refusal.NO_SESSION)


def test_with_the_cookie_the_page_files_and_socket_pass() -> None:
    gate = fresh()
    cookie = with_session(gate)
    for path in ("/", "/static/porch.js"):
        assert gate.check(Knock(path, "localhost:8123", cookie=cookie)) == Pass()
    assert gate.check(Knock("/ws", "127.0.0.1:8123", origin=ORIGIN, cookie=cookie)) == Pass()


@pytest.mark.parametrize(
    "host",
    [
        None,
        "",
        "127.0.0.1",
        "127.0.0.1:8124",
        "localhost",
        "localhost.:8123",
        "evil.example:8123",
        "127.0.0.1.nip.io:8123",
        "[::1]:8123",
        "127.0.0.1:8123@evil.example",
    ],
)
def test_any_other_host_is_refused_first_even_with_token_and_cookie(host: str | None) -> None:
    gate = fresh()
    cookie = with_session(gate)
    assert gate.check(Knock("/", host, cookie=cookie)) == Refuse(Refusal.WRONG_HOST)
    assert gate.check(Knock("/ws", host, origin=ORIGIN, cookie=cookie)) == Refuse(
        Refusal.WRONG_HOST
    )
    fresh_gate = fresh()
    knock = Knock("/", host, token=fresh_gate.token)
    assert fresh_gate.check(knock) == Refuse(Refusal.WRONG_HOST)
    assert not fresh_gate.token_used, "a refused host must not burn the token"


def test_the_host_is_compared_without_regard_to_case() -> None:
    gate = fresh()
    cookie = with_session(gate)
    assert gate.check(Knock("/", "LOCALHOST:8123", cookie=cookie)) == Pass()


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "null", "http://127.0.0.1:8124", "https://127.0.0.1:8123", ""],
)
def test_a_request_from_another_origin_is_refused(origin: str) -> None:
    gate = fresh()
    cookie = with_session(gate)
    for path in ("/", "/ws", "/static/porch.js"):
        verdict = gate.check(Knock(path, "127.0.0.1:8123", origin=origin, cookie=cookie))
        assert verdict == Refuse(Refusal.WRONG_ORIGIN)
    token_gate = fresh()
    knock = Knock("/", "127.0.0.1:8123", origin=origin, token=token_gate.token)
    assert token_gate.check(knock) == Refuse(Refusal.WRONG_ORIGIN)
    assert not token_gate.token_used


def test_the_socket_needs_an_origin() -> None:
    gate = fresh()
    cookie = with_session(gate)
    assert gate.check(Knock("/ws", "127.0.0.1:8123", cookie=cookie, upgrade=True)) == Refuse(
        Refusal.WRONG_ORIGIN
    )
    assert (
        gate.check(Knock("/ws", "127.0.0.1:8123", origin=ORIGIN, cookie=cookie, upgrade=True))
        == Pass()
    )


def test_the_link_names_a_served_host_and_the_token() -> None:
    gate = fresh()
    assert gate.link("127.0.0.1:8123") == f"http://127.0.0.1:8123/?token={gate.token}"
    assert gate.token not in repr(gate) and gate.session not in repr(gate)


def test_the_session_cookie_is_named_after_the_port() -> None:
    """A browser sends a host's cookies to every port of it: two servers on one machine
    must not overwrite each other's session."""
    assert fresh().cookie == "porch_session_8123"
    assert Gate.serving(served_hosts("::1", 8000)).cookie == "porch_session_8000"
    assert Gate.serving(served_hosts("192.0.2.7", 80)).cookie == "porch_session_80"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_addresses_are_served(host: str) -> None:
    assert check_address(host, public=False) is None


@pytest.mark.parametrize("host", ["192.168.1.20", "10.0.0.1", "example.org"])
def test_a_public_address_needs_public(host: str) -> None:
    refusal = check_address(host, public=False)
    assert refusal is not None and "--public" in refusal and "plaintext" in refusal
    assert check_address(host, public=True) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_every_address_at_once_is_refused_even_with_public(host: str) -> None:
    refusal = check_address(host, public=True)
    assert refusal is not None and "--host" in refusal


def test_a_tab_process_gets_only_what_it_needs() -> None:
    parent = {
        "PATH": "/usr/bin",
        "HOME": "/home/ana",
        "LANG": "C.UTF-8",
        "SSH_AUTH_SOCK": "/run/agent",
        "AWS_SECRET_ACCESS_KEY": "canary",
        "DISPLAY": ":0",
        "TEXTUAL": "devtools,debug",
        "TEXTUAL_LOG": "/tmp/textual.log",
        "PYTHONSTARTUP": "/home/ana/evil.py",
        "LD_PRELOAD": "/tmp/x.so",
    }
    environment = tab_environment(parent, width=100, height=30)
    assert environment["PATH"] == "/usr/bin" and environment["HOME"] == "/home/ana"
    assert environment["TEXTUAL_DRIVER"] == "textual.drivers.web_driver:WebDriver"
    assert (environment["COLUMNS"], environment["ROWS"]) == ("100", "30")
    for leaked in ("SSH_AUTH_SOCK", "AWS_SECRET_ACCESS_KEY", "DISPLAY", "TEXTUAL", "TEXTUAL_LOG"):
        assert leaked not in environment
    assert "PYTHONSTARTUP" not in environment and "LD_PRELOAD" not in environment
    assert "canary" not in repr(environment)


def test_the_policy_allows_this_server_only_and_no_framing() -> None:
    rules = dict(rule.split(" ", 1) for rule in CONTENT_SECURITY_POLICY.split("; "))
    assert rules["default-src"] == "'none'"
    assert rules["connect-src"] == "'self'"
    assert rules["script-src"] == "'self'"
    assert rules["frame-ancestors"] == "'none'"
    assert "http" not in CONTENT_SECURITY_POLICY


def test_the_terminal_script_is_served_without_the_renderer_it_would_throw_away() -> None:
    """The pinned textual-serve's script loads the WebGL renderer exactly once; Porch's
    copy does not (a new textual-serve that changed it would fail here, not in a tab)."""
    original = STATIC_FILES["textual.js"].read_bytes()
    assert original.count(WEBGL_RENDERER) == 1
    served = terminal_script()
    assert WEBGL_RENDERER not in served and b"loadAddon(this.canvasAddon)" in served
    assert len(original) - len(served) == len(WEBGL_RENDERER)


def test_every_refusal_is_a_sentence_and_the_page_escapes_it() -> None:
    for page in [*REFUSALS.values(), CONFLICT]:
        assert page.sentence.endswith(".")
    assert set(REFUSALS) == set(Refusal)
    shown = Page("<b>x</b>", "<script>alert(1)</script>").html()
    assert "<script>alert" not in shown and "&lt;script&gt;" in shown


def test_no_porch_key_is_one_a_browser_keeps_for_itself() -> None:
    """Ctrl+W, Ctrl+T and Ctrl+N close, open and make tabs and windows; Porch needs none."""
    import importlib
    import pkgutil

    import tui.screens
    import tui.widgets

    reserved = {"ctrl+w", "ctrl+t", "ctrl+n"}
    names = ["tui.app"]
    for package in (tui.screens, tui.widgets):
        names += [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    owners = []
    for name in names:
        module = importlib.import_module(name)
        owners += [
            v
            for v in vars(module).values()
            if isinstance(v, type) and v.__module__ == name and "BINDINGS" in vars(v)
        ]
    assert len(owners) >= 8, owners
    for owner in owners:
        for binding in vars(owner)["BINDINGS"]:
            keys = binding.key if isinstance(binding, Binding) else binding[0]
            assert not reserved & set(keys.split(",")), (owner, keys)
