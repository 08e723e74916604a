#!/usr/bin/python3
"""A point-to-point IP link between two namespaces through tun devices, with an
on-path device on it (started in NS_A by run.py).

    tunrelay.py NS_B LOG READY SPEC

Opens tun0 in its own namespace, then tun0 in NS_B (the file descriptors stay
valid across setns), and relays IP packets between them: a link without any
link-layer header, so captures on tun0 are raw IP (LINKTYPE_RAW), like a VPN
or a PPP link.  SPEC (JSON) may ask it to forge: {"inject": {"port": P,
"ttl": T}} sends, on the first client segment to port P that carries
"GET ", a bare RST in the server's name at the client's RCV.NXT with TTL T,
and logs it (forger.py's log format) before relaying the request on.
{"reorder": {"port": P}} holds back the first data segment from port P
towards the client and delivers it after the next segment: out-of-order
arrival, as on a path with parallel links.
"""
import ctypes
import fcntl
import json
import os
import select
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
from pcapio import ip_checksum as checksum  # noqa: E402  the Internet checksum

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
CLONE_NEWNET = 0x40000000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def enter_netns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + name)
    os.close(fd)


def forged_rst(request, ttl, ip_id):
    """A bare RST from the request's destination to its source, at the seq the
    client expects next (the request's ACK)."""
    ihl = (request[0] & 15) * 4
    src, dst = request[16:20], request[12:16]
    sport, dport, seq, ack = struct.unpack("!HHII", request[ihl:ihl + 12])
    tcp = struct.pack("!HHIIBBHHH", dport, sport, ack, 0, 5 << 4, 0x04, 0, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ip_id, 0, ttl, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp, (src, dst, dport, sport, ack)


def tcp_ports_and_payload(packet):
    """(sport, dport, payload) of an IPv4 TCP packet, else None."""
    if packet[0] >> 4 != 4 or packet[9] != 6:
        return None
    ihl = (packet[0] & 15) * 4
    sport, dport = struct.unpack("!HH", packet[ihl:ihl + 4])
    return sport, dport, packet[ihl + (packet[ihl + 12] >> 4) * 4:]


def send(fd, packet):
    """Writes one packet; a tun device that is not up yet drops it (EIO), as a
    link that is down would."""
    try:
        os.write(fd, packet)
    except OSError:
        pass


def main():
    ns_b, log_path, ready, spec = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    fd_a = open_tun("tun0")
    enter_netns(ns_b)
    fd_b = open_tun("tun0")
    open(ready, "w").close()
    inject, reorder = spec.get("inject"), spec.get("reorder")
    done, held = False, None
    log = open(log_path, "a")
    while True:
        readable, _, _ = select.select([fd_a, fd_b], [], [])
        for fd in readable:
            packet = os.read(fd, 65535)
            tcp = tcp_ports_and_payload(packet)
            if (inject and not done and fd == fd_a and tcp and tcp[1] == inject["port"]
                    and tcp[2].startswith(b"GET ")):
                rst, (src, dst, sport, dp, seq) = forged_rst(packet, inject["ttl"], 4242)
                send(fd_a, rst)
                log.write(json.dumps({
                    "time": time.time(), "what": "forged RST to the client (on-path device "
                    "of the raw IP link, TTL %d)" % inject["ttl"], "role": "forger",
                    "src": ".".join(map(str, src)), "dst": ".".join(map(str, dst)),
                    "sport": sport, "dport": dp, "flags": "R", "seq": seq, "ack": 0,
                    "ttl": inject["ttl"], "mac": None}) + "\n")
                log.flush()
                done = True
            if fd == fd_b and held is not None:
                send(fd_a, packet)              # the later segment first
                send(fd_a, held)
                held = None
                continue
            if reorder and fd == fd_b and tcp and tcp[0] == reorder["port"] and tcp[2]:
                held, reorder = packet, None
                continue
            send(fd_b if fd == fd_a else fd_a, packet)


if __name__ == "__main__":
    main()
