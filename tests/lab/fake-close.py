#!/usr/bin/env python3
# A fake rvpn server for tests/lab/forged-close.sh: it accepts the
# WebSocket upgrade with subprotocol rvpn.v1, waits for the client's
# first message, and answers with a bare close frame carrying CODE (what
# anyone on the path can send).  Each connection appends a line to LOG.
# usage: fake-close.py ADDR PORT CODE LOG [CERT KEY]
import base64, hashlib, socket, ssl, sys

addr, port, code, logf = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = None
if len(sys.argv) > 6:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[5], sys.argv[6])
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(8)
print("listening", flush=True)
while True:
    c, _ = srv.accept()
    try:
        c.settimeout(5)
        if ctx is not None:
            c = ctx.wrap_socket(c, server_side=True)
        req = b""
        while b"\r\n\r\n" not in req and len(req) < 16384:
            d = c.recv(4096)
            if not d:
                break
            req += d
        key = None
        for line in req.decode("latin-1").split("\r\n"):
            if line.lower().startswith("sec-websocket-key:"):
                key = line.split(":", 1)[1].strip()
        if key is None:
            c.close()
            continue
        acc = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                   "Sec-WebSocket-Protocol: rvpn.v1\r\n\r\n" % acc).encode())
        try:
            c.recv(4096)	# HANDSHAKE_INIT
        except Exception:
            pass
        c.sendall(bytes([0x88, 2, code >> 8, code & 0xff]))
        with open(logf, "a") as f:
            f.write("close %d\n" % code)
        try:
            c.recv(4096)
        except Exception:
            pass
        c.close()
    except Exception as e:
        with open(logf, "a") as f:
            f.write("error %s\n" % e)
        try:
            c.close()
        except Exception:
            pass
