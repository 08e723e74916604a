#!/usr/bin/python3
"""Client and server programs for the capture lab: real sockets, real Linux stacks.

    apps.py server NAME     run the server side of scenario NAME (in rx-sv)
    apps.py client NAME     run the client side of scenario NAME (in rx-cl)

Each scenario makes the kernel send (or not send) RSTs for a known reason; the
orchestrator (run.py) records the kernel's own reason from tcp:tcp_send_reset.
Phases that need the orchestrator (restart the server, change the NAT, ...) are
synchronised through files in SYNC_DIR: the client writes "<name>.ready" and
waits for "<name>.go".
"""
import os
import socket
import struct
import sys
import time

# The server's addresses; scenarios on another link (loopback, raw IP) name theirs.
SERVER4 = os.environ.get("RX_SERVER4", "203.0.113.2")
SERVER6 = os.environ.get("RX_SERVER6", "2001:db8:2::2")
ENDPOINT4 = "198.51.100.20"     # the lab endpoint (forger.py endpoint)
SYNC_DIR = "/run/rx-lab"
REQUEST = b"GET /index.html HTTP/1.1\r\nHost: www.example.test\r\n\r\n"
BLOCKED_REQUEST = b"GET / HTTP/1.1\r\nHost: blocked.example\r\n\r\n"
IPPROTO_MPTCP = 262             # Linux: socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)
CLIENT4 = "198.51.100.10"
CLIENT4_SECOND = "198.51.100.11"  # the client's second address (mptcp-join-refused)


def response(size):
    body = b"x" * size
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + body


def linger_zero(sock):
    """SO_LINGER {on, 0 s}: close() aborts with a RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def listener(port, family=socket.AF_INET, backlog=16, prepare=None, proto=0):
    s = socket.socket(family, socket.SOCK_STREAM, proto)
    if prepare:
        prepare(s)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    s.listen(backlog)
    return s


def connect(port, host=SERVER4, family=socket.AF_INET, timeout=5.0, prepare=None, proto=0,
            bind=None):
    s = socket.socket(family, socket.SOCK_STREAM, proto)
    if prepare:
        prepare(s)
    if bind:
        s.bind((bind, 0))
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def recv_http(sock):
    """Reads one response with Content-Length; returns bytes read."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return data


def recv_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def signal_ready_and_wait(name, timeout=30.0):
    open(os.path.join(SYNC_DIR, name + ".ready"), "w").close()
    go = os.path.join(SYNC_DIR, name + ".go")
    deadline = time.time() + timeout
    while not os.path.exists(go):
        if time.time() > deadline:
            raise SystemExit("no go signal for " + name)
        time.sleep(0.05)


def report(what):
    print(what, flush=True)


def try_recv(sock, n=65536):
    try:
        return sock.recv(n)
    except OSError as err:
        report("recv: %s" % (err.strerror or err))
        return None


# ---------------------------------------------------------------- servers

def serve_http(port, size=5000, family=socket.AF_INET):
    """A well-behaved server: answers one request per connection, then closes."""
    lst = listener(port, family)
    while True:
        conn, _ = lst.accept()
        if recv_request(conn):
            conn.sendall(response(size))
        conn.close()


def serve_keepalive_http(port, size=1000, family=socket.AF_INET, prepare=None, proto=0):
    """Answers requests until the client goes away (HTTP keep-alive)."""
    lst = listener(port, family, prepare=prepare, proto=proto)
    while True:
        conn, _ = lst.accept()
        while True:
            try:
                req = recv_request(conn)
            except OSError:
                break
            if not req:
                break
            conn.sendall(response(size))
        conn.close()


def server_linger0_after_response(family=socket.AF_INET, prepare=None, size=300):
    lst = listener(8003, family, prepare=prepare)
    while True:
        conn, _ = lst.accept()
        recv_request(conn)
        conn.sendall(response(size))
        linger_zero(conn)        # abortive close right after the response
        conn.close()


def server_close_unread(port=8004):
    lst = listener(port)
    while True:
        conn, _ = lst.accept()
        time.sleep(0.3)          # the request arrives and is never read
        conn.close()             # close() with unread data: Linux aborts with RST


def server_data_after_close():
    """First connection: close() (Linux turns the orphaned FIN_WAIT2 socket into
    a time-wait socket).  Second: shutdown(SHUT_RDWR) with the descriptor kept
    open (a full socket in FIN_WAIT2 that no longer reads).  The client keeps
    sending after the FIN both times."""
    lst = listener(8006)
    kept = []
    for how in ("close", "shutdown"):
        conn, _ = lst.accept()
        recv_request(conn)
        conn.sendall(response(300))
        if how == "close":
            conn.close()
        else:
            conn.shutdown(socket.SHUT_RDWR)
            kept.append(conn)
    time.sleep(3600)


def server_restart():
    """Sets SO_LINGER 0 so that when the orchestrator kills this process (while
    the server's output is dropped) its sockets vanish at once: the state is lost
    as in a crash.  The orchestrator then starts a fresh listener."""
    lst = listener(8007)
    conns = []
    while True:
        conn, _ = lst.accept()
        linger_zero(conn)
        conns.append(conn)
        req = recv_request(conn)
        if req:
            conn.sendall(response(500))


def server_accept_overflow():
    lst = listener(8009, backlog=1)   # never accepts: the accept queue fills up
    time.sleep(3600)
    lst.close()


def server_idle():
    """Accepts and answers one request, then keeps the connection open silently."""
    lst = listener(8010)
    conns = []
    while True:
        conn, _ = lst.accept()
        conns.append(conn)
        recv_request(conn)
        conn.sendall(response(100))


def server_icmp_quoted():
    import threading
    threading.Thread(target=serve_keepalive_http, args=(8012,), daemon=True).start()
    lst = listener(8012, socket.AF_INET6)
    while True:
        conn, _ = lst.accept()
        req = recv_request(conn)
        if req:
            conn.sendall(response(300))


def server_tls(port):
    """A TLS server with a self-signed certificate (made by run.py)."""
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(SYNC_DIR, "cert.pem"), os.path.join(SYNC_DIR, "key.pem"))
    lst = listener(port)
    while True:
        conn, _ = lst.accept()
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                recv_request(tls)
                tls.sendall(response(300))
        except (OSError, ssl.SSLError):
            pass


def server_silent(port):
    """Reads each request and never answers (until the lab stops it)."""
    lst = listener(port)
    while True:
        conn, _ = lst.accept()
        recv_request(conn)
        time.sleep(30)


def server_linger0_after_ack(port=8015, size=300):
    """Answers, waits until its kernel holds the client's ACK of every byte
    (SIOCOUTQ: bytes sent and not yet acknowledged, 0), then aborts with
    SO_LINGER {1, 0}: a finished exchange closed with a RST."""
    import fcntl
    import termios
    lst = listener(port)
    while True:
        conn, _ = lst.accept()
        recv_request(conn)
        conn.sendall(response(size))
        deadline = time.time() + 5
        while time.time() < deadline:
            if struct.unpack("i", fcntl.ioctl(conn, termios.TIOCOUTQ, b"\0\0\0\0"))[0] == 0:
                break
            time.sleep(0.01)
        linger_zero(conn)
        conn.close()


def server_download(port=8016, size=4000000):
    """Sends a large response; the client may abort it (then sendall fails)."""
    lst = listener(port)
    while True:
        conn, _ = lst.accept()
        recv_request(conn)
        try:
            conn.sendall(response(size))
        except OSError as err:
            report("send: %s" % (err.strerror or err))
        conn.close()


def server_slow_response(port=8036, first=1000, rest=9000):
    """A response in two parts 0.5 s apart (a page whose rest takes time):
    the head and FIRST body bytes, then REST more."""
    lst = listener(port)
    while True:
        conn, _ = lst.accept()
        recv_request(conn)
        whole = response(first + rest)
        cut = len(whole) - rest
        try:
            conn.sendall(whole[:cut])
            time.sleep(0.5)
            conn.sendall(whole[cut:])
        except OSError:
            pass
        conn.close()


def serve_both(*servers):
    import threading
    for srv in servers[1:]:
        threading.Thread(target=srv, daemon=True).start()
    servers[0]()


SERVERS = {
    "normal": lambda: serve_http(8080),
    "client-abort": lambda: serve_keepalive_http(8005, 1000),
    "linger0-after-response": server_linger0_after_response,
    "close-unread": server_close_unread,
    "data-after-close": server_data_after_close,
    "server-restart": server_restart,
    "server-restart-2": lambda: serve_keepalive_http(8007),
    "nat-rebind": lambda: serve_keepalive_http(8008),
    "accept-overflow": server_accept_overflow,
    "keepalive-timeout": server_idle,
    "firewall-reject": lambda: serve_http(8002),
    "forged-handshake": lambda: serve_http(8443),
    "invalid-ack": lambda: serve_http(8011),
    "icmp-quoted": server_icmp_quoted,
    "vxlan-tunnel": lambda: serve_keepalive_http(8013),
    "gfw-tls-burst": lambda: server_tls(443),
    "inwindow-rst-http-v6": lambda: serve_keepalive_http(8031, family=socket.AF_INET6),
    "copied-ttl-handshake": lambda: serve_http(8032),
    "copied-ttl-and-mac": lambda: serve_keepalive_http(8033),
    "onpath-firewall-reject": lambda: serve_both(lambda: serve_http(8080),
                                                 lambda: serve_http(8021)),
    "stateful-firewall-forgot": lambda: serve_keepalive_http(8022),
    "forged-client-rst": lambda: serve_keepalive_http(8034),
    "probe-after-rst": lambda: server_close_unread(8041),
    "block-page-then-rst": lambda: server_silent(8035),
    "rsts-from-two-distances": lambda: serve_http(8080),
    "host-firewall-after-connection": lambda: serve_both(lambda: serve_http(8080),
                                                         lambda: serve_http(8002)),
    "path-reject-two-points": lambda: serve_both(lambda: serve_http(8080),
                                                 lambda: serve_http(8021)),
    "path-forgot-two-points": lambda: serve_both(lambda: serve_http(8080),
                                                 lambda: serve_keepalive_http(8022)),
    "linger0-after-ack": server_linger0_after_ack,
    "download-abort": server_download,
    "forged-mid-response": server_slow_response,
    "mptcp-fastclose": lambda: serve_keepalive_http(8050, proto=IPPROTO_MPTCP),
    "mptcp-join-refused": lambda: serve_keepalive_http(8051, proto=IPPROTO_MPTCP),
    "forged-netscaler-window": lambda: serve_keepalive_http(8037),
}


# ------------------------------------------- servers of the odd-capture scenarios

IPV6_HOPOPTS, IPV6_DSTOPTS = 54, 59


def ipv6_extension_headers(sock):
    """Sticky IPv6 options: every segment this socket sends (SYN-ACKs of a
    listener, data, its own aborts) carries a Hop-by-Hop Options header
    (PadN) and a Destination Options header (an unknown type-0x1e option that
    receivers skip).  RSTs the kernel sends without a socket carry neither."""
    hop = bytes([0, 0, 1, 4, 0, 0, 0, 0])               # next, len 0, PadN 4
    dst = bytes([0, 1, 0x1e, 10]) + b"rst-lab!!!" + bytes([1, 0])   # 16 bytes: len 1
    sock.setsockopt(socket.IPPROTO_IPV6, IPV6_HOPOPTS, hop)
    sock.setsockopt(socket.IPPROTO_IPV6, IPV6_DSTOPTS, dst)


TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ, TCP_SEND_QUEUE = 19, 20, 21, 2
WRAP_ISN = 2**32 - 100


def isn_near_wrap(sock):
    """Sets the ISN through TCP_REPAIR (CAP_NET_ADMIN): 100 below 2^32, so the
    connection's sequence numbers wrap past zero after 99 bytes of data."""
    sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
    sock.setsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ, struct.pack("I", WRAP_ISN))
    sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 0)


SERVERS.update({
    "loopback": lambda: serve_both(server_linger0_after_response,
                                   lambda: serve_keepalive_http(8005)),
    "raw-ip": lambda: serve_both(lambda: server_linger0_after_response(size=5000),
                                 lambda: serve_keepalive_http(8041)),
    "ipv6-ext-headers": lambda: serve_both(
        lambda: server_linger0_after_response(socket.AF_INET6, ipv6_extension_headers),
        lambda: serve_keepalive_http(8005, family=socket.AF_INET6,
                                     prepare=ipv6_extension_headers)),
    "seq-wrap": lambda: serve_both(server_linger0_after_response,
                                   lambda: serve_keepalive_http(8005)),
    "port-reuse": lambda: serve_keepalive_http(8005),
})

# ---------------------------------------------------------------- clients


def client_refused(host, family, prepare=None):
    try:
        connect(8001, host, family, prepare=prepare)
        report("connected?!")
    except OSError as err:
        report("connect: " + err.strerror)


def client_normal():
    s = connect(8080)
    s.sendall(REQUEST)
    got = recv_http(s)
    report("got %d bytes" % len(got))
    s.recv(1)                    # the server's FIN
    s.close()


def client_expect_reset(port, host=SERVER4, family=socket.AF_INET, prepare=None):
    s = connect(port, host, family, prepare=prepare)
    s.sendall(REQUEST)
    time.sleep(0.5)
    try:
        got = s.recv(65536)
        report("got %d bytes" % len(got))
        got = s.recv(65536)
        report("then %d bytes" % len(got))
    except OSError as err:
        report("recv: %s" % (err.strerror or err))
    s.close()


def client_abort(host=SERVER4, family=socket.AF_INET, prepare=None, request=REQUEST):
    s = connect(8005, host, family, prepare=prepare)
    s.sendall(request)
    recv_http(s)
    time.sleep(0.2)
    linger_zero(s)               # the client application aborts the connection
    s.close()


def client_data_after_close():
    for _ in range(2):
        s = connect(8006)
        s.sendall(REQUEST)
        got = recv_http(s)
        report("got %d bytes" % len(got))
        report("eof: %r" % s.recv(1))   # the server's FIN
        time.sleep(0.2)
        s.sendall(b"MORE DATA AFTER YOUR FIN\r\n")   # the server has closed: it resets
        time.sleep(0.3)
        try_recv(s)
        s.close()


def client_two_phases(name, port, idle=0.0):
    """One exchange, then wait while the orchestrator changes the world (and
    IDLE seconds more), then a second request on the same connection."""
    s = connect(port, timeout=10)
    s.sendall(REQUEST)
    recv_http(s)
    signal_ready_and_wait(name)
    time.sleep(idle)
    try:
        s.sendall(REQUEST)
        time.sleep(0.5)
        got = s.recv(65536)
        report("second answer: %d bytes" % len(got))
    except OSError as err:
        report("second request: " + err.strerror)
    s.close()


def client_accept_overflow():
    """The first connection fills the accept queue halfway; then three SYNs at
    once: Linux lets as many handshakes start as the queue can hold, so by the
    time the last of them completes the queue is full."""
    first = connect(8009)
    socks = [first]
    for _ in range(3):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect((SERVER4, 8009))
        except BlockingIOError:
            pass
        socks.append(s)
    time.sleep(0.5)
    for s in socks:
        try:
            s.send(b"hello\r\n")
        except OSError as err:
            report("send: %s" % (err.strerror or err))
    time.sleep(0.5)
    for s in socks:
        try_recv(s)
        s.close()


def client_keepalive_timeout():
    s = connect(8010, timeout=30)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    s.sendall(REQUEST)
    recv_http(s)
    signal_ready_and_wait("keepalive-timeout")   # now the server drops everything
    try_recv(s)                                   # ETIMEDOUT after the probes
    s.close()


def client_forged_handshake():
    try:
        s = connect(8443)
        report("connected")
        s.close()
    except OSError as err:
        report("connect: " + err.strerror)


def client_lets_forger_act():
    """The crafted client lives in the forger's namespace; tell it to start."""
    open(os.path.join(SYNC_DIR, "forger.go"), "w").close()
    time.sleep(1.5)


def client_vxlan_tunnel():
    inner_server = "192.0.2.2"
    try:
        connect(8001, inner_server)
    except OSError as err:
        report("connect: " + err.strerror)
    s = connect(8013, inner_server)
    s.sendall(REQUEST)
    recv_http(s)
    linger_zero(s)
    s.close()


def client_tls(port, sni):
    """A TLS client naming a blocked site in its SNI."""
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = connect(port)
    try:
        with ctx.wrap_socket(s, server_hostname=sni) as tls:
            report("handshake done?!")
            tls.sendall(REQUEST)
    except (OSError, ssl.SSLError) as err:
        report("tls: %s" % err)
    time.sleep(0.5)


def client_request_expect_reset(port, host=SERVER4, family=socket.AF_INET):
    s = connect(port, host, family)
    s.sendall(BLOCKED_REQUEST)
    time.sleep(0.5)
    try_recv(s)
    s.close()


def client_two_requests(port):
    """A keep-alive client: one request, a pause, a second request."""
    s = connect(port)
    s.sendall(REQUEST)
    recv_http(s)
    time.sleep(0.5)
    try:
        s.sendall(REQUEST)
        time.sleep(0.5)
        report("second answer: %r" % s.recv(100))
    except OSError as err:
        report("second request: %s" % err)
    s.close()


def client_normal_then(port_then, action):
    """A normal request to port 8080 first (the capture learns the server), then ACTION."""
    s = connect(8080)
    s.sendall(REQUEST)
    recv_http(s)
    s.recv(1)
    s.close()
    time.sleep(0.3)
    action(port_then)


def client_lets_prober_act():
    """The probing client lives in the forger's namespace; give it time."""
    client_lets_forger_act()
    time.sleep(1.5)


def client_two_refusals():
    """A normal request (the capture learns the server), then two refused SYNs."""
    client_normal_then(8043, client_refused_port)
    time.sleep(0.2)
    client_refused_port(8044)


def client_icmp_quoted():
    for host, family in ((SERVER4, socket.AF_INET), (SERVER6, socket.AF_INET6)):
        s = connect(8012, host, family)
        s.sendall(REQUEST)
        recv_http(s)
        linger_zero(s)           # the router answers this RST with an ICMP error
        s.close()
        time.sleep(0.2)


def client_stated_reasons(ports=range(7001, 7007), refused=7007):
    """Requests to the lab endpoint, which resets each one and says why."""
    for port in ports:
        try:
            s = connect(port, ENDPOINT4)
            s.sendall(REQUEST)
            report("%d: %r" % (port, try_recv(s)))
            s.close()
        except OSError as err:
            report("%d: %s" % (port, err))
        time.sleep(0.2)
    if not refused:
        return
    try:
        connect(refused, ENDPOINT4)
        report("%d: connected?!" % refused)
    except OSError as err:
        report("%d: connect: %s" % (refused, err.strerror))


def client_mptcp_abort(port=8050):
    """An MPTCP connection: one request, the whole response, then close()
    with SO_LINGER {1, 0}: Linux resets it with MP_FASTCLOSE in the RST."""
    s = connect(port, proto=IPPROTO_MPTCP)
    s.sendall(REQUEST)
    recv_http(s)
    time.sleep(0.2)
    linger_zero(s)
    s.close()


def client_mptcp_join(port=8051):
    """An MPTCP connection from the client's first address; its path
    manager (an endpoint "subflow" on the second address) opens a second
    subflow, which the server's subflow limit of 0 refuses."""
    s = connect(port, proto=IPPROTO_MPTCP, bind=CLIENT4)
    s.sendall(REQUEST)
    recv_http(s)
    time.sleep(1.0)
    s.sendall(REQUEST)
    recv_http(s)
    s.close()
    time.sleep(0.3)


def client_aborts_download(port=8016, keep=100000):
    """Reads KEEP bytes of a 4 MB download, then aborts (SO_LINGER {1, 0}):
    the rest is in its receive queue or still on the way."""
    s = connect(port)
    s.sendall(REQUEST)
    got = 0
    while got < keep:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += len(chunk)
    linger_zero(s)
    s.close()
    time.sleep(0.5)


CLIENTS = {
    "refused-v4": lambda: client_refused(SERVER4, socket.AF_INET),
    "refused-v6": lambda: client_refused(SERVER6, socket.AF_INET6),
    "firewall-reject": lambda: client_refused_port(8002),
    "normal": client_normal,
    "linger0-after-response": lambda: client_expect_reset(8003),
    "close-unread": lambda: client_expect_reset(8004),
    "client-abort": client_abort,
    "data-after-close": client_data_after_close,
    "server-restart": lambda: client_two_phases("server-restart", 8007),
    "nat-rebind": lambda: client_two_phases("nat-rebind", 8008),
    "accept-overflow": client_accept_overflow,
    "keepalive-timeout": client_keepalive_timeout,
    "forged-handshake": client_forged_handshake,
    "icmp-quoted": client_icmp_quoted,
    "invalid-ack": client_lets_forger_act,
    "vxlan-tunnel": client_vxlan_tunnel,
    "gfw-tls-burst": lambda: client_tls(443, "blocked.example"),
    "inwindow-rst-http-v6": lambda: client_request_expect_reset(8031, SERVER6, socket.AF_INET6),
    "copied-ttl-handshake": lambda: client_refused_port(8032),
    "copied-ttl-and-mac": lambda: client_request_expect_reset(8033),
    "onpath-firewall-reject": lambda: client_normal_then(8021, client_refused_port),
    "stateful-firewall-forgot": lambda: client_two_phases("stateful-firewall-forgot", 8022, 3.0),
    "forged-client-rst": lambda: client_two_requests(8034),
    "probe-after-rst": client_lets_prober_act,
    "block-page-then-rst": lambda: client_request_expect_reset(8035),
    "rsts-from-two-distances": client_two_refusals,
    "host-firewall-after-connection": lambda: client_normal_then(8002, client_refused_port),
    "stated-reasons": client_stated_reasons,
    "path-reject-two-points": lambda: then_normal(
        lambda: client_normal_then(8021, client_refused_port)),
    "path-forgot-two-points": lambda: then_normal(
        lambda: client_two_phases("path-forgot-two-points", 8022, 3.0)),
    "linger0-after-ack": lambda: client_expect_reset(8015),
    "download-abort": client_aborts_download,
    "forged-mid-response": lambda: client_request_expect_reset(8036),
    "mptcp-fastclose": client_mptcp_abort,
    "mptcp-join-refused": client_mptcp_join,
    "vendor-reasons": lambda: client_stated_reasons(list(range(7101, 7110)) + [7111], 7110),
    "forged-netscaler-window": lambda: client_request_expect_reset(8037),
}


def then_normal(action):
    """ACTION, then one more normal request: both capture points see both
    hosts after ACTION's RSTs, so a capture point that missed one of them
    was still capturing when it would have passed."""
    action()
    time.sleep(0.3)
    client_normal()


def client_refused_port(port):
    try:
        connect(port)
        report("connected?!")
    except OSError as err:
        report("connect: " + err.strerror)


# ------------------------------------------- clients of the odd-capture scenarios

def client_refused_linger0_abort(host=SERVER4, family=socket.AF_INET, prepare=None):
    """The three everyday RSTs: a refused SYN, a server's abort after its
    response, the client's own abort."""
    client_refused(host, family, prepare)
    client_expect_reset(8003, host, family, prepare)
    client_abort(host, family, prepare)


def client_raw_ip():
    client_refused(SERVER4, socket.AF_INET)
    client_expect_reset(8003)
    client_request_expect_reset(8041)


def client_seq_wrap():
    """Client ISN 2^32 - 100: the request (300 bytes) wraps the client's
    sequence numbers past zero before the server's abort and the client's own."""
    big = REQUEST.replace(b"\r\n\r\n", b"\r\nX-Pad: " + b"p" * 240 + b"\r\n\r\n")
    s = connect(8003, prepare=isn_near_wrap)
    s.sendall(big)
    time.sleep(0.5)
    try_recv(s)
    try_recv(s)
    s.close()
    client_abort(prepare=isn_near_wrap, request=big)


def client_port_reuse():
    """Two connections with the same port pair: the first aborted by the
    client (SO_LINGER 0 leaves no TIME-WAIT), the second opened from the same
    port right after, then aborted too."""
    def fixed_port(sock):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("0.0.0.0", 40500))
    for _ in range(2):
        client_abort(prepare=fixed_port)
        time.sleep(0.3)


CLIENTS.update({
    "loopback": client_refused_linger0_abort,
    "raw-ip": client_raw_ip,
    "ipv6-ext-headers": lambda: client_refused_linger0_abort(SERVER6, socket.AF_INET6,
                                                              ipv6_extension_headers),
    "seq-wrap": client_seq_wrap,
    "port-reuse": client_port_reuse,
})


def main():
    role, name = sys.argv[1], sys.argv[2]
    table = SERVERS if role == "server" else CLIENTS
    table[name]()


if __name__ == "__main__":
    main()
