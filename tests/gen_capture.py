#!/usr/bin/python3
"""A deterministic generator of large captures with known RSTs.

    /usr/bin/python3 tests/gen_capture.py mix   --connections N [--seed S] OUT.pcap
    /usr/bin/python3 tests/gen_capture.py storm --rsts N [--seed S] OUT.pcap
    /usr/bin/python3 tests/gen_capture.py scan  --connections N [--seed S] OUT.pcap
    /usr/bin/python3 tests/gen_capture.py flood --connections N [--seed S] OUT.pcap
    /usr/bin/python3 tests/gen_capture.py ackscan --connections N [--seed S] OUT.pcap
    /usr/bin/python3 tests/gen_capture.py rsts --connections N [--seed S] OUT.pcap
    RST_BUILD_DIR=build /usr/bin/python3 tests/gen_capture.py collide --connections N OUT.pcap

Writes OUT.pcap and OUT.pcap.labels.tsv (frame, cause, injected): every RST's
cause is the way the generator built it, after Linux's rules (RFC 9293
3.10.7.1; tcp_v4_send_reset for replies without a socket: IP ID 0, window 0,
no options; tcp_send_active_reset for aborts: the socket's SND.NXT / RCV.NXT,
its timestamps and IP ID counter).  Seen at the client's capture point: the
client's packets leave with TTL 64 and its own MAC, the server's arrive with
the server's TTL less the hops and the router's MAC, one round trip after
what they answer.

mix: N connections, IPv4 and IPv6 (one in four), most of them normal
(request, response, FIN both ways), a few percent each refused, aborted by
the client, aborted by the server, or reset by an on-path injector (a GFW-style
RST + 3 RST/ACK burst with random TTLs, 1 ms after the request; the real
response then meets a client without the connection, which resets it).

storm: N RSTs: a port scan of N / 2 closed ports (each SYN refused, its own
connection) and a half-open peer sending N / 2 ACKs into a connection the
server does not have (each answered with a bare RST, one connection; pure
ACKs, since Wireshark's own TCP analysis of data that is never acknowledged
grows with every segment).

scan: N connection attempts of a fast scanner (a SYN every 10 us, as masscan
or zmap send them) across 203.0.113.0/24, port by port, each refused by the
scanned host one round trip later (SYN, RST/ACK: two packets a connection);
one attempt in 4999 reaches an open port and is refused by an on-path
injector instead (a censor's RST/ACK in the host's name: its own MAC, a TTL
the host's packets never have, half a round trip after the SYN); the host's
SYN-ACK follows and the scanner, which took the RST, answers it with a bare
RST (no connection).

flood: N SYNs of a SYN flood (spoofed sources, every one a new connection:
random addresses in 198.18.0.0/15, RFC 2544's benchmarking range, random
ports), a SYN every 5 us to one server that never answers; no RSTs.

ackscan: N probes of an ACK scan (nmap -sA: a bare ACK, no handshake, to
each port of 203.0.113.0/24 in the scan's order, a probe every 10 us), every
one answered one round trip later by the scanned host's bare RST, <SEQ=SEG.ACK>
(RFC 9293 3.10.7.1 for a closed port, 3.10.7.2 for a listening one: either
way the host has no connection: no-connection); two packets a connection,
neither of them a SYN.

rsts: the ACK scan's RSTs alone, as a capture filtered for RSTs holds them
(tcpdump 'tcp[tcpflags] & tcp-rst != 0'): one packet a connection, nothing
it answers in the capture (labelled as made: no-connection).

collide: the scan's shape (SYN, RST/ACK, scanner 198.51.100.7 across
203.0.113.0/24), but only tuples whose connection keys collide under the
core's hash without a key (tests/unit/collide.c, built as collide_keys in
RST_BUILD_DIR: --bits, default 14, low bits zero), the capture an attacker
would write to stall an unkeyed table.

TCP checksums are left 0 (Wireshark does not check them by default).
"""
import argparse
import heapq
import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapio import ipv4_header  # noqa: E402

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
CLIENT_MAC = bytes.fromhex("020000000a0a")
ROUTER_MAC = bytes.fromhex("020000000a01")
INJECTOR_MAC = bytes.fromhex("020000000a66")
RTT_US = 20000
SERVER_TTL = 52                 # 64 less 12 hops
PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)


class Host:
    def __init__(self, addr, v6, mac, ttl):
        self.addr, self.v6, self.mac, self.ttl = addr, v6, mac, ttl


def client_host(i, v6):
    if v6:
        return Host(bytes.fromhex("20010db8000100000000000000") + struct.pack("!H", i % 65000) + b"\x10",
                    True, CLIENT_MAC, 64)
    return Host(bytes([198, 51, 100, 1 + i % 250]), False, CLIENT_MAC, 64)


def server_host(i, v6):
    if v6:
        return Host(bytes.fromhex("20010db80002000000000000000000") + bytes([1 + i % 200]),
                    True, ROUTER_MAC, SERVER_TTL)
    return Host(bytes([203, 0, 113, 1 + i % 200]), False, ROUTER_MAC, SERVER_TTL)


def tcp_options(ts):
    if ts is None:
        return b""
    return b"\x01\x01\x08\x0a" + struct.pack("!II", ts[0] & 0xFFFFFFFF, ts[1] & 0xFFFFFFFF)


def syn_options(ts):
    # MSS 1460, SACK permitted, timestamps, window scale 7 (Linux order).
    return (b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + struct.pack("!II", ts, 0)
            + b"\x01\x03\x03\x07")


def frame(src, dst, ttl, mac, sport, dport, seq, ack, flags, window, payload=b"",
          options=b"", ip_id=0):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      (5 + len(options) // 4) << 4, flags, window, 0, 0) + options + payload
    eth = ROUTER_MAC if mac == CLIENT_MAC else CLIENT_MAC     # destination MAC
    if src.v6:
        ip = struct.pack("!IHBB", 0x60000000, len(tcp), 6, ttl) + src.addr + dst.addr
        return eth + mac + b"\x86\xdd" + ip + tcp
    ip = ipv4_header(src.addr, dst.addr, 6, len(tcp), ttl=ttl, ident=ip_id)
    return eth + mac + b"\x08\x00" + ip + tcp


class Conn:
    """One connection's packets, with Linux's sequence numbers, IP IDs and
    timestamps, seen at the client."""

    def __init__(self, rng, i, start_us):
        v6 = rng.random() < 0.25
        self.c, self.s = client_host(i, v6), server_host(i, v6)
        self.cport, self.sport = 32768 + i % 28000, rng.choice((80, 443, 8080))
        self.cseq, self.sseq = rng.getrandbits(32), rng.getrandbits(32)
        self.cid, self.sid = rng.getrandbits(16), rng.getrandbits(16)
        self.cts, self.sts = rng.getrandbits(32), rng.getrandbits(32)
        self.t = start_us
        self.out = []            # (time_us, bytes, label or None)

    def _ip_id(self, side):
        if side == "c":
            self.cid = (self.cid + 1) & 0xFFFF
            return self.cid
        self.sid = (self.sid + 1) & 0xFFFF
        return self.sid

    def send(self, side, flags, payload=b"", at=None, label=None, options=None, window=502):
        t = self.t if at is None else at
        if side == "c":
            src, dst, ttl, mac, sp, dp = self.c, self.s, self.c.ttl, self.c.mac, self.cport, self.sport
            seq, ack, ts = self.cseq, self.sseq, (self.cts + t // 1000, self.sts + t // 1000)
        else:
            src, dst, ttl, mac, sp, dp = self.s, self.c, self.s.ttl, self.s.mac, self.sport, self.cport
            seq, ack, ts = self.sseq, self.cseq, (self.sts + t // 1000, self.cts + t // 1000)
        opts = tcp_options(ts) if options is None else options
        data = frame(src, dst, ttl, mac, sp, dp, seq, ack if flags & ACK else 0, flags, window,
                     payload, opts, 0 if src.v6 else self._ip_id(side))
        self.out.append((t, data, label))
        advance = len(payload) + (1 if flags & (SYN | FIN) else 0)
        if side == "c":
            self.cseq += advance
        else:
            self.sseq += advance

    def handshake(self):
        self.send("c", SYN, options=syn_options(self.cts), window=64240)
        self.t += RTT_US
        self.send("s", SYN | ACK, options=syn_options(self.sts), window=65160)
        self.t += 100
        self.send("c", ACK)

    def request_response(self, size):
        self.t += 200
        self.send("c", PSH | ACK, b"GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n")
        self.t += RTT_US
        sent = 0
        while sent < size:
            n = min(1448, size - sent)
            self.send("s", ACK | (PSH if sent + n == size else 0), b"x" * n)
            sent += n
            self.t += 50
        self.t += 200
        self.send("c", ACK)


def reply_rst(conn, side, seq, ack, flags, t, label):
    """A RST built without a socket: IP ID 0, window 0, no options."""
    src, dst = (conn.c, conn.s) if side == "c" else (conn.s, conn.c)
    sp, dp = (conn.cport, conn.sport) if side == "c" else (conn.sport, conn.cport)
    data = frame(src, dst, src.ttl, src.mac, sp, dp, seq, ack, flags, 0, b"", b"", 0)
    conn.out.append((t, data, label))


def normal(conn, rng):
    conn.handshake()
    conn.request_response(rng.choice((300, 2000, 6000)))
    conn.t += 1000
    conn.send("s", FIN | ACK)
    conn.t += 100
    conn.send("c", FIN | ACK)
    conn.t += RTT_US
    conn.send("s", ACK)


def refused(conn, rng):
    conn.send("c", SYN, options=syn_options(conn.cts), window=64240)
    syn_seq = conn.cseq - 1
    reply_rst(conn, "s", 0, syn_seq + 1, RST | ACK, conn.t + RTT_US, ("refused", False))


def client_abort(conn, rng):
    conn.handshake()
    conn.request_response(rng.choice((300, 2000)))
    conn.t += 5000
    conn.send("c", RST | ACK, label=("abort", False))


def server_abort(conn, rng):
    conn.handshake()
    conn.request_response(300)
    # SO_LINGER 0 right after the response: the RST/ACK crosses the client's
    # ACK of the response, which then reaches a server without the
    # connection and draws a bare reply (seq = that ACK).
    conn.send("s", RST | ACK, at=conn.t + 100, label=("abort", False))
    reply_rst(conn, "s", conn.sseq, 0, RST, conn.t + RTT_US, ("no-connection", False))


def injected_burst(conn, rng):
    conn.handshake()
    conn.t += 200
    conn.send("c", PSH | ACK, b"GET / HTTP/1.1\r\nHost: blocked.example\r\n\r\n")
    t = conn.t + 1000
    x = conn.sseq
    src, dst = conn.s, conn.c
    burst = [(RST, x, 0)] + [(RST | ACK, x + d, conn.cseq) for d in (0, 1460, 4380)]
    ttl = rng.randrange(40, 250)
    for k, (flags, seq, ack) in enumerate(burst):
        data = frame(src, dst, ttl + k if k else rng.randrange(40, 250), INJECTOR_MAC,
                     conn.sport, conn.cport, seq, ack, flags, 2000 + k if k else rng.getrandbits(16),
                     b"", b"", 0 if src.v6 else 7000 + (k and 1))
        conn.out.append((t + 30 * k, data, ("injected", True)))
    # The real response, one round trip after the request, meets a client
    # that no longer has the connection: the client answers it with a bare RST.
    conn.t += RTT_US
    conn.send("s", PSH | ACK, b"y" * 300)
    reply_rst(conn, "c", conn.cseq, 0, RST, conn.t + 60, ("no-connection", False))


MIX = ((normal, 0.82), (refused, 0.05), (client_abort, 0.04), (server_abort, 0.04),
       (injected_burst, 0.05))


def pick(rng):
    r, acc = rng.random(), 0.0
    for kind, weight in MIX:
        acc += weight
        if r < acc:
            return kind
    return MIX[0][0]


class Writer:
    """Emits packets in time order; frame numbers follow."""

    def __init__(self, path):
        self.fh = open(path, "wb")
        self.fh.write(PCAP_HEADER)
        self.labels = open(path + ".labels.tsv", "w")
        self.labels.write("frame\tcause\tinjected\n")
        self.frames = 0
        self.pending = []
        self.order = 0

    def add(self, packets):
        for t, data, label in packets:
            heapq.heappush(self.pending, (t, self.order, data, label))
            self.order += 1

    def flush_until(self, t_us):
        while self.pending and self.pending[0][0] < t_us:
            t, _, data, label = heapq.heappop(self.pending)
            self.frames += 1
            self.fh.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000,
                                      len(data), len(data)) + data)
            if label:
                self.labels.write("%d\t%s\t%s\n" % (self.frames, label[0],
                                                    "yes" if label[1] else "no"))

    def close(self):
        self.flush_until(1 << 62)
        self.fh.close()
        self.labels.close()


def make_mix(path, connections, seed):
    rng = random.Random(seed)
    w = Writer(path)
    for i in range(connections):
        start = i * 2000                       # a new connection every 2 ms
        w.flush_until(start)
        conn = Conn(rng, i, start)
        pick(rng)(conn, rng)
        w.add(conn.out)
    w.close()
    return w.frames


def make_storm(path, rsts, seed):
    rng = random.Random(seed)
    w = Writer(path)
    scan = Conn(rng, 0, 0)
    scan.c, scan.s = client_host(7, False), server_host(7, False)
    for k in range(rsts // 2):
        t = k * 20
        w.flush_until(t)
        scan.out, scan.t = [], t
        scan.cport, scan.sport = 40000 + k % 20000, 1 + k % 65000
        if k % 20000 == 0:
            scan.cport += 1                    # no port pair twice in a row
        refused(scan, rng)
        w.add(scan.out)
    # A host that keeps sending into a connection the server does not have.
    lost = Conn(rng, 1, rsts // 2 * 20 + RTT_US)
    lost.c, lost.s = client_host(9, False), server_host(9, False)
    for k in range(rsts - rsts // 2):
        t = lost.t
        w.flush_until(t)
        lost.out = []
        lost.send("c", ACK)                     # a half-open peer's ACKs
        reply_rst(lost, "s", lost.sseq, 0, RST, t + RTT_US, ("no-connection", False))
        w.add(lost.out)
        lost.t += RTT_US + 10000             # it sends again after each RST
    w.close()
    return w.frames


SCAN_GAP_US = 10
SCANNER = Host(bytes([198, 51, 100, 7]), False, CLIENT_MAC, 64)
FORGED_SCAN_EVERY = 4999


def scan_target(k):
    """The k-th attempt's (host, source port, port): every host of the /24,
    then the next port."""
    return 1 + k % 254, 1024 + (k // (254 * 65535)) % 64000, 1 + (k // 254) % 65535


def forged_refusal(conn, rng):
    """An open port the injector refuses in the host's name (see scan)."""
    conn.send("c", SYN, options=syn_options(conn.cts), window=64240)
    data = frame(conn.s, conn.c, rng.randrange(100, 250), INJECTOR_MAC, conn.sport, conn.cport,
                 0, conn.cseq, RST | ACK, 0)
    conn.out.append((conn.t + RTT_US // 2, data, ("injected", True)))
    conn.t += RTT_US
    conn.send("s", SYN | ACK, options=syn_options(conn.sts), window=65160)
    reply_rst(conn, "c", conn.cseq, 0, RST, conn.t + 50, ("no-connection", False))


def write_scan(path, seed, attempts):
    """The scanner's attempts, (host, sport, dport, forged) each, a SYN every
    SCAN_GAP_US: refused, or (forged) refused by the injector (see above)."""
    rng = random.Random(seed)
    w = Writer(path)
    for k, (host, sport, dport, forged) in enumerate(attempts):
        t = k * SCAN_GAP_US
        w.flush_until(t)
        conn = Conn(rng, 0, t)
        conn.c, conn.s = SCANNER, Host(bytes([203, 0, 113, host]), False, ROUTER_MAC, SERVER_TTL)
        conn.cport, conn.sport = sport, dport
        (forged_refusal if forged else refused)(conn, rng)
        w.add(conn.out)
    w.close()
    return w.frames


def make_scan(path, connections, seed):
    """SYN, RST/ACK, for every attempt; a few refusals forged (see above)."""
    return write_scan(path, seed, (scan_target(k) + (k % FORGED_SCAN_EVERY == FORGED_SCAN_EVERY - 1,)
                                   for k in range(connections)))


def colliding_tuples(n, bits):
    """(host, sport, dport) of n scan attempts colliding without a key."""
    tool = os.path.join(os.environ.get("RST_BUILD_DIR", "build"), "tests", "collide_keys")
    out = subprocess.run([tool, str(n), str(bits)], capture_output=True, text=True, check=True)
    return [tuple(map(int, line.split())) for line in out.stdout.splitlines()]


def make_collide(path, connections, seed, bits=14):
    return write_scan(path, seed, (t + (False,) for t in colliding_tuples(connections, bits)))


FLOOD_GAP_US = 5
FLOOD_TARGET = Host(bytes([203, 0, 113, 80]), False, ROUTER_MAC, SERVER_TTL)


def make_flood(path, connections, seed):
    """Spoofed SYNs, never answered: every one its own connection."""
    rng = random.Random(seed)
    w = Writer(path)
    for k in range(connections):
        t = k * FLOOD_GAP_US
        w.flush_until(t)
        src = Host(bytes([198, 18 + rng.getrandbits(1), rng.getrandbits(8), rng.getrandbits(8)]),
                   False, ROUTER_MAC, rng.randrange(30, 250))
        conn = Conn(rng, 0, t)
        conn.c, conn.s, conn.cport, conn.sport = src, FLOOD_TARGET, rng.randrange(1024, 65536), 80
        conn.send("c", SYN, window=rng.choice((512, 1024, 64240)), options=b"")
        w.add(conn.out)
    w.close()
    return w.frames


def make_ackscan(path, connections, seed, rsts_only=False):
    """ACK probes, each answered by a bare RST (see above); rsts_only: the
    answers alone."""
    rng = random.Random(seed)
    w = Writer(path)
    for k in range(connections):
        t = k * SCAN_GAP_US
        w.flush_until(t)
        host, sport, dport = scan_target(k)
        conn = Conn(rng, 0, t)
        conn.c, conn.s = SCANNER, Host(bytes([203, 0, 113, host]), False, ROUTER_MAC, SERVER_TTL)
        conn.cport, conn.sport = sport, dport
        # nmap's probe: no options, a 1024 window, a random sequence and ACK.
        conn.send("c", ACK, window=1024, options=b"")
        reply_rst(conn, "s", conn.sseq, 0, RST, t + RTT_US, ("no-connection", False))
        w.add(conn.out[1:] if rsts_only else conn.out)
    w.close()
    return w.frames


def make_rsts(path, connections, seed):
    return make_ackscan(path, connections, seed, rsts_only=True)


MAKERS = {"mix": make_mix, "scan": make_scan, "flood": make_flood, "collide": make_collide,
          "ackscan": make_ackscan, "rsts": make_rsts}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=("mix", "storm", "scan", "flood", "ackscan", "rsts",
                                       "collide"))
    ap.add_argument("out")
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--rsts", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bits", type=int, default=14, help="collide: low hash bits in common")
    args = ap.parse_args()
    if args.kind == "collide":
        n = make_collide(args.out, args.connections, args.seed, args.bits)
    elif args.kind in MAKERS:
        n = MAKERS[args.kind](args.out, args.connections, args.seed)
    else:
        n = make_storm(args.out, args.rsts, args.seed)
    print("wrote %s: %d frames" % (args.out, n))


if __name__ == "__main__":
    main()
