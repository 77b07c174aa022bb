"""The documented nginx deployment, for real: TLS aside, docs/deploy/nginx.conf proxies
rooms and /healthz to a relay, keeps no access log, and the per-address limit counts the
address nginx forwards rather than nginx's own."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest
from relay_peers import closed_with, new_room_id
from websockets.asyncio.client import connect

from protocol import wire

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render(relay_port: int, listen_port: int, work: Path) -> str:
    """The deployment file with TLS swapped for a plain loopback listener."""
    site = (REPO / "docs/deploy/nginx.conf").read_text()
    replacements = {
        "listen 443 ssl;": f"listen 127.0.0.1:{listen_port};",
        "listen [::]:443 ssl;": "",
        "server 127.0.0.1:8765;": f"server 127.0.0.1:{relay_port};",
        "/var/log/nginx/error.log": str(work / "site-error.log"),
    }
    for old, new in replacements.items():
        assert old in site, f"docs/deploy/nginx.conf no longer has {old!r}"
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "ssl_certificate" not in line)
    (work / "porch.conf").write_text(site)
    # A catch-all access log at the http level: if the site did not turn it off,
    # request lines (with room ids) would land here.
    return f"""
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {work}/access.log;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {work}/porch.conf;
}}
"""


@pytest.fixture
def proxied(start_relay):
    relay = start_relay("--behind-proxy", "--per-ip", "2")
    with tempfile.TemporaryDirectory(prefix="porch-nginx-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        port = free_port()
        (work / "nginx.conf").write_text(render(relay.port, port, work))
        proc = subprocess.Popen(
            ["nginx", "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        pytest.fail(f"nginx did not start: {proc.stdout.read().decode()}")
                    subprocess.run(["sleep", "0.05"])
            yield relay, f"ws://127.0.0.1:{port}", work
        finally:
            proc.terminate()
            proc.wait(10)


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
