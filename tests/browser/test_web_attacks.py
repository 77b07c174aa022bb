"""`porch web` from the attacker's side: other sites, rebound names, used links, no cookie.

Each refusal is checked where it matters: the answer is 403 (or 409 for a second
tab), and no app process was started or handed over, read from the process list:
`porch web` keeps one app ready for the next tab, and after a refusal that same
one is still there, alone, and still waiting.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.browser.tabs import Tab, ask, children, needs_chromium, the_spare, wait_until

pytestmark = pytest.mark.timeout(240)


def test_requests_from_elsewhere_are_refused_before_any_app_starts(start_web) -> None:
    web = start_web()
    spare = the_spare(web.pid)
    link_path = web.link.removeprefix(web.base)
    own = f"http://127.0.0.1:{web.port}"
    rebound = f"attacker.example:{web.port}"
    refused = []

    # Before the link is used: a rebound name or another site cannot spend it.
    refused.append(ask(web.port, link_path, host=rebound))
    refused.append(ask(web.port, link_path, origin="http://attacker.example"))
    refused.append(ask(web.port, "/?token=not-the-token"))
    refused.append(ask(web.port, "/"))
    refused.append(ask(web.port, "/static/textual.js"))
    refused.append(ask(web.port, "/size?width=100&height=30", method="POST"))
    refused.append(ask(web.port, "/ws", origin=own, socket=True))
    refused.append(ask(web.port, "/ws", host=rebound, origin=f"http://{rebound}", socket=True))

    exchanged = ask(web.port, link_path)
    assert exchanged.status == 303 and exchanged.getheader("Location") == "/"
    set_cookie = exchanged.getheader("Set-Cookie") or ""
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie, set_cookie
    cookie = set_cookie.split(";", 1)[0]

    # After: the link is spent, and the cookie alone does not let another site in.
    refused.append(ask(web.port, link_path))
    refused.append(
        ask(web.port, "/ws", origin="http://attacker.example", cookie=cookie, socket=True)
    )
    refused.append(ask(web.port, "/ws", origin="null", cookie=cookie, socket=True))
    refused.append(ask(web.port, "/ws", cookie=cookie, socket=True))
    refused.append(ask(web.port, "/ws", host=rebound, origin=f"http://{rebound}", cookie=cookie,
                       socket=True))  # fmt: skip
    refused.append(ask(web.port, "/", host=f"localhost.:{web.port}", cookie=cookie))
    refused.append(ask(web.port, "/size?width=100&height=30", method="POST",
                       origin="http://attacker.example", cookie=cookie))  # fmt: skip

    assert [r.status for r in refused] == [403] * len(refused)
    for response in refused:
        assert b"<h1>" in response.body and b"porch web" in response.body  # type: ignore[attr-defined]
    assert b"used already" in refused[8].body  # type: ignore[attr-defined]
    assert children(web.pid) == [spare], "a refused request started or took an app process"

    page = ask(web.port, "/", cookie=cookie)
    assert page.status == 200
    policy = page.getheader("Content-Security-Policy") or ""
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert b"googleapis" not in page.body and b"https://" not in page.body  # type: ignore[attr-defined]
    assert children(web.pid) == [spare], "the page alone starts or takes no app"

    # The check can see an app handed over: the right socket gets the spare, which
    # ends with the socket, and a fresh spare takes its place.
    opened = ask(web.port, "/ws", origin=own, cookie=cookie, socket=True)
    assert opened.status == 101
    opened.connection.close()  # type: ignore[attr-defined]
    wait_until(lambda: spare not in children(web.pid), "the app ending with its socket")
    the_spare(web.pid, not_=spare)

    # Nothing printed the token again or the session at all: no access log.
    web.porch.proc.send_signal(signal.SIGTERM)
    assert web.porch.finish() == 0
    printed = "\n".join(web.porch.seen) + "".join(web.porch.stderr)
    token = link_path.removeprefix("/?token=")
    assert printed.count(token) == 1, printed
    assert cookie.split("=", 1)[1] not in printed
    assert "GET /" not in printed


@needs_chromium
def test_another_site_and_a_rebound_name_cannot_reach_the_app(start_web, browser) -> None:
    """In a real browser the attack meets several layers (SameSite keeps the cookie home,
    then Origin and Host); the raw requests above check each layer alone."""
    web = start_web()
    context = browser.new_context()
    try:
        first = the_spare(web.pid)
        owner = context.new_page()
        owner_tab = Tab(owner)
        owner.goto(web.link)  # this browser now holds the session cookie
        owner_tab.wait_for(r"Open a new room")
        owner.close()
        spare = the_spare(web.pid, not_=first)  # the tab's app ended; a new one waits

        attacker = context.new_page()
        tab = Tab(attacker)
        attack = f"""<!DOCTYPE html><title>waiting</title><script>
            const socket = new WebSocket("ws://127.0.0.1:{web.port}/ws?width=80&height=24");
            socket.onopen = () => {{ document.title = "opened"; }};
            socket.onclose = () => {{ document.title = "refused"; }};
        </script>"""
        attacker.route(
            "http://localhost:9/attack",
            lambda route: route.fulfill(status=200, content_type="text/html", body=attack),
        )
        attacker.goto("http://localhost:9/attack")
        attacker.wait_for_function("document.title !== 'waiting'", timeout=30_000)
        assert attacker.title() == "refused"
        assert tab.screen.display[0].strip() == "", "the attacker saw a screen"

        # DNS rebinding: a name the attacker controls, answering 127.0.0.1.
        rebound = context.new_page()
        answer = rebound.goto(f"http://rebound.example:{web.port}/")
        assert answer is not None and answer.status == 403
        assert "not Porch's" in rebound.inner_text("h1")
        assert children(web.pid) == [spare], "an attack started or took an app process"
    finally:
        context.close()


@needs_chromium
def test_a_used_link_and_a_second_tab_are_told_so_in_a_sentence(start_web, browser) -> None:
    web = start_web()
    mine = browser.new_context()
    other = browser.new_context()
    try:
        spare = the_spare(web.pid)
        first = mine.new_page()
        first_tab = Tab(first)
        first.goto(web.link)
        first_tab.wait_for(r"Open a new room")

        second = mine.new_page()
        answer = second.goto(web.base + "/")
        assert answer is not None and answer.status == 409
        assert "already open in another tab" in second.inner_text("h1")
        assert children(web.pid) == [spare], "a second tab must not get a second app"

        # Reloading it while the first is open gets the page (a reload is served at once)
        # but not the seat: its socket is refused, and the page says why.
        second_tab = Tab(second)
        second.reload()
        second.wait_for_selector("#restart", timeout=30_000)
        assert "already open in another tab" in second.inner_text("#closed-message")
        assert children(web.pid) == [spare], "a reloaded second tab must not get an app"
        assert len(second_tab.sockets) == 1 and second_tab.screen.display[0].strip() == ""

        stranger = other.new_page()
        answer = stranger.goto(web.link)
        assert answer is not None and answer.status == 403
        assert "used already" in stranger.inner_text("h1")

        # Once the first tab is closed, the second can take the seat.
        first.close()
        second.reload()
        second_tab.wait_for(r"Open a new room")
        wait_until(lambda: spare not in children(web.pid), "the first tab's app ending")
        assert len(children(web.pid)) == 1, "one app, behind the second tab"
    finally:
        mine.close()
        other.close()


@needs_chromium
def test_the_tab_says_so_when_porch_web_stops(start_web, context) -> None:
    web = start_web()
    page = context.new_page()
    tab = Tab(page)
    page.goto(web.link)
    tab.wait_for(r"Open a new room")
    app = children(web.pid)
    assert len(app) == 1

    web.porch.proc.send_signal(signal.SIGTERM)
    page.wait_for_selector("body.-closed", timeout=30_000)
    assert "porch web has stopped" in page.inner_text("#closed-message")
    assert web.porch.finish() == 0
    assert not Path(f"/proc/{app[0]}").exists() or children(web.pid) == []
