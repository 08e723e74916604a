#!/usr/bin/python3
"""Transparent layer-2 forwarder that delays every frame by a fixed time.

The lab kernel has no netem qdisc, so the WAN delay between router and server
comes from here: frames read on one interface (AF_PACKET) are written to the
other after DELAY_MS milliseconds, in order.  Usage: delayfwd.py IF_A IF_B DELAY_MS
"""
import heapq
import itertools
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def open_raw(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.setblocking(False)
    return s


def main():
    if_a, if_b, delay_ms = sys.argv[1], sys.argv[2], float(sys.argv[3])
    delay = delay_ms / 1000.0
    sock_a, sock_b = open_raw(if_a), open_raw(if_b)
    other = {sock_a: sock_b, sock_b: sock_a}
    pending = []          # (due time, order, out socket, frame)
    order = itertools.count()
    while True:
        timeout = None
        if pending:
            timeout = max(0.0, pending[0][0] - time.monotonic())
        readable, _, _ = select.select([sock_a, sock_b], [], [], timeout)
        now = time.monotonic()
        for s in readable:
            while True:
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:   # our own transmissions
                    continue
                heapq.heappush(pending, (now + delay, next(order), other[s], frame))
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, out, frame = heapq.heappop(pending)
            try:
                out.send(frame)
            except OSError:
                pass


if __name__ == "__main__":
    main()
