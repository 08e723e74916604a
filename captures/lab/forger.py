#!/usr/bin/python3
"""The device on the client's segment that forges packets (runs in rx-inj).

It sees every frame through the hub and writes frames of its own with its own
MAC address.  Every frame it sends is logged (JSON lines) so that the labels say
which RSTs are forged and how that is known.

    forger.py LOG READY handshake-rst PORT TTL
        On each SYN to the server's PORT, answer "for the server" with a
        RST/ACK (seq 0, ack = ISN + 1, window 0) carrying IP TTL TTL, as an
        on-path censor or firewall does; it arrives before the real SYN-ACK.
    forger.py LOG READY bad-ack-client PORT
        Act as a client at 198.51.100.20: send a SYN, then answer the SYN-ACK
        with an ACK that acknowledges data the server never sent.  The server's
        kernel answers that segment with a RST.
"""
import json
import os
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

    def sent(self, what, frame):
        tcp = frame[TCP]
        ip = frame[IP] if IP in frame else frame[IPv6]
        entry = {"time": time.time(), "what": what, "src": ip.src, "dst": ip.dst,
                 "sport": tcp.sport, "dport": tcp.dport, "flags": str(tcp.flags),
                 "seq": tcp.seq, "ack": tcp.ack,
                 "ttl": ip.ttl if IP in frame else ip.hlim, "mac": frame[Ether].src}
        self.fh.write(json.dumps(entry) + "\n")
        self.fh.flush()


def handshake_rst(log, ready, port, ttl):
    def on_frame(frame):
        if TCP not in frame or frame[Ether].src != CLIENT_MAC:
            return
        tcp = frame[TCP]
        if tcp.dport != port or tcp.flags != "S":
            return
        if IP in frame:
            ip = IP(src=frame[IP].dst, dst=frame[IP].src, ttl=ttl)
        else:
            ip = IPv6(src=frame[IPv6].dst, dst=frame[IPv6].src, hlim=ttl)
        forged = (Ether(src=OWN_MAC, dst=frame[Ether].src) / ip /
                  TCP(sport=tcp.dport, dport=tcp.sport, flags="RA", seq=0,
                      ack=(tcp.seq + 1) & 0xFFFFFFFF, window=0))
        sendp(forged, iface=IFACE)
        log.sent("forged RST answering the client's SYN in the server's name", forged)

    sniff(iface=IFACE, filter="tcp", prn=on_frame, store=False,
          started_callback=lambda: open(ready, "w").close())


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


def main():
    log_path, ready, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    log = Log(log_path)
    if mode == "handshake-rst":
        handshake_rst(log, ready, int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "bad-ack-client":
        bad_ack_client(log, ready, int(sys.argv[4]))
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
