"""A relay that stays gone: after trying, the person is told so, and what was not sent.

Before, giving up read like a mistyped address ("Cannot reach the relay… Check the
address"), and lines typed while coming back vanished without a word.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from protocol import commands as cmd
from protocol import events as ev
from protocol.events import Ending, Note
from tests.conftest import RelayProcess
from tests.e2e.conftest import Room
from tui import client
from tui.sentences import sentence


async def test_a_relay_gone_for_good_is_said_with_what_was_not_sent(
    start_relay: Callable[..., RelayProcess], room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "RETRY_DELAYS", (0.2, 0.4, 0.4))  # not two minutes, here
    relay = start_relay("--per-ip", "1000")
    ana = await room.host(relay.url, "ana")
    bo = await room.join(ana, "bo")
    await bo.expect(ev.RosterChanged, lambda r: len(r.seats) == 2)

    relay.stop()
    await bo.expect(ev.Reconnecting)
    bo.client.send(cmd.Say("are you still there?"))
    bo.client.send(cmd.Say("hello?"))
    await bo.expect(ev.Notice, lambda n: n.note is Note.QUEUED)

    closed = await bo.expect(ev.Closed)
    assert (closed.ending, closed.unsent) == (Ending.LOST, 2)
    said = sentence(closed) or ""
    assert said.startswith(f"The relay at {relay.url} stopped answering, and Porch could not")
    assert "The 2 things you typed meanwhile were not sent." in said
    assert said.endswith("Once the relay is back, join again with the invite.")
    assert "Check the address" not in said  # the address was right: it worked until now
