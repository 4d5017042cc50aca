#!/usr/bin/env python3
# bulk.py sink ADDR PORT OUT: take one TCP connection (30 s at most),
#   read to EOF, write "<bytes> <sha256>" to OUT.
# bulk.py send ADDR PORT FILE: send FILE whole, then wait for the close.
import hashlib
import socket
import sys

mode, addr, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
if mode == "sink":
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(30)
    c, _ = ls.accept()
    c.settimeout(30)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.close()
    with open(path, "w") as f:
        f.write("%d %s\n" % (n, h.hexdigest()))
else:
    s = socket.create_connection((addr, port), timeout=30)
    with open(path, "rb") as f:
        s.sendall(f.read())
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
