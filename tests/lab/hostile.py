#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Hostile connections for the pre-authentication tests.

Opens COUNT connections to the server, one after the other, each
brought to a phase and left there (or dripped a byte at a time), then
watches them until every one is closed by the server or HOLD seconds
have passed.  Prints one JSON object:

  opened     connections that reached the phase
  refused    connections closed before reaching it (accept refusals)
  closed     reached the phase, then closed by the server within HOLD
  open       still open at the end
  max_close  seconds from reaching the phase to the latest close seen

Phases (--mode):
  tcp      TCP connected, nothing sent
  tls      a partial TLS ClientHello (record header and a few bytes)
  http     TLS done, then an HTTP request line and a header byte a second
  upgrade  TLS done, WebSocket upgrade to rvpn.v1 answered 101, then nothing
  msg1     upgraded, then a binary frame header for 1121 bytes and one
           payload byte a second
  keepalive  TLS done, then a whole HTTP/1.1 request (answered 404) every
           second on the same connection, never an upgrade
"""
import argparse
import base64
import json
import os
import select
import socket
import ssl
import sys
import time


def connect(a):
    """TCP to --host (an IPv4 or IPv6 address or a name)."""
    ai = socket.getaddrinfo(a.host, a.port, type=socket.SOCK_STREAM)[0]
    s = socket.socket(ai[0], socket.SOCK_STREAM)
    if a.bind:
        s.bind((a.bind, 0))
    s.settimeout(a.timeout)
    s.connect(ai[4])
    return s


def host_header(a):
    return "[%s]" % a.host if ":" in a.host else a.host


def tls(a, s):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["http/1.1"])
    t = ctx.wrap_socket(s, server_hostname=a.host)
    return t


def upgrade(a, t):
    key = base64.b64encode(os.urandom(16)).decode()
    req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: rvpn.v1\r\n" % (a.path, host_header(a), key))
    if a.xff:
        req += "X-Forwarded-For: %s\r\n" % a.xff
    t.sendall((req + "\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = t.recv(4096)
        if not d:
            raise ConnectionError("closed during upgrade")
        buf += d
    if not buf.startswith(b"HTTP/1.1 101"):
        raise ConnectionError("no 101: %r" % buf[:40])


def open_one(a):
    """A socket at the phase, or None when the server refused it."""
    s = connect(a)
    try:
        if a.mode == "tcp":
            return s
        if a.mode == "tls":
            # TLS record header: handshake, TLS 1.0, length 512; then
            # the ClientHello type and a partial length.
            s.sendall(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]))
            return s
        t = tls(a, s)
        if a.mode == "http":
            t.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n" %
                       (a.path, a.host)).encode())
            return t
        if a.mode == "keepalive":
            drip(a, t)
            return t
        upgrade(a, t)
        if a.mode == "msg1":
            # FIN + binary; masked, 16-bit length 1121; mask key.
            t.sendall(bytes([0x82, 0xFE, 0x04, 0x61, 1, 2, 3, 4]))
        return t
    except (OSError, ConnectionError, ssl.SSLError) as e:
        if a.verbose:
            print("refused: %s" % e, file=sys.stderr)
        s.close()
        return None


def drip(a, s):
    if a.mode == "http":
        s.sendall(b"X")
    elif a.mode == "msg1":
        s.sendall(b"\x00")
    elif a.mode == "keepalive":
        s.sendall(("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" %
                   a.host).encode())


def closed(s):
    """True if the peer closed (EOF, reset or a TLS alert); reads
    and drops what came (keep-alive answers)."""
    try:
        if isinstance(s, ssl.SSLSocket):
            s.setblocking(False)
            d = s.recv(4096)
            while d and s.pending():
                d = s.recv(4096)
        else:
            d = s.recv(4096, socket.MSG_DONTWAIT)
        return len(d) == 0
    except (ssl.SSLWantReadError, BlockingIOError):
        return False
    except (OSError, ssl.SSLError):
        return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=443)
    p.add_argument("--bind")
    p.add_argument("--path", default="/api/v1/ws/tun")
    p.add_argument("--xff")
    p.add_argument("--mode", required=True,
                   choices=["tcp", "tls", "http", "upgrade", "msg1",
                            "keepalive"])
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--hold", type=float, default=30)
    p.add_argument("--timeout", type=float, default=5)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--ready", help="create this file once all are opened")
    p.add_argument("--keep", action="store_true",
                   help="keep the connections until SIGTERM")
    a = p.parse_args()

    conns = []	# [socket, time reached]
    refused = 0
    for _ in range(a.count):
        s = open_one(a)
        if s is None:
            refused += 1
        else:
            conns.append([s, time.monotonic()])
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%d %d\n" % (len(conns), refused))
    opened = len(conns)
    nclosed = 0
    max_close = 0.0
    end = time.monotonic() + a.hold
    next_drip = time.monotonic() + 1
    while conns and (a.keep or time.monotonic() < end):
        fds = [c[0] for c in conns]
        r, _, _ = select.select(fds, [], [], 0.2)
        now = time.monotonic()
        for s in r:
            if closed(s):
                for c in conns:
                    if c[0] is s:
                        max_close = max(max_close, now - c[1])
                        conns.remove(c)
                        break
                s.close()
                nclosed += 1
        if now >= next_drip:
            next_drip = now + 1
            for c in list(conns):
                try:
                    drip(a, c[0])
                except (OSError, ssl.SSLError):
                    pass
    json.dump({"opened": opened, "refused": refused, "closed": nclosed,
               "open": len(conns), "max_close": round(max_close, 2)},
              sys.stdout)
    print()
    for c in conns:
        c[0].close()


if __name__ == "__main__":
    main()
