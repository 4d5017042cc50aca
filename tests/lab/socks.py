#!/usr/bin/env python3
# tests/lab/socks.py: a SOCKS5 client for the relay lab test.
#   socks.py PROXYPORT reply HOST PORT     print the CONNECT reply code
#   socks.py PROXYPORT stall HOST PORT PATH   GET PATH, then read nothing
#       (prints "stalled" once the request is out; exits when killed or
#       after 120 s)
#   socks.py PROXYPORT hold HOST PORT   open, print "open", then wait for
#       the connection to end: prints "reset" (RST) or "eof" (FIN)
#   socks.py PROXYPORT raw HEX             send HEX bytes, print the
#       reply bytes in hex (bad-input cases)
#   socks.py PROXYPORT idle HEX            send HEX bytes (maybe none),
#       then wait for the listener to close: "closed", or "open" after 30 s
# HOST is an IPv4 or IPv6 literal, else sent as a name (ATYP 3).
import ipaddress
import socket
import sys
import time


def connect(pport):
    s = socket.create_connection(("127.0.0.1", pport), timeout=20)
    return s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            break
        b += c
    return b


def request(s, host, port):
    s.sendall(b"\x05\x01\x00")
    if recv_exact(s, 2) != b"\x05\x00":
        return None
    try:
        a = ipaddress.ip_address(host)
        atyp = b"\x01" if a.version == 4 else b"\x04"
        addr = atyp + a.packed
    except ValueError:
        addr = b"\x03" + bytes([len(host)]) + host.encode()
    s.sendall(b"\x05\x01\x00" + addr + port.to_bytes(2, "big"))
    r = recv_exact(s, 10)
    if len(r) < 2:
        return None
    return r[1]


def main():
    pport = int(sys.argv[1])
    mode = sys.argv[2]
    if mode == "raw":
        s = connect(pport)
        s.sendall(bytes.fromhex(sys.argv[3]))
        s.settimeout(5)
        out = b""
        try:
            while True:
                c = s.recv(64)
                if not c:
                    break
                out += c
        except socket.timeout:
            out += b"TIMEOUT"
        print(out.hex() if not out.endswith(b"TIMEOUT") else
              out[:-7].hex() + " timeout")
        return 0
    if mode == "idle":
        s = connect(pport)
        s.sendall(bytes.fromhex(sys.argv[3]))
        s.settimeout(30)
        try:
            while s.recv(64):
                pass
        except socket.timeout:
            print("open")
            return 0
        except ConnectionResetError:
            pass
        print("closed")
        return 0
    host, port = sys.argv[3], int(sys.argv[4])
    s = connect(pport)
    if mode == "reply":
        r = request(s, host, port)
        print("none" if r is None else r)
        return 0
    if mode == "hold":
        if request(s, host, port) != 0:
            print("refused")
            return 1
        print("open", flush=True)
        s.settimeout(120)
        try:
            b = s.recv(1)
            print("eof" if not b else "data", flush=True)
        except ConnectionResetError:
            print("reset", flush=True)
        return 0
    if mode == "stall":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        if request(s, host, port) != 0:
            print("refused")
            return 1
        s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" %
                   (sys.argv[5], host)).encode())
        print("stalled", flush=True)
        time.sleep(120)
        return 0
    return 2


sys.exit(main())
