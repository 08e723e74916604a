/* test_frame.c: reading a frame's live TCP segment: parsing headers,
 * finding them in the frame, views of tunnels, addresses in words.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

static const uint8_t ipv4_rst[] = {
    0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x3f, 0x06,
    0x00, 0x00, 203,  0,    113,  2,    198,  51,   100,  10,
};
static const uint8_t tcp_rst_ack[] = {
    0x1f, 0x41, 0x9c, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0xe9, 0x50, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

TEST(test_parse_ipv4_rst)
{
    struct rst_segment s;
    memset(&s, 0, sizeof s);
    /* 54-byte frame padded to 60 on Ethernet: the buffer holds 6 bytes of
     * padding, the IP total length says there is no payload. */
    CHECK(rst_parse_ip_tcp(ipv4_rst, sizeof ipv4_rst, tcp_rst_ack, sizeof tcp_rst_ack, 20, 26, &s)
          == RST_PARSE_OK);
    CHECK(s.ip_version == 4);
    CHECK(s.ttl == 63);
    CHECK(s.has_ip_id && s.ip_id == 0x1234);
    CHECK(s.df);
    CHECK(s.sport == 8001 && s.dport == 40000);
    CHECK(s.seq == 0 && s.ack == 1001);
    CHECK(s.flags == (RST_TH_RST | RST_TH_ACK));
    CHECK(s.payload_len == 0);
    CHECK(!s.has_timestamps);
    char buf[64];
    rst_format_address(4, s.src, buf, sizeof buf);
    CHECK_STR(buf, "203.0.113.2");
}

TEST(test_parse_timestamps_and_payload)
{
    uint8_t ip[20];
    memcpy(ip, ipv4_rst, 20);
    ip[3] = 20 + 32 + 5; /* total length: header, 32-byte TCP header, 5 bytes */
    uint8_t tcp[32];
    memcpy(tcp, tcp_rst_ack, 20);
    tcp[12] = 0x80; /* data offset 8 words */
    tcp[13] = RST_TH_ACK | RST_TH_PSH;
    const uint8_t opts[12] = { 1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9 };
    memcpy(tcp + 20, opts, sizeof opts);
    struct rst_segment s;
    CHECK(rst_parse_ip_tcp(ip, sizeof ip, tcp, sizeof tcp, 20, 37, &s) == RST_PARSE_OK);
    CHECK(s.has_timestamps && s.tsval == 7 && s.tsecr == 9);
    CHECK(s.payload_len == 5);
}

TEST(test_parse_ipv6_with_extension_headers)
{
    uint8_t ip[40] = { 0x60, 0, 0, 0, 0, 8 + 20, 0, 57 };
    ip[8] = 0x20;
    ip[9] = 0x01;
    ip[10] = 0x0d;
    ip[11] = 0xb8;
    ip[23] = 2;
    ip[24] = 0x20;
    ip[25] = 0x01;
    ip[26] = 0x0d;
    ip[27] = 0xb8;
    ip[39] = 0x10;
    struct rst_segment s;
    /* An 8-byte hop-by-hop header lies between IPv6 and TCP. */
    CHECK(rst_parse_ip_tcp(ip, sizeof ip, tcp_rst_ack, sizeof tcp_rst_ack, 48, 20, &s)
          == RST_PARSE_OK);
    CHECK(s.ip_version == 6 && s.ttl == 57 && !s.has_ip_id);
    CHECK(s.payload_len == 0);
    char buf[64];
    rst_format_address(6, s.src, buf, sizeof buf);
    CHECK_STR(buf, "2001:db8::2");
}

TEST(test_a_cut_header_is_no_evidence)
{
    /* A snap length that ends the RST inside its TCP header: its window and
     * options are unknown, not zero and not absent. */
    for (int cut = 0; cut < 2; cut++) {
        struct net n;
        net_init(&n, 4);
        handshake_and_exchange(&n);
        struct rst_segment r = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
        r.has_timestamps = false;
        r.window = cut ? 0 : 8192;
        r.window_cut = r.options_cut = cut;
        struct rst_verdict v = verdict(&n, rst_core_add(n.core, &r, &n.params));
        CHECK(v.final_cause == RST_CAUSE_ABORT);
        CHECK((evidence(&v, RST_EV_NO_TIMESTAMPS) == NULL) == (cut == 1));
        CHECK((evidence(&v, RST_EV_WINDOW) == NULL) == (cut == 1));
        net_free(&n);
    }
    struct rst_segment s;
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, tcp_rst_ack, 14, 20, 14, &s) == RST_PARSE_OK);
    CHECK(s.window_cut && s.options_cut && (s.flags & RST_TH_RST));
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, tcp_rst_ack, 20, 20, 20, &s) == RST_PARSE_OK);
    CHECK(!s.window_cut && !s.options_cut);
}

TEST(test_parse_rejects_short_and_bogus_headers)
{
    struct rst_segment s;
    CHECK(rst_parse_ip_tcp(ipv4_rst, 10, tcp_rst_ack, 20, 20, 20, &s) == RST_PARSE_TRUNCATED);
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, tcp_rst_ack, 13, 20, 13, &s) == RST_PARSE_TRUNCATED);
    uint8_t bad_ip[20];
    memcpy(bad_ip, ipv4_rst, 20);
    bad_ip[0] = 0x41; /* IHL 1 word */
    CHECK(rst_parse_ip_tcp(bad_ip, 20, tcp_rst_ack, 20, 20, 20, &s) == RST_PARSE_MALFORMED);
    bad_ip[0] = 0x55; /* version 5 */
    CHECK(rst_parse_ip_tcp(bad_ip, 20, tcp_rst_ack, 20, 20, 20, &s) == RST_PARSE_MALFORMED);
    uint8_t bad_tcp[20];
    memcpy(bad_tcp, tcp_rst_ack, 20);
    bad_tcp[12] = 0x30; /* data offset 3 words */
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, bad_tcp, 20, 20, 20, &s) == RST_PARSE_MALFORMED);
    /* Options that run past the header end quietly. */
    uint8_t tcp[24];
    memcpy(tcp, tcp_rst_ack, 20);
    tcp[12] = 0x60;
    tcp[20] = 8;
    tcp[21] = 40;
    tcp[22] = 0;
    tcp[23] = 0;
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, tcp, 24, 20, 24, &s) == RST_PARSE_OK);
    CHECK(!s.has_timestamps);
    /* Headers only (small snap length): the flags are enough. */
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, tcp_rst_ack, 14, 20, 20, &s) == RST_PARSE_OK);
    CHECK(s.flags == (RST_TH_RST | RST_TH_ACK));
}

TEST(test_format_ipv6_compression)
{
    char buf[64];
    uint8_t a[16] = { 0 };
    rst_format_address(6, a, buf, sizeof buf);
    CHECK_STR(buf, "::");
    a[15] = 1;
    rst_format_address(6, a, buf, sizeof buf);
    CHECK_STR(buf, "::1");
    uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
    rst_format_address(6, b, buf, sizeof buf);
    CHECK_STR(buf, "2001:db8:0:1::1");
    uint8_t c[16] = { 0xfe, 0x80, [8] = 0x02, [9] = 0x11, [15] = 0x22 };
    rst_format_address(6, c, buf, sizeof buf);
    CHECK_STR(buf, "fe80::211:0:0:22");
}

TEST(test_format_address_digits_and_short_buffers)
{
    char buf[64];
    uint8_t v4[4] = { 0, 9, 10, 255 };
    rst_format_address(4, v4, buf, sizeof buf);
    CHECK_STR(buf, "0.9.10.255");
    uint8_t full[16] = { 0xab, 0xcd, 0,    0x01, 0x10, 0,    0xff, 0xff,
                         0,    1,    0x0a, 0xbc, 0x12, 0x34, 0xf0, 0x0f };
    rst_format_address(6, full, buf, sizeof buf);
    CHECK_STR(buf, "abcd:1:1000:ffff:1:abc:1234:f00f");
    /* A buffer too small keeps what fits, terminated. */
    char small[6];
    rst_format_address(4, v4, small, sizeof small);
    CHECK_STR(small, "0.9.1");
    rst_format_address(6, full, small, sizeof small);
    CHECK_STR(small, "abcd:");
    rst_format_address(5, v4, buf, sizeof buf);
    CHECK_STR(buf, "?");
}

static const uint8_t host_a[4] = { 198, 51, 100, 10 }, host_b[4] = { 203, 0, 113, 2 };
static const uint8_t tunnel_a[4] = { 198, 51, 100, 1 }, tunnel_b[4] = { 203, 0, 113, 1 };

/* Appends an IPv4 header (RFC 791) whose packet runs to `total` bytes. */
static size_t put_ipv4(uint8_t *f, size_t at, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                       size_t total)
{
    memset(f + at, 0, 20);
    f[at] = 0x45;
    f[at + 2] = (uint8_t)(total >> 8);
    f[at + 3] = (uint8_t)total;
    f[at + 8] = 64;
    f[at + 9] = proto;
    memcpy(f + at + 12, src, 4);
    memcpy(f + at + 16, dst, 4);
    return at + 20;
}

static size_t put_tcp(uint8_t *f, size_t at, uint16_t sport, uint16_t dport)
{
    memset(f + at, 0, 20);
    f[at] = (uint8_t)(sport >> 8), f[at + 1] = (uint8_t)sport;
    f[at + 2] = (uint8_t)(dport >> 8), f[at + 3] = (uint8_t)dport;
    f[at + 12] = 0x50;
    f[at + 13] = RST_TH_RST;
    return at + 20;
}

static size_t put_ethernet(uint8_t *f, uint16_t type)
{
    memset(f, 0x02, 12);
    f[12] = (uint8_t)(type >> 8), f[13] = (uint8_t)type;
    return 14;
}

static struct rst_frame_hint hint_v4(const uint8_t *src, const uint8_t *dst, uint16_t sport,
                                     uint16_t dport)
{
    struct rst_frame_hint h;
    memset(&h, 0, sizeof h);
    h.ip_version = 4;
    memcpy(h.src, src, 4);
    memcpy(h.dst, dst, 4);
    h.ports_known = true;
    h.sport = sport, h.dport = dport;
    return h;
}

TEST(test_locate_plain_ethernet)
{
    uint8_t f[60] = { 0 };
    size_t at = put_ethernet(f, 0x0800);
    at = put_ipv4(f, at, host_b, host_a, 6, 40);
    put_tcp(f, at, 8001, 40000);
    struct rst_frame_hint h = hint_v4(host_b, host_a, 8001, 40000);
    struct rst_frame_layout l;
    CHECK(rst_locate_tcp(f, sizeof f, sizeof f, &h, &l));
    CHECK(l.ip == 14 && l.tcp == 34 && !l.fragment && l.n_outer == 0);
    CHECK(rst_frame_view(f, sizeof f, 3, &h, &l, NULL) == 3u << 4);
    /* The capture cut the frame inside the destination address: not there. */
    CHECK(!rst_locate_tcp(f, 14 + 18, 60, &h, &l));
    /* ... right after the IP header: found, with no TCP bytes to read. */
    CHECK(rst_locate_tcp(f, 34, 60, &h, &l) && l.tcp == 34);
    /* Addresses the frame does not hold. */
    struct rst_frame_hint other = hint_v4(host_a, host_b, 8001, 40000);
    CHECK(!rst_locate_tcp(f, sizeof f, sizeof f, &other, &l));
}

/* The one call the Wireshark layer makes: bytes in, a segment out. */
TEST(test_frame_read_gives_the_segment_its_payload_and_link)
{
    uint8_t f[80] = { 0 };
    size_t at = put_ethernet(f, 0x0800);
    f[5] = 0x0a, f[11] = 0x01; /* destination ...0a, source ...01 */
    at = put_ipv4(f, at, host_b, host_a, 6, 20 + 20 + 8);
    size_t tcp = at;
    at = put_tcp(f, at, 8001, 40000);
    f[tcp + 13] = RST_TH_RST | RST_TH_ACK;
    f[tcp + 14] = 0x01, f[tcp + 15] = 0x00; /* window 256 */
    memcpy(f + at, "no route", 8);          /* RFC 1122 4.2.2.12 reset text */
    size_t len = at + 8;
    struct rst_frame_hint h = hint_v4(host_b, host_a, 8001, 40000);
    h.interface_id = 2;
    h.link_is_ethernet = true;
    struct rst_segment s;
    struct rst_frame_layout l;
    CHECK(rst_frame_read(f, len, len, &h, &s, &l) == RST_FRAME_OK);
    CHECK(s.ip_version == 4 && s.sport == 8001 && s.dport == 40000 && s.window == 256);
    CHECK(s.flags == (RST_TH_RST | RST_TH_ACK) && s.payload_len == 8);
    CHECK(s.payload == f + at && s.payload_caplen == 8);
    CHECK(s.interface_id == 2 && s.view == 2u << 4 && s.group == 0);
    CHECK(s.has_link && s.link_dst[5] == 0x0a && s.link_src[5] == 0x01);
    CHECK(!s.has_mac && s.frame == 0); /* the caller's to set */
    /* Cut short of the payload: the part captured, no more. */
    CHECK(rst_frame_read(f, len - 3, len, &h, &s, &l) == RST_FRAME_OK);
    CHECK(s.payload_len == 8 && s.payload_caplen == 5);
    /* Cut before the flags: found, but unreadable. */
    CHECK(rst_frame_read(f, tcp + 10, len, &h, &s, &l) == RST_FRAME_BAD);
    /* Addresses the frame does not hold. */
    struct rst_frame_hint other = hint_v4(host_a, host_b, 8001, 40000);
    CHECK(rst_frame_read(f, len, len, &other, &s, &l) == RST_FRAME_NONE);
    /* A later fragment: the headers are in the packet to rebuild. */
    f[14 + 6] = 0x00, f[14 + 7] = 0x10; /* fragment offset 128 bytes */
    CHECK(rst_frame_read(f, len, len, &h, &s, &l) == RST_FRAME_FRAGMENT && l.fragment_ip == 14);
}

TEST(test_locate_prefers_the_dissectors_ports)
{
    /* TCP carried in TCP between the same hosts: the header the TCP
     * dissector read last (the inner one, ports 7/9) is the live one; with
     * ports no dissector read, the first header with the addresses wins. */
    uint8_t f[14 + 40 + 40] = { 0 };
    size_t at = put_ethernet(f, 0x0800);
    at = put_ipv4(f, at, host_a, host_b, 6, 80);
    at = put_tcp(f, at, 443, 40000);
    at = put_ipv4(f, at, host_a, host_b, 6, 40);
    put_tcp(f, at, 7, 9);
    struct rst_frame_hint h = hint_v4(host_a, host_b, 7, 9);
    struct rst_frame_layout l;
    CHECK(rst_locate_tcp(f, sizeof f, sizeof f, &h, &l) && l.ip == 54 && l.tcp == 74);
    h.ports_known = false;
    CHECK(rst_locate_tcp(f, sizeof f, sizeof f, &h, &l) && l.ip == 14 && l.tcp == 34);
    /* Ports that match nothing: still the first header that leads to TCP. */
    h = hint_v4(host_a, host_b, 1, 2);
    CHECK(rst_locate_tcp(f, sizeof f, sizeof f, &h, &l) && l.ip == 14);
}

TEST(test_locate_ipv6_extension_headers_and_fragments)
{
    uint8_t f[14 + 40 + 16 + 20] = { 0 };
    size_t at = put_ethernet(f, 0x86dd);
    f[at] = 0x60;
    f[at + 5] = 16 + 20;
    f[at + 6] = 0; /* hop-by-hop options */
    f[at + 7] = 57;
    uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
            dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
    memcpy(f + at + 8, src, 16);
    memcpy(f + at + 24, dst, 16);
    at += 40;
    f[at] = 60, f[at + 1] = 0;    /* then destination options, 8 bytes each */
    f[at + 8] = 6, f[at + 9] = 0; /* then TCP */
    put_tcp(f, at + 16, 8001, 40000);
    struct rst_frame_hint h;
    memset(&h, 0, sizeof h);
    h.ip_version = 6;
    memcpy(h.src, src, 16);
    memcpy(h.dst, dst, 16);
    struct rst_frame_layout l;
    CHECK(rst_locate_tcp(f, sizeof f, sizeof f, &h, &l) && l.ip == 14 && l.tcp == 70);
    /* A fragment header with a fragment offset: the TCP header is in the
     * reassembled packet, not here (RFC 8200 4.5). */
    f[at + 8] = 44;
    f[at + 16] = 6, f[at + 19] = 0x08; /* offset 1 (8 bytes) */
    CHECK(!rst_locate_tcp(f, sizeof f, sizeof f, &h, &l) && l.fragment && l.fragment_ip == 14);
    /* The packet rebuilt from the reassembled payload (what follows the
     * fragment header): one whole packet again. */
    uint8_t payload[20], whole[128];
    put_tcp(payload, 0, 8001, 40000);
    size_t n = rst_rebuild_fragment(f, sizeof f, 14, payload, sizeof payload, whole, sizeof whole);
    CHECK(n == 14 + 40 + 16 + 8 + 20); /* the fragment header stays */
    CHECK(rst_locate_tcp(whole, n, n, &h, &l) && l.tcp == 78 && !l.fragment);
    CHECK(whole[14 + 5] == 16 + 8 + 20 && whole[at + 18] == 0 && whole[at + 19] == 0);

    uint8_t g[60] = { 0 };
    at = put_ipv4(g, put_ethernet(g, 0x0800), host_b, host_a, 6, 40);
    g[14 + 7] = 0x10; /* fragment offset 16 */
    struct rst_frame_hint h4 = hint_v4(host_b, host_a, 8001, 40000);
    CHECK(!rst_locate_tcp(g, sizeof g, sizeof g, &h4, &l) && l.fragment && l.fragment_ip == 14);
    n = rst_rebuild_fragment(g, sizeof g, 14, payload, sizeof payload, whole, sizeof whole);
    CHECK(n == 54 && rst_locate_tcp(whole, n, n, &h4, &l) && l.tcp == 34);
    CHECK(whole[14 + 3] == 40 && whole[14 + 6] == 0 && whole[14 + 7] == 0);
    /* Too small a buffer, or a header the capture cut: nothing. */
    CHECK(rst_rebuild_fragment(g, sizeof g, 14, payload, sizeof payload, whole, 40) == 0);
    CHECK(rst_rebuild_fragment(g, 30, 14, payload, sizeof payload, whole, sizeof whole) == 0);
}

/* One segment of a connection between host_a and host_b inside a GRE tunnel
 * between tunnel_a and tunnel_b with a key, forward or backward. */
static size_t gre_frame(uint8_t *f, bool backward, uint32_t key, struct rst_frame_hint *h)
{
    const uint8_t *outer_src = backward ? tunnel_b : tunnel_a,
                  *outer_dst = backward ? tunnel_a : tunnel_b;
    const uint8_t *src = backward ? host_b : host_a, *dst = backward ? host_a : host_b;
    size_t at = put_ethernet(f, 0x0800);
    at = put_ipv4(f, at, outer_src, outer_dst, 47, 20 + 8 + 40);
    f[at] = 0x20, f[at + 1] = 0, f[at + 2] = 0x08, f[at + 3] = 0x00; /* K bit, IPv4 */
    f[at + 4] = (uint8_t)(key >> 24), f[at + 5] = (uint8_t)(key >> 16);
    f[at + 6] = (uint8_t)(key >> 8), f[at + 7] = (uint8_t)key;
    at = put_ipv4(f, at + 8, src, dst, 6, 40);
    at = put_tcp(f, at, backward ? 80 : 40000, backward ? 40000 : 80);
    *h = hint_v4(src, dst, backward ? 80 : 40000, backward ? 40000 : 80);
    h->n_outer = 1;
    h->outer_kind[0] = RST_TUNNEL_GRE;
    return at;
}

static uint32_t view_of(const uint8_t *f, size_t len, const struct rst_frame_hint *h)
{
    struct rst_frame_layout l;
    if (!rst_locate_tcp(f, len, len, h, &l))
        return 0;
    return rst_frame_view(f, len, 0, h, &l, NULL);
}

TEST(test_tunnel_views)
{
    uint8_t f[120] = { 0 };
    struct rst_frame_hint h;
    size_t len = gre_frame(f, false, 1, &h);
    struct rst_frame_layout l;
    CHECK(rst_locate_tcp(f, len, len, &h, &l) && l.n_outer == 1 && l.outer[0] == 14 && l.ip == 42);
    uint32_t key1 = view_of(f, len, &h);
    CHECK((key1 & 0x80000000u) && (key1 & 0x0f) == 1);
    len = gre_frame(f, true, 1, &h);
    CHECK(view_of(f, len, &h) == key1); /* both directions: one connection */
    len = gre_frame(f, false, 2, &h);
    CHECK(view_of(f, len, &h) != key1); /* another key: another tenant */
    h.outer_kind[0] = RST_TUNNEL_PLAIN; /* key ignored: the tunnel's endpoints only */
    uint32_t endpoints = view_of(f, len, &h);
    CHECK(endpoints != key1 && endpoints & 0x80000000u);
    /* The same tunnel at two capture points: two views, one group. */
    uint32_t group0, group3;
    CHECK(rst_locate_tcp(f, len, len, &h, &l));
    uint32_t at0 = rst_frame_view(f, len, 0, &h, &l, &group0);
    uint32_t at3 = rst_frame_view(f, len, 3, &h, &l, &group3);
    CHECK(at0 != at3 && group0 == group3 && (group0 & 0x80000000u) && group0 != at0);

    /* VXLAN (RFC 7348): outer IPv4, UDP, VXLAN with its VNI, Ethernet, IPv4, TCP. */
    uint8_t v[14 + 20 + 8 + 8 + 14 + 40] = { 0 };
    uint32_t views[2];
    for (int vni = 0; vni < 2; vni++) {
        size_t at = put_ipv4(v, put_ethernet(v, 0x0800), tunnel_a, tunnel_b, 17, sizeof v - 14);
        v[at + 2] = 0x12, v[at + 3] = 0xb5; /* UDP port 4789 */
        v[at + 8] = 0x08;                   /* VXLAN: VNI valid */
        v[at + 8 + 6] = (uint8_t)(100 + vni);
        at = put_ethernet(v + at + 16, 0x0800) + at + 16;
        put_tcp(v, put_ipv4(v, at, host_a, host_b, 6, 40), 40000, 80);
        h = hint_v4(host_a, host_b, 40000, 80);
        h.n_outer = 1;
        h.outer_kind[0] = RST_TUNNEL_VNI;
        views[vni] = view_of(v, sizeof v, &h);
    }
    CHECK(views[0] && views[1] && views[0] != views[1]);

    /* The same VXLAN packet in two fragments, split where a small MTU would
     * split it (the tunnelled headers in the first): the last fragment holds
     * none of them, the packet rebuilt from it is the original. */
    size_t split = 14 + 20 + 64;
    uint8_t last[sizeof v];
    memcpy(last, v, 14 + 20);
    memcpy(last + 34, v + split, sizeof v - split);
    size_t last_len = 34 + sizeof v - split;
    last[14 + 2] = 0, last[14 + 3] = (uint8_t)(last_len - 14);
    last[14 + 7] = 64 / 8; /* offset 64, no more fragments */
    CHECK(!rst_locate_tcp(last, last_len, last_len, &h, &l) && l.fragment && l.fragment_ip == 14);
    uint8_t whole[sizeof v];
    size_t n = rst_rebuild_fragment(last, last_len, 14, v + 34, sizeof v - 34, whole, sizeof whole);
    CHECK(n == sizeof v && view_of(whole, n, &h) == views[1]);
    /* Split after 8 bytes instead, the tunnelled headers are in the last
     * fragment, but its VXLAN header is not where the outer header says: the
     * packet is rebuilt as well. */
    memcpy(last + 34, v + 34 + 8, sizeof v - 42);
    last_len = sizeof v - 8;
    last[14 + 3] = (uint8_t)(last_len - 14);
    last[14 + 7] = 1;
    CHECK(!rst_locate_tcp(last, last_len, last_len, &h, &l) && l.fragment && l.fragment_ip == 14);
}
