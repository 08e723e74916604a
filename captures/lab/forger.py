#!/usr/bin/python3
"""The device on the client's segment that forges packets (runs in rx-inj).

It sees every frame through the hub and writes frames of its own with its own
MAC address.  Every frame it sends is logged (JSON lines) so that the labels say
which RSTs are forged and how that is known.

    forger.py LOG READY bad-ack-client PORT
        Act as a client at 198.51.100.20: send a SYN, then answer the SYN-ACK
        with an ACK that acknowledges data the server never sent.  The server's
        kernel answers that segment with a RST.
    forger.py LOG READY inject SPEC
        On the first segment of a connection to SPEC["port"] that matches
        SPEC["trigger"] ("syn", "clienthello", "http-request",
        "http-response"), send the RSTs SPEC["rsts"] describes, each
        {"to": "client"|"server", "flags": "R"|"RA", "seq": "zero"|OFFSET,
         "ttl": N|"random", "mac": "own"|"router", "window": N|"random",
         "ip_id": N|"random"|"shared", "payload": TEXT}.  An entry with a
        payload is a data segment (a block page) with those flags, not a RST.
        OFFSET is added to the next sequence
        number the receiver expects (its RCV.NXT after the trigger); random
        values come from SPEC["seed"] and are logged; "random+N" is a random
        base shared by the burst plus N.
    forger.py LOG READY probe OPEN_PORT CLOSED_PORT
        A probing client at 198.51.100.20, as censorship-measurement tools are
        (issue 13): to OPEN_PORT it sends a request; when the server's RST
        comes it acknowledges the RST as if it took a sequence number and sends
        twice more.  To CLOSED_PORT it sends a SYN and, after the refusal, an
        ACK; then it forges a RST/ACK "abort" in the server's name (its own MAC
        and TTL) at the ACK's number.
    forger.py LOG READY endpoint SPEC
        Act as a TCP endpoint at 198.51.100.20 (a stack that says why it
        resets, which Linux does not): SPEC["ports"] maps a port to
        {"on": "syn"|"data", "payload": HEX, "says": TEXT, "window": N,
        "options": [[KIND, HEX], ...]}.  "syn": answer the SYN with a RST/ACK
        carrying the payload; "data": complete the handshake, then answer the
        first data segment with a RST/ACK at its own next sequence number
        carrying the payload (window and IP ID continue its own, as a
        socket's RST does).  "window" (a NetScaler's reset code) and
        "options" (TCP options, e.g. MPTCP's MP_TCPRST, kind 30) go on the
        RST where given; "ack_options": an ACK carrying them (MP_FASTCLOSE,
        RFC 8684 3.5 option A) goes first.
"""
import json
import os
import random
import sys
import threading
import time

from scapy.all import ARP, IP, IPv6, TCP, Ether, conf, sendp, sniff  # noqa: E402

IFACE = "inj0"
SERVER4 = "203.0.113.2"
SERVER6 = "2001:db8:2::2"
CLIENT_MAC = "02:00:00:00:01:0a"
ROUTER_MAC = "02:00:00:00:01:01"
OWN_MAC = "02:00:00:00:01:66"
OWN_IP = "198.51.100.20"

conf.verb = 0


class Log:
    def __init__(self, path):
        self.fh = open(path, "a")

    def sent(self, what, frame, **extra):
        tcp = frame[TCP]
        ip = frame[IP] if IP in frame else frame[IPv6]
        entry = {"time": time.time(), "what": what, "src": ip.src, "dst": ip.dst,
                 "sport": tcp.sport, "dport": tcp.dport, "flags": str(tcp.flags),
                 "seq": tcp.seq, "ack": tcp.ack,
                 "ttl": ip.ttl if IP in frame else ip.hlim, "mac": frame[Ether].src}
        entry.update(extra)
        self.fh.write(json.dumps(entry) + "\n")
        self.fh.flush()


def bad_ack_client(log, ready, port):
    """A crafted client: the server's kernel sees an ACK for data it never sent."""
    isn = 1000000
    sport = 40111
    done = threading.Event()

    def on_frame(frame):
        if ARP in frame and frame[ARP].op == 1 and frame[ARP].pdst == OWN_IP:
            reply = Ether(src=OWN_MAC, dst=frame[Ether].src) / ARP(
                op=2, hwsrc=OWN_MAC, psrc=OWN_IP, hwdst=frame[ARP].hwsrc, pdst=frame[ARP].psrc)
            sendp(reply, iface=IFACE)
            return
        if TCP not in frame or IP not in frame or frame[IP].dst != OWN_IP:
            return
        tcp = frame[TCP]
        if tcp.flags == "SA" and tcp.dport == sport:
            bad = (Ether(src=OWN_MAC, dst=ROUTER_MAC) /
                   IP(src=OWN_IP, dst=SERVER4, ttl=64) /
                   TCP(sport=sport, dport=port, flags="A", seq=isn + 1,
                       ack=(tcp.seq + 1 + 1000) & 0xFFFFFFFF, window=502))
            sendp(bad, iface=IFACE)
            log.sent("crafted ACK acknowledging 1000 bytes the server never sent", bad)
        elif "R" in str(tcp.flags):
            done.set()

    def send_syn_when_told():
        # The lab client step says "go" once the captures and the trace run.
        go = ready.replace(".ready", ".go")
        while not os.path.exists(go):
            time.sleep(0.05)
        syn = (Ether(src=OWN_MAC, dst=ROUTER_MAC) / IP(src=OWN_IP, dst=SERVER4, ttl=64) /
               TCP(sport=sport, dport=port, flags="S", seq=isn, window=64240))
        sendp(syn, iface=IFACE)
        log.sent("crafted SYN", syn)

    def start():
        open(ready, "w").close()
        threading.Thread(target=send_syn_when_told, daemon=True).start()

    sniff(iface=IFACE, prn=on_frame, store=False, started_callback=start,
          stop_filter=lambda _f: done.is_set(), timeout=10)


def probe(log, ready, open_port, closed_port):
    """A probing client that keeps talking after the server's RST (docstring)."""
    isn = {40121: 2000000, 40122: 3000000}
    port = {40121: open_port, 40122: closed_port}
    state = {40121: "syn", 40122: "syn"}
    done = threading.Event()

    def out(sport, flags, seq, ack, payload=b"", what=""):
        pkt = (Ether(src=OWN_MAC, dst=ROUTER_MAC) / IP(src=OWN_IP, dst=SERVER4, ttl=64) /
               TCP(sport=sport, dport=port[sport], flags=flags, seq=seq, ack=ack, window=502))
        if payload:
            pkt = pkt / payload
        sendp(pkt, iface=IFACE)
        log.sent(what, pkt)

    def on_frame(frame):
        if answer_arp(frame) or TCP not in frame or IP not in frame or frame[IP].dst != OWN_IP:
            return
        tcp = frame[TCP]
        sport = tcp.dport
        if sport not in state:
            return
        mine = isn[sport] + 1
        if sport == 40121 and tcp.flags == "SA" and state[sport] == "syn":
            state[sport] = "open"
            out(sport, "A", mine, tcp.seq + 1, what="probe: handshake ACK")
            out(sport, "PA", mine, tcp.seq + 1, b"GET / HTTP/1.1\r\nHost: blocked.example\r\n\r\n",
                what="probe: request")
        elif sport == 40121 and "R" in str(tcp.flags) and state[sport] == "open":
            # The RST took no sequence number (RFC 9293 3.4); this prober
            # acknowledges one anyway, and goes on sending.
            state[sport] = "after"
            req = 41
            for n in range(2):
                time.sleep(0.2)
                out(sport, "PA", mine + req + 20 * n, tcp.seq + 1, b"x" * 20,
                    what="probe: data after the server's RST, acknowledging the RST")
            time.sleep(0.2)
            done.set()
        elif sport == 40122 and "R" in str(tcp.flags) and state[sport] == "syn":
            state[sport] = "refused"
            probe_ack = 777777
            out(sport, "A", mine, probe_ack, what="probe: ACK after the refusal")
            time.sleep(0.05)
            forged = (Ether(src=OWN_MAC, dst=OWN_MAC) /
                      IP(src=SERVER4, dst=OWN_IP, ttl=64, id=1) /
                      TCP(sport=closed_port, dport=sport, flags="RA", seq=probe_ack,
                          ack=mine, window=8192))
            sendp(forged, iface=IFACE)
            log.sent("forged RST/ACK 'abort' in the server's name after its refusal", forged)

    def go():
        while not os.path.exists(ready.replace(".ready", ".go")):
            time.sleep(0.05)
        for sport in (40122, 40121):
            out(sport, "S", isn[sport], 0, what="probe: SYN")
            time.sleep(0.3)

    def start():
        open(ready, "w").close()
        threading.Thread(target=go, daemon=True).start()

    sniff(iface=IFACE, prn=on_frame, store=False, started_callback=start,
          stop_filter=lambda _f: done.is_set(), timeout=12)


def matches(trigger, frame):
    payload = bytes(frame[TCP].payload)
    flags = frame[TCP].flags
    if trigger == "syn":
        return flags == "S"
    if trigger == "clienthello":     # TLS handshake record carrying a ClientHello
        return len(payload) > 5 and payload[0] == 0x16 and payload[1] == 0x03 and payload[5] == 0x01
    if trigger == "http-request":
        return payload.startswith(b"GET ")
    if trigger == "http-response":
        return payload.startswith(b"HTTP/1.1 ")
    raise SystemExit("unknown trigger " + trigger)


def forge(spec, rng, frame, log):
    """The RSTs of SPEC for one trigger segment, in the order listed."""
    ip_layer = IP if IP in frame else IPv6
    ip, tcp = frame[ip_layer], frame[TCP]
    from_client = frame[Ether].src == CLIENT_MAC
    space = len(tcp.payload) + (1 if "S" in tcp.flags else 0) + (1 if "F" in tcp.flags else 0)
    end = (tcp.seq + space) & 0xFFFFFFFF
    # One burst shares a random TTL base, window base and IP ID
    # ("random+N", "shared"), as the GFW's type-2 RST/ACKs do.
    base_ttl = rng.choice([t for t in range(30, 248) if not 58 <= t <= 66])
    base_window = rng.randrange(1000, 60000)
    shared_id = rng.randrange(2, 65536)

    def pick(value, base):
        if isinstance(value, str) and value.startswith("random+"):
            return base + int(value[len("random+"):])
        return value

    for r in spec["rsts"]:
        to_client = r["to"] == "client"
        # The receiver's RCV.NXT after the trigger, and what the RST acknowledges.
        if to_client == from_client:      # back to the trigger's sender
            rcv_nxt, ack = tcp.ack, end
        else:                             # on to the trigger's receiver
            rcv_nxt, ack = end, tcp.ack
        seq = 0 if r["seq"] == "zero" else (rcv_nxt + r["seq"]) & 0xFFFFFFFF
        if to_client:
            src, dst = (ip.dst, ip.src) if from_client else (ip.src, ip.dst)
            sport, dport = (tcp.dport, tcp.sport) if from_client else (tcp.sport, tcp.dport)
            mac_dst = CLIENT_MAC
            mac_src = ROUTER_MAC if r.get("mac") == "router" else OWN_MAC
        else:
            src, dst = (ip.src, ip.dst) if from_client else (ip.dst, ip.src)
            sport, dport = (tcp.sport, tcp.dport) if from_client else (tcp.dport, tcp.sport)
            mac_dst, mac_src = ROUTER_MAC, OWN_MAC
        ttl = pick(r["ttl"], base_ttl)
        if ttl == "random":
            ttl = rng.choice([t for t in range(30, 251) if not 58 <= t <= 66])
        window = pick(r["window"], base_window)
        if window == "random":
            window = rng.randrange(1, 65536)
        ip_id = r.get("ip_id", 1)
        ip_id = {"random": rng.randrange(2, 65536), "shared": shared_id}.get(ip_id, ip_id)
        if ip_layer is IP:
            net = IP(src=src, dst=dst, ttl=ttl, id=ip_id)
        else:
            net = IPv6(src=src, dst=dst, hlim=ttl)
        out = (Ether(src=mac_src, dst=mac_dst) / net /
               TCP(sport=sport, dport=dport, flags=r["flags"], seq=seq,
                   ack=ack if "A" in r["flags"] else 0, window=window))
        if "payload" in r:
            out = out / r["payload"].encode()
        sendp(out, iface=IFACE)
        what = "forged %s to the %s" % ("data segment" if "payload" in r else "RST", r["to"])
        log.sent("%s (window %d, IP ID %d)" % (what, window, ip_id), out)


def inject(log, ready, spec):
    rng = random.Random(spec.get("seed", 1))
    done = set()

    def on_frame(frame):
        if TCP not in frame or frame[Ether].src == OWN_MAC:
            return
        tcp = frame[TCP]
        if spec["port"] not in (tcp.sport, tcp.dport):
            return
        conn = (tcp.sport, tcp.dport) if tcp.dport == spec["port"] else (tcp.dport, tcp.sport)
        if conn in done or not matches(spec["trigger"], frame):
            return
        done.add(conn)
        forge(spec, rng, frame, log)

    sniff(iface=IFACE, filter="tcp", prn=on_frame, store=False,
          started_callback=lambda: open(ready, "w").close())


def answer_arp(frame):
    """Say that OWN_IP is here (the namespace's kernel has no address)."""
    if ARP in frame and frame[ARP].op == 1 and frame[ARP].pdst == OWN_IP:
        sendp(Ether(src=OWN_MAC, dst=frame[Ether].src) /
              ARP(op=2, hwsrc=OWN_MAC, psrc=OWN_IP, hwdst=frame[ARP].hwsrc,
                  pdst=frame[ARP].psrc), iface=IFACE)
        return True
    return False


def endpoint(log, ready, spec):
    rng = random.Random(spec.get("seed", 7))
    conns = {}     # (client port, our port) -> [our ISN, next IP ID]
    window = 64240

    def out(frame_in, flags, seq, ack, ip_id, win, payload=b"", options=()):
        ip, tcp = frame_in[IP], frame_in[TCP]
        return (Ether(src=OWN_MAC, dst=frame_in[Ether].src) /
                IP(src=OWN_IP, dst=ip.src, ttl=64, id=ip_id, flags="DF") /
                TCP(sport=tcp.dport, dport=tcp.sport, flags=flags, seq=seq, ack=ack,
                    window=win, options=list(options)) / payload)

    def on_frame(frame):
        if answer_arp(frame) or TCP not in frame or IP not in frame:
            return
        ip, tcp = frame[IP], frame[TCP]
        rule = spec["ports"].get(str(tcp.dport))
        if ip.dst != OWN_IP or rule is None:
            return
        key = (tcp.sport, tcp.dport)
        payload = bytes.fromhex(rule["payload"])
        options = [(kind, bytes.fromhex(data)) for kind, data in rule.get("options", [])]
        if tcp.flags == "S":
            if rule["on"] == "syn":
                # A reply without a connection: seq 0, window 0 (RFC 9293 3.10.7.1).
                rst = out(frame, "RA", 0, tcp.seq + 1, 0, rule.get("window", 0), payload,
                          options)
                sendp(rst, iface=IFACE)
                log.sent("lab endpoint refuses the SYN and says " + rule["says"], rst,
                         role="endpoint")
                return
            isn = rng.randrange(1, 2**32)
            ip_id = rng.randrange(1000, 60000)
            conns[key] = [isn, ip_id + 1]
            sendp(out(frame, "SA", isn, tcp.seq + 1, ip_id, window), iface=IFACE)
        elif key in conns and len(tcp.payload) > 0 and rule["on"] == "data":
            isn, ip_id = conns.pop(key)
            if rule.get("ack_options"):
                before = [(kind, bytes.fromhex(data)) for kind, data in rule["ack_options"]]
                ack = out(frame, "A", isn + 1, (tcp.seq + len(tcp.payload)) & 0xFFFFFFFF, ip_id,
                          window, b"", before)
                sendp(ack, iface=IFACE)
                log.sent("lab endpoint acknowledges with MP_FASTCLOSE", ack, role="endpoint")
                ip_id += 1
            rst = out(frame, "RA", isn + 1, (tcp.seq + len(tcp.payload)) & 0xFFFFFFFF, ip_id,
                      rule.get("window", window), payload, options)
            sendp(rst, iface=IFACE)
            log.sent("lab endpoint resets the connection and says " + rule["says"], rst,
                     role="endpoint")

    sniff(iface=IFACE, filter="arp or tcp", prn=on_frame, store=False,
          lfilter=lambda f: Ether in f and f[Ether].src != OWN_MAC,
          started_callback=lambda: open(ready, "w").close())


def main():
    log_path, ready, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    log = Log(log_path)
    if mode == "bad-ack-client":
        bad_ack_client(log, ready, int(sys.argv[4]))
    elif mode == "probe":
        probe(log, ready, int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "inject":
        inject(log, ready, json.loads(sys.argv[4]))
    elif mode == "endpoint":
        endpoint(log, ready, json.loads(sys.argv[4]))
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
