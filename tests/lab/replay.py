#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Record and replay a client's first WebSocket message (message 1).

  replay.py record LISTEN_ADDR LISTEN_PORT SERVER_ADDR SERVER_PORT CERT KEY OUT
      A TLS man in the middle the client trusts (the lab certificate):
      relays one connection to the server and writes to OUT the client's
      bytes up to the end of its first WebSocket frame (the upgrade
      request and message 1, masked as sent).  Prints "listening" once
      it accepts, "recorded N" once OUT is written; relays until either
      side closes.
      SERVER_ADDR "-": relays nothing, answers the upgrade with 101
      itself and closes once OUT is written (no server sees that
      message 1).
  replay.py replay SERVER_ADDR SERVER_PORT IN [pipelined]
      Sends IN to the server over a new TLS connection (the upgrade
      request, then after the 101 message 1, as a client does; with
      "pipelined", both in one write, message 1 right behind the
      request's end), prints the HTTP status, then "close CODE" for the
      server's close frame, or "frame OPCODE LEN" for a data frame (a
      server that took message 1 answers with message 2), or "eof".
"""
import base64
import hashlib
import select
import socket
import ssl
import sys


def frame_end(buf, start):
    """End offset of the WebSocket frame at buf[start:], or None."""
    if len(buf) < start + 2:
        return None
    b1 = buf[start + 1]
    n = b1 & 0x7F
    off = start + 2
    if n == 126:
        if len(buf) < off + 2:
            return None
        n = int.from_bytes(buf[off:off + 2], "big")
        off += 2
    elif n == 127:
        if len(buf) < off + 8:
            return None
        n = int.from_bytes(buf[off:off + 8], "big")
        off += 8
    if b1 & 0x80:
        off += 4
    return off + n if len(buf) >= off + n else None


def switching(req):
    """The 101 answer to an rvpn.v1 upgrade request (RFC 6455 4.2.2)."""
    key = b""
    for line in req.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    acc = base64.b64encode(hashlib.sha1(
        key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc +
            b"\r\nSec-WebSocket-Protocol: rvpn.v1\r\n\r\n")


def record(laddr, lport, saddr, sport, cert, key, out):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((laddr, int(lport)))
    ls.listen(1)
    print("listening", flush=True)
    c, _ = ls.accept()
    c = sctx.wrap_socket(c, server_side=True)
    if saddr == "-":
        seen = b""
        answered = False
        while True:
            data = c.recv(65536)
            if not data:
                return 1
            seen += data
            h = seen.find(b"\r\n\r\n")
            if h >= 0 and not answered:
                c.sendall(switching(seen[:h]))
                answered = True
            end = frame_end(seen, h + 4) if h >= 0 else None
            if end is not None:
                with open(out, "wb") as f:
                    f.write(seen[:end])
                print("recorded", end, flush=True)
                c.close()
                return 0
    s = cctx.wrap_socket(socket.create_connection((saddr, int(sport))))
    seen = b""
    done = False
    while True:
        r, _, _ = select.select([c, s], [], [], 60)
        if not r:
            return 1
        for src in r:
            dst = s if src is c else c
            try:
                data = src.recv(65536)
            except ssl.SSLWantReadError:
                continue
            if not data:
                return 0
            if src is c and not done:
                seen += data
                h = seen.find(b"\r\n\r\n")
                end = frame_end(seen, h + 4) if h >= 0 else None
                if end is not None:
                    with open(out, "wb") as f:
                        f.write(seen[:end])
                    print("recorded", end, flush=True)
                    done = True
            dst.sendall(data)


def replay(saddr, sport, inp, mode=""):
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    s = cctx.wrap_socket(socket.create_connection((saddr, int(sport)),
                                                  timeout=10))
    rec = open(inp, "rb").read()
    h = rec.index(b"\r\n\r\n") + 4
    # As a client does: the upgrade request, then (after 101) message 1;
    # or pipelined: both in one TLS record, one write.
    s.sendall(rec if mode == "pipelined" else rec[:h])
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            print("eof")
            return 0
        buf += d
    h = buf.index(b"\r\n\r\n")
    print(buf.split(b"\r\n", 1)[0].decode(errors="replace"))
    buf = buf[h + 4:]
    if mode != "pipelined":
        s.sendall(rec[len(rec[:rec.index(b"\r\n\r\n") + 4]):])
    while True:
        end = frame_end(buf, 0)
        if end is not None:
            op = buf[0] & 0x0F
            if op == 8:
                n = buf[1] & 0x7F
                body = buf[2:2 + n]
                code = int.from_bytes(body[:2], "big") if n >= 2 else 0
                print("close", code)
            else:
                print("frame", op, end)
            return 0
        try:
            d = s.recv(4096)
        except (socket.timeout, ConnectionResetError):
            d = b""
        if not d:
            print("eof")
            return 0
        buf += d


if __name__ == "__main__":
    if sys.argv[1] == "record":
        sys.exit(record(*sys.argv[2:9]))
    sys.exit(replay(*sys.argv[2:6]))
