"""The documented nginx deployment, for real: TLS aside, docs/deploy/nginx.conf proxies
rooms and /healthz to a relay, keeps no access log, and the per-address limit counts the
address nginx forwards rather than nginx's own."""

from __future__ import annotations

import asyncio
import urllib.request

import pytest
from relay_peers import closed_with, new_room_id
from websockets.asyncio.client import connect

from bench import nginx
from protocol import wire

pytestmark = pytest.mark.skipif(not nginx.available(), reason="nginx is not installed")


@pytest.fixture
def proxied(start_relay):
    relay = start_relay("--behind-proxy", "--per-ip", "2")
    with nginx.running([relay.port]) as proxy:
        yield relay, proxy.url, proxy.work


async def welcomed(url: str, source: str = "127.0.0.1", **kw) -> object:
    conn = await connect(url, open_timeout=5, local_addr=(source, 0), **kw)
    return conn, wire.decode_server(await asyncio.wait_for(conn.recv(), 5))


async def test_rooms_and_healthz_pass_through_nginx_with_no_access_log(proxied):
    _, base, work = proxied
    room = new_room_id()
    url = f"{base}/v1/rooms/{room}"
    (a, wa), (b, wb) = await welcomed(url), await welcomed(url)
    assert isinstance(wa, wire.Welcome) and isinstance(wb, wire.Welcome)
    await a.send(wire.encode_pub(b"through the proxy"))
    for _ in range(5):
        frame = wire.decode_server(await asyncio.wait_for(b.recv(), 5))
        if isinstance(frame, wire.Msg):
            break
    assert frame.d == b"through the proxy"
    health = urllib.request.urlopen(base.replace("ws", "http") + "/healthz", timeout=5).read()
    assert health.startswith(b"ok\n")
    await a.close()
    await b.close()
    access = work / "access.log"
    assert not access.exists() or access.read_text() == ""
    for log in work.glob("*.log"):
        assert room not in log.read_text()


async def test_the_per_address_limit_counts_the_forwarded_address(proxied):
    _, base, _ = proxied
    room = f"{base}/v1/rooms/{new_room_id()}"
    held = [await welcomed(room) for _ in range(2)]
    assert all(isinstance(w, wire.Welcome) for _, w in held)
    # A third from the same address is refused, even when it claims another address.
    third, err = await welcomed(room, additional_headers={"X-Forwarded-For": "203.0.113.9"})
    assert isinstance(err, wire.Err) and err.code == "server_full"
    assert await closed_with(third) == 4004
    # Another loopback address is another person: welcome.
    other, welcome = await welcomed(room, source="127.0.0.2")
    assert isinstance(welcome, wire.Welcome)
    for conn, _ in [*held, (other, None)]:
        await conn.close()
