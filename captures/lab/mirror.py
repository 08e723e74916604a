#!/usr/bin/python3
"""The lab's mirror source for Geneve and ERSPAN (runs in rx-mir).

Cloud and switch mirroring deliver every frame of a mirrored link to a
collector inside one outer header, the same for both directions of the
traffic (captures/README.md).  This lab kernel has a VXLAN device, which
topology.sh mirrors onto with tc; it has no Geneve and no ERSPAN device, so
this program does what those would: it reads every frame the mirror port
(mir0, a hub port) receives and sends it to the collector through the
kernel's own UDP and GRE sockets, as four sessions:

  Geneve (RFC 8926), VNI 4001: the Ethernet frame (protocol 0x6558), no
      options;
  Geneve, VNI 4002: the IP packet without its Ethernet header (protocol
      0x0800 / 0x86DD) and three options of class 0x0108 (AWS) with a
      gateway load balancer's endpoint ID, attachment ID and flow cookie;
  ERSPAN type II, session 7 (GRE 0x88BE with sequence numbers);
  ERSPAN type III, session 8 (GRE 0x22EB, microsecond timestamps).

Each Geneve packet leaves from a UDP source port picked at random (seeded),
so the outer source port changes from packet to packet, as a flow hash over
a mirror session's many flows does.

    mirror.py READY
"""
import random
import select
import socket
import struct
import sys
import time

MIRROR_PORT = "mir0"
SOURCE = "192.0.2.241"
COLLECTOR = "192.0.2.242"
GENEVE_PORT = 6081
SOURCE_PORTS = range(50000, 50016)
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
ETH_IPV4, ETH_IPV6, ETH_VLAN = 0x0800, 0x86DD, 0x8100
TEB = 0x6558                      # transparent Ethernet bridging
GRE_SEQUENCE = 0x1000
ERSPAN2, ERSPAN3 = 0x88BE, 0x22EB
AWS_CLASS = 0x0108


def geneve(vni, protocol, options, payload):
    """RFC 8926 3.4: version 0, options length in 4-byte words."""
    first = (len(options) // 4) & 0x3F
    return struct.pack("!BBHI", first, 0, protocol, vni << 8) + options + payload


def geneve_option(cls, kind, data):
    return struct.pack("!HBB", cls, kind, len(data) // 4) + data


GWLB_OPTIONS = (geneve_option(AWS_CLASS, 1, bytes.fromhex("0a1b2c3d4e5f6071")) +
                geneve_option(AWS_CLASS, 2, bytes.fromhex("1122334455667788")) +
                geneve_option(AWS_CLASS, 3, bytes.fromhex("cafe0001")))


def erspan2(session, seq, frame):
    """GRE with a sequence number, then ERSPAN II's 8 bytes (version 1,
    VLAN 0, CoS 0, encapsulation 0, session; index 0)."""
    gre = struct.pack("!HHI", GRE_SEQUENCE, ERSPAN2, seq)
    return gre + struct.pack("!HHI", 1 << 12, session & 0x3FF, 0) + frame


def erspan3(session, seq, frame, now):
    """GRE with a sequence number, then ERSPAN III's 12 bytes (version 2,
    session, a timestamp in microseconds (granularity 00), frame type 0:
    Ethernet, hardware ID 1, direction ingress)."""
    gre = struct.pack("!HHI", GRE_SEQUENCE, ERSPAN3, seq)
    stamp = int(now * 1e6) & 0xFFFFFFFF
    last = (1 << 4)                 # P 0, FT 0, HW ID 1, D 0, Gra 00, O 0
    return gre + struct.pack("!HHIHH", 2 << 12, session & 0x3FF, stamp, 0, last) + frame


def ip_packet(frame):
    """(ethertype, IP packet) of a frame, VLAN tags skipped; None otherwise."""
    at = 12
    ethertype = struct.unpack_from("!H", frame, at)[0]
    while ethertype == ETH_VLAN and len(frame) >= at + 6:
        at += 4
        ethertype = struct.unpack_from("!H", frame, at)[0]
    if ethertype not in (ETH_IPV4, ETH_IPV6):
        return None
    return ethertype, frame[at + 2:]


def main():
    ready = sys.argv[1]
    tap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    tap.bind((MIRROR_PORT, 0))
    udp = []
    for port in SOURCE_PORTS:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((SOURCE, port))
        udp.append(s)
    gre = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
    pick = random.Random(13)
    seq = {7: 0, 8: 0}
    open(ready, "w").close()
    while True:
        select.select([tap], [], [])
        frame, addr = tap.recvfrom(65535)
        if addr[2] == PACKET_OUTGOING:
            continue
        now = time.time()
        pick.choice(udp).sendto(geneve(4001, TEB, b"", frame), (COLLECTOR, GENEVE_PORT))
        ip = ip_packet(frame)
        if ip:
            pick.choice(udp).sendto(geneve(4002, ip[0], GWLB_OPTIONS, ip[1]),
                                    (COLLECTOR, GENEVE_PORT))
        for session in (7, 8):
            seq[session] += 1
        gre.sendto(erspan2(7, seq[7], frame), (COLLECTOR, 0))
        gre.sendto(erspan3(8, seq[8], frame, now), (COLLECTOR, 0))


if __name__ == "__main__":
    main()
