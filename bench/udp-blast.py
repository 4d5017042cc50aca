#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# bench/udp-blast.py [-r MBIT] [-s PAYLOAD] FIRST COUNT SECONDS: UDP
# datagrams of PAYLOAD bytes (default 1200) to the discard port of COUNT
# consecutive IPv4 addresses from FIRST, round robin, for SECONDS, at
# MBIT Mbit/s in all (default: as fast as the socket takes them).  Each
# send is one UDP GSO batch of 8 datagrams to one address (the kernel
# cuts it), so the sender is cheap next to what it feeds; the order of
# the addresses is shuffled every round, so no address is always last
# in a burst.  Run on the
# server's side of a tunnel it makes the server send toward COUNT
# sessions at once (bench/run-load.sh SERVER_SIDE=...).  Prints what it
# sent when done (or on SIGTERM).
import argparse
import ipaddress
import random
import signal
import socket
import sys
import time

UDP_SEGMENT = 103
BATCH = 8

ap = argparse.ArgumentParser()
ap.add_argument("-r", type=float, default=0, help="Mbit/s in all")
ap.add_argument("-s", type=int, default=1200, help="payload bytes")
ap.add_argument("first")
ap.add_argument("count", type=int)
ap.add_argument("seconds", type=float)
a = ap.parse_args()
first = ipaddress.IPv4Address(a.first)
dsts = [(str(first + i), 9) for i in range(a.count)]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
try:
    s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, a.s)
    per = BATCH
except OSError:
    per = 1
buf = bytes(a.s * per)
sent = errs = 0
t0 = time.monotonic()


def report(*_):
    el = max(time.monotonic() - t0, 1e-3)
    print("udp-blast: %d datagrams of %d bytes to %d addresses in %.1f s "
          "(%.1f Mbit/s offered), %d sends refused" %
          (sent, a.s, a.count, el, sent * a.s * 8 / el / 1e6, errs),
          flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, report)
end = t0 + a.seconds
# Paced per group of 10 sends.
GROUP = 10
tick = a.s * per * 8 * GROUP / (a.r * 1e6) if a.r > 0 else 0
nxt = t0
while time.monotonic() < end:
    random.shuffle(dsts)
    for i, d in enumerate(dsts):
        if tick > 0 and i % GROUP == 0:
            now = time.monotonic()
            if now < nxt:
                time.sleep(nxt - now)
            nxt += tick
        try:
            s.sendto(buf, d)
            sent += per
        except OSError:
            errs += 1
report()
