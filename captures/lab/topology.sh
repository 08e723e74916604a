#!/usr/bin/env bash
# Builds (up) or removes (down) the capture lab: real Linux stacks in network
# namespaces, documentation addresses only, nothing leaves the machine.
# "mirror" adds a mirror session and its collector to a lab that is up.
#
#   rx-cl (client) --+
#   rx-inj (forger) -+- rx-sw (hub: bridge, ageing 0) -- rx-rt (router, NAT) -- rx-wan (delay) -- rx-sv (server)
#
# The hub floods every frame to every port, so the forging device sees the
# client's traffic like a mirror port.  rx-wan forwards frames between the
# router and the server after a fixed delay (no netem on this kernel), so a
# forger near the client can win the race against the real server.
#
# The mirror (issue 13): rx-mir, one more hub port, delivers everything the
# client's link carries to a collector (rx-col, 192.0.2.242) the way cloud
# and switch mirroring does: one outer header, mirror source to collector,
# for both directions.  tc mirred copies each frame as it is (a local SPAN)
# and onto a Linux VXLAN device (VNI 4000); lab/mirror.py adds Geneve and
# ERSPAN (this kernel has neither device) through the kernel's UDP and GRE
# sockets.
#
#   hub -- rx-mir (mir0 | mirup 192.0.2.241) -- rx-col (col0 192.0.2.242)
set -euo pipefail

NS_LAB="rx-cl rx-inj rx-sw rx-rt rx-wan rx-sv"
NS_MIRROR="rx-mir rx-col"
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3

quiet_offloads() {   # ns ifname: frames on the wire are what the stack sent
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
}

link() {   # ns1 if1 ns2 if2
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    ip -n "$1" link set "$2" up
    ip -n "$3" link set "$4" up
    quiet_offloads "$1" "$2"
    quiet_offloads "$3" "$4"
}

up() {
    down 2>/dev/null || true
    for ns in $NS_LAB; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done

    # Fixed MACs make captures reproducible and easy to read.
    link rx-cl cl0 rx-sw swcl
    link rx-inj inj0 rx-sw swinj
    link rx-rt rtin rx-sw swrt
    link rx-rt rtout rx-wan wanrt
    link rx-wan wansv rx-sv sv0
    ip -n rx-cl link set cl0 address 02:00:00:00:01:0a
    ip -n rx-inj link set inj0 address 02:00:00:00:01:66
    ip -n rx-rt link set rtin address 02:00:00:00:01:01
    ip -n rx-rt link set rtout address 02:00:00:00:02:01
    ip -n rx-sv link set sv0 address 02:00:00:00:02:02

    # The hub.
    ip -n rx-sw link add br0 type bridge ageing_time 0 stp_state 0
    for p in swcl swinj swrt; do ip -n rx-sw link set "$p" master br0; done
    ip -n rx-sw link set br0 up

    # Client.
    ip -n rx-cl addr add 198.51.100.10/24 dev cl0
    ip -n rx-cl addr add 2001:db8:1::10/64 dev cl0 nodad
    ip -n rx-cl route add default via 198.51.100.1
    ip -n rx-cl -6 route add default via 2001:db8:1::1

    # Router (no NAT unless a scenario adds it).
    ip -n rx-rt addr add 198.51.100.1/24 dev rtin
    ip -n rx-rt addr add 2001:db8:1::1/64 dev rtin nodad
    ip -n rx-rt addr add 203.0.113.1/24 dev rtout
    ip -n rx-rt addr add 2001:db8:2::1/64 dev rtout nodad
    ip netns exec rx-rt sysctl -qw net.ipv4.ip_forward=1
    ip netns exec rx-rt sysctl -qw net.ipv6.conf.all.forwarding=1

    # Server.
    ip -n rx-sv addr add 203.0.113.2/24 dev sv0
    ip -n rx-sv addr add 2001:db8:2::2/64 dev sv0 nodad
    ip -n rx-sv route add default via 203.0.113.1
    ip -n rx-sv -6 route add default via 2001:db8:2::1

    # The forger has no address of its own: it only sniffs and injects frames.
    ip netns exec rx-inj sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec rx-wan sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n rx-wan link set wanrt promisc on
    ip -n rx-wan link set wansv promisc on
    ip -n rx-inj link set inj0 promisc on

    # One-way delay of 20 ms between router and server (RTT 40 ms).
    ip netns exec rx-wan "$PY" "$LAB_DIR/delayfwd.py" wanrt wansv 20 >/dev/null 2>&1 &
    echo $! > /run/rx-lab-delayfwd.pid
    sleep 0.5

    # Neighbour discovery before the first capture, so handshakes are not
    # slowed by it.
    local try
    for try in 1 2 3 4 5; do
        ip netns exec rx-cl ping -c1 -W2 203.0.113.2 >/dev/null 2>&1 &&
            ip netns exec rx-cl ping -6 -c1 -W2 2001:db8:2::2 >/dev/null 2>&1 && return 0
        sleep 1
    done
    echo "lab network does not answer" >&2
    return 1
}

mirror() {
    for ns in $NS_MIRROR; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    done
    link rx-mir mir0 rx-sw swmir
    ip -n rx-sw link set swmir master br0
    ip -n rx-mir link set mir0 promisc on
    link rx-mir mirup rx-col col0
    ip -n rx-mir link set mirup address 02:00:00:00:05:01
    ip -n rx-col link set col0 address 02:00:00:00:05:02
    # Jumbo frames on the delivery link: a mirrored full-size frame plus
    # its encapsulation is never fragmented.
    ip -n rx-mir link set mirup mtu 9000
    ip -n rx-col link set col0 mtu 9000
    ip -n rx-mir addr add 192.0.2.241/28 dev mirup
    ip -n rx-col addr add 192.0.2.242/28 dev col0
    # The collector only records: no ICMP back for the deliveries.
    echo 'table ip rxcol { chain col_input { type filter hook input priority 0; ip protocol { udp, gre } drop; }; }' |
        ip netns exec rx-col nft -f -
    ip -n rx-mir link add vxm type vxlan id 4000 local 192.0.2.241 remote 192.0.2.242 \
        dstport 4789 srcport 49152 65535 nolearning
    ip -n rx-mir link set vxm up
    quiet_offloads rx-mir vxm
    ip netns exec rx-mir ping -c1 -W2 192.0.2.242 >/dev/null
    # Every frame that reaches the mirror port: to the collector as it is,
    # and inside VXLAN.
    ip netns exec rx-mir tc qdisc add dev mir0 clsact
    ip netns exec rx-mir tc filter add dev mir0 ingress protocol all u32 match u32 0 0 \
        action mirred egress mirror dev mirup action mirred egress mirror dev vxm
}

down() {
    if [ -f /run/rx-lab-delayfwd.pid ]; then
        kill "$(cat /run/rx-lab-delayfwd.pid)" 2>/dev/null || true
        rm -f /run/rx-lab-delayfwd.pid
    fi
    for ns in $NS_LAB $NS_MIRROR; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    mirror) mirror ;;
    *) echo "usage: $0 up|down|mirror" >&2; exit 2 ;;
esac
