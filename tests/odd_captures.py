#!/usr/bin/python3
"""Odd captures derived from the lab's captures, with the frame map that
carries each RST's label over.

    /usr/bin/python3 tests/odd_captures.py OUTDIR     # writes them all, and OUTDIR/labels.tsv

The lab kernel has no VLAN, GRE or IP-in-IP modules, and a capture that starts
mid-connection or was cut by a small snap length is something a capture point
does to traffic, not something a stack does: so these take the real packets
of captures/ (labelled by how they were made, captures/labels.tsv) and change
only what a switch, a tunnel or a capture tool would change.  Every derived
frame keeps the label of the frame it came from; what the plugin must say about
it follows from that label and the change (tests/check_odd.py).

Encapsulations rewrite the link and network layers only: the TCP segments and
their order stay the ones the stacks sent.
"""
import csv
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapio import (LINKTYPE_ETHERNET, LINKTYPE_NULL, LINKTYPE_RAW,  # noqa: E402
                    ip_checksum, ipv4_header, linktype, read_pcap, with_linktype, write_pcap)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CAPTURES = os.path.join(ROOT, "captures")

# Tunnel endpoints: documentation addresses, one pair per tunnel.
TUNNELS = ((bytes([198, 51, 100, 250]), bytes([203, 0, 113, 250])),
           (bytes([198, 51, 100, 251]), bytes([203, 0, 113, 251])))
ETH_IPV4, ETH_IPV6, ETH_VLAN, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8
SNAPLENS = (54, 60, 68, 96)
SHIFT = 3600                      # seconds between the copies of a mixed capture


def to_pcap(capture, work):
    """captures/CAPTURE as a classic pcap in WORK (editcap)."""
    out = os.path.join(work, os.path.basename(capture).replace(".pcapng", ".pcap"))
    subprocess.run(["editcap", "-F", "pcap", os.path.join(CAPTURES, capture), out], check=True)
    return out


def identity_map(frames):
    return {n: [n] for n in range(1, len(frames) + 1)}


# ------------------------------------------------------------ link layer

def vlan_tag(vid, tpid=ETH_VLAN):
    return struct.pack("!HH", tpid, vid & 0x0FFF)


def tagged(frames, tags):
    """802.1Q tags (QinQ: the 802.1ad S-tag first) after the MAC addresses."""
    out = []
    for sec, usec, data, orig in frames:
        out.append([sec, usec, data[:12] + tags + data[12:], orig + len(tags)])
    return out


def null_link(frames):
    """Raw IP frames behind the BSD loopback header (DLT_NULL): the address
    family in host byte order (2 IPv4; 24, 28 or 30 IPv6, all of which
    Wireshark reads)."""
    out = []
    for sec, usec, data, orig in frames:
        family = 2 if data[0] >> 4 == 4 else 30
        out.append([sec, usec, bytearray(struct.pack("<I", family)) + data, orig + 4])
    return out


# ------------------------------------------------------------ tunnels

def ip_addresses(ip):
    if ip[0] >> 4 == 4:
        return bytes(ip[12:16]), bytes(ip[16:20])
    return bytes(ip[8:24]), bytes(ip[24:40])


def tunnelled(frames, kind, endpoints, key=None):
    """Every Ethernet/IP frame sent through a GRE or IP-in-IP tunnel between
    ENDPOINTS: the tunnel's own IPv4 header (and GRE header, with KEY if
    given: RFC 2890) between the Ethernet header and the original IP packet.
    Packets from the first packet's source (and whoever later sends from its
    side) enter at the first endpoint."""
    near, out = set(), []
    for sec, usec, data, orig in frames:
        ethertype = struct.unpack_from("!H", data, 12)[0]
        if ethertype not in (ETH_IPV4, ETH_IPV6):
            out.append([sec, usec, data, orig])
            continue
        inner = data[14:]
        src, dst = ip_addresses(inner)
        if not near:
            near.add(src)
        if src not in near and dst not in near:
            near.add(src)
        a, b = endpoints if src in near else endpoints[::-1]
        inner_len = orig - 14
        if kind == "gre":
            shim = struct.pack("!HH", 0, ethertype) if key is None else \
                struct.pack("!HHI", 0x2000, ethertype, key)   # version 0; K bit with a key
            outer = ipv4_header(a, b, 47, len(shim) + inner_len)
        else:                                                # 4: IPv4 in IPv4, 41: 6in4
            shim = b""
            outer = ipv4_header(a, b, 4 if ethertype == ETH_IPV4 else 41, inner_len)
        eth = data[:12] + struct.pack("!H", ETH_IPV4)
        out.append([sec, usec, bytearray(eth + outer + shim) + inner,
                    orig + len(outer) + len(shim)])
    return out


def fragmented(frames, first_part):
    """Every IPv4 packet of an Ethernet capture split in two fragments, as a
    router with a small MTU on the way splits it (RFC 791 3.2): the first
    carries first_part(payload length) bytes of the IP payload (a multiple
    of 8), the second the rest, which is where Wireshark reassembles the
    packet and dissects its TCP header.  Returns the frames and {source
    frame: [the frame with the TCP header]}."""
    out, fmap = [], {}
    for n, (sec, usec, data, orig) in enumerate(frames, 1):
        ip = data[14:]
        if struct.unpack_from("!H", data, 12)[0] != ETH_IPV4 or len(ip) < 20:
            out.append([sec, usec, data, orig])
            fmap[n] = [len(out)]
            continue
        ihl, total = (ip[0] & 15) * 4, struct.unpack_from("!H", ip, 2)[0]
        header, payload = bytes(ip[:ihl]), bytes(ip[ihl:total])
        flags = struct.unpack_from("!H", header, 6)[0] & 0x4000      # keep DF as it was
        cut = first_part(len(payload))
        for offset, part, more in ((0, payload[:cut], 0x2000), (cut, payload[cut:], 0)):
            h = bytearray(header)                                   # the same IP ID
            struct.pack_into("!H", h, 2, ihl + len(part))
            struct.pack_into("!H", h, 6, flags | more | offset // 8)
            struct.pack_into("!H", h, 10, 0)
            struct.pack_into("!H", h, 10, ip_checksum(bytes(h)))
            frame = bytearray(data[:14]) + h + part
            frame += bytes(max(0, 60 - len(frame)))                  # Ethernet padding
            out.append([sec, usec, frame, len(frame)])
        fmap[n] = [len(out)]
    return out, fmap


def shifted(frames, seconds):
    return [[sec + seconds, usec, data, orig] for sec, usec, data, orig in frames]


# ------------------------------------------------------------ capture tools

def snapped(frames, snaplen):
    return [[sec, usec, data[:snaplen], orig] for sec, usec, data, orig in frames]


def doubled(frames):
    """Every frame twice, as a SPAN port that mirrors both directions of a
    switch port, or a merge of one capture with itself, gives them."""
    out = []
    for f in frames:
        out += [f, list(f)]
    return out


def cut_before(frames, first):
    """The capture starting at frame FIRST (1-based): it began mid-connection."""
    return frames[first - 1:]


# ------------------------------------------------------------ reading back

def tcp_header_end(data, link=LINKTYPE_ETHERNET):
    """Offset just past the 20-byte fixed TCP header of the innermost TCP
    segment of a frame (Ethernet with VLAN tags, IPv4, IPv6 with extension
    headers, VXLAN), or None if the frame carries no TCP."""
    pos, ethertype = 0, None
    if link == LINKTYPE_ETHERNET:
        pos, ethertype = 14, struct.unpack_from("!H", data, 12)[0]
        while ethertype in (ETH_VLAN, ETH_QINQ):
            ethertype, pos = struct.unpack_from("!H", data, pos + 2)[0], pos + 4
        if ethertype not in (ETH_IPV4, ETH_IPV6):
            return None
    elif link == LINKTYPE_NULL:
        pos = 4
    while pos < len(data):
        version = data[pos] >> 4
        if version == 4:
            proto, nxt = data[pos + 9], pos + (data[pos] & 15) * 4
        elif version == 6:
            proto, nxt = data[pos + 6], pos + 40
            while proto in (0, 43, 60):                  # hop-by-hop, routing, destination
                proto, nxt = data[nxt], nxt + (data[nxt + 1] + 1) * 8
        else:
            return None
        if proto == 6:
            return nxt + 20
        if proto in (4, 41):                             # IP in IP
            pos = nxt
        elif proto == 47:                                # GRE, no options
            pos = nxt + 4
        elif proto == 17 and struct.unpack_from("!H", data, nxt + 2)[0] == 4789:
            pos = nxt + 8 + 8 + 14                       # UDP, VXLAN, inner Ethernet
        else:
            return None
    return None


# ------------------------------------------------------------ the set

def derive(work):
    """Writes every derived capture into WORK.  Returns [(name, source capture,
    {source frame: [derived frames]}, what was done)]."""
    made = []

    def save(name, header, frames, source, fmap, what):
        write_pcap(os.path.join(work, name), header, frames)
        made.append((name, source, fmap, what))

    tour = to_pcap("tour.pcapng", work)
    header, frames = read_pcap(tour)
    assert linktype(header) == LINKTYPE_ETHERNET
    ident = identity_map(frames)
    save("vlan.pcap", header, tagged(frames, vlan_tag(100)), "tour.pcapng", ident,
         "802.1Q tag (VID 100) on every frame")
    save("qinq.pcap", header, tagged(frames, vlan_tag(200, ETH_QINQ) + vlan_tag(100)),
         "tour.pcapng", ident, "802.1ad S-tag 200 and 802.1Q C-tag 100 on every frame")
    n = len(frames)
    for kind in ("gre", "ipip"):
        # The original traffic, then the same inside one tunnel, then inside
        # another: three copies of every connection, with one address pair.
        mixed = frames + shifted(tunnelled(frames, kind, TUNNELS[0]), SHIFT) \
            + shifted(tunnelled(frames, kind, TUNNELS[1]), 2 * SHIFT)
        fmap = {f: [f, f + n, f + 2 * n] for f in range(1, n + 1)}
        save("%s-mixed.pcap" % kind, header, mixed, "tour.pcapng", fmap,
             "the capture, then the same inside %s tunnel A, then inside tunnel B"
             % ("a GRE" if kind == "gre" else "an IP-in-IP"))
    # Two tenants of one GRE tunnel, told apart by the key alone.
    keyed = frames + shifted(tunnelled(frames, "gre", TUNNELS[0], key=1), SHIFT) \
        + shifted(tunnelled(frames, "gre", TUNNELS[0], key=2), 2 * SHIFT)
    save("gre-key-mixed.pcap", header, keyed, "tour.pcapng",
         {f: [f, f + n, f + 2 * n] for f in range(1, n + 1)},
         "the capture, then the same inside one GRE tunnel with key 1, then with key 2")
    # The TCP header (and a tunnel's headers) split across both fragments,
    # or whole in the first, where a small MTU puts them.
    split, fmap = fragmented(frames, lambda n: 8)
    save("fragments.pcap", header, split, "tour.pcapng", fmap,
         "every IPv4 packet in two fragments, the first with 8 bytes of its payload")
    split, fmap = fragmented(frames, lambda n: max(8, (n - 1) // 8 * 8))
    save("fragments-mtu.pcap", header, split, "tour.pcapng", fmap,
         "every IPv4 packet in two fragments, the second with the last 1 to 8 bytes")
    save("duplicates.pcap", header, doubled(frames), "tour.pcapng",
         {f: [2 * f - 1, 2 * f] for f in range(1, n + 1)}, "every frame twice")
    for snaplen in SNAPLENS:
        save("snap%d.pcap" % snaplen, with_linktype(header, LINKTYPE_ETHERNET, snaplen),
             snapped(frames, snaplen), "tour.pcapng", ident,
             "every frame cut to %d bytes" % snaplen)

    raw = to_pcap("raw-ip.pcapng", work)
    header, frames = read_pcap(raw)
    assert linktype(header) == LINKTYPE_RAW
    save("null-link.pcap", with_linktype(header, LINKTYPE_NULL), null_link(frames),
         "raw-ip.pcapng", identity_map(frames), "raw IP behind the BSD loopback header")

    # Captures that start mid-connection: every labelled capture of the lab
    # (client view), cut just before each of its first frames up to the
    # first RST, so each stage of each connection is missed once.
    with open(os.path.join(CAPTURES, "labels.tsv")) as fh:
        labels = list(csv.DictReader(fh, delimiter="\t"))
    first_rst = {}
    for r in labels:
        if "/" not in r["capture"] and r["capture"] != "tour.pcapng":
            first_rst[r["capture"]] = min(first_rst.get(r["capture"], 10**9), int(r["frame"]))
    for capture, last in sorted(first_rst.items()):
        header, frames = read_pcap(to_pcap(capture, work))
        for first in range(2, last + 1):
            name = "cut-%s-from%d.pcap" % (capture.replace(".pcapng", ""), first)
            fmap = {f: [f - first + 1] for f in range(first, len(frames) + 1)}
            save(name, header, cut_before(frames, first), capture, fmap,
                 "starts at frame %d" % first)
    return made


def write_labels(work, made):
    """OUTDIR/labels.tsv: every derived RST with its source's label."""
    with open(os.path.join(CAPTURES, "labels.tsv")) as fh:
        labels = list(csv.DictReader(fh, delimiter="\t"))
    rows = []
    for name, source, fmap, what in made:
        for r in labels:
            if r["capture"] != source:
                continue
            for derived in fmap.get(int(r["frame"]), []):
                rows.append(dict(r, capture=name, frame=derived,
                                 how_known="%s (%s frame %s): %s" % (what, source, r["frame"],
                                                                     r["how_known"])))
    with open(os.path.join(work, "labels.tsv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(labels[0].keys()), delimiter="\t",
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return rows


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    made = derive(work)
    rows = write_labels(work, made)
    print("wrote %d captures, %d labelled RSTs in %s" % (len(made), len(rows), work))


if __name__ == "__main__":
    main()
