"""What the relay sees: everything it received and printed holds no text, names or keys."""

from __future__ import annotations

import base64

from protocol import commands as cmd
from protocol import events as ev
from protocol.endpoint import Endpoint
from tests.conftest import RelayProcess
from tests.e2e.conftest import Person, RecordingProxy, Room

AGREEMENTS = "Canary agreement: what is said in the garden stays in the garden."
TEXTS = ("canary message about the blue heron", "canary reply with lentil soup recipe")


def secrets_of(person: Person) -> dict[str, bytes]:
    ep = person.endpoint
    found = {
        f"{ep.nick} identity seed": bytes(ep.identity),
        f"{ep.nick} identity key": bytes(ep.identity.verify_key),
        f"{ep.nick} exchange secret": ep.pairs.exchange._secret,
        f"{ep.nick} exchange key": ep.pairs.public,
    }
    if ep.pairs.next is not None:  # announced in every keys frame, for the next epoch
        found[f"{ep.nick} next exchange key"] = ep.pairs.next.public
        found[f"{ep.nick} next exchange secret"] = ep.pairs.next._secret
    if ep.sender.chain is not None:
        found[f"{ep.nick} chain key"] = ep.sender.chain._chain_key
    for slot, chain in ep.receiver.chains.items():
        if chain._chain_key:
            found[f"{ep.nick} holds chain {slot}"] = chain._chain_key
    return found


def forms(value: bytes) -> list[bytes]:
    """A secret as bytes, hex and base64, so no encoding slips past."""
    return [
        value,
        value.hex().encode(),
        base64.b64encode(value).rstrip(b"="),
        base64.urlsafe_b64encode(value).rstrip(b"="),
    ]


async def test_the_relay_receives_and_prints_nothing_it_could_read(
    relay: RelayProcess, proxy: RecordingProxy, room: Room
) -> None:
    ana = await room.host(proxy.url, "anastasia-canary", AGREEMENTS)
    bo = await room.join(ana, "bonaventura-canary")
    cy = await room.join(ana, "cyprienne-canary", admitter=bo)
    bo.client.send(cmd.Say(TEXTS[0]))
    cy.client.send(cmd.Say(TEXTS[1]))
    ana.client.send(cmd.React("🌿"))
    for person in (ana, bo, cy):
        await person.expect(ev.Said, lambda s: s.text == TEXTS[1])
    keys = {}
    for person in (ana, bo, cy):
        keys.update(secrets_of(person))
    invite = ana.endpoint.invite_info
    canaries: dict[str, list[bytes]] = {
        "agreements": [AGREEMENTS.encode(), b"garden"],
        "invite secret": forms(invite.secret),
        "invite fragment": [ana.endpoint.invite.split("#", 1)[1].encode()],
        "join key": forms(invite.join_key),
        **{f"text {i}": [t.encode(), t.split()[-1].encode()] for i, t in enumerate(TEXTS)},
        **{p.endpoint.nick: [p.endpoint.nick.encode()] for p in (ana, bo, cy)},
        **{name: forms(value) for name, value in keys.items()},
        "reaction": ["🌿".encode()],
    }
    await room.close()
    received = proxy.upstream_payloads() + bytes(proxy.downstream)
    printed = bytes(relay.output)
    assert len(received) > 3000  # the recording saw the whole session
    assert b"\x82\xa1t\xa3pub" in proxy.upstream_payloads()  # and unmasked what clients sent
    assert TEXTS[0].encode() not in received
    for name, values in canaries.items():
        for value in values:
            assert value not in received, f"the relay received the {name}"
            assert value not in printed, f"the relay printed the {name}"
    assert b"/v1/rooms/" + invite.room_id.encode() in received  # all it may know: the room id


async def test_the_invite_secret_never_leaves_in_the_handshake(
    proxy: RecordingProxy, room: Room
) -> None:
    ep = Endpoint.joining(Endpoint.host(proxy.url, "ana", "x").invite, "bo")
    person = room.start(ep)
    await person.expect(ev.Connected)
    head = proxy.upstream_payloads().split(b"\r\n\r\n", 1)[0]
    assert head.startswith(b"GET /v1/rooms/" + ep.room_id.encode() + b" HTTP/1.1")
    assert b"#" not in head and ep.invite_info.secret.hex().encode() not in head
    assert b"porch1." not in head
