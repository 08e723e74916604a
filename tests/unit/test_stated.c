/* test_stated.c: statements beyond the diagnostic payload's compact form:
 * Multipath TCP's MP_TCPRST and MP_FASTCLOSE (RFC 8684 3.6, 3.5), the
 * individual drafts' CBOR layout, an F5 BIG-IP reset cause, a Citrix
 * NetScaler reset code in the window (CTX200852).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

/* An IPv4 RST/ACK with 12 bytes of options (room for MP_FASTCLOSE) or 4. */
static enum rst_parse_status parse_with_options(const uint8_t *opt, size_t opt_len,
                                                struct rst_segment *s)
{
    uint8_t ip[20] = { 0x45, 0, 0,   0,  0x12, 0x34, 0x40, 0,  64,  6,
                       0,    0, 198, 51, 100,  71,   198,  51, 100, 70 };
    uint8_t tcp[60] = { 0x23, 0x28, 0xde, 0xa4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x04, 0, 0 };
    size_t len = 20 + opt_len;
    tcp[12] = (uint8_t)((len / 4) << 4);
    memcpy(tcp + 20, opt, opt_len);
    ip[3] = (uint8_t)(20 + len);
    memset(s, 0, sizeof *s);
    return rst_parse_ip_tcp(ip, sizeof ip, tcp, len, 20, (uint32_t)len, s);
}

TEST(test_mptcp_options_are_read_from_the_header)
{
    struct rst_segment s;
    /* What Linux 6.18 put on its RST after close() with SO_LINGER 0 on an
     * MPTCP socket (captures/mptcp-fastclose.pcapng): MP_FASTCLOSE (with the
     * receiver's key) and MP_TCPRST reason 0. */
    const uint8_t both[] = { 30,   12,   0x70, 0,    0x7c, 0xf7, 0x4d, 0x8b,
                             0x50, 0x12, 0xa2, 0xb4, 30,   4,    0x80, 0 };
    CHECK(parse_with_options(both, sizeof both, &s) == RST_PARSE_OK);
    CHECK(s.mptcp_fastclose && s.has_mptcp_rst && !s.mptcp_malformed);
    CHECK(s.mptcp_rst_reason == 0 && s.mptcp_rst_flags == 0);

    /* Administratively prohibited, transient (T), padded with NOPs. */
    const uint8_t tcprst[] = { 1, 1, 30, 4, 0x81, 3, 1, 0 };
    CHECK(parse_with_options(tcprst, sizeof tcprst, &s) == RST_PARSE_OK);
    CHECK(s.has_mptcp_rst && !s.mptcp_fastclose);
    CHECK(s.mptcp_rst_reason == 3 && s.mptcp_rst_flags == RST_MPTCP_FLAG_T);

    /* Wrong lengths: malformed, read as nothing. */
    const uint8_t short_rst[] = { 30, 3, 0x80, 0 };
    CHECK(parse_with_options(short_rst, sizeof short_rst, &s) == RST_PARSE_OK);
    CHECK(s.mptcp_malformed && !s.has_mptcp_rst);
    const uint8_t short_fc[] = { 30, 8, 0x70, 0, 1, 2, 3, 4 };
    CHECK(parse_with_options(short_fc, sizeof short_fc, &s) == RST_PARSE_OK);
    CHECK(s.mptcp_malformed && !s.mptcp_fastclose);
    /* Other MPTCP subtypes (here DSS) say nothing about the reset. */
    const uint8_t dss[] = { 30, 4, 0x20, 0x01 };
    CHECK(parse_with_options(dss, sizeof dss, &s) == RST_PARSE_OK);
    CHECK(!s.mptcp_malformed && !s.has_mptcp_rst && !s.mptcp_fastclose);
    /* An option running past the header is not read. */
    const uint8_t overrun[] = { 1, 1, 30, 12 };
    CHECK(parse_with_options(overrun, sizeof overrun, &s) == RST_PARSE_OK);
    CHECK(!s.mptcp_malformed && !s.mptcp_fastclose);
}

static struct rst_diag read_segment(const struct rst_segment *s)
{
    struct rst_diag d;
    rst_diag_read(s, &d);
    return d;
}

TEST(test_mptcp_reasons_and_their_causes)
{
    struct rst_segment s;
    memset(&s, 0, sizeof s);
    s.frame = 19;
    s.has_mptcp_rst = true;
    static const char *const names[] = {
        "Unspecified error",           "MPTCP-specific error",      "Lack of resources",
        "Administratively prohibited", "Too much outstanding data", "Unacceptable performance",
        "Middlebox interference",
    };
    for (uint8_t code = 0; code < 7; code++) {
        s.mptcp_rst_reason = code;
        struct rst_diag d = read_segment(&s);
        CHECK(d.format == RST_DIAG_MPTCP && d.has_code && d.code == code);
        CHECK_STR(rst_diag_reason(&d), names[code]);
    }
    s.mptcp_rst_reason = 1;
    CHECK(
        rst_diag_cause(&(struct rst_diag){ .format = RST_DIAG_MPTCP, .has_code = true, .code = 1 })
        == RST_CAUSE_INVALID_SEGMENT);
    CHECK(
        rst_diag_cause(&(struct rst_diag){ .format = RST_DIAG_MPTCP, .has_code = true, .code = 3 })
        == RST_CAUSE_REFUSED);
    CHECK(
        rst_diag_cause(&(struct rst_diag){ .format = RST_DIAG_MPTCP, .has_code = true, .code = 2 })
        == RST_CAUSE_UNKNOWN);
    s.mptcp_rst_reason = 9; /* unassigned */
    struct rst_diag d = read_segment(&s);
    CHECK(rst_diag_reason(&d) == NULL);
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN);

    /* MP_FASTCLOSE alone: an abort of the whole connection, no code. */
    memset(&s, 0, sizeof s);
    s.frame = 7;
    s.mptcp_fastclose = true;
    d = read_segment(&s);
    CHECK(d.format == RST_DIAG_MPTCP && !d.has_code && d.fastclose_frame == 7);
    CHECK(rst_diag_cause(&d) == RST_CAUSE_ABORT);
    CHECK_STR(rst_diag_format_name(d.format), "mptcp");

    /* A malformed option with no payload: malformed. */
    memset(&s, 0, sizeof s);
    s.mptcp_malformed = true;
    CHECK(read_segment(&s).format == RST_DIAG_MALFORMED);
}

/* An MPTCP connection's RST, from the fixture's server. */
static uint32_t send_mptcp_rst(struct net *n, enum who from, bool fastclose, bool tcprst,
                               uint8_t reason, uint8_t flags)
{
    struct rst_segment s = segment(n, from, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    s.mptcp_fastclose = fastclose;
    s.has_mptcp_rst = tcprst;
    s.mptcp_rst_reason = reason;
    s.mptcp_rst_flags = flags;
    return rst_core_add(n->core, &s, &n->params);
}

TEST(test_mptcp_verdicts)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_mptcp_rst(&n, SERVER, true, true, 0, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.diag.format == RST_DIAG_MPTCP);
    CHECK(v.diag.fastclose_frame != 0 && !v.diag.fastclose_by_peer);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation,
                   "Its MP_TCPRST option states \"Unspecified error\" (reason 0, RFC 8684 3.6).");
    CHECK_CONTAINS(v.explanation, "It carries MP_FASTCLOSE");
    net_free(&n);

    /* A subflow refused by policy, transient. */
    net_init(&n, 4);
    handshake_and_exchange(&n);
    v = verdict(&n, send_mptcp_rst(&n, SERVER, false, true, 3, RST_MPTCP_FLAG_T));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.wire_cause == RST_CAUSE_ABORT);
    CHECK_CONTAINS(v.explanation, "\"Administratively prohibited\" (reason 3");
    CHECK_CONTAINS(v.explanation, "transient");
    CHECK_CONTAINS(v.explanation, "From the connection alone it would be abort");
    net_free(&n);

    /* RFC 8684 3.5 option A: the client's ACK carries MP_FASTCLOSE, the
     * server answers with a RST that says nothing itself. */
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment fc = segment(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
    fc.mptcp_fastclose = true;
    rst_core_add(n.core, &fc, &n.params);
    v = verdict(&n, send_mptcp_rst(&n, SERVER, false, false, 0, 0));
    CHECK(v.diag.format == RST_DIAG_MPTCP);
    CHECK(v.diag.fastclose_frame == fc.frame && v.diag.fastclose_by_peer);
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK_CONTAINS(v.explanation, "It follows the MP_FASTCLOSE that the client sent in frame");
    net_free(&n);
}

static struct rst_diag diag_bytes(const void *p, size_t len)
{
    struct rst_diag d;
    rst_diag_parse((const uint8_t *)p, len, (uint32_t)len, &d);
    return d;
}

TEST(test_cbor_layout_of_the_individual_drafts)
{
    /* draft-boucadair-tcpm-rst-diagnostic-payload-12 figure 2: code 2. */
    struct rst_diag d = diag_bytes("\x19\x30\x39\xA1\x01\x02", 6);
    CHECK(d.format == RST_DIAG_CBOR && d.has_code && d.code == 2 && d.pen == 0);
    CHECK_STR(rst_diag_reason(&d), "Desynchronized state");
    CHECK(rst_diag_cause(&d) == RST_CAUSE_NO_CONNECTION);
    /* Figure 6: vendor code 1234 of PEN 32473 (two- and four-byte heads). */
    d = diag_bytes("\x19\x30\x39\xA2\x01\x19\x04\xD2\x02\x19\x7E\xD9", 12);
    CHECK(d.format == RST_DIAG_CBOR && d.code == 1234 && d.pen == 32473);
    CHECK(rst_diag_reason(&d) == NULL);
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN);
    /* Figure 4: a description only. */
    d = diag_bytes("\x19\x30\x39\xA1\x03\x69"
                   "by policy",
                   15);
    CHECK(d.format == RST_DIAG_CBOR && !d.has_code);
    CHECK(d.text_len == 9 && memcmp(d.text, "by policy", 9) == 0);
    /* Malformed: an empty map, an unknown key, a text running past the end,
     * bytes after the map, code 0, a 64-bit head. */
    CHECK(diag_bytes("\x19\x30\x39\xA0", 4).format == RST_DIAG_MALFORMED);
    CHECK(diag_bytes("\x19\x30\x39\xA1\x04\x02", 6).format == RST_DIAG_MALFORMED);
    CHECK(diag_bytes("\x19\x30\x39\xA1\x03\x6F"
                     "abc",
                     9)
              .format
          == RST_DIAG_MALFORMED);
    CHECK(diag_bytes("\x19\x30\x39\xA1\x01\x02\x00", 7).format == RST_DIAG_MALFORMED);
    CHECK(diag_bytes("\x19\x30\x39\xA1\x01\x00", 6).format == RST_DIAG_MALFORMED);
    CHECK(diag_bytes("\x19\x30\x39\xA1\x01\x1B\0\0\0\0\0\0\0\2", 14).format == RST_DIAG_MALFORMED);
    CHECK(diag_bytes("\x19\x30\x39", 3).format == RST_DIAG_MALFORMED);
    /* Another CBOR number first is no statement. */
    CHECK(diag_bytes("\x19\x30\x3A\xA1\x01\x02", 6).format == RST_DIAG_DATA);
}

TEST(test_f5_reset_cause)
{
    struct rst_diag d = diag_bytes("BIG-IP: [0x2d7ba78:2891] No flow found for ACK", 46);
    CHECK(d.format == RST_DIAG_TEXT && d.vendor == RST_VENDOR_F5);
    CHECK(d.f5_value == 0x2d7ba78 && d.f5_line == 2891 && !d.f5_peer);
    CHECK(d.cause_offset == 25);
    CHECK(memcmp(d.text + d.cause_offset, "No flow found for ACK", 21) == 0);
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN); /* F5 documents no list to cite */
    CHECK_STR(rst_diag_vendor_name(d.vendor), "F5 BIG-IP");

    d = diag_bytes("BIG-IP: [0x1:7] {peer} Idle timeout", 35);
    CHECK(d.vendor == RST_VENDOR_F5 && d.f5_peer && d.f5_line == 7);
    CHECK(memcmp(d.text + d.cause_offset, "Idle timeout", 12) == 0);

    /* Not F5's form: plain text. */
    CHECK(diag_bytes("BIG-IP: no bracket", 18).vendor == RST_VENDOR_NONE);
    CHECK(diag_bytes("BIG-IP: [0x:1] x", 16).vendor == RST_VENDOR_NONE);
    CHECK(diag_bytes("BIG-IP: [0x12:99999] x", 22).vendor == RST_VENDOR_NONE);
    CHECK(diag_bytes("BIG-IP: [0x12:9", 15).vendor == RST_VENDOR_NONE);
}

TEST(test_netscaler_table)
{
    CHECK_STR(rst_netscaler_reason(9814),
              "NSDBG_RST_PETRIGGER: a request or response matched a policy whose action is "
              "RESET");
    CHECK(rst_netscaler_cause(9814) == RST_CAUSE_ABORT);
    CHECK(rst_netscaler_cause(8201) == RST_CAUSE_NO_CONNECTION);
    CHECK(rst_netscaler_cause(9300) == RST_CAUSE_IDLE_TIMEOUT);
    CHECK(rst_netscaler_cause(9301) == RST_CAUSE_IDLE_TIMEOUT);
    CHECK(rst_netscaler_reason(8196) && rst_netscaler_reason(10042));
    CHECK(rst_netscaler_reason(8195) == NULL && rst_netscaler_reason(10043) == NULL);
    CHECK(rst_netscaler_reason(9815) == NULL && rst_netscaler_reason(0) == NULL);
    /* Every code from 8196 to 10042 the table holds, in order (bisection). */
    unsigned found = 0;
    for (unsigned code = 0; code <= 0xFFFF; code++)
        found += rst_netscaler_reason((uint16_t)code) != NULL;
    CHECK(found > 200 && found < 260);
}

/* A server's RST/ACK at its own next seq with a window. */
static uint32_t send_rst_window(struct net *n, uint16_t window)
{
    struct rst_segment s = segment(n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    s.window = window;
    return rst_core_add(n->core, &s, &n->params);
}

TEST(test_netscaler_code_read_only_when_consistent)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_rst_window(&n, 9814));
    CHECK(v.diag.format == RST_DIAG_WINDOW && v.diag.vendor == RST_VENDOR_NETSCALER);
    CHECK(v.diag.code == 9814);
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.n_evidence == 0 && v.suspicion == 0);
    CHECK_CONTAINS(v.explanation, "Its window, 9814, is a Citrix NetScaler reset code");
    net_free(&n);

    /* 8201 on the same shape: the stated cause is no-connection. */
    net_init(&n, 4);
    handshake_and_exchange(&n);
    v = verdict(&n, send_rst_window(&n, 8201));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION && v.wire_cause == RST_CAUSE_ABORT);
    net_free(&n);

    /* The preference off: the window is a window again. */
    net_init(&n, 4);
    n.params.netscaler_codes = false;
    handshake_and_exchange(&n);
    v = verdict(&n, send_rst_window(&n, 9814));
    CHECK(v.diag.format == RST_DIAG_NONE && !v.window_code_unread);
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);

    /* A forger's RST with a TTL and MAC off the server's and a window that
     * happens to be in the table: not read, and the explanation says so. */
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101);
    f.window = 9814;
    v = verdict(&n, send_forged(&n, f));
    CHECK(v.diag.format == RST_DIAG_NONE && v.window_code_unread);
    CHECK(v.injected);
    CHECK_CONTAINS(v.explanation, "would be a Citrix NetScaler reset code");
    net_free(&n);
}
