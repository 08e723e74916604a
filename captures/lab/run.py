#!/usr/bin/python3
"""Makes the project's captures with real Linux stacks and labels every RST.

    sudo /usr/bin/python3 captures/lab/run.py [SCENARIO ...]

For each scenario it starts the server (rx-sv), the forging device if any
(rx-inj) and the client (rx-cl), captures at the client (captures/NAME.pcapng)
and at the server (captures/server-side/NAME.pcapng), and records the kernel's
own reason for every RST it sent (tracepoint tcp:tcp_send_reset).  Netfilter's
"reject with tcp reset" does not pass through that tracepoint: those RSTs are
known from the scenario's firewall rule.  Forged frames are known from the
forger's log.

Labels (captures/labels.tsv) come from how each RST was made, never from the
plugin: every RST frame in a capture is matched, in order, against the list of
RSTs the scenario declares (who sends it, and for a kernel RST the reason the
kernel must report).  A capture that does not match its declaration fails the
run, so a label cannot silently drift.
"""
import collections
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.dirname(HERE)
PY = "/usr/bin/python3"
SYNC_DIR = "/run/rx-lab"
TRACE = "/sys/kernel/tracing"

CLIENT_IP = {"198.51.100.10", "2001:db8:1::10", "192.0.2.1",    # 192.0.2.x: inside VXLAN
             "198.51.100.30",                                     # .30: the raw IP (tun) link
             "198.51.100.11"}                                     # .11: its second (MPTCP)
SERVER_IP = {"203.0.113.2", "2001:db8:2::2", "192.0.2.2", "203.0.113.30"}
# Client and server on one host, over the loopback interface: the port says who.
LOOP_IP = {"203.0.113.50", "2001:db8:5::50"}
NAT_IP = {"203.0.113.1", "203.0.113.11"}
CRAFTED_CLIENT_IP = {"198.51.100.20"}
MAC = {"02:00:00:00:01:0a": "client", "02:00:00:00:01:66": "forger",
       "02:00:00:00:01:01": "router", "02:00:00:00:02:01": "router",
       "02:00:00:00:02:02": "server",
       "02:00:00:00:03:01": "client", "02:00:00:00:03:02": "server"}   # inside VXLAN


# What the lab's programs send (apps.py, forger.py), for the bytes a RST loses.
REQUEST_BYTES = 52          # apps.REQUEST
BLOCKED_REQUEST_BYTES = 41  # apps.BLOCKED_REQUEST, also the prober's request
AFTER_FIN_BYTES = 26        # apps.client_data_after_close: "MORE DATA AFTER YOUR FIN\r\n"
PROBE_AFTER_BYTES = 2 * 20  # forger.py probe: twice 20 bytes after the server's RST

# Impacts many RSTs share: (impact, impact_why).
REFUSAL = ("connection-failed", "a SYN refused: the connection attempt ended there")
READ_THEN_ABORT = ("none", "the client had read the whole response (recv_http) and sent "
                   "nothing more: every byte either side sent was acknowledged")
ANSWERED_THEN_ABORT = ("none", "the server aborts right after its response, which the client "
                       "received whole and acknowledged (at the server the ACKs cross the RST)")
LATE_REPLY = ("none", "it answers packets that arrived after its sender's own RST had ended "
              "the connection")


class Expect:
    """One RST the scenario makes, in the order a capture point sees it.

    sender: who really sent it: "client", "server" (their kernels), "firewall"
    (netfilter reject on the server host), "forger", "endpoint" (the scapy
    endpoint at 198.51.100.20, a stack that states its reasons).  kernel_reason: the reason
    the tracepoint must report (kernel RSTs only).  cause / injected: the label.
    face_value: what a forged RST imitates (the cause it would have if its
    claimed sender had sent it), "" where it imitates nothing in particular;
    for a genuine RST, its cause.
    repeat: "+" when the same RST may occur one or more times (timing-dependent).
    views: the capture points where it appears ("client", "server").
    stated: what it says about itself, as the sender built it: "compact/CODE/PEN",
    "description/TEXT" (0xF317), "text/TEXT" (RFC 1122), "malformed",
    "cbor/CODE/PEN/TEXT" (the individual drafts' CBOR; "-" for none),
    "f5/LOCATION/PEER/CAUSE" (an F5 BIG-IP reset cause, PEER 1 for "{peer}"),
    "mptcp/REASON/FLAGS/FASTCLOSE" (MP_TCPRST's reason and U V W T bits, "-"
    for none; FASTCLOSE: "sender" for MP_FASTCLOSE on the RST, "-" for none),
    "window/CODE" (a Citrix NetScaler reset code in the window), or "".
    impact: what it cost (issue 16), from what the scenario's programs did:
    "none", "data-lost", "connection-failed", "unknown"; or {view: impact}
    where a capture point sees it differently (the client saw a forged RST
    end the connection before it, the server did not), an impact being
    either a name or [first, rest] for a repeated RST (the first ends the
    connection, the rest answer late packets).  impact_bytes: the bytes
    lost where the programs fix them (request and answer sizes), else "".
    impact_why: how the impact follows from what the programs did.
    """

    def __init__(self, sender, cause, kernel_reason=None, injected=False, evidence="",
                 repeat="", views=("client", "server"), why="", face_value=None, stated="",
                 impact=None, impact_bytes="", impact_why=""):
        if impact is None or not impact_why:
            raise ValueError("every expected RST says what it cost, and how that is known")
        self.sender, self.cause, self.kernel_reason = sender, cause, kernel_reason
        self.stated = stated
        self.impact, self.impact_bytes, self.impact_why = impact, str(impact_bytes), impact_why
        self.face_value = cause if face_value is None else face_value
        self.injected, self.evidence, self.repeat = injected, evidence, repeat
        self.views, self.why = views, why


def sh(cmd, check=True):
    return subprocess.run(cmd, shell=True, check=check, capture_output=True, text=True)


def packet_count(path):
    out = sh("capinfos -M -c %s" % path, check=False).stdout
    m = re.search(r"Number of packets:\s+(\d+)", out)
    return int(m.group(1)) if m else 0


def ns(name, cmd, check=True):
    return sh("ip netns exec %s %s" % (name, cmd), check=check)


def spawn(name, args, log=None):
    out = open(log, "w") if log else subprocess.DEVNULL
    return subprocess.Popen(["ip", "netns", "exec", name] + args, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc):
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_file(path, timeout=20.0):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        if time.time() > deadline:
            raise SystemExit("timed out waiting for " + path)
        time.sleep(0.05)


# ------------------------------------------------------------ scenario hooks

def nft(name, ruleset):
    path = os.path.join(SYNC_DIR, "nft.rules")
    with open(path, "w") as fh:
        fh.write(ruleset)
    ns(name, "nft -f " + path)


def host_firewall_reject():
    nft("rx-sv", """table inet rxlab {
  chain fw_input { type filter hook input priority 0;
    tcp dport 8002 reject with tcp reset
  }
}
""")


def server_restart_phase(ctx):
    # The server host "crashes": its output is dropped while the process dies
    # (its SO_LINGER 0 sockets vanish, the RSTs they send never leave), then a
    # fresh server process listens on the same port.
    nft("rx-sv", """table inet rxlab {
  chain fw_output { type filter hook output priority 0;
    tcp sport 8007 drop
  }
}
""")
    stop(ctx["server"])
    time.sleep(0.3)
    # RSTs traced so far were dropped by the rule above: never on the wire.
    ctx["off_wire"] = len(trace_read())
    ns("rx-sv", "nft delete table inet rxlab")
    ctx["server"] = spawn("rx-sv", [PY, os.path.join(HERE, "apps.py"), "server", "server-restart-2"])
    time.sleep(0.5)


def nat_setup():
    ns("rx-rt", "ip addr add 203.0.113.11/24 dev rtout")
    nft("rx-rt", """table ip rxnat {
  chain nat_post { type nat hook postrouting priority 100;
    oifname "rtout" ip saddr 198.51.100.0/24 snat to 203.0.113.1
  }
}
""")


def nat_rebind_phase(_ctx):
    # The NAT's egress address changes and it forgets the mapping: the client's
    # next segment leaves from another address, which the server has never seen.
    ns("rx-rt", "nft flush chain ip rxnat nat_post")
    ns("rx-rt", "nft add rule ip rxnat nat_post oifname rtout ip saddr 198.51.100.0/24 "
                "snat to 203.0.113.11")
    ns("rx-rt", "conntrack -D -p tcp --orig-port-dst 8008", check=False)


def nat_teardown():
    ns("rx-rt", "nft delete table ip rxnat", check=False)
    ns("rx-rt", "ip addr del 203.0.113.11/24 dev rtout", check=False)


def keepalive_phase(_ctx):
    # The server host's firewall starts dropping everything from the client:
    # the client's keepalive probes go unanswered.
    nft("rx-sv", """table inet rxlab {
  chain fw_input { type filter hook input priority 0;
    tcp dport 8010 drop
  }
}
""")


def accept_overflow_setup():
    ns("rx-sv", "sysctl -qw net.ipv4.tcp_abort_on_overflow=1")
    ns("rx-sv", "sysctl -qw net.ipv4.tcp_syncookies=0")


def accept_overflow_teardown():
    ns("rx-sv", "sysctl -qw net.ipv4.tcp_abort_on_overflow=0")
    ns("rx-sv", "sysctl -qw net.ipv4.tcp_syncookies=1")


def icmp_quoted_setup():
    # The router refuses to forward the client's RSTs to port 8012 and says so
    # with an ICMP error that quotes the RST's headers.
    nft("rx-rt", """table inet rxlab {
  chain fw_forward { type filter hook forward priority 0;
    meta nfproto ipv4 tcp dport 8012 tcp flags & rst == rst reject with icmp type admin-prohibited
    meta nfproto ipv6 tcp dport 8012 tcp flags & rst == rst reject with icmpv6 type admin-prohibited
  }
}
""")


def vxlan_setup():
    # A VXLAN tunnel (the only tunnel this lab kernel has) from the client to
    # the server across the router: the TCP connection lives in the inner
    # Ethernet and IP layers (192.0.2.0/30, inner MACs 02:00:00:00:03:0x).
    for name, remote, addr, mac in (("rx-cl", "203.0.113.2", "192.0.2.1/30", "02:00:00:00:03:01"),
                                    ("rx-sv", "198.51.100.10", "192.0.2.2/30", "02:00:00:00:03:02")):
        ns(name, "ip link add vx0 type vxlan id 42 dstport 4789 remote %s" % remote)
        ns(name, "sysctl -qw net.ipv6.conf.vx0.disable_ipv6=1")
        ns(name, "ip link set vx0 address %s" % mac)
        ns(name, "ip addr add %s dev vx0" % addr)
        ns(name, "ip link set vx0 up")
        ns(name, "ethtool -K vx0 tso off gso off gro off tx off rx off", check=False)
    ns("rx-cl", "ping -c1 -W2 192.0.2.2", check=False)


def vxlan_teardown():
    for name in ("rx-cl", "rx-sv"):
        ns(name, "ip link del vx0", check=False)


def make_certificate():
    sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=www.example.test "
       "-keyout %s/key.pem -out %s/cert.pem" % (SYNC_DIR, SYNC_DIR))


def path_firewall_reject():
    # The router itself rejects SYNs to port 8021 with a RST in the server's name.
    nft("rx-rt", """table inet rxlab {
  chain fw_forward { type filter hook forward priority 0;
    tcp dport 8021 reject with tcp reset
  }
}
""")


def server_drops_8044():
    # The server host drops SYNs to 8044: only the device's RST answers them.
    nft("rx-sv", """table inet rxlab {
  chain fw_input { type filter hook input priority 0;
    tcp dport 8044 drop
  }
}
""")


BLOCK_PAGE = ("HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
              "<html><body>This site is blocked.</body></html>")


def stateful_firewall():
    # A stateful firewall on the router: segments of connections it does not
    # know are rejected with a RST in the server's name.
    nft("rx-rt", """table inet rxlab {
  chain fw_forward { type filter hook forward priority 0;
    ct state established,related accept
    tcp flags & (syn | ack) == syn ct state new accept
    meta l4proto tcp ct state new,invalid reject with tcp reset
  }
}
""")


def stateful_firewall_forgets(_ctx):
    # Its connection entry times out (deleted here, as an idle timeout would).
    ns("rx-rt", "conntrack -D -p tcp --orig-port-dst 8022", check=False)


def teardown_fw():
    for name in ("rx-sv", "rx-rt"):
        ns(name, "nft delete table inet rxlab", check=False)


# ------------------------------------------------------------ scenarios

def stated(on, payload, says, cause, label):
    return {"on": on, "payload": payload.hex(), "says": says, "cause": cause, "label": label}


# The stated-reasons endpoint's ports.  A registered code that names a cause
# (14) decides rst.cause; others are quoted next to the cause on the wire.
STATED = {
    "7001": stated("data", bytes.fromhex("33aa000400000000"), "compact code 4 (ABORT Process)",
                   "abort", "compact/4/0"),
    "7002": stated("data", bytes.fromhex("33aa000e00000000"),
                   "compact code 14 (Connection Timeout)", "idle-timeout", "compact/14/0"),
    "7003": stated("data", bytes.fromhex("33aa04d200007ed9"),
                   "vendor code 1234 of PEN 32473 (RFC 5612's documentation PEN)", "abort",
                   "compact/1234/32473"),
    "7004": stated("data", b"\xf3\x17Connection closed by policy",
                   "0xF317 'Connection closed by policy'", "abort",
                   "description/Connection closed by policy"),
    "7005": stated("data", b"Access Denied", "RFC 1122 text 'Access Denied'", "abort",
                   "text/Access Denied"),
    "7006": stated("data", bytes.fromhex("33aa00040000"),
                   "a 6-byte compact payload (malformed: it must be 8)", "abort", "malformed"),
    "7007": stated("syn", bytes.fromhex("33aa000900000000"), "compact code 9 (Not Authorized)",
                   "refused", "compact/9/0"),
}

# Issue 17: vendors' and MPTCP's ways of saying why, from the same endpoint
# (ports 7101-7110).  A NetScaler puts its reset code in the window (Citrix
# CTX200852); an F5 BIG-IP with reset-cause logging puts "BIG-IP: [0x...:line]"
# and the cause in the payload (the texts here are the lab's, not F5's); the
# individual drafts' CBOR layout; MP_TCPRST (RFC 8684 3.6) on a plain TCP
# connection's RST.  The cause each names: NetScaler 9814 (a policy's RESET
# action) abort, 9300 (idle or zombie timeout) idle-timeout, 8201 (a stray
# packet) no-connection, 8212 (a stray SYN) refused; CBOR code 14 idle-timeout;
# MP_TCPRST 1 (MPTCP-specific error) invalid-segment; the others none of
# their own (the wire's abort stands).
def vendor(on, says, cause, label, payload=b"", window=None, options=(), ack_options=()):
    rule = stated(on, payload, says, cause, label)
    if window is not None:
        rule["window"] = window
    if options:
        rule["options"] = [[kind, data.hex()] for kind, data in options]
    if ack_options:
        rule["ack_options"] = [[kind, data.hex()] for kind, data in ack_options]
    return rule


VENDOR = {
    "7101": vendor("data", "NetScaler code 9814 (policy RESET action) in the window", "abort",
                   "window/9814", window=9814),
    "7102": vendor("data", "NetScaler code 9300 (idle or zombie timeout) in the window",
                   "idle-timeout", "window/9300", window=9300),
    "7103": vendor("data", "NetScaler code 8201 (stray packet) in the window", "no-connection",
                   "window/8201", window=8201),
    "7104": vendor("data", "an F5-form reset cause", "abort",
                   "f5/0x2d7ba78:2891/0/lab reset cause",
                   payload=b"BIG-IP: [0x2d7ba78:2891] lab reset cause"),
    "7105": vendor("data", "an F5-form reset cause with {peer}", "abort",
                   "f5/0x1c8:97/1/lab reset cause",
                   payload=b"BIG-IP: [0x1c8:97] {peer} lab reset cause"),
    "7106": vendor("data", "CBOR [12345, {1: 14}] (Connection timeout)", "idle-timeout",
                   "cbor/14/0/-", payload=bytes.fromhex("193039a1010e")),
    "7107": vendor("data", "CBOR [12345, {3: \"by policy\"}]", "abort", "cbor/-/0/by policy",
                   payload=bytes.fromhex("193039a10369") + b"by policy"),
    "7108": vendor("data", "MP_TCPRST reason 6 (middlebox interference), transient", "abort",
                   "mptcp/6/1/-", options=((30, bytes([0x81, 6])),)),
    "7109": vendor("data", "MP_TCPRST reason 1 (MPTCP-specific error)", "invalid-segment",
                   "mptcp/1/0/-", options=((30, bytes([0x80, 1])),)),
    "7111": vendor("data", "MP_FASTCLOSE on an ACK just before a plain RST (option A)", "abort",
                   "mptcp/-/0/sender",
                   ack_options=((30, bytes([0x70, 0]) + bytes.fromhex("0123456789abcdef")),)),
    "7110": vendor("syn", "NetScaler code 8212 (stray SYN) in the window", "refused",
                   "window/8212", window=8212),
}

# An MPTCP server that takes no second subflow: the kernel refuses MP_JOIN
# (its subflow limit is 0); the client has a second address and a path
# manager endpoint that opens one.  RFC 8684 3.2, Linux's "ip mptcp".
MPTCP_LIMITS = {}


def mptcp_join_setup():
    for name in ("rx-cl", "rx-sv"):
        MPTCP_LIMITS[name] = ns(name, "ip mptcp limits show").stdout.split()
    ns("rx-sv", "ip mptcp limits set subflows 0 add_addr_accepted 0")
    ns("rx-cl", "ip addr add 198.51.100.11/24 dev cl0")
    ns("rx-cl", "ip mptcp limits set subflows 2 add_addr_accepted 2")
    ns("rx-cl", "ip mptcp endpoint add 198.51.100.11 dev cl0 subflow")


def mptcp_join_teardown():
    ns("rx-cl", "ip mptcp endpoint flush", check=False)
    ns("rx-cl", "ip addr del 198.51.100.11/24 dev cl0", check=False)
    for name, words in MPTCP_LIMITS.items():
        ns(name, "ip mptcp limits set " + " ".join(words), check=False)


# What each stated-reasons RST cost: the endpoint never answers.
STATED_IMPACT = {
    "data": dict(impact="data-lost", impact_bytes=REQUEST_BYTES,
                 impact_why="the endpoint resets after the client's request without answering it"),
    "syn": dict(impact="connection-failed", impact_why="the endpoint refuses the SYN"),
}

SCENARIOS = [
    {"name": "refused-v4", "server": None,
     "what": "SYN to a port with no listener (IPv4)",
     "rsts": [Expect("server", "refused", "NO_SOCKET", why="no listener on 8001",
                     impact=REFUSAL[0],
                     impact_why=REFUSAL[1])]},
    {"name": "refused-v6", "server": None,
     "what": "SYN to a port with no listener (IPv6)",
     "rsts": [Expect("server", "refused", "NO_SOCKET", why="no listener on 8001",
                     impact=REFUSAL[0],
                     impact_why=REFUSAL[1])]},
    {"name": "firewall-reject", "setup": host_firewall_reject,
     "what": "the server host's own nftables rule 'tcp dport 8002 reject with tcp reset' "
             "(a listener is running behind it)",
     "rsts": [Expect("firewall", "refused", why="server host nft reject with tcp reset",
                     impact=REFUSAL[0],
                     impact_why=REFUSAL[1])]},
    {"name": "linger0-after-response",
     "what": "server sends a response then closes with SO_LINGER {1, 0}",
     "rsts": [Expect("server", "abort", "TCP_STATE", why="SO_LINGER 0 close after the response",
                     impact=ANSWERED_THEN_ABORT[0],
                     impact_why=ANSWERED_THEN_ABORT[1]),
              Expect("server", "no-connection", "TCP_FLAGS", repeat="?",
                     why="the client's ACK of the response crossed the RST; the listener answers it",
                     impact=LATE_REPLY[0],
                     impact_why=LATE_REPLY[1])]},
    {"name": "close-unread",
     "what": "server closes without reading the request it received",
     "rsts": [Expect("server", "abort", "TCP_ABORT_ON_CLOSE", why="close() with unread data",
                     impact="data-lost",
                     impact_why="the server closed without reading the request its kernel had "
                                "acknowledged, and never answered it",
                     impact_bytes=REQUEST_BYTES)]},
    {"name": "client-abort",
     "what": "client reads the response, then closes with SO_LINGER {1, 0}",
     "rsts": [Expect("client", "abort", "TCP_STATE", why="client SO_LINGER 0 close",
                     impact=READ_THEN_ABORT[0],
                     impact_why=READ_THEN_ABORT[1])]},
    {"name": "data-after-close",
     "what": "server answers and closes (FIN), first with close(), then with "
             "shutdown(SHUT_RDWR); the client sends more data afterwards",
     "rsts": [Expect("server", "data-after-close", "TCP_TIMEWAIT_SOCKET",
                     why="data arrived after the server's close() (orphaned FIN_WAIT2 "
                         "is a time-wait socket)",
                         impact="data-lost",
                         impact_why="the client's bytes after the server's FIN: the server reads "
                                    "no more, they are thrown away",
                         impact_bytes=AFTER_FIN_BYTES),
              Expect("server", "data-after-close", "TCP_ABORT_ON_DATA",
                     why="data arrived after the server's shutdown(SHUT_RDWR)",
                     impact="data-lost",
                     impact_why="the client's bytes after the server's FIN: the server reads no "
                                "more, they are thrown away",
                     impact_bytes=AFTER_FIN_BYTES)]},
    {"name": "server-restart", "phase": server_restart_phase,
     "what": "server process dies without its FIN/RST reaching the wire and a new one "
             "listens; the client's next request reaches a host without the connection",
     "rsts": [Expect("server", "no-connection", "TCP_FLAGS",
                     why="the restarted server has no socket for the connection: its "
                         "listener answers the ACK-bearing segment",
                         impact="data-lost",
                         impact_why="the client's next request reaches a server that lost the "
                                    "connection: refused, never answered",
                         impact_bytes=REQUEST_BYTES)]},
    {"name": "nat-rebind", "setup": nat_setup, "phase": nat_rebind_phase,
     "teardown": nat_teardown,
     "what": "the client's NAT changes its egress address mid-connection; the server "
             "answers the segment from the unknown address with a RST",
     "rsts": [Expect("server", "no-connection", None,
                     why="segment from the NAT's new address matches no connection",
                     impact="data-lost",
                     impact_why="the client's request from the NAT's new address is refused, "
                                "never answered",
                     impact_bytes=REQUEST_BYTES)]},
    {"name": "accept-overflow", "setup": accept_overflow_setup,
     "teardown": accept_overflow_teardown,
     "what": "listen(backlog 1), never accept(), tcp_abort_on_overflow=1, no SYN "
             "cookies; one client connection, then three SYNs at once",
     "rsts": [Expect("server", "accept-queue-overflow", "INVALID_SYN",
                     why="accept queue full with tcp_abort_on_overflow=1",
                     impact=REFUSAL[0],
                     impact_why=REFUSAL[1])]},
    {"name": "keepalive-timeout", "phase": keepalive_phase,
     "what": "client keepalive (idle 1 s, interval 1 s, 3 probes); the server host starts "
             "dropping the client's segments",
     "rsts": [Expect("client", "keepalive-timeout", "TCP_KEEPALIVE_TIMEOUT",
                     why="keepalive probes unanswered",
                     impact="none",
                     impact_why="the connection idled after a complete exchange; the keepalive "
                                "probes carry no data")]},
    {"name": "normal", "what": "request, response, FIN both ways: no RST", "rsts": []},
    {"name": "vxlan-tunnel", "setup": vxlan_setup, "teardown": vxlan_teardown,
     "what": "inside a VXLAN tunnel between client and server: a SYN to a closed port, "
             "then a connection the client aborts with SO_LINGER {1, 0}",
     "rsts": [Expect("server", "refused", "NO_SOCKET", why="no listener on 192.0.2.2:8001",
                     impact=REFUSAL[0],
                     impact_why=REFUSAL[1]),
              Expect("client", "abort", "TCP_STATE", why="client SO_LINGER 0 close",
                     impact=READ_THEN_ABORT[0],
                     impact_why=READ_THEN_ABORT[1])]},
    {"name": "forged-handshake",
     "forger": ["inject", json.dumps({
         "trigger": "syn", "port": 8443, "rsts": [
             {"to": "client", "flags": "RA", "seq": "zero", "ttl": 64, "window": 0}]})],
     "what": "a device on the client's segment answers the SYN with a RST/ACK in the "
             "server's name (its own MAC, TTL 64 against the server's 63) before the "
             "real SYN-ACK arrives; the client then resets the real SYN-ACK",
     "rsts": [Expect("forger", "injected", injected=True, evidence="ttl,mac",
                     face_value="refused", views=("client",),
                     why="the forger answers the SYN the way a closed port does",
                     impact="connection-failed",
                     impact_why="the forged RST answers the SYN: the attempt ends"),
              Expect("client", "no-connection", "NO_SOCKET",
                     why="the real SYN-ACK reaches a client whose attempt was reset",
                     impact={"client": "none", "server": "connection-failed"},
                     impact_why="the forged RST had ended the attempt at the client; the "
                                "server's capture, which never saw it, sees this RST end the "
                                "attempt")]},
    {"name": "invalid-ack",
     "forger": ["bad-ack-client", "8011"],
     "what": "a crafted client answers the SYN-ACK with an ACK for 1000 bytes the "
             "server never sent; the server's kernel resets",
     "rsts": [Expect("server", "invalid-segment", None,
                     why="ACK acknowledges data never sent",
                     impact="connection-failed",
                     impact_why="the crafted client's handshake never completed")]},
    {"name": "gfw-tls-burst", "setup": make_certificate,
     "forger": ["inject", json.dumps({
         "trigger": "clienthello", "port": 443, "seed": 2017, "rsts": [
             {"to": "client", "flags": "R", "seq": 0, "ttl": "random", "window": "random",
              "ip_id": "random"},
             {"to": "client", "flags": "RA", "seq": 0, "ttl": "random+0", "window": "random+0",
              "ip_id": "shared"},
             {"to": "client", "flags": "RA", "seq": 1460, "ttl": "random+1", "window": "random+1",
              "ip_id": "shared"},
             {"to": "client", "flags": "RA", "seq": 4380, "ttl": "random+2", "window": "random+2",
              "ip_id": "shared"}]})],
     "what": "TLS to port 443 with SNI blocked.example; on the ClientHello the device sends, "
             "in the server's name, one RST (random TTL, window, IP ID) and three RST/ACKs at "
             "X, X+1460, X+4380 (X = the client's RCV.NXT) with consecutive TTLs and windows "
             "and one IP ID (GFW type 1 and 2, Wang et al. IMC 2017); the server's reply then "
             "meets a client without the connection",
     "rsts": [Expect("forger", "injected", injected=True, evidence="ttl,mac,burst_ttl",
                     face_value="", views=("client",), why="GFW-style bare RST",
                     impact="data-lost",
                     impact_why="the RST ends the connection on the ClientHello: the request "
                                "never gets the answer the server sends anyway"),
              Expect("forger", "injected", injected=True,
                     evidence="ttl,mac,burst_seq,burst_window,burst_ttl,ip_id",
                     face_value="", views=("client",), repeat="3",
                     why="GFW-style RST/ACKs at X, X+1460, X+4380",
                     impact="none",
                     impact_why="the bare RST at the client's RCV.NXT just before had already "
                                "ended the connection"),
              Expect("client", "no-connection", "NO_SOCKET", repeat="+",
                     why="the server's reply reaches a client whose connection was reset",
                     impact={"client": "none", "server": ["data-lost", "none"]},
                     impact_why="the client's capture saw the forged RSTs end the connection "
                                "first; the server's, which never saw them, sees the first of "
                                "these end it with the server's reply unacknowledged, the others "
                                "answer late packets")]},
    {"name": "inwindow-rst-http-v6",
     "forger": ["inject", json.dumps({
         "trigger": "http-request", "port": 8031, "rsts": [
             {"to": "client", "flags": "R", "seq": 0, "ttl": 64, "window": 0}]})],
     "what": "IPv6: on the HTTP request for blocked.example the device sends one bare RST "
             "at the client's RCV.NXT in the server's name (hop limit 64, its own MAC); the "
             "server's response then meets a client without the connection",
     "rsts": [Expect("forger", "injected", injected=True, evidence="ttl,mac,race,timing",
                     face_value="no-connection", views=("client",),
                     why="a single in-window RST after the request",
                     impact="data-lost",
                     impact_why="the RST ends the connection after the request: the server's "
                                "answer, sent anyway, is thrown away"),
              Expect("client", "no-connection", "NO_SOCKET", repeat="+",
                     why="the server's response reaches a client whose connection was reset",
                     impact={"client": "none", "server": ["data-lost", "none"]},
                     impact_why="the client's capture saw the forged RST end the connection "
                                "first; the server's, which never saw it, sees the first of "
                                "these end it with the server's response (or request) "
                                "unanswered, the others answer late packets")]},
    {"name": "copied-ttl-handshake",
     "forger": ["inject", json.dumps({
         "trigger": "syn", "port": 8032, "rsts": [
             {"to": "client", "flags": "RA", "seq": "zero", "ttl": 63, "window": 0}]})],
     "what": "the device answers the SYN in the server's name with the server's TTL (63 at "
             "the client) but its own MAC; the real SYN-ACK arrives later",
     "rsts": [Expect("forger", "injected", injected=True, evidence="mac,race,timing",
                     face_value="refused", views=("client",),
                     why="forged handshake RST copying the server's TTL",
                     impact="connection-failed",
                     impact_why="the forged RST answers the SYN: the attempt ends"),
              Expect("client", "no-connection", "NO_SOCKET",
                     why="the real SYN-ACK reaches a client whose attempt was reset",
                     impact={"client": "none", "server": "connection-failed"},
                     impact_why="the forged RST had ended the attempt at the client; the "
                                "server's capture, which never saw it, sees this RST end the "
                                "attempt")]},
    {"name": "copied-ttl-and-mac",
     "forger": ["inject", json.dumps({
         "trigger": "http-request", "port": 8033, "rsts": [
             {"to": "client", "flags": "RA", "seq": 0, "ttl": 63, "mac": "router",
              "window": 8192, "ip_id": 1}]})],
     "what": "on the HTTP request the device sends a RST/ACK at the server's next sequence "
             "number with the server's TTL and the router's MAC (scapy's window 8192 and "
             "IP ID 1, no timestamps); the server's response then meets a client without "
             "the connection",
     "rsts": [Expect("forger", "injected", injected=True,
                     evidence="race,timing,no_timestamps,ip_id,window", face_value="abort",
                     views=("client",), why="forged RST copying TTL and MAC",
                     impact="data-lost",
                     impact_why="the RST ends the connection after the request: the server's "
                                "answer, sent anyway, is thrown away"),
              Expect("client", "no-connection", "NO_SOCKET", repeat="+",
                     why="the server's response reaches a client whose connection was reset",
                     impact={"client": "none", "server": ["data-lost", "none"]},
                     impact_why="the client's capture saw the forged RST end the connection "
                                "first; the server's, which never saw it, sees the first of "
                                "these end it with the server's response (or request) "
                                "unanswered, the others answer late packets")]},
    {"name": "forged-client-rst",
     "forger": ["inject", json.dumps({
         "trigger": "http-response", "port": 8034, "rsts": [
             {"to": "server", "flags": "RA", "seq": 0, "ttl": 64, "window": 0,
              "ip_id": "random"}]})],
     "what": "on the server's HTTP response the device sends a RST/ACK in the client's name "
             "to the server (its own MAC); the client, unaware, sends its next request "
             "0.5 s later and the server, whose connection is gone, resets it",
     "rsts": [Expect("forger", "injected", injected=True, evidence="race",
                     face_value="abort", why="RST forged in the client's name",
                     impact="data-lost",
                     impact_why="the server drops the connection; the client's next request, 0.5 "
                                "s later, is refused",
                     impact_bytes=REQUEST_BYTES),
              Expect("server", "no-connection", "TCP_FLAGS",
                     why="the server lost the connection to the forged RST",
                     impact="none",
                     impact_why="it answers the client's next request after the forged RST had "
                                "ended the server's connection")]},
    # Issue 13: hosts after their own RST, one name at two distances.
    {"name": "probe-after-rst", "tour": False,
     "forger": ["probe", "8041", "8042"],
     "what": "a probing client (scapy at 198.51.100.20) requests from a server that closes "
             "without reading (RST), then acknowledges that RST as if it took a sequence "
             "number and sends twice more; and a SYN to a closed port, an ACK after the "
             "refusal, then a RST/ACK 'abort' the device forges in the server's name",
     "rsts": [Expect("server", "refused", "NO_SOCKET",
                     why="no listener on 8042", impact=REFUSAL[0], impact_why=REFUSAL[1]),
              Expect("server", "no-connection", "NO_SOCKET",
                     why="the ACK after the refusal reaches a port without a socket",
                     impact="none",
                     impact_why="the refusal before it had ended the attempt"),
              Expect("forger", "injected", injected=True, evidence="mac,contradiction",
                     face_value="", views=("client",),
                     why="forged 'abort' after the server's own refusal",
                     impact="none",
                     impact_why="the refusal before it had ended the attempt"),
              Expect("server", "abort", "TCP_ABORT_ON_CLOSE",
                     why="close() with the request unread",
                     impact="data-lost",
                     impact_why="the server closed without reading the prober's request; the "
                                "prober's bytes after the RST are thrown away too",
                     impact_bytes=BLOCKED_REQUEST_BYTES + PROBE_AFTER_BYTES),
              Expect("server", "no-connection", None, repeat="2",
                     why="the prober's data after the server's RST: no connection left",
                     impact=LATE_REPLY[0],
                     impact_why=LATE_REPLY[1])]},
    {"name": "block-page-then-rst", "tour": False,
     "forger": ["inject", json.dumps({
         "trigger": "http-request", "port": 8035, "rsts": [
             {"to": "client", "flags": "FPA", "seq": 0, "ttl": 64, "window": 8192,
              "ip_id": 1, "payload": BLOCK_PAGE},
             {"to": "client", "flags": "R", "seq": len(BLOCK_PAGE) + 1, "ttl": 64,
              "window": 0, "ip_id": 1},
             {"to": "client", "flags": "RA", "seq": len(BLOCK_PAGE) + 1, "ttl": 64,
              "window": 0, "ip_id": 1}]})],
     "what": "on the HTTP request the device sends a block page with FIN in the server's "
             "name (its own MAC, TTL 64 where the server's packets arrive with 63), then a "
             "RST and a RST/ACK alike; the server reads the request and stays silent",
     "rsts": [Expect("forger", "injected", injected=True, evidence="ttl,mac", face_value="",
                     views=("client",), why="the censor's RSTs after its own block page",
                     impact="data-lost",
                     impact_why="the censor ends the connection after the request; the server "
                                "(silent by design) never answers it"),
              Expect("forger", "injected", injected=True, evidence="ttl,mac", face_value="",
                     views=("client",), why="the censor's RSTs after its own block page",
                     impact="none",
                     impact_why="the censor's RST just before had already ended the connection"),
              Expect("client", "no-connection", "NO_SOCKET", repeat="?",
                     why="the server's ACK of the request reaches a client whose connection "
                         "was reset",
                         impact={"client": "none", "server": "data-lost"},
                         impact_why="the censor's RSTs had ended the connection at the client; "
                                    "the server's capture, which never saw them, sees this RST "
                                    "end it with the request unanswered (the server stays "
                                    "silent)")]},
    {"name": "rsts-from-two-distances", "setup": server_drops_8044, "tour": False,
     "forger": ["inject", json.dumps({
         "trigger": "syn", "port": 8044, "rsts": [
             {"to": "client", "flags": "RA", "seq": "zero", "ttl": 239, "window": 0,
              "ip_id": 0}]})],
     "what": "a normal request to port 8080, then SYNs to two closed ports of the server: "
             "8043 refused by the server, 8044 (dropped by the server host) refused by the "
             "device in the server's name (TTL 239, its own MAC)",
     "rsts": [Expect("server", "refused", "NO_SOCKET",
                     why="no listener on 8043", impact=REFUSAL[0], impact_why=REFUSAL[1]),
              Expect("forger", "injected", injected=True, evidence="ttl,mac",
                     face_value="refused", views=("client",),
                     why="the device answers the SYN to 8044 in the server's name",
                     impact="connection-failed",
                     impact_why="the forged RST answers the SYN: the attempt ends")]},
    {"name": "onpath-firewall-reject", "setup": path_firewall_reject,
     "what": "a normal request to the server's port 8080, then a SYN to port 8021 that the "
             "router rejects with a RST in the server's name (nftables on the path)",
     "rsts": [Expect("path-firewall", "injected", injected=True, evidence="ttl,timing",
                     face_value="refused", views=("client",),
                     why="the router's nft 'reject with tcp reset' in the forward chain",
                     impact="connection-failed",
                     impact_why="the router refuses the SYN in the server's name: the attempt "
                                "ends")]},
    {"name": "stateful-firewall-forgot", "setup": stateful_firewall,
     "phase": stateful_firewall_forgets,
     "what": "a stateful firewall on the router; after one request the connection idles, "
             "its entry is deleted (as an idle timeout would), and 3 s later the firewall "
             "rejects the client's next request with a RST in the server's name",
     "rsts": [Expect("path-firewall", "injected", injected=True, evidence="ttl,timing",
                     face_value="no-connection", views=("client",),
                     why="the router's nft rejects segments of unknown connections",
                     impact="data-lost",
                     impact_why="the firewall refuses the client's next request in the server's "
                                "name",
                     impact_bytes=REQUEST_BYTES)]},
    # Two capture points (issue 8): the same on-path rejects, followed by one
    # more normal request, so that the server's capture point demonstrably
    # kept capturing after the RST it never saw.
    {"name": "path-reject-two-points", "setup": path_firewall_reject, "tour": False,
     "what": "onpath-firewall-reject, then one more normal request to port 8080",
     "rsts": [Expect("path-firewall", "injected", injected=True, evidence="ttl,timing",
                     face_value="refused", views=("client",),
                     why="the router's nft 'reject with tcp reset' in the forward chain",
                     impact="connection-failed",
                     impact_why="the router refuses the SYN in the server's name: the attempt "
                                "ends")]},
    {"name": "path-forgot-two-points", "setup": stateful_firewall, "tour": False,
     "phase": stateful_firewall_forgets,
     "what": "stateful-firewall-forgot, then one more normal request to port 8080",
     "rsts": [Expect("path-firewall", "injected", injected=True, evidence="ttl,timing",
                     face_value="no-connection", views=("client",),
                     why="the router's nft rejects segments of unknown connections",
                     impact="data-lost",
                     impact_why="the firewall refuses the client's next request in the server's "
                                "name",
                     impact_bytes=REQUEST_BYTES)]},
    {"name": "host-firewall-after-connection", "setup": host_firewall_reject,
     "what": "control: a normal request to port 8080, then a SYN to port 8002 that the "
             "server host's own nftables rule rejects",
     "rsts": [Expect("firewall", "refused",
                     why="server host nft reject with tcp reset, after a known connection",
                     impact=REFUSAL[0],
                     impact_why=REFUSAL[1])]},
    {"name": "stated-reasons", "server": None,
     "forger": ["endpoint", json.dumps({"ports": {p: r for p, r in STATED.items()}})],
     "what": "a TCP endpoint at 198.51.100.20 (scapy, on the client's segment) that says "
             "why it resets: RST/ACKs carrying draft-boucadair-tcpm-rst-diagnostic-payload "
             "compact codes (IANA and vendor), a 0xF317 description, RFC 1122 text and a "
             "malformed payload, after the client's request; and a refused SYN with a code",
     "rsts": [Expect("endpoint", r["cause"], views=("client",), stated=r["label"],
                     why="the endpoint says " + r["says"], **STATED_IMPACT[r["on"]])
              for _p, r in sorted(STATED.items())]},
    {"name": "icmp-quoted", "setup": icmp_quoted_setup,
     "what": "client aborts (IPv4 then IPv6); the router rejects its RSTs with ICMP "
             "errors that quote them",
     "rsts": [Expect("client", "abort", None, views=("client",), why="client SO_LINGER 0",
                     impact=READ_THEN_ABORT[0],
                     impact_why=READ_THEN_ABORT[1]),
              Expect("client", "abort", None, views=("client",), why="client SO_LINGER 0",
                     impact=READ_THEN_ABORT[0],
                     impact_why=READ_THEN_ABORT[1])]},
    # Issue 17: reasons stated by MPTCP (the kernel's own) and by vendors.
    {"name": "mptcp-fastclose", "tour": False,
     "what": "an MPTCP connection (IPPROTO_MPTCP on both sides): one request, the whole "
             "response, then the client closes with SO_LINGER 0; Linux resets with "
             "MP_FASTCLOSE and MP_TCPRST (reason 0) on the RST",
     "rsts": [Expect("client", "abort", "TCP_ABORT_ON_CLOSE", stated="mptcp/0/0/sender",
                     why="client MPTCP socket, SO_LINGER 0: fast close",
                     impact=READ_THEN_ABORT[0], impact_why=READ_THEN_ABORT[1])]},
    {"name": "mptcp-join-refused", "tour": False,
     "setup": mptcp_join_setup, "teardown": mptcp_join_teardown,
     "what": "an MPTCP connection from 198.51.100.10; the client's path manager opens a "
             "second subflow from 198.51.100.11 (MP_JOIN); the server's subflow limit is 0, "
             "so its kernel resets the join with MP_TCPRST 'administratively prohibited', and "
             "the client's kernel resets its side of the subflow (MP_TCPRST 0); the first "
             "subflow carries two requests and closes normally",
     "rsts": [Expect("server", "refused", "MPTCP_RST_EPROHIBIT", stated="mptcp/3/0/-",
                     why="the server refuses the MP_JOIN subflow (subflow limit 0)",
                     impact="connection-failed",
                     impact_why="the second subflow's handshake never completes into a "
                                "subflow: it ends there"),
              Expect("client", "abort", "MPTCP_RST_EUNSPEC", stated="mptcp/0/0/-",
                     why="the client's kernel resets its side of the refused subflow",
                     impact="none",
                     impact_why="the refused subflow carried no data either way")]},
    {"name": "vendor-reasons", "server": None, "tour": False,
     "forger": ["endpoint", json.dumps({"ports": {p: r for p, r in VENDOR.items()}})],
     "what": "the lab endpoint at 198.51.100.20 resets requests as vendors and MPTCP say "
             "why: Citrix NetScaler codes 9814, 9300, 8201 in the window, F5-form reset "
             "causes (one with {peer}), the individual drafts' CBOR (a code, a "
             "description), MP_TCPRST reasons 6 (transient) and 1, MP_FASTCLOSE on an ACK "
             "before a plain RST; then refuses a SYN with NetScaler code 8212",
     "rsts": [Expect("endpoint", r["cause"], views=("client",), stated=r["label"],
                     why="the endpoint says " + r["says"], **STATED_IMPACT[r["on"]])
              # In the client's order: the requests, then the refused SYN.
              for _p, r in sorted(VENDOR.items(),
                                  key=lambda kv: (kv[1]["on"] == "syn", kv[0]))]},
    {"name": "forged-netscaler-window", "tour": False,
     "forger": ["inject", json.dumps({
         "trigger": "http-request", "port": 8037, "rsts": [
             {"to": "client", "flags": "RA", "seq": 0, "ttl": 64, "window": 9814,
              "ip_id": "random"}]})],
     "what": "on the HTTP request the device forges a RST/ACK in the server's name at the "
             "client's RCV.NXT (TTL 64 where the server's arrive with 63, its own MAC) whose "
             "window is 9814, a NetScaler code; the server's answer then meets a client "
             "without the connection",
     "rsts": [Expect("forger", "injected", injected=True, evidence="ttl,mac,race",
                     face_value="", views=("client",),
                     why="a forged RST whose window falls in NetScaler's table",
                     impact="data-lost",
                     impact_why="the RST ends the connection after the request: the server's "
                                "answer, sent anyway, is thrown away"),
              Expect("client", "no-connection", "NO_SOCKET", repeat="+",
                     why="the server's response reaches a client whose connection was reset",
                     impact={"client": "none", "server": ["data-lost", "none"]},
                     impact_why="the client's capture saw the forged RST end the connection "
                                "first; the server's, which never saw it, sees the first of "
                                "these end it with the response unacknowledged")]},
    # Issue 16: what RSTs cost, each made so that it follows from the programs.
    {"name": "linger0-after-ack", "tour": False,
     "what": "server answers, waits until its kernel holds the client's ACK of every byte "
             "(SIOCOUTQ 0), then closes with SO_LINGER {1, 0}",
     "rsts": [Expect("server", "abort", "TCP_STATE", why="SO_LINGER 0 close after the ACK",
                     impact="none",
                     impact_why="the request was answered and every byte acknowledged before "
                                "the RST")]},
    {"name": "download-abort", "tour": False,
     "what": "client reads 100 kB of a 4 MB download, then closes with SO_LINGER {1, 0}; "
             "the rest is unread in its receive queue or still on the way",
     "rsts": [Expect("client", "abort", None, why="SO_LINGER 0 close during the download",
                     impact="data-lost",
                     impact_why="the download's bytes the client never read, and those in "
                                "flight, are thrown away"),
              Expect("client", "no-connection", "NO_SOCKET", repeat="*",
                     why="the server's data in flight reaches a client whose connection was "
                         "reset", impact="none", impact_why=LATE_REPLY[1])]},
    {"name": "forged-mid-response", "tour": False,
     "forger": ["inject", json.dumps({
         "trigger": "http-response", "port": 8036, "rsts": [
             {"to": "client", "flags": "RA", "seq": 0, "ttl": 64, "window": 0,
              "ip_id": "random"}]})],
     "what": "the server answers in two parts 0.5 s apart; on the first the device sends a "
             "RST/ACK in the server's name at the client's RCV.NXT (TTL 64, its own MAC); "
             "the rest of the response then meets a client without the connection",
     "rsts": [Expect("forger", "injected", injected=True, evidence="ttl,mac,race",
                     face_value="", views=("client",),
                     why="a RST forged in the server's name during its response",
                     impact="data-lost",
                     impact_why="the RST ends the connection during the response: its rest, "
                                "sent anyway, is thrown away"),
              Expect("client", "no-connection", "NO_SOCKET", repeat="+",
                     why="the rest of the response reaches a client whose connection was reset",
                     impact={"client": "none", "server": ["data-lost", "none"]},
                     impact_why="the client's capture saw the forged RST end the connection "
                                "first; the server's, which never saw it, sees the first of "
                                "these end it with the rest of the response unacknowledged")]},
]


# ------------------------------------------------------------ odd captures
# Issue 5: link layers without MACs, IPv6 extension headers, sequence numbers
# that wrap, a port pair reused, reordered segments.  Not in the tour.

def loopback_setup():
    ns("rx-cl", "ip addr add 203.0.113.50/32 dev lo")


def loopback_teardown():
    ns("rx-cl", "ip addr del 203.0.113.50/32 dev lo", check=False)


def recaptured(name, as_name, tcpdump_args, what):
    """Scenario NAME again, its apps, forger and RSTs, captured only at the
    client on the 'any' device with TCPDUMP_ARGS (a cooked link type)."""
    base = next(scn for scn in SCENARIOS if scn["name"] == name)
    return dict(base, name=as_name, apps=name, tour=False, what=what,
                client_capture=("rx-cl", "any", tcpdump_args), server_capture=None)


def everyday_rsts(views=("client", "server")):
    """refused SYN, server abort after its response, client abort."""
    return [Expect("server", "refused", "NO_SOCKET", views=views, why="no listener on 8001",
                   impact=REFUSAL[0],
                   impact_why=REFUSAL[1]),
            Expect("server", "abort", "TCP_STATE", views=views,
                   why="SO_LINGER 0 close after the response",
                   impact=ANSWERED_THEN_ABORT[0],
                   impact_why=ANSWERED_THEN_ABORT[1]),
            Expect("server", "no-connection", "TCP_FLAGS", repeat="?", views=views,
                   why="the client's ACK of the response crossed the RST; the listener answers it",
                   impact=LATE_REPLY[0],
                   impact_why=LATE_REPLY[1]),
            Expect("client", "abort", "TCP_STATE", views=views, why="client SO_LINGER 0 close",
                   impact=READ_THEN_ABORT[0],
                   impact_why=READ_THEN_ABORT[1])]


ODD_SCENARIOS = [
    recaptured("forged-handshake", "cooked-v1", ["-y", "LINUX_SLL"],
               "forged-handshake captured on the client's 'any' device as Linux cooked v1 "
               "(source MAC only, no destination)"),
    recaptured("linger0-after-response", "cooked-v2", ["-y", "LINUX_SLL2"],
               "linger0-after-response captured on the client's 'any' device as Linux "
               "cooked v2"),
    {"name": "loopback", "tour": False, "server_ns": "rx-cl",
     "setup": loopback_setup, "teardown": loopback_teardown,
     "env": {"RX_SERVER4": "203.0.113.50"},
     "client_capture": ("rx-cl", "lo", []), "server_capture": None,
     "what": "client and server on one host over the loopback interface (all-zero MACs, "
             "no hop between them): a refused SYN, a server abort, a client abort",
     "rsts": everyday_rsts(views=("client",))},
    {"name": "raw-ip", "tour": False, "relay": {"inject": {"port": 8041, "ttl": 50},
                                                "reorder": {"port": 8003}},
     "env": {"RX_SERVER4": "203.0.113.30"},
     "client_capture": ("rx-cl", "tun0", []), "server_capture": ("rx-sv", "tun0", []),
     "what": "a point-to-point raw IP link (tun, no link layer): a refused SYN; a server "
             "abort after a response whose first segment arrives after the second; a bare "
             "RST forged by the link's relay (TTL 50) after a request",
     "rsts": [Expect("server", "refused", "NO_SOCKET", why="no listener on 8001",
                     impact=REFUSAL[0],
                     impact_why=REFUSAL[1]),
              Expect("server", "abort", "TCP_STATE",
                     why="SO_LINGER 0 close after a reordered response",
                     impact=ANSWERED_THEN_ABORT[0],
                     impact_why=ANSWERED_THEN_ABORT[1]),
              Expect("server", "no-connection", "TCP_FLAGS", repeat="*",
                     why="the client's ACKs of the response crossed the RST",
                     impact=LATE_REPLY[0],
                     impact_why=LATE_REPLY[1]),
              Expect("forger", "injected", injected=True, evidence="ttl,race",
                     face_value="no-connection", views=("client",),
                     why="the relay's bare RST at the client's RCV.NXT, TTL 50 against 64",
                     impact="data-lost",
                     impact_why="the RST ends the connection after the request, before any "
                                "answer"),
              Expect("client", "no-connection", "NO_SOCKET", repeat="+",
                     why="the server's response reaches a client whose connection was reset",
                     impact={"client": "none", "server": ["data-lost", "none"]},
                     impact_why="the client's capture saw the forged RST end the connection "
                                "first; the server's, which never saw it, sees the first of "
                                "these end it with the server's response (or request) "
                                "unanswered, the others answer late packets")]},
    {"name": "ipv6-ext-headers", "tour": False, "env": {},
     "what": "IPv6 sockets with sticky Hop-by-Hop and Destination Options headers on both "
             "sides: a refused SYN, a server abort, a client abort",
     "rsts": everyday_rsts()},
    {"name": "seq-wrap", "tour": False,
     "what": "client ISN 2^32 - 100 (TCP_REPAIR): a 300-byte request wraps the client's "
             "sequence numbers; the server aborts after its response, then (new "
             "connection, same ISN) the client aborts",
     "rsts": everyday_rsts()[1:]},
    {"name": "port-reuse", "tour": False,
     "what": "the client aborts a connection from port 40500 and at once opens a new one "
             "with the same port pair, which it aborts too",
     "rsts": [Expect("client", "abort", "TCP_STATE", why="client SO_LINGER 0, first connection",
                     impact=READ_THEN_ABORT[0],
                     impact_why=READ_THEN_ABORT[1]),
              Expect("client", "abort", "TCP_STATE",
                     why="client SO_LINGER 0, second connection on the same port pair",
                     impact=READ_THEN_ABORT[0],
                     impact_why=READ_THEN_ABORT[1])]},
]
SCENARIOS += ODD_SCENARIOS


# ------------------------------------------------------------ trace

def trace_reset():
    if not os.path.exists(os.path.join(TRACE, "events")):
        sh("mount -t tracefs nodev " + TRACE)
    with open(os.path.join(TRACE, "events/tcp/tcp_send_reset/enable"), "w") as fh:
        fh.write("1")
    with open(os.path.join(TRACE, "trace"), "w") as fh:
        fh.write("")


TRACE_LINE = re.compile(r"tcp_send_reset: .*src=(\S+) dest=(\S+) state=(\S+) reason=(\S+)")


def split_hostport(text):
    if text.startswith("["):
        host, port = text[1:].split("]:")
    else:
        host, port = text.rsplit(":", 1)
    return host, int(port)


def trace_read():
    """Kernel RSTs of our lab hosts, in order: (src, sport, dst, dport, state, reason)."""
    events = []
    with open(os.path.join(TRACE, "trace")) as fh:
        for line in fh:
            m = TRACE_LINE.search(line)
            if not m:
                continue
            (src, sport), (dst, dport) = split_hostport(m.group(1)), split_hostport(m.group(2))
            lab = CLIENT_IP | SERVER_IP | NAT_IP | CRAFTED_CLIENT_IP | LOOP_IP
            listener = m.group(3) == "TCP_LISTEN" and src in ("0.0.0.0", "::") \
                and 8000 <= sport < 9000        # the lab's server ports
            if dst in lab or src in lab or listener:
                events.append((src, sport, dst, dport, m.group(3), m.group(4)))
    return events


# ------------------------------------------------------------ labelling

def rst_frames(pcap):
    """RST segments in a capture (not the ones quoted inside ICMP errors)."""
    out = sh("tshark -r %s -Y 'tcp.flags.reset == 1 && !icmp && !icmpv6' -T fields "
             "-E separator=/t -E occurrence=l -e frame.number -e eth.src -e ip.src -e ipv6.src -e ip.dst "
             "-e ipv6.dst -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e sll.src.eth "
             "-e tcp.ack_raw -e tcp.flags.ack" % pcap).stdout
    frames = []
    for line in out.splitlines():
        f = line.split("\t")
        frames.append({"frame": int(f[0]), "mac": f[1] or f[9], "src": f[2] or f[3],
                       "dst": f[4] or f[5], "sport": int(f[6]), "dport": int(f[7]),
                       "seq": int(f[8]),
                       "ack": int(f[10]) if f[11] in ("1", "True") else 0})
    return frames


def true_sender(frame):
    who = MAC.get(frame["mac"], "?")
    if who in ("client", "forger", "server"):
        return who
    if frame["src"] in LOOP_IP:
        return role_by_port(frame["sport"])
    # Frames forwarded by the router: the IP source names the host.
    if frame["src"] in SERVER_IP:
        return "server"
    if frame["src"] in CLIENT_IP | NAT_IP:
        return "client"
    if frame["src"] in CRAFTED_CLIENT_IP:
        return "forger"
    return "?"


def role_by_port(port):
    """On the loopback host: the lab's servers listen on 7000-8999."""
    return "server" if 7000 <= port < 9000 else "client"


def kernel_sender(event):
    """Which lab host's kernel sent a traced RST.  A RST sent by a listening
    socket is traced with the listener's own address (0.0.0.0:PORT or [::]:PORT,
    state TCP_LISTEN); only the server runs listeners in this lab."""
    src = event[0]
    if src in LOOP_IP:
        return role_by_port(event[1])
    if src in CLIENT_IP:
        return "client"
    if src in SERVER_IP or (event[4] == "TCP_LISTEN" and src in ("0.0.0.0", "::")):
        return "server"
    return "?"


def attach_sources(frames, trace, forger_log, scn):
    """Gives every captured RST its real origin: a kernel trace line (in order,
    per sending host and port), the forger's log, or the host firewall."""
    by_host = {"client": [], "server": []}
    for ev in trace:
        host = kernel_sender(ev)
        if host in by_host:
            by_host[host].append(ev)
    firewall = next((e.sender for e in scn["rsts"] if e.sender in ("firewall", "path-firewall")),
                    None)
    for frame in frames:
        sender = true_sender(frame)
        # The forger's log names its frames, in either view: at the server a
        # RST forged in the client's name arrives through the router as the
        # client's own packets do.
        logged = next((e for e in forger_log if e["sport"] == frame["sport"]
                       and e["dport"] == frame["dport"] and e["seq"] == frame["seq"]
                       and (e["ack"] if "A" in e["flags"] else 0) == frame["ack"]
                       and "R" in e["flags"]), None)
        if logged:
            sender = logged.get("role", "forger")
        frame["sender"], frame["event"] = sender, None
        if sender == "server" and firewall:
            frame["sender"] = firewall
        elif sender in by_host:
            events = by_host[sender]
            match = next((i for i, ev in enumerate(events) if ev[1] == frame["sport"]), None)
            if match is None:
                raise SystemExit("%s frame %d: no kernel trace line for this RST (%s)"
                                 % (scn["name"], frame["frame"], sender))
            frame["event"] = events.pop(match)
        elif sender in ("forger", "endpoint") and not forger_log:
            raise SystemExit("%s frame %d: not in the forger's log" % (scn["name"], frame["frame"]))


def impact_at(exp, view, nth):
    """The impact label of the nth (0-based) RST matched to exp at view."""
    impact = exp.impact[view] if isinstance(exp.impact, dict) else exp.impact
    if isinstance(impact, list):
        impact = impact[0] if nth == 0 else impact[1]
    return impact


def fits(frame, exp):
    if frame["sender"] != exp.sender:
        return False
    return not exp.kernel_reason or (frame["event"] and frame["event"][5] == exp.kernel_reason)


def match_declared(frames, expects, scn, view):
    """Pairs captured RSTs with declared ones; repeat "" = exactly one, "?" = at
    most one, "+" = one or more, "*" = any number."""
    pairs, i = [], 0
    for exp in expects:
        bounds = {"": (1, 1), "?": (0, 1), "+": (1, 10**6), "*": (0, 10**6)}
        lo, hi = bounds[exp.repeat] if exp.repeat in bounds else (int(exp.repeat),) * 2
        n = 0
        while n < hi and i < len(frames) and fits(frames[i], exp):
            pairs.append((frames[i], exp))
            i += 1
            n += 1
        if n < lo:
            got = frames[i] if i < len(frames) else None
            raise SystemExit("%s (%s view): expected %s RST (%s), got %s"
                             % (scn["name"], view, exp.sender, exp.kernel_reason,
                                got and (got["frame"], got["sender"], got["event"])))
    if i != len(frames):
        raise SystemExit("%s (%s view): undeclared RSTs from frame %d on: %s"
                         % (scn["name"], view, frames[i]["frame"],
                            [(f["frame"], f["sender"], f["event"]) for f in frames[i:]]))
    return pairs


def label_view(scn, view, pcap, trace, forger_log):
    frames = rst_frames(pcap)
    attach_sources(frames, list(trace), forger_log, scn)
    expects = [e for e in scn["rsts"] if view in e.views]
    rows, seen = [], {}
    for frame, exp in match_declared(frames, expects, scn, view):
        nth = seen[id(exp)] = seen.get(id(exp), -1) + 1
        impact = impact_at(exp, view, nth)
        if frame["event"]:
            ev = frame["event"]
            how = "%s kernel: tcp_send_reset reason=%s state=%s" % (exp.sender, ev[5], ev[4])
        elif exp.sender == "firewall":
            how = "server host nftables 'reject with tcp reset' (no kernel trace line)"
        elif exp.sender == "path-firewall":
            how = "router nftables 'reject with tcp reset' in the server's name"
        elif exp.sender == "endpoint":
            how = "forger log: RST sent by the lab endpoint at 198.51.100.20"
        else:
            how = "forger log: RST sent by the device on the client's segment"
        rows.append({"capture": os.path.relpath(pcap, CAPTURES), "frame": frame["frame"],
                     "sender": exp.sender, "cause": exp.cause, "face_value": exp.face_value,
                     "injected": "yes" if exp.injected else "no",
                     "evidence": exp.evidence, "stated": exp.stated,
                     "how_known": how + "; " + exp.why, "impact": impact,
                     "impact_bytes": exp.impact_bytes if impact == "data-lost" else "",
                     "impact_known": exp.impact_why})
    return rows


# ------------------------------------------------------------ running

def app(scn, role, name=None):
    """apps.py ROLE NAME, with the scenario's addresses in the environment."""
    env = ["%s=%s" % kv for kv in sorted(scn.get("env", {}).items())]
    return ["env"] + env + [PY, os.path.join(HERE, "apps.py"), role, name or scn.get("apps", scn["name"])]


CLIENT_CAPTURE = ("rx-cl", "cl0", [])
SERVER_CAPTURE = ("rx-sv", "sv0", [])
# Mirror deliveries (issue 13): the collector's port receives the client's
# link as it is (a local SPAN) and through five mirror sessions
# (topology.sh mirror, lab/mirror.py).
MIRROR_DIR = os.path.join(CAPTURES, "mirror")
COLLECTOR_CAPTURE = ("rx-col", "col0", [])
COLLECTOR = "192.0.2.242"


def mirrorable(scn):
    """Scenarios captured on the client's own port, which the hub mirrors."""
    return "client_capture" not in scn and not scn.get("relay")


def start_relay(scn, forger_log):
    """The raw IP link (tunrelay.py) between client and server, and its addresses."""
    ready = os.path.join(SYNC_DIR, "relay.ready")
    proc = spawn("rx-cl", [PY, os.path.join(HERE, "tunrelay.py"), "rx-sv", forger_log, ready,
                           json.dumps(scn["relay"])], log=os.path.join(SYNC_DIR, "relay.out"))
    wait_file(ready)
    for name, local, peer in (("rx-cl", "198.51.100.30", "203.0.113.30"),
                              ("rx-sv", "203.0.113.30", "198.51.100.30")):
        ns(name, "ip addr add %s peer %s dev tun0" % (local, peer))
        ns(name, "ip link set tun0 up")
    time.sleep(0.5)
    return proc


def start_mirror():
    """The Geneve and ERSPAN sessions (lab/mirror.py); VXLAN and the plain
    copy are tc's, always on once topology.sh mirror ran."""
    ready = os.path.join(SYNC_DIR, "mirror.ready")
    proc = spawn("rx-mir", [PY, os.path.join(HERE, "mirror.py"), ready],
                 log=os.path.join(SYNC_DIR, "mirror.out"))
    wait_file(ready)
    return proc


def run_scenario(scn, mirror=False):
    """Runs one scenario; mirror: captured at the client (into mirror/) and
    at the collector, not at the server."""
    name = scn["name"]
    print("==", name, "(mirrored)" if mirror else "", flush=True)
    for f in os.listdir(SYNC_DIR):
        os.unlink(os.path.join(SYNC_DIR, f))
    ctx = {"server": None, "off_wire": 0}
    if scn.get("setup"):
        scn["setup"]()
    forger_log = os.path.join(SYNC_DIR, "forger.jsonl")
    open(forger_log, "w").close()
    relay = start_relay(scn, forger_log) if scn.get("relay") else None
    if scn.get("server", name) is not None:
        ctx["server"] = spawn(scn.get("server_ns", "rx-sv"), app(scn, "server"))
    forger = None
    if scn.get("forger"):
        ready = os.path.join(SYNC_DIR, "forger.ready")
        forger = spawn("rx-inj", [PY, os.path.join(HERE, "forger.py"), forger_log, ready]
                       + scn["forger"], log=os.path.join(SYNC_DIR, "forger.out"))
        wait_file(ready, 30)
    client_pcap = os.path.join(CAPTURES, name + ".pcapng")
    server_pcap = os.path.join(CAPTURES, "server-side", name + ".pcapng")
    views = [("client", client_pcap, scn.get("client_capture", CLIENT_CAPTURE))]
    if mirror:
        exporter = start_mirror()
        views = [("client", os.path.join(MIRROR_DIR, name + ".pcapng"), CLIENT_CAPTURE),
                 ("collector", os.path.join(MIRROR_DIR, name + ".collector.pcapng"),
                  COLLECTOR_CAPTURE)]
    elif scn.get("server_capture", SERVER_CAPTURE):
        views.append(("server", server_pcap, scn.get("server_capture", SERVER_CAPTURE)))
    # BPF's "tcp" reads only the IPv6 header's next header: TCP behind the
    # sticky options of ipv6-ext-headers (Hop-by-Hop, then Destination
    # Options) is caught by its header chain; MLD (Hop-by-Hop, ICMPv6) is not.
    capture_filter = ("tcp or udp port 4789 or icmp or (icmp6 and ip6[40] < 128) "
                      "or (ip6[6] == 0 and ip6[40] == 60)")
    delivered = " or udp port 6081 or ip proto 47"     # Geneve, ERSPAN (VXLAN: above)
    dumps = [spawn(nsn, ["tcpdump", "-U", "-n", "-i", ifn] + extra +
                   ["-s", "0", "--time-stamp-precision", "micro", "-w", path + ".tmp",
                    capture_filter + (delivered if view == "collector" else "")],
                   log=os.path.join(SYNC_DIR, view + ".tcpdump.log"))
             for view, path, (nsn, ifn, extra) in views]
    time.sleep(1.5)
    trace_reset()
    client = spawn("rx-cl", app(scn, "client"), log=os.path.join(SYNC_DIR, "client.out"))
    if scn.get("phase"):
        wait_file(os.path.join(SYNC_DIR, name + ".ready"))
        scn["phase"](ctx)
        open(os.path.join(SYNC_DIR, name + ".go"), "w").close()
    client.wait(60)
    time.sleep(1.0)
    trace = trace_read()[ctx["off_wire"]:]
    for p in dumps + [forger, ctx["server"], relay] + ([exporter] if mirror else []):
        stop(p)
    teardown_fw()
    if scn.get("teardown"):
        scn["teardown"]()
    print(open(os.path.join(SYNC_DIR, "client.out")).read().strip(), flush=True)
    # pcapng with the lab's comment; tcpdump writes pcap.
    for view, path, _ in views:
        sh("editcap -F pcapng --capture-comment 'rst-explain lab: %s (%s view)' %s %s"
           % (name, view, path + ".tmp", path))
        os.unlink(path + ".tmp")
    # A view that saw nothing (an endpoint scenario has no server) is no capture.
    views = [v for v in views if packet_count(v[1]) or os.unlink(v[1])]
    with open(forger_log) as fh:
        forged = [json.loads(line) for line in fh if line.strip()]
    rows = []
    for view, path, _ in views:
        if view != "collector":
            rows += label_view(scn, view, path, trace, forged)
    if mirror:
        rows = [dict(r, delivery="plain", copy_of="") for r in rows]
        rows += label_collector(rows, views[0][1], views[1][1])
    logs = os.path.join(CAPTURES, "lab-logs", "mirror" if mirror else "")
    os.makedirs(logs, exist_ok=True)
    with open(os.path.join(logs, name + ".trace"), "w") as fh:
        for t in trace:
            fh.write("src=%s:%d dest=%s:%d state=%s reason=%s\n" % t)
    if forged:
        shutil.copy(forger_log, os.path.join(logs, name + ".forger.jsonl"))
    return rows


# ------------------------------------------------------------ mirror deliveries

DELIVERIES = ("span", "vxlan", "geneve", "geneve-options", "erspan2", "erspan3")


def delivery_of(protocols, outer_dst, erspan_version):
    """How a frame reached the collector: as it was (span), or in which
    mirror session.  A frame to the collector's address came through one;
    the scenario's own tunnel (vxlan-tunnel) travels as it was."""
    if outer_dst != COLLECTOR:
        return "span"
    inside = protocols.split(":ip:", 1)[1]
    if inside.startswith("udp:vxlan"):
        return "vxlan"
    if inside.startswith("udp:geneve"):
        return "geneve" if inside.startswith("udp:geneve:eth") else "geneve-options"
    return {"1": "erspan2", "2": "erspan3"}[erspan_version]


def rst_sightings(pcap):
    """The RSTs of a capture, each with how it reached the capture and what
    identifies it in any delivery: the inner IP and TCP header fields."""
    out = sh("tshark -r %s -Y 'tcp.flags.reset == 1 && !icmp && !icmpv6' -T fields "
             "-E separator=/t -E occurrence=l -e frame.number -e frame.protocols "
             "-e ip.src -e ipv6.src -e tcp.srcport -e tcp.dstport -e tcp.seq_raw "
             "-e tcp.ack_raw -e tcp.flags -e ip.id -e ip.ttl -e ipv6.hlim" % pcap).stdout
    outer = sh("tshark -r %s -Y 'tcp.flags.reset == 1 && !icmp && !icmpv6' -T fields "
               "-E separator=/t -E occurrence=f -e ip.dst -e erspan.version" % pcap).stdout
    found, seen = [], {}
    for line, first in zip(out.splitlines(), outer.splitlines()):
        f, (outer_dst, version) = line.split("\t"), first.split("\t")
        # The last IPv4 fields of an IPv6 segment are an outer header's.
        layers = f[1].split(":")
        if [t for t in layers if t in ("ip", "ipv6")][-1] == "ipv6":
            key = (f[3],) + tuple(f[4:9]) + ("", f[11])
        else:
            key = (f[2],) + tuple(f[4:11])
        delivery = delivery_of(f[1], outer_dst, version)
        nth = seen.get((delivery, key), 0)
        seen[(delivery, key)] = nth + 1
        found.append((int(f[0]), delivery, key + (nth,)))
    return found


def label_collector(plain_rows, plain_pcap, collector_pcap):
    """Each RST the collector received carries the label of the same RST
    (same inner headers, same rank among identical ones) at the client."""
    by_key = {key: frame for frame, _, key in rst_sightings(plain_pcap)}
    plain = {int(r["frame"]): r for r in plain_rows}
    rel = os.path.relpath(plain_pcap, CAPTURES)
    rows = []
    for frame, delivery, key in rst_sightings(collector_pcap):
        if key not in by_key:
            raise SystemExit("%s frame %d (%s): a RST the client's capture does not hold"
                             % (collector_pcap, frame, delivery))
        source = plain[by_key[key]]
        rows.append(dict(source, capture=os.path.relpath(collector_pcap, CAPTURES), frame=frame,
                         delivery=delivery, copy_of=source["frame"],
                         how_known="%s copy of %s frame %s: %s" % (
                             delivery, rel, source["frame"], source["how_known"])))
    counts = collections.Counter(r["delivery"] for r in rows)
    if len(set(counts.values())) > 1 or (plain_rows and len(counts) != len(DELIVERIES)):
        raise SystemExit("%s: not every RST arrived once per delivery: %s"
                         % (collector_pcap, dict(counts)))
    return rows


SAVED_TRACE = re.compile(r"src=(\S+) dest=(\S+) state=(\S+) reason=(\S+)")


def saved_logs(name, mirror=False):
    """The kernel trace and forger log that run_scenario saved for NAME."""
    logs = os.path.join(CAPTURES, "lab-logs", "mirror" if mirror else "")
    trace = []
    path = os.path.join(logs, name + ".trace")
    if os.path.exists(path):
        for line in open(path):
            m = SAVED_TRACE.search(line)
            (src, sport), (dst, dport) = split_hostport(m.group(1)), split_hostport(m.group(2))
            trace.append((src, sport, dst, dport, m.group(3), m.group(4)))
    path = os.path.join(logs, name + ".forger.jsonl")
    forged = [json.loads(line) for line in open(path)] if os.path.exists(path) else []
    return trace, forged


TOUR = "tour.pcapng"


def packet_keys(pcap):
    """frame number -> what identifies a packet across files."""
    out = sh("tshark -r %s -T fields -E separator=/t -e frame.number -e frame.time_epoch "
             "-e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags" % pcap).stdout
    return {int(line.split("\t")[0]): tuple(line.split("\t")[1:]) for line in out.splitlines()}


def make_tour(rows):
    """captures/tour.pcapng: every client-side scenario in one file, for the
    README's demo.  Its labels are those of the same packets in their own
    captures."""
    names = [scn["name"] for scn in SCENARIOS if scn.get("tour", True)]
    tour = os.path.join(CAPTURES, TOUR)
    sh("mergecap -F pcapng -w %s %s" % (tour, " ".join(
        os.path.join(CAPTURES, n + ".pcapng") for n in names)))
    where = {key: frame for frame, key in packet_keys(tour).items()}
    tour_rows = []
    for r in rows:
        if "/" in r["capture"] or r["capture"] == TOUR \
                or r["capture"].replace(".pcapng", "") not in names:
            continue
        key = packet_keys(os.path.join(CAPTURES, r["capture"]))[int(r["frame"])]
        row = dict(r, capture=TOUR, frame=where[key])
        row["how_known"] = "as %s frame %s: %s" % (r["capture"], r["frame"], r["how_known"])
        tour_rows.append(row)
    return tour_rows


def relabel_mirror(fields):
    """The same for the mirror deliveries' captures."""
    rows = []
    for scn in filter(mirrorable, SCENARIOS):
        plain = os.path.join(MIRROR_DIR, scn["name"] + ".pcapng")
        if not os.path.exists(plain):
            continue
        trace, forged = saved_logs(scn["name"], mirror=True)
        own = [dict(r, delivery="plain", copy_of="")
               for r in label_view(scn, "client", plain, trace, forged)]
        rows += own + label_collector(own, plain, plain.replace(".pcapng", ".collector.pcapng"))
    write_labels(MIRROR_LABELS, fields + MIRROR_FIELDS, rows)


def relabel(labels_path, fields):
    """Labels the committed captures again from the saved logs, without root."""
    if os.path.isdir(MIRROR_DIR):
        relabel_mirror(fields)
    rows = []
    for scn in SCENARIOS:
        trace, forged = saved_logs(scn["name"])
        for view, pcap in (("client", os.path.join(CAPTURES, scn["name"] + ".pcapng")),
                           ("server", os.path.join(CAPTURES, "server-side",
                                                   scn["name"] + ".pcapng"))):
            if os.path.exists(pcap):
                rows += label_view(scn, view, pcap, trace, forged)
    write_labels(labels_path, fields, rows + make_tour(rows))


def write_labels(labels_path, fields, rows):
    rows = sorted(rows, key=lambda r: (r["capture"], int(r["frame"])))
    with open(labels_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print("wrote", labels_path, len(rows), "labelled RSTs")


MIRROR_LABELS = os.path.join(MIRROR_DIR, "labels.tsv")
MIRROR_FIELDS = ["delivery", "copy_of"]     # how it reached the capture; the client's frame


def mirror_main(wanted, fields):
    """--mirror [SCENARIO ...]: the scenarios captured on the client's port,
    again, at the client and at the collector of the mirror sessions."""
    os.makedirs(SYNC_DIR, exist_ok=True)
    os.makedirs(MIRROR_DIR, exist_ok=True)
    old = []
    if wanted and os.path.exists(MIRROR_LABELS):
        with open(MIRROR_LABELS) as fh:
            old = [r for r in csv.DictReader(fh, delimiter="\t")
                   if os.path.basename(r["capture"]).split(".")[0] not in wanted]
    sh("bash %s up" % os.path.join(HERE, "topology.sh"))
    rows = []
    try:
        sh("bash %s mirror" % os.path.join(HERE, "topology.sh"))
        for scn in filter(mirrorable, SCENARIOS):
            if not wanted or scn["name"] in wanted:
                rows += run_scenario(scn, mirror=True)
    finally:
        sh("bash %s down" % os.path.join(HERE, "topology.sh"), check=False)
    write_labels(MIRROR_LABELS, fields + MIRROR_FIELDS, old + rows)


def main():
    wanted = sys.argv[1:]
    labels_path = os.path.join(CAPTURES, "labels.tsv")
    fields = ["capture", "frame", "sender", "cause", "face_value", "injected", "evidence",
              "stated", "how_known", "impact", "impact_bytes", "impact_known"]
    if wanted == ["--relabel"]:
        relabel(labels_path, fields)
        return
    if wanted[:1] == ["--mirror"]:
        mirror_main(wanted[1:], fields)
        return
    os.makedirs(SYNC_DIR, exist_ok=True)
    os.makedirs(os.path.join(CAPTURES, "server-side"), exist_ok=True)
    os.makedirs(os.path.join(CAPTURES, "lab-logs"), exist_ok=True)
    sh("bash %s up" % os.path.join(HERE, "topology.sh"))
    old = []
    if wanted and os.path.exists(labels_path):
        with open(labels_path) as fh:
            old = [r for r in csv.DictReader(fh, delimiter="\t")
                   if os.path.basename(r["capture"]).replace(".pcapng", "") not in wanted]
    rows = []
    try:
        for scn in SCENARIOS:
            if not wanted or scn["name"] in wanted:
                rows += run_scenario(scn)
    finally:
        sh("bash %s down" % os.path.join(HERE, "topology.sh"), check=False)
    rows = [r for r in old + rows if r["capture"] != TOUR]
    write_labels(labels_path, fields, rows + make_tour(rows))


if __name__ == "__main__":
    main()
