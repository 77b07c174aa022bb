"""The documented nginx deployment (docs/deploy/nginx.conf), run for real on loopback.

TLS is swapped for a plain listener on 127.0.0.1, the upstream block lists the
relays given, and everything nginx could write goes to a temporary folder. Used
by the relay benchmark (through nginx to several relays) and by the deployment
tests, so both run the file an admin would install, not a copy of it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "docs/deploy/nginx.conf"
UPSTREAM = "    server 127.0.0.1:8765;\n    # server 127.0.0.1:8766;\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render_site(
    relay_ports: Sequence[int], listen_port: int, work: Path, down: Collection[int] = ()
) -> str:
    """The site file with TLS swapped for a loopback listener and one server line per relay.

    A relay whose port is in ``down`` is listed as the file says to bring a failed
    relay back: marked ``down``.
    """
    site = SITE.read_text()
    servers = "".join(
        f"    server 127.0.0.1:{port}{' down' if port in down else ''};\n" for port in relay_ports
    )
    replacements = {
        "listen 443 ssl;": f"listen 127.0.0.1:{listen_port};",
        "listen [::]:443 ssl;": "",
        UPSTREAM: servers,
        "/var/log/nginx/error.log": str(work / "site-error.log"),
    }
    for old, new in replacements.items():
        if old not in site:
            raise ValueError(f"docs/deploy/nginx.conf no longer has {old!r}")
        site = site.replace(old, new)
    return "\n".join(line for line in site.splitlines() if "ssl_certificate" not in line)


def render_main(work: Path, *, workers: int = 1) -> str:
    """nginx.conf around the site; a catch-all access log would catch what the site logs."""
    return f"""
pid {work}/nginx.pid;
error_log {work}/error.log;
worker_processes {workers};
worker_rlimit_nofile 200000;
events {{ worker_connections 65536; }}
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


@dataclass
class Nginx:
    proc: subprocess.Popen[bytes]
    port: int
    work: Path

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The master and its workers."""
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def reload(self, relay_ports: Sequence[int], *, down: Collection[int] = ()) -> None:
        """A new upstream list, as an admin applies it: rewrite the site file, `nginx -s reload`."""
        (self.work / "porch.conf").write_text(render_site(relay_ports, self.port, self.work, down))
        self.proc.send_signal(signal.SIGHUP)

    def logs(self) -> dict[str, str]:
        return {p.name: p.read_text(errors="replace") for p in self.work.glob("*.log")}


def available() -> bool:
    return shutil.which("nginx") is not None


@contextmanager
def running(
    relay_ports: Sequence[int], *, workers: int = 1, cores: set[int] | None = None
) -> Iterator[Nginx]:
    """nginx in front of ``relay_ports``, in the foreground, stopped and cleaned up after."""
    with tempfile.TemporaryDirectory(prefix="porch-nginx-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        port = free_port()
        (work / "porch.conf").write_text(render_site(relay_ports, port, work))
        (work / "nginx.conf").write_text(render_main(work, workers=workers))
        proc = subprocess.Popen(
            ["nginx", "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        out = proc.stdout.read().decode() if proc.stdout else ""
                        raise RuntimeError(f"nginx did not start: {out}") from None
                    time.sleep(0.05)
            yield Nginx(proc, port, work)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # fast shutdown: open sockets are cut
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
            if proc.stdout:
                proc.stdout.close()
