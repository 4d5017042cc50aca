#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A WAN between two interfaces, for the lab (the kernel here has no
sch_netem): an Ethernet bridge over AF_PACKET that holds each frame for
DELAY ms (one way, order kept) and drops LOSS percent of them at random,
both ways.  Runs in its own namespace until killed; prints counters to
stderr every 10 s and at SIGTERM.

    wan.py IF1 IF2 DELAY_MS LOSS_PCT [SEED]

Frames must fit the MTU: turn GRO/GSO/TSO and TX checksum offload off on
the links (the test does, with ethtool), or the bridge sees super-frames
and partial checksums.
"""
import heapq
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003


def main():
    if1, if2 = sys.argv[1], sys.argv[2]
    delay = float(sys.argv[3]) / 1000.0
    loss = float(sys.argv[4]) / 100.0
    rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    socks = {}
    for name in (if1, if2):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setblocking(False)
        socks[name] = s
    other = {socks[if1]: socks[if2], socks[if2]: socks[if1]}
    queue = []		# (due, seq, out socket, frame)
    seq = 0
    stats = {"in": 0, "dropped": 0, "out": 0, "max_queue": 0}
    stop = []

    def report(*_):
        print("wan: %s" % " ".join("%s %d" % kv for kv in stats.items()),
              file=sys.stderr, flush=True)

    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    last = time.monotonic()
    poller = select.poll()
    for s in socks.values():
        poller.register(s, select.POLLIN)
    while not stop:
        now = time.monotonic()
        timeout = 100
        if queue:
            timeout = max(0, int((queue[0][0] - now) * 1000) + 1)
        try:
            ready = poller.poll(min(timeout, 100))
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd, _ in ready:
            s = socks[if1] if fd == socks[if1].fileno() else socks[if2]
            for _ in range(256):
                try:
                    frame, addr = s.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == socket.PACKET_OUTGOING:
                    continue	# our own sends
                stats["in"] += 1
                if rnd.random() < loss:
                    stats["dropped"] += 1
                    continue
                seq += 1
                heapq.heappush(queue, (now + delay, seq, other[s], frame))
        stats["max_queue"] = max(stats["max_queue"], len(queue))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
                stats["out"] += 1
            except OSError:
                stats["dropped"] += 1
        if now - last >= 10:
            report()
            last = now
    report()


if __name__ == "__main__":
    main()
