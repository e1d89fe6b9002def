"""The loopback guard of the browser tests: the sink must catch what it is meant to catch."""

from __future__ import annotations

import socket

from _browser import SinkProxy, chromium_args


def send_line(port: int, line: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(line.encode() + b"\r\n\r\n")
        return sock.recv(200)


def test_sink_counts_proxied_requests_only():
    sink = SinkProxy()
    try:
        connect_reply = send_line(sink.port, "CONNECT accounts.google.com:443 HTTP/1.1")
        send_line(sink.port, "GET http://clients2.google.com/time/1/current HTTP/1.1")
        send_line(sink.port, "POST /cus?cup2key=1 HTTP/1.1")
    finally:
        sink.close()
    assert connect_reply.startswith(b"HTTP/1.1 403")
    assert len(sink.requests) == 3
    assert sink.proxied_requests() == [
        "CONNECT accounts.google.com:443 HTTP/1.1",
        "GET http://clients2.google.com/time/1/current HTTP/1.1",
    ]


def test_chromium_args_point_every_channel_at_sink():
    args = chromium_args(4321)
    assert "--proxy-server=http://127.0.0.1:4321" in args
    assert "--gaia-url=http://localhost:4321/" in args
    assert "--component-updater=url-source=http://127.0.0.1:4321/cus" in args
    assert "--disable-background-networking" in args
