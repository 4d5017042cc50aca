#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A TLS man in the middle that fragments a client's WebSocket messages.

  wsfrag.py LISTEN_ADDR LISTEN_PORT SERVER_ADDR SERVER_PORT CERT KEY CTL

Accepts connections (one process each) with the lab certificate and
relays them to the server.  After the upgrade, every complete binary or
text message the client sends goes to the server as three fragments
(the first with the message's opcode, then two continuations; fresh
masks); control frames pass as they are.  The server's bytes pass
untouched.
When the file CTL appears holding a number N, it is removed and a binary
message of N bytes (0x03, a DATA record's type, then random bytes) is
sent to the server on the live connection, in three fragments
("injected N").  Prints "listening" once it listens, "fragmented N"
every 10 messages fragmented.
"""
import os
import select
import socket
import ssl
import struct
import sys


def xor(p, m):
    k = (m * (len(p) // 4 + 1))[:len(p)]
    return (int.from_bytes(p, "big") ^ int.from_bytes(k, "big")).to_bytes(
        len(p), "big")


def parse(buf):
    """(fin, opcode, payload, length) of the frame at buf[0:], or None."""
    if len(buf) < 2:
        return None
    n = buf[1] & 0x7F
    off = 2
    if n == 126:
        if len(buf) < 4:
            return None
        n = struct.unpack(">H", buf[2:4])[0]
        off = 4
    elif n == 127:
        if len(buf) < 10:
            return None
        n = struct.unpack(">Q", buf[2:10])[0]
        off = 10
    mask = None
    if buf[1] & 0x80:
        if len(buf) < off + 4:
            return None
        mask = buf[off:off + 4]
        off += 4
    if len(buf) < off + n:
        return None
    p = buf[off:off + n]
    if mask is not None:
        p = xor(p, mask)
    return bool(buf[0] & 0x80), buf[0] & 0x0F, p, off + n


def frame(fin, op, p):
    """A masked client frame."""
    mask = os.urandom(4)
    n = len(p)
    h = bytes([(0x80 if fin else 0) | op])
    if n < 126:
        h += bytes([0x80 | n])
    elif n < 65536:
        h += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        h += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return h + mask + xor(p, mask)


def fragments(op, p):
    a, b = len(p) // 3, 2 * len(p) // 3
    return (frame(False, op, p[:a]) + frame(False, 0, p[a:b]) +
            frame(True, 0, p[b:]))


def relay(c, saddr, sport, ctl):
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    s = cctx.wrap_socket(socket.create_connection((saddr, int(sport))))
    cbuf = b""
    cup = False		# past the upgrade request
    nfrag = 0
    while True:
        r, _, _ = select.select([c, s], [], [], 0.1)
        if os.path.exists(ctl):
            try:
                n = int(open(ctl).read())
                os.unlink(ctl)
            except (OSError, ValueError):
                n = None
            if n is not None:
                s.sendall(fragments(2, b"\x03" + os.urandom(n - 1)))
                print("injected", n, flush=True)
        for src in r:
            try:
                data = src.recv(65536)
            except ssl.SSLWantReadError:
                continue
            except OSError:
                data = b""
            if not data:
                return 0
            if src is s:
                c.sendall(data)
                continue
            cbuf += data
            if not cup:
                h = cbuf.find(b"\r\n\r\n")
                if h < 0:
                    continue
                s.sendall(cbuf[:h + 4])
                cbuf, cup = cbuf[h + 4:], True
            out = b""
            while True:
                f = parse(cbuf)
                if f is None:
                    break
                fin, op, p, n = f
                if fin and op in (1, 2):
                    out += fragments(op, p)
                    nfrag += 1
                    if nfrag % 10 == 0:
                        print("fragmented", nfrag, flush=True)
                else:
                    out += cbuf[:n]
                cbuf = cbuf[n:]
            if out:
                s.sendall(out)


def main(laddr, lport, saddr, sport, cert, key, ctl):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((laddr, int(lport)))
    ls.listen(8)
    print("listening", flush=True)
    while True:
        c, _ = ls.accept()
        if os.fork() == 0:
            ls.close()
            try:
                c = sctx.wrap_socket(c, server_side=True)
                sys.exit(relay(c, saddr, sport, ctl))
            except (OSError, ssl.SSLError) as e:
                print("error", e, flush=True)
                sys.exit(1)
        c.close()
        while True:		# reap finished children
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:8]))
