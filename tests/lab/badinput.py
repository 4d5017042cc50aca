#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Run one line of tests/data/bad-input.txt against a running server.

Prints what happened, in the catalog's words:
  closed        the server closed the connection (EOF, reset, TLS alert)
  open          nothing happened within the wait
  http:NNN      an HTTP status line
  close:NNNN    a WebSocket close code (rvpn-load: a session's close code)
  up            (rvpn-load) the session stayed up
  reply         the control socket answered (and the server lives on)
  socks:HEX     (socks) the listener answered HEX and closed ("socks:"
                when it closed at once); socks:HEX+open: answered HEX and
                kept the connection open

Kinds (the line's second field):
  tcp HEX   bytes on a bare TCP connection
  tls HEX   bytes after the TLS handshake
  http TXT  an HTTP request after TLS (\\r \\n \\t and \\xNN escapes)
  ws HEX    a raw WebSocket frame after the rvpn.v1 upgrade
  hs|raw|text|rec|pkt HEX   through bench/rvpn-load --inject
  ctl HEX   bytes to the control socket
  socks HEX bytes to rvpn-client's SOCKS5 listener (127.0.0.1:--socks)
  stream MSG,...  stream messages, each sealed in a STREAM record of a
            relay session (bench/rvpn-load --relay --inject stream:, see
            there for MSG: HEX[+N zero bytes][*K times])
"""
import argparse
import base64
import json
import os
import socket
import ssl
import subprocess
import sys
import time


def unescape(s):
    return s.encode().decode("unicode_escape").encode("latin-1")


def tls_connect(a):
    s = socket.create_connection((a.host, a.port), timeout=a.wait)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx.wrap_socket(s, server_hostname=a.host)


def read_outcome(s, wait):
    """The first thing the server does: data or a close."""
    s.settimeout(wait)
    buf = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            buf += d
            if buf.startswith(b"HTTP/") and b"\r\n" in buf:
                break
            if len(buf) >= 2 and buf[0] & 0x0F == 8:
                n = buf[1] & 0x7F
                if len(buf) >= 2 + n:
                    break
    except socket.timeout:
        if not buf:
            return "open"
    except (OSError, ssl.SSLError):
        pass
    if buf.startswith(b"HTTP/"):
        return "http:" + buf.split(b" ", 2)[1].decode()
    if len(buf) >= 4 and buf[0] & 0x0F == 8:
        return "close:%d" % (buf[2] << 8 | buf[3])
    if len(buf) >= 2 and buf[0] & 0x0F == 8:
        return "close:none"
    return "closed"


def upgrade(a, t):
    key = base64.b64encode(os.urandom(16)).decode()
    t.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Protocol: rvpn.v1\r\n\r\n" %
               (a.path, a.host, key)).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = t.recv(4096)
        if not d:
            raise ConnectionError("closed during upgrade")
        buf += d
    if not buf.startswith(b"HTTP/1.1 101"):
        raise ConnectionError("no 101")


def run(a, kind, payload):
    if kind == "tcp":
        s = socket.create_connection((a.host, a.port), timeout=a.wait)
        s.sendall(bytes.fromhex(payload))
        return read_outcome(s, a.wait)
    if kind in ("tls", "http", "ws"):
        t = tls_connect(a)
        if kind == "ws":
            upgrade(a, t)
        t.sendall(unescape(payload) if kind == "http"
                  else bytes.fromhex(payload))
        return read_outcome(t, a.wait)
    if kind == "ctl":
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.connect(a.control)
        u.sendall(bytes.fromhex(payload))
        u.settimeout(a.wait)
        try:
            d = u.recv(4096)
        except socket.timeout:
            return "open"
        except OSError:
            return "closed"
        return "reply" if d else "closed"
    if kind == "socks":
        s = socket.create_connection(("127.0.0.1", a.socks), timeout=a.wait)
        s.sendall(bytes.fromhex(payload))
        s.settimeout(a.wait)
        buf = b""
        try:
            while True:
                d = s.recv(4096)
                if not d:
                    return "socks:" + buf.hex()
                buf += d
        except socket.timeout:
            return "socks:" + buf.hex() + "+open"
        except OSError:
            return "socks:" + buf.hex()
    if kind in ("hs", "raw", "text", "rec", "pkt", "stream"):
        relay = ["--relay"] if kind == "stream" else []
        out = subprocess.run(
            [a.load, "--server", a.url, "--server-key", a.key, "--ca", a.ca,
             "--sessions", "1", "--duration", str(int(a.wait)), "--json",
             "--inject", "%s:%s" % (kind, payload)] + relay,
            capture_output=True, text=True, timeout=a.wait + 10)
        if out.returncode != 0:
            return "error:" + out.stderr.strip()
        r = json.loads(out.stdout)
        if r["up_at_end"] == 1:
            return "up"
        if r["failures"]:
            c = r["failures"][0]["code"]
            return "closed" if c in (0, -1) else "close:%d" % c
        return "unknown"
    return "error:unknown kind " + kind


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=443)
    p.add_argument("--path", default="/api/v1/ws/tun")
    p.add_argument("--url")
    p.add_argument("--key")
    p.add_argument("--ca")
    p.add_argument("--load")
    p.add_argument("--control")
    p.add_argument("--socks", type=int, default=1080)
    p.add_argument("--wait", type=float, default=3)
    p.add_argument("kind")
    p.add_argument("payload")
    a = p.parse_args()
    try:
        print(run(a, a.kind, a.payload))
    except (OSError, ssl.SSLError, ConnectionError) as e:
        print("closed" if a.kind in ("tcp", "tls") else "error:%s" % e)


if __name__ == "__main__":
    main()
