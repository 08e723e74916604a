/* Unit tests of the classification core (plugin/core), without Wireshark.
 *
 * Each test builds a connection segment by segment the way a real stack
 * would send it (RFC 9293 and the Linux behaviour in ../../docs/causes.md)
 * and checks the verdict on its RSTs.
 */
#include "rst_core.h"
#include "rst_store.h"   /* record and connection sizes, for the memory tests */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYN_FLAG RST_TH_SYN
#define ACK_FLAG RST_TH_ACK

static int failures;
static int checks;
static const char *current;

#define CHECK(cond) \
    do { \
        checks++; \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, current, #cond); \
            failures++; \
        } \
    } while (0)

#define CHECK_STR(a, b) \
    do { \
        checks++; \
        if (strcmp((a), (b)) != 0) { \
            fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, current, (a), (b)); \
            failures++; \
        } \
    } while (0)

#define CHECK_CONTAINS(hay, needle) \
    do { \
        checks++; \
        if (!strstr((hay), (needle))) { \
            fprintf(stderr, "%s:%d: %s: \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, current, \
                    (hay), (needle)); \
            failures++; \
        } \
    } while (0)

/* ------------------------------------------------------------ fixture */

/* A client and a server as a capture point near the client sees them, both
 * Linux: the server's packets arrive through the router (its MAC, TTL 63)
 * 20 ms after whatever they answer; the client answers within 0.2 ms. */
struct end {
    uint8_t addr[16];
    uint16_t port;
    uint8_t mac[6];
    uint8_t ttl;
    uint16_t ip_id;         /* its socket's next IP ID (Linux counts per socket) */
    uint32_t ts_offset;     /* its RFC 7323 clock: offset + milliseconds */
    uint16_t window;        /* the raw window it advertises */
    int64_t delay_us;       /* how long after the previous segment its segments arrive */
};

enum who { CLIENT, SERVER };

struct net {
    struct rst_core *core;
    struct rst_params params;
    uint8_t ip_version;
    struct end end[2];
    bool timestamps;        /* both SYNs offer RFC 7323 timestamps */
    uint32_t frame;
    int64_t now_us;
};

static void net_init(struct net *n, uint8_t ip_version)
{
    static const uint8_t c4[4] = { 198, 51, 100, 10 }, s4[4] = { 203, 0, 113, 2 };
    static const uint8_t c6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10 };
    static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x02 };
    static const uint8_t cmac[6] = { 2, 0, 0, 0, 1, 0x0a }, rmac[6] = { 2, 0, 0, 0, 1, 1 };
    memset(n, 0, sizeof *n);
    n->core = rst_core_new();
    rst_params_default(&n->params);
    n->ip_version = ip_version;
    struct end *c = &n->end[CLIENT], *s = &n->end[SERVER];
    memcpy(c->addr, ip_version == 4 ? c4 : c6, ip_version == 4 ? 4 : 16);
    memcpy(s->addr, ip_version == 4 ? s4 : s6, ip_version == 4 ? 4 : 16);
    c->port = 40000, s->port = 8080;
    memcpy(c->mac, cmac, 6), memcpy(s->mac, rmac, 6);
    c->ttl = 64, s->ttl = 63;
    c->ip_id = 0x1118, s->ip_id = 0xc8e2;
    c->ts_offset = 4119795559u, s->ts_offset = 824742477u;
    c->window = 63, s->window = 64;
    c->delay_us = 200, s->delay_us = 20000;
    n->timestamps = true;
    n->now_us = 1700000000LL * 1000000;
}

static void net_free(struct net *n)
{
    rst_core_free(n->core);
}

/* A segment as a Linux stack sends it from a socket (also its active RSTs). */
static struct rst_segment segment(struct net *n, enum who from, uint8_t flags, uint32_t seq,
                                  uint32_t ack, uint32_t len)
{
    struct end *e = &n->end[from], *peer = &n->end[!from];
    struct rst_segment s;
    memset(&s, 0, sizeof s);
    s.frame = ++n->frame;
    n->now_us += e->delay_us;
    s.time_us = n->now_us;
    s.ip_version = n->ip_version;
    memcpy(s.src, e->addr, 16);
    memcpy(s.dst, peer->addr, 16);
    s.sport = e->port;
    s.dport = peer->port;
    s.ttl = e->ttl;
    s.has_mac = true;
    memcpy(s.src_mac, e->mac, 6);
    s.has_link = true;
    memcpy(s.link_src, e->mac, 6);
    memcpy(s.link_dst, peer->mac, 6);
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload_len = len;
    s.window = (flags & SYN_FLAG) ? 64240 : e->window;
    if (n->ip_version == 4) {
        s.has_ip_id = true;
        s.df = true;
        /* A SYN-ACK comes from a request socket without a peer: ID 0. */
        s.ip_id = (flags & (SYN_FLAG | ACK_FLAG)) == (SYN_FLAG | ACK_FLAG) ? 0 : e->ip_id++;
    }
    if (n->timestamps) {
        s.has_timestamps = true;
        s.tsval = e->ts_offset + (uint32_t)(n->now_us / 1000);
    }
    if (flags & SYN_FLAG) {
        s.has_wscale = true;
        s.wscale = 10;
    }
    return s;
}

/* Feeds a segment; returns the RST id (0 for other segments). */
static uint32_t send_seg(struct net *n, enum who from, uint8_t flags, uint32_t seq, uint32_t ack,
                         uint32_t len)
{
    struct rst_segment s = segment(n, from, flags, seq, ack, len);
    return rst_core_add(n->core, &s, &n->params);
}

/* A RST built without a socket (Linux tcp_v4_send_reset): IP ID 0, window 0,
 * no options. */
static uint32_t send_reply_rst(struct net *n, enum who from, uint8_t flags, uint32_t seq,
                               uint32_t ack)
{
    struct rst_segment s = segment(n, from, flags | RST_TH_RST, seq, ack, 0);
    s.ip_id = 0;
    n->end[from].ip_id--;
    s.window = 0;
    s.has_timestamps = false;
    return rst_core_add(n->core, &s, &n->params);
}

static struct rst_verdict verdict(struct net *n, uint32_t id)
{
    struct rst_verdict v;
    memset(&v, 0, sizeof v);
    CHECK(id != 0);
    CHECK(rst_core_verdict(n->core, id, &n->params, true, &v));
    return v;
}

static const struct rst_evidence *evidence(const struct rst_verdict *v, enum rst_evidence_kind k)
{
    for (unsigned i = 0; i < v->n_evidence; i++)
        if (v->evidence[i].kind == k)
            return &v->evidence[i];
    return NULL;
}

#define C_ISN 1000u
#define S_ISN 5000u
#define SYN RST_TH_SYN
#define ACK RST_TH_ACK
#define FIN RST_TH_FIN
#define RST RST_TH_RST
#define PSH RST_TH_PSH

/* SYN, SYN-ACK, ACK; then a 100-byte request and a 300-byte response
 * (frames 1-7). */
static void handshake_and_exchange(struct net *n)
{
    send_seg(n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    send_seg(n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0);
    send_seg(n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
    send_seg(n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
}

/* A RST from a device on the client's segment, 1 ms after the last segment,
 * in the name of `claimed`: its own MAC, TTL 64, IP ID 1 and window 8192
 * (scapy's defaults), no options. */
static struct rst_segment forged(struct net *n, enum who claimed, uint8_t flags, uint32_t seq,
                                 uint32_t ack)
{
    int64_t delay = n->end[claimed].delay_us;
    n->end[claimed].delay_us = 1000;
    struct rst_segment s = segment(n, claimed, flags | RST, seq, ack, 0);
    n->end[claimed].delay_us = delay;
    n->end[claimed].ip_id--;
    s.src_mac[5] = 0x66;
    s.link_src[5] = 0x66;
    s.ttl = 64;
    s.ip_id = 1;
    s.window = 8192;
    s.has_timestamps = false;
    return s;
}

static uint32_t send_forged(struct net *n, struct rst_segment s)
{
    return rst_core_add(n->core, &s, &n->params);
}

static uint32_t forged_handshake_rst(struct net *n, bool feed_synack)
{
    net_init(n, 4);
    send_seg(n, CLIENT, SYN, C_ISN, 0, 0);
    /* Answers the SYN as a closed port would: RST/ACK, seq 0, window 0. */
    struct rst_segment f = forged(n, SERVER, ACK, 0, C_ISN + 1);
    f.window = 0;
    uint32_t id = send_forged(n, f);
    if (feed_synack)
        send_seg(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    return id;
}

/* ------------------------------------------------------------ causes */

static void test_refused_syn_to_closed_port(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.sender == RST_ROLE_SERVER);
    CHECK(v.answers_frame == 1);
    /* seq 0 answering a SYN is the rule, not evidence (RFC 9293 3.10.7.1). */
    CHECK(v.n_evidence == 0);
    CHECK(v.suspicion == 0);
    CHECK(v.acceptable == 1);
    CHECK_CONTAINS(v.explanation, "Answers the SYN in frame 1");
    CHECK_CONTAINS(v.explanation, "203.0.113.2:8080");
    net_free(&n);
}

static void test_refused_ipv6(void)
{
    struct net n;
    net_init(&n, 6);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "[2001:db8:2::2]:8080");
    net_free(&n);
}

static void test_client_rst_after_forged_rst_is_no_connection(void)
{
    struct net n;
    forged_handshake_rst(&n, true);
    /* The client's kernel no longer has the attempt: bare RST, seq = SEG.ACK. */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, CLIENT, 0, C_ISN + 1, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.sender == RST_ROLE_CLIENT);
    CHECK(v.answers_frame == 3);
    CHECK(v.after_frame == 2);
    CHECK(v.n_evidence == 0);
    CHECK(v.acceptable == 1);
    CHECK_CONTAINS(v.explanation, "accepted the RST in frame 2");
    net_free(&n);
}

static void test_syn_ack_with_wrong_ack_is_invalid(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 77, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, CLIENT, 0, C_ISN + 77, 0));
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "does not acknowledge the SYN");
    net_free(&n);
}

static void test_abort_after_response(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.sender == RST_ROLE_SERVER);
    CHECK(v.answers_frame == 0);
    /* The socket's own RST: its IP ID counter, clock and window. */
    CHECK(v.n_evidence == 0);
    CHECK(v.acceptable == 1);
    CHECK_CONTAINS(v.explanation, "The server aborted");
    net_free(&n);
}

static void test_abort_with_unread_data(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    /* The server never acknowledged the request; its RST does. */
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "close() with unread data.");
    net_free(&n);
}

/* Item 4 of issue 13: a RST/ACK that newly acknowledges only the peer's FIN
 * (SO_LINGER 0 after the server closed) left no data unread. */
static void test_abort_acking_only_a_fin_has_no_unread_data(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, FIN | ACK, S_ISN + 301, C_ISN + 101, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 302, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(strstr(v.explanation, "It acknowledges data it had not acknowledged before") == NULL);
    net_free(&n);
}

/* The FIN came after data the RST's sender had not acknowledged: unread data. */
static void test_abort_acking_data_and_fin_has_unread_data(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, FIN | PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 102, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK_CONTAINS(v.explanation, "close() with unread data.");
    net_free(&n);
}

/* Issue 13 item 2: a probing client acknowledges the server's abort as if
 * the RST took a sequence number and keeps sending; the server, without the
 * connection since its RST (Linux: NO_SOCKET), answers each segment. */
static void test_rst_after_own_abort_is_no_connection(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);                                              /* 1-7 */
    send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);            /* 8 */
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 302, 20);          /* 9 */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 302, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.answers_frame == 9);
    CHECK(v.after_frame == 8);
    CHECK(!v.injected);
    CHECK_CONTAINS(v.explanation, "It had reset this connection itself in frame 8");
    CHECK(strstr(v.explanation, "never sent") == NULL);
    net_free(&n);
}

/* A refusal, then an "abort of the live connection" in the same host's name:
 * a host without the connection only replies, so the abort does not fit. */
static void test_abort_after_own_refusal_is_contradiction(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);                                  /* 1 */
    send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1);                           /* 2: refused */
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);                      /* 3: probe */
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 1, 0));
    CHECK(v.wire_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.after_frame == 2);
    const struct rst_evidence *e = evidence(&v, RST_EV_CONTRADICTION);
    CHECK(e != NULL && e->ref_frame == 2 && e->weight == 40);
    CHECK_CONTAINS(v.explanation, "had reset it itself (frame 2)");
    net_free(&n);
}

/* A forged RST in the server's name does not end the server's connection:
 * the server's own abort later is an abort, not "no connection". */
static void test_rst_after_forged_one_keeps_its_cause(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);                                              /* 1-7 */
    uint32_t f = send_forged(&n, forged(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101)); /* 8 */
    CHECK(verdict(&n, f).injected);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 50);          /* 9: still talking */
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 351, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.after_frame == 0);
    CHECK(evidence(&v, RST_EV_CONTRADICTION) == NULL);
    net_free(&n);
}

/* A retransmitted SYN after a refusal still meets a closed port: refused. */
static void test_refusal_after_refusal_stays_refused(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    net_free(&n);
}

/* Issue 13 item 3: a censor sends a block page and a FIN in the server's
 * name (its own TTL and MAC), then RSTs alike.  Its packets are not the
 * server's baseline: the RSTs differ from the SYN-ACK in TTL and MAC. */
static void test_block_page_is_no_baseline(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);                                  /* 1 */
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);                    /* 2 */
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);                      /* 3 */
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);              /* 4 */
    struct rst_segment page = forged(&n, SERVER, PSH | ACK | FIN, S_ISN + 1, C_ISN + 101);
    page.flags &= (uint8_t)~RST;
    page.payload_len = 200;
    CHECK(rst_core_add(n.core, &page, &n.params) == 0);                      /* 5 */
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 202, 0);                  /* 6 */
    struct rst_segment r = forged(&n, SERVER, 0, S_ISN + 202, 0);
    r.window = 0;
    struct rst_verdict v = verdict(&n, send_forged(&n, r));                  /* 7 */
    const struct rst_evidence *ttl = evidence(&v, RST_EV_TTL);
    CHECK(ttl != NULL && ttl->expected == 63 && ttl->ref_frame == 2);
    const struct rst_evidence *mac = evidence(&v, RST_EV_MAC);
    CHECK(mac != NULL && mac->ref_frame == 2);
    CHECK(v.injected);
    net_free(&n);
}

/* A second router at the same distance (ECMP, VRRP failover) is still the
 * server: its packets keep the MAC baseline varied, as before. */
static void test_second_router_same_distance_is_baseline(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    n.end[SERVER].mac[5] = 0x02;
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

/* A host seen only through RSTs, from two distances, and nothing else of it:
 * the explanation says so and names a frame of each. */
static void test_rsts_only_from_two_distances(void)
{
    struct net n;
    net_init(&n, 4);
    n.end[SERVER].ttl = 47;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);                                  /* 1 */
    send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1);                           /* 2: TTL 47 */
    n.end[CLIENT].port = 40002;
    n.end[SERVER].ttl = 239;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);                                  /* 3 */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));  /* 4 */
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.distance_frame[0] == 2 && v.distance_frame[1] == 4);
    CHECK_CONTAINS(v.explanation, "arrive from two distances, TTL 47 (frame 2) and TTL 239 (frame 4)");
    net_free(&n);
}

/* The same, with the host's own packets in another connection as anchor:
 * the RST from the other distance is what disagrees. */
static void test_rsts_only_anchored_by_other_connection(void)
{
    struct net n;
    net_init(&n, 4);
    n.end[SERVER].ttl = 47;
    handshake_and_exchange(&n);                                              /* 1-7 */
    n.end[CLIENT].port = 40002;
    n.end[SERVER].port = 8081;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);                                  /* 8 */
    struct rst_segment r = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    r.ttl = 239;
    r.ip_id = 0;
    r.window = 0;
    r.has_timestamps = false;
    struct rst_verdict v = verdict(&n, rst_core_add(n.core, &r, &n.params));
    const struct rst_evidence *ttl = evidence(&v, RST_EV_TTL);
    CHECK(ttl != NULL && ttl->other_connection && ttl->expected == 47);
    CHECK(v.distance_frame[0] == 0);
    net_free(&n);
}

static void test_client_abort(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.sender == RST_ROLE_CLIENT);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_late_ack_after_own_abort_is_no_connection(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 20);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.answers_frame == 9);
    CHECK(v.after_frame == 8);
    /* Two RSTs of the server with the same seq: not a burst. */
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "reset this connection itself in frame 8");
    net_free(&n);
}

static void test_data_after_close(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, FIN | ACK, S_ISN + 301, C_ISN + 101, 0);          /* frame 8 */
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 302, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 302, 25);           /* frame 10 */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 302, 0));
    CHECK(v.final_cause == RST_CAUSE_DATA_AFTER_CLOSE);
    CHECK(v.answers_frame == 10);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "FIN in frame 8");
    net_free(&n);
}

static void test_server_lost_state_is_no_connection(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 100);           /* frame 8 */
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.answers_frame == 8);
    CHECK(v.after_frame == 0);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "restart, NAT or address change");
    net_free(&n);
}

static void test_accept_queue_overflow(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 1, 0));
    CHECK(v.final_cause == RST_CAUSE_ACCEPT_QUEUE_OVERFLOW);
    CHECK(v.answers_frame == 3);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_no_overflow_after_an_earlier_rst(void)
{
    /* A RST in the client's name reset the server's embryonic connection;
     * the client's handshake ACK then meets no connection at all. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, RST | ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 1, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.after_frame == 3);
    CHECK_CONTAINS(v.explanation, "reset in frame 3");
    net_free(&n);
}

static void test_no_overflow_for_a_fin(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, FIN | ACK, C_ISN + 1, S_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 1, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    net_free(&n);
}

static void test_ack_without_syn_in_syn_sent_is_invalid(void)
{
    /* RFC 9293 3.10.7.3: in SYN-SENT an ACK that does not acknowledge the SYN
     * draws <SEQ=SEG.ACK><CTL=RST>, here seq 0 because SEG.ACK is 0: that
     * seq 0 is the rule, not a sign of forgery. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, 0, 0, 0);
    send_seg(&n, SERVER, ACK, 0, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, CLIENT, 0, 0, 0));
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK(v.answers_frame == 2);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "Answers the ACK in frame 2, which does not acknowledge the SYN");
    net_free(&n);
}

static void test_abort_without_ack_flag(void)
{
    /* RFC 9293 3.10.4 ABORT: <SEQ=SND.NXT><CTL=RST>; only Linux adds ACK. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 40);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 341, 0, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.answers_frame == 0);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_ack_matching_nothing_sent_is_invalid(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 0x70000000u, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 0x70000000u, 0));
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK_CONTAINS(v.explanation, "whose ACK matches nothing the server sent");
    net_free(&n);
}

static void test_ack_of_unsent_data_is_invalid(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1001, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, S_ISN + 1001, 0));
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK_CONTAINS(v.explanation, "acknowledges 1000 bytes the server never sent");
    net_free(&n);
}

static void test_keepalive_timeout(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    for (int i = 0; i < 3; i++) {
        n.now_us += 1000000;
        send_seg(&n, CLIENT, ACK, C_ISN + 100, S_ISN + 301, 0);   /* probes: SND.NXT - 1 */
    }
    n.now_us += 1000000;
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_KEEPALIVE_TIMEOUT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "Ends 3 unanswered keepalive probes");
    net_free(&n);
}

static void test_answered_keepalives_do_not_count(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    for (int i = 0; i < 3; i++) {
        send_seg(&n, CLIENT, ACK, C_ISN + 100, S_ISN + 301, 0);
        send_seg(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101, 0);
    }
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 301, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);
}

static void test_retransmission_timeout(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 500);
    for (int i = 0; i < 5; i++)    /* Windows: TcpMaxDataRetransmissions = 5 */
        send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 500);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 801, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_RETRANSMISSION_TIMEOUT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "Ends 5 retransmissions");
    net_free(&n);
}

static void test_acked_retransmission_does_not_count(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 500);
    for (int i = 0; i < 4; i++)
        send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 500);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 801, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 801, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);
}

static void test_idle_timeout(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    n.now_us += 400LL * 1000000;
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_IDLE_TIMEOUT);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "after 400 s of silence");
    n.params.idle_seconds = 0;   /* 0 turns the rule off; the cause is fixed when fed */
    CHECK(verdict(&n, 1).final_cause == RST_CAUSE_IDLE_TIMEOUT);
    net_free(&n);
}

static void test_lone_rst_is_unknown(void)
{
    struct net n;
    net_init(&n, 4);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, 12345, 0));
    CHECK(v.final_cause == RST_CAUSE_UNKNOWN);
    CHECK(v.sender == RST_ROLE_UNKNOWN);
    CHECK(v.acceptable == -1);
    CHECK_CONTAINS(v.explanation, "nothing from the peer precedes this RST");
    net_free(&n);
}

static void test_mid_connection_capture_is_hedged(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, PSH | ACK, 777, 888, 10);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, 0, 888, 0));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.sender == RST_ROLE_UNKNOWN);
    CHECK_CONTAINS(v.explanation, "203.0.113.2:8080 has no connection");
    CHECK_CONTAINS(v.explanation, "starts mid-connection");
    net_free(&n);
}

/* ------------------------------------------------------------ evidence */

static void test_forged_handshake_rst_needs_the_later_syn_ack(void)
{
    struct net n;
    /* One pass, at the RST: nothing of the server's to compare with. */
    struct rst_verdict v = verdict(&n, forged_handshake_rst(&n, false));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(!v.injected);
    CHECK(v.n_evidence == 0);
    net_free(&n);
    /* The real SYN-ACK arrives 20 ms later, through the router. */
    v = verdict(&n, forged_handshake_rst(&n, true));
    CHECK(v.final_cause == RST_CAUSE_INJECTED);
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    CHECK(v.injected);
    const struct rst_evidence *ttl = evidence(&v, RST_EV_TTL), *race = evidence(&v, RST_EV_RACE);
    CHECK(ttl && ttl->observed == 64 && ttl->expected == 63 && ttl->ref_frame == 3);
    CHECK(ttl && ttl->weight == 25 && !ttl->other_connection);
    CHECK(evidence(&v, RST_EV_MAC) && evidence(&v, RST_EV_MAC)->weight == 40);
    CHECK(race && race->ref_frame == 3 && race->weight == 50);
    /* 1 ms after the SYN, where the server answers in 21 ms. */
    const struct rst_evidence *timing = evidence(&v, RST_EV_TIMING);
    CHECK(timing && timing->observed == 1000 && timing->expected == 21000 && timing->weight == 40);
    CHECK(v.suspicion == 100);
    CHECK(v.acceptable == 1);
    CHECK_CONTAINS(v.explanation, "Forged in the name of the server (suspicion 100): the server "
                                  "went on sending after it (frame 3)");
    CHECK_CONTAINS(v.explanation, "TTL 64 where the server's packets arrive with 63 (frame 3)");
    CHECK_CONTAINS(v.explanation, "The client would accept it");
    net_free(&n);
}

static void test_threshold_preference(void)
{
    struct net n;
    uint32_t id = forged_handshake_rst(&n, true);
    n.params.threshold = 101;
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.suspicion == 100);
    CHECK(!v.injected);
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK_CONTAINS(v.explanation, "below the threshold");
    net_free(&n);
}

static void test_weight_zero_turns_a_signal_off(void)
{
    struct net n;
    uint32_t id = forged_handshake_rst(&n, true);
    n.params.weight[RST_EV_RACE] = 0;
    n.params.weight[RST_EV_TIMING] = 0;
    struct rst_verdict v = verdict(&n, id);
    CHECK(!evidence(&v, RST_EV_RACE) && !evidence(&v, RST_EV_TIMING));
    CHECK(v.suspicion == 65);
    net_free(&n);
}

static void test_race_real_server_keeps_sending(void)
{
    /* A RST that copies the server's TTL and the router's MAC; the server's
     * response then arrives anyway. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101);
    f.ttl = 63;
    f.src_mac[5] = 0x01;
    uint32_t id = send_forged(&n, f);
    CHECK(!evidence(&(struct rst_verdict){0}, RST_EV_RACE));
    struct rst_verdict one_pass = verdict(&n, id);
    CHECK(!evidence(&one_pass, RST_EV_RACE));
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0);                     /* frame 6 */
    struct rst_verdict v = verdict(&n, id);
    CHECK(evidence(&v, RST_EV_RACE) && evidence(&v, RST_EV_RACE)->ref_frame == 6);
    CHECK(!evidence(&v, RST_EV_TTL) && !evidence(&v, RST_EV_MAC));
    /* What is left: 1 ms after the request where the server needs 20 ms, no
     * timestamps, a window of 8192 where it advertises 64, IP ID 1. */
    CHECK(evidence(&v, RST_EV_TIMING));
    CHECK(evidence(&v, RST_EV_NO_TIMESTAMPS));
    CHECK(evidence(&v, RST_EV_WINDOW) && evidence(&v, RST_EV_WINDOW)->window_sign == RST_WINDOW_OFF_SENDER);
    CHECK(v.injected);
    net_free(&n);
}

static void test_no_race_after_a_reply_to_an_unacceptable_ack(void)
{
    /* RFC 9293 3.10.7.4: SYN-RECEIVED answers an unacceptable ACK with a RST
     * and keeps the connection; Linux then retransmits its SYN-ACK. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1001, 0);
    uint32_t id = send_reply_rst(&n, SERVER, 0, S_ISN + 1001, 0);
    n.now_us += 1000000;
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_gfw_style_burst(void)
{
    /* Wang et al. IMC 2017: after the ClientHello, one RST and three RST/ACKs
     * at X, X+1460, X+4380, TTLs and windows changing, one IP ID. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 517);             /* frame 4 */
    uint32_t x = S_ISN + 1;
    static const uint32_t offset[4] = { 0, 0, 1460, 4380 };
    uint32_t ids[4];
    for (int i = 0; i < 4; i++) {
        struct rst_segment f = forged(&n, SERVER, i ? ACK : 0, x + offset[i], i ? C_ISN + 518 : 0);
        f.ttl = (uint8_t)(i ? 46 + i : 101);
        f.window = (uint16_t)(i ? 1979 + i : 2453);
        f.ip_id = (uint16_t)(i ? 0x8bc6 : 0x3c11);
        ids[i] = send_forged(&n, f);
    }
    struct rst_verdict second = verdict(&n, ids[2]);
    CHECK(evidence(&second, RST_EV_BURST_SEQ));
    CHECK(evidence(&second, RST_EV_BURST_WINDOW));
    CHECK(evidence(&second, RST_EV_BURST_TTL));
    CHECK(evidence(&second, RST_EV_IP_ID) && evidence(&second, RST_EV_IP_ID)->ip_id_sign == RST_IP_ID_REPEATED);
    for (int i = 0; i < 4; i++) {
        struct rst_verdict v = verdict(&n, ids[i]);
        CHECK(v.injected);
        CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_MAC));
    }
    /* The bare RST (seq X = RCV.NXT) resets the client; X+1460 would not. */
    CHECK(verdict(&n, ids[0]).acceptable == 1);
    struct rst_verdict third = verdict(&n, ids[3]);
    CHECK(third.acceptable == 0);
    CHECK_CONTAINS(third.explanation, "would not accept it");
    net_free(&n);
}

static void test_rising_replies_are_not_a_burst(void)
{
    /* The server aborted with data in flight; the client's ACKs of that data
     * reach a server without the connection, whose replies take their seq
     * from each ACK and so rise: genuine. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 1460);
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 1761, C_ISN + 101, 1460);
    send_seg(&n, SERVER, RST | ACK, S_ISN + 3221, C_ISN + 101, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 1761, 0);
    uint32_t first = send_reply_rst(&n, SERVER, 0, S_ISN + 1761, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 3221, 0);
    uint32_t second = send_reply_rst(&n, SERVER, 0, S_ISN + 3221, 0);
    CHECK(verdict(&n, first).n_evidence == 0);
    CHECK(verdict(&n, second).n_evidence == 0);
    CHECK(verdict(&n, second).final_cause == RST_CAUSE_NO_CONNECTION);
    net_free(&n);
}

static void test_replies_to_every_ack_in_flight(void)
{
    /* raw-ip.pcapng: the server aborted with its response in flight; the
     * client's four ACKs all reach it after the RST, and its listener answers
     * each in turn (seq = that ACK).  By the first reply the client's ACK has
     * moved on three times: each reply still answers its own ACK. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    uint32_t acks[4];
    for (int i = 0; i < 4; i++) {
        send_seg(&n, SERVER, PSH | ACK, S_ISN + 301 + 1448 * i, C_ISN + 101, 1448);
        send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301 + 1448 * (i + 1), 0);
        acks[i] = n.frame;
    }
    send_seg(&n, SERVER, RST | ACK, S_ISN + 301 + 1448 * 4, C_ISN + 101, 0);
    for (int i = 0; i < 4; i++) {
        uint32_t reply = send_reply_rst(&n, SERVER, 0, S_ISN + 301 + 1448 * (i + 1), 0);
        struct rst_verdict v = verdict(&n, reply);
        CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
        CHECK(v.answers_frame == acks[i]);
        CHECK(v.n_evidence == 0);
    }
    net_free(&n);
}

static void test_rejected_forgeries_during_the_handshake(void)
{
    /* Suricata bug-3286: a forged RST/ACK and FIN/ACK answer the SYN with a
     * timestamp echo the client never sent.  Linux drops the RST, resets the
     * FIN and keeps waiting; the real SYN-ACK then completes the handshake. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN + 1);
    f.has_timestamps = true, f.tsval = 100, f.tsecr = 100;
    uint32_t forged_id = send_forged(&n, f);
    struct rst_segment fin = segment(&n, SERVER, FIN | ACK, 0, C_ISN + 1, 0);
    fin.src_mac[5] = 0x66, fin.ttl = 64, fin.tsecr = 100;
    rst_core_add(n.core, &fin, &n.params);
    uint32_t reply = send_reply_rst(&n, CLIENT, 0, C_ISN + 1, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    struct rst_verdict v = verdict(&n, forged_id);
    CHECK(v.injected);
    CHECK(v.acceptable == 0);
    CHECK_CONTAINS(v.accept_reason, "timestamp echo");
    v = verdict(&n, reply);
    CHECK(v.final_cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK(v.answers_frame == 3);
    CHECK(v.n_evidence == 0);     /* the client goes on, as RFC 9293 3.10.7.3 says */
    CHECK_CONTAINS(v.explanation, "keeps waiting");
    net_free(&n);
}

static void test_forged_packets_do_not_become_the_baseline(void)
{
    /* Tripwire flow 47494, seen at the server: a forged SYN/ACK in the
     * client's name (TTL 115), then three identical RST/ACKs in its name that
     * copy its TTL but not its IP ID counter. */
    struct net n;
    net_init(&n, 4);
    n.end[CLIENT].delay_us = 20000;
    n.end[SERVER].delay_us = 200;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    struct rst_segment odd = segment(&n, CLIENT, SYN | ACK, 589799192, S_ISN + 1, 0);
    odd.ttl = 115, odd.ip_id = 0xad46;
    rst_core_add(n.core, &odd, &n.params);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 75);
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 76, 0);
    uint32_t ids[3];
    for (int i = 0; i < 3; i++) {
        struct rst_segment f = segment(&n, CLIENT, RST | ACK, C_ISN + 76, S_ISN + 1, 0);
        n.end[CLIENT].ip_id--;
        f.ip_id = 0x7802, f.window = 2821, f.has_timestamps = false;
        f.time_us = n.now_us - 19000 + i;
        ids[i] = rst_core_add(n.core, &f, &n.params);
    }
    for (int i = 0; i < 3; i++) {
        struct rst_verdict v = verdict(&n, ids[i]);
        const struct rst_evidence *id = evidence(&v, RST_EV_IP_ID);
        CHECK(id && id->repeated && id->ip_id_sign == RST_IP_ID_JUMP && id->weight == 40);
        CHECK(!evidence(&v, RST_EV_TTL));
        CHECK(v.injected);
    }
    net_free(&n);
}

static void test_a_rst_seen_twice_is_no_burst(void)
{
    /* A tap that duplicates frames shows one genuine RST twice. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment r = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    uint32_t a = rst_core_add(n.core, &r, &n.params);
    r.frame = ++n.frame;
    uint32_t b = rst_core_add(n.core, &r, &n.params);
    CHECK(verdict(&n, a).n_evidence == 0);
    CHECK(verdict(&n, b).n_evidence == 0);
    net_free(&n);
}

static void test_late_reply_to_an_earlier_segment(void)
{
    /* Seen at the server (the client is 20 ms away): the client lost the
     * connection; its reply to the SYN-ACK (seq = the SYN-ACK's ACK) arrives
     * after the server's ACK has moved on.  Still a plain reply: nothing
     * forged, no burst with the next reply's higher seq. */
    struct net n;
    net_init(&n, 4);
    n.end[CLIENT].delay_us = 20000;
    n.end[SERVER].delay_us = 200;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);                     /* frame 2 */
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0);                     /* frame 5 */
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 101, 300);
    uint32_t late = send_reply_rst(&n, CLIENT, 0, C_ISN + 1, 0);
    uint32_t next = send_reply_rst(&n, CLIENT, 0, C_ISN + 101, 0);
    struct rst_verdict v = verdict(&n, late);
    CHECK(v.answers_frame == 2);
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.n_evidence == 0);
    v = verdict(&n, next);
    CHECK(v.answers_frame == 6);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_window_on_a_reply_rst(void)
{
    /* Airtel: a reply-shaped RST carrying window 16. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = forged(&n, SERVER, 0, S_ISN + 301, 0);
    f.ttl = 63, f.src_mac[5] = 1, f.ip_id = 0, f.window = 16;
    f.time_us += 19000;   /* on time */
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *w = evidence(&v, RST_EV_WINDOW);
    CHECK(w && w->observed == 16 && w->expected == 0 && w->window_sign == RST_WINDOW_ON_REPLY);
    CHECK(v.n_evidence == 1);
    net_free(&n);
}

static void test_timestamps_off_the_senders_clock(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    f.tsval += 3600000;     /* an hour ahead of the server's clock */
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *ts = evidence(&v, RST_EV_TIMESTAMP);
    CHECK(ts && ts->observed == f.tsval);
    CHECK(v.n_evidence == 1);
    net_free(&n);
}

static void test_ip_id_off_the_senders_counter(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    f.ip_id = 0x0f00;
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *id = evidence(&v, RST_EV_IP_ID);
    CHECK(id && id->ip_id_sign == RST_IP_ID_JUMP && id->observed == 0x0f00 && id->expected == 0xc8e4);
    net_free(&n);

    net_init(&n, 4);
    handshake_and_exchange(&n);
    f = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    f.ip_id = 0;   /* fixed, where the server's socket counts */
    v = verdict(&n, send_forged(&n, f));
    CHECK(evidence(&v, RST_EV_IP_ID) && evidence(&v, RST_EV_IP_ID)->ip_id_sign == RST_IP_ID_FIXED);
    net_free(&n);
}

static void test_ack_matching_nothing_the_receiver_sent(void)
{
    /* Zeek's rst-inject-rae: the injected RST/ACK acknowledges the ISN
     * itself, which the SYN occupies. */
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN);
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    CHECK(evidence(&v, RST_EV_ACK));
    CHECK(v.acceptable == 0);
    net_free(&n);
}

static void test_timing_of_replies(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 50);            /* frame 8 */
    /* A reply 1 ms after the segment, where the server needs 20 ms. */
    struct rst_segment f = segment(&n, SERVER, RST, S_ISN + 301, 0, 0);
    f.ip_id = 0, f.window = 0, f.has_timestamps = false;
    f.time_us -= 19000;
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *t = evidence(&v, RST_EV_TIMING);
    CHECK(t && t->observed == 1000 && t->expected == 20000 && t->weight == 40);
    CHECK(t && t->ref_frame == 2);
    CHECK(v.n_evidence == 1);
    net_free(&n);
    /* 8 ms: under half, not under a tenth. */
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 50);
    f = segment(&n, SERVER, RST, S_ISN + 301, 0, 0);
    f.ip_id = 0, f.window = 0, f.has_timestamps = false;
    f.time_us -= 12000;
    v = verdict(&n, send_forged(&n, f));
    CHECK(evidence(&v, RST_EV_TIMING) && evidence(&v, RST_EV_TIMING)->weight == 25);
    net_free(&n);
}

static void test_host_baseline_flags_an_on_path_reject(void)
{
    /* An earlier connection shows the server at TTL 63 answering in 20 ms;
     * then a SYN to another port draws a RST "from the server" with TTL 64
     * within 0.1 ms: a firewall on the path rejecting in its name. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    n.end[CLIENT].port = 40001;
    n.end[SERVER].port = 8021;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);                                   /* frame 8 */
    struct rst_segment r = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    r.ttl = 64, r.ip_id = 0, r.window = 0, r.has_timestamps = false;
    r.time_us -= 19900;
    struct rst_verdict v = verdict(&n, send_forged(&n, r));
    const struct rst_evidence *ttl = evidence(&v, RST_EV_TTL), *t = evidence(&v, RST_EV_TIMING);
    CHECK(ttl && ttl->other_connection && ttl->ref_frame == 2 && ttl->weight == 25);
    CHECK(t && t->other_connection && t->weight == 40);
    CHECK(!evidence(&v, RST_EV_MAC));    /* the router's MAC, as the server's packets */
    CHECK(v.injected);
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    CHECK_CONTAINS(v.explanation, "TTL 64 where 203.0.113.2's packets arrive with 63 "
                                  "(frame 2, another connection)");
    net_free(&n);
}

static void test_host_baseline_spares_the_hosts_own_reject(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    n.end[CLIENT].port = 40001;
    n.end[SERVER].port = 8002;
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_forged_rst_in_the_clients_name(void)
{
    /* Seen at the client: a RST "from the client" with another MAC and TTL,
     * and the real client goes on sending. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = forged(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301);
    f.ttl = 60;
    uint32_t id = send_forged(&n, f);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 30);
    struct rst_verdict v = verdict(&n, id);
    CHECK(v.sender == RST_ROLE_CLIENT);
    CHECK(v.injected);
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_MAC) && evidence(&v, RST_EV_RACE));
    CHECK_CONTAINS(v.explanation, "Forged in the name of the client");
    net_free(&n);
}

static void test_acceptability(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    /* Window 64 << 10: 100 bytes past RCV.NXT is in the window. */
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 401, C_ISN + 101);
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    CHECK(v.acceptable == 0);
    CHECK_CONTAINS(v.accept_reason, "challenge ACK");
    f = forged(&n, SERVER, ACK, S_ISN + 301 + 200000, C_ISN + 101);
    v = verdict(&n, send_forged(&n, f));
    CHECK(v.acceptable == 0);
    CHECK_CONTAINS(v.accept_reason, "outside the receive window");
    net_free(&n);

    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    v = verdict(&n, send_forged(&n, forged(&n, SERVER, 0, 0, 0)));
    CHECK(v.acceptable == 0);
    CHECK_CONTAINS(v.accept_reason, "must acknowledge the SYN");
    net_free(&n);
}

static void test_seq_zero_after_syn_ack_is_evidence(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    /* A censor's RST/ACK with seq 0 after the request: the server knows its
     * own sequence numbers and would never send that. */
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN + 101);
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    const struct rst_evidence *z = evidence(&v, RST_EV_SEQ_ZERO);
    CHECK(z && z->ref_frame == 2 && z->weight == 40);
    CHECK_CONTAINS(v.explanation, "seq 0 although the sender had sent its SYN-ACK (frame 2)");
    net_free(&n);
}

static void test_seq_zero_answering_an_ack_is_evidence(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, PSH | ACK, 777, 888, 10);
    struct rst_verdict v = verdict(&n, send_reply_rst(&n, SERVER, ACK, 0, 787));
    const struct rst_evidence *z = evidence(&v, RST_EV_SEQ_ZERO);
    CHECK(z && z->ref_frame == 1);
    net_free(&n);
}

static void test_hop_limit_and_mac_in_ipv6(void)
{
    struct net n;
    net_init(&n, 6);
    handshake_and_exchange(&n);
    struct rst_segment f = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    f.ttl = 50;
    f.src_mac[5] = 0x66;
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    CHECK(v.injected);
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_TTL)->weight == 40);
    CHECK(v.n_evidence == 2 && v.suspicion == 80);
    CHECK_CONTAINS(v.explanation, "hop limit 50");
    net_free(&n);
}

static void test_varying_mac_gives_no_mac_evidence(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    n.end[SERVER].mac[5] = 2;   /* a second router on the path (ECMP, VRRP) */
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 1, 0);
    n.end[SERVER].mac[5] = 3;
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 1, 0));
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_no_mac_means_no_mac_evidence(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment sa = segment(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    sa.has_mac = false;     /* raw IP or loopback: no link-layer source */
    rst_core_add(n.core, &sa, &n.params);
    struct rst_segment r = segment(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 1, 0);
    r.has_mac = false;
    struct rst_verdict v = verdict(&n, rst_core_add(n.core, &r, &n.params));
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

/* ------------------------------------------------------------ tracking */

static void test_sequence_numbers_wrap(void)
{
    struct net n;
    net_init(&n, 4);
    uint32_t c = 0xFFFFFFF0u, s = 0xFFFFFFFFu;
    send_seg(&n, CLIENT, SYN, c, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, s, c + 1, 0);
    send_seg(&n, CLIENT, ACK, c + 1, s + 1, 0);
    send_seg(&n, CLIENT, PSH | ACK, c + 1, s + 1, 100);
    send_seg(&n, SERVER, PSH | ACK, s + 1, c + 101, 300);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, s + 301, c + 101, 0));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_port_reuse_starts_a_new_connection(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_reply_rst(&n, SERVER, ACK, 0, C_ISN + 1);
    /* The same port pair again, new ISN: a new connection, whose packets
     * count for the old RST only as the host's, from another connection. */
    send_seg(&n, CLIENT, SYN, C_ISN + 99999, 0, 0);
    n.end[SERVER].ttl = 40;
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 100000, 0);
    struct rst_verdict v = verdict(&n, 1);
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(!evidence(&v, RST_EV_RACE));
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_TTL)->other_connection);
    CHECK(rst_core_connections(n.core) == 2);
    CHECK(rst_core_hosts(n.core) == 2);
    net_free(&n);
}

static void test_syn_retransmission_is_the_same_connection(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    CHECK(rst_core_connections(n.core) == 1);
    net_free(&n);
}

static void test_views_are_separate_connections(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment other = segment(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    other.view = 1;     /* another capture interface, or an inner tunnel layer */
    rst_core_add(n.core, &other, &n.params);
    CHECK(rst_core_connections(n.core) == 2);
    CHECK(rst_core_hosts(n.core) == 4);
    net_free(&n);
}

static void test_unknown_ids_are_refused(void)
{
    struct net n;
    struct rst_verdict v;
    net_init(&n, 4);
    CHECK(!rst_core_verdict(n.core, 0, &n.params, true, &v));
    CHECK(!rst_core_verdict(n.core, 7, &n.params, true, &v));
    CHECK(!rst_core_verdict(NULL, 1, &n.params, true, &v));
    net_free(&n);
}

static void test_rst_storm_memory_grows_per_rst_not_per_segment(void)
{
    /* A half-open peer's ACKs, each answered with a bare RST, 200000 times in
     * one connection; then 20000 more ACKs without RSTs.  The core keeps one
     * record per RST and nothing per other segment. */
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    size_t before = rst_core_memory(n.core);
    uint32_t last = 0;
    for (uint32_t i = 0; i < 200000; i++) {
        send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
        last = send_reply_rst(&n, SERVER, 0, S_ISN + 301, 0);
    }
    size_t after_rsts = rst_core_memory(n.core);
    for (uint32_t i = 0; i < 20000; i++)
        send_seg(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 301, 0);
    CHECK(rst_core_memory(n.core) == after_rsts);
    CHECK(rst_core_connections(n.core) == 1);
    size_t per_rst = (after_rsts - before) / 200000;
    CHECK(per_rst >= sizeof(struct rst_record) && per_rst <= sizeof(struct rst_record) + 8);
    struct rst_verdict v = verdict(&n, last);
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

static void test_memory_per_connection(void)
{
    /* Port scan: each SYN refused, each its own connection.  Per connection:
     * its state, its index slots (at most half full, doubled: 4 x 4 bytes)
     * and its RST's record. */
    struct net n;
    net_init(&n, 4);
    size_t before = rst_core_memory(n.core);
    for (uint32_t i = 0; i < 100000; i++) {
        n.end[SERVER].port = (uint16_t)(1 + i % 65000);
        n.end[CLIENT].port = (uint16_t)(40000 + i / 65000);
        send_seg(&n, CLIENT, SYN, i * 7919u, 0, 0);
        send_reply_rst(&n, SERVER, ACK, 0, i * 7919u + 1);
    }
    CHECK(rst_core_connections(n.core) == 100000);
    size_t per_conn = (rst_core_memory(n.core) - before) / 100000;
    CHECK(per_conn <= sizeof(struct rst_conn) + sizeof(struct rst_record) + 4 * sizeof(uint32_t)
                      + 64);
    net_free(&n);
}

static void test_many_connections(void)
{
    struct net n;
    net_init(&n, 4);
    for (uint32_t i = 0; i < 50000; i++) {
        n.end[CLIENT].port = (uint16_t)(1024 + i % 60000);
        n.end[CLIENT].addr[3] = (uint8_t)(i / 60000);
        n.end[CLIENT].addr[2] = (uint8_t)(i >> 8);
        send_seg(&n, CLIENT, SYN, i, 0, 0);
        send_reply_rst(&n, SERVER, ACK, 0, i + 1);
    }
    CHECK(rst_core_connections(n.core) == 50000);
    struct rst_verdict v = verdict(&n, 50000);
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.answers_frame == 99999);
    CHECK(v.n_evidence == 0);
    net_free(&n);
}

/* ------------------------------------------------------------ stated reasons */

static struct rst_diag diag_of(const uint8_t *p, size_t caplen, uint32_t len)
{
    struct rst_diag d;
    rst_diag_parse(p, caplen, len, &d);
    return d;
}

#define DIAG(bytes) diag_of((const uint8_t *)(bytes), sizeof(bytes) - 1, sizeof(bytes) - 1)

static void test_diag_compact(void)
{
    /* draft-boucadair-tcpm-rst-diagnostic-payload: 0x33AA, code, PEN. */
    struct rst_diag d = DIAG("\x33\xAA\x00\x04\x00\x00\x00\x00");
    CHECK(d.format == RST_DIAG_COMPACT);
    CHECK(d.code == 4);
    CHECK(d.pen == 0);
    CHECK_STR(rst_diag_reason_name(d.code), "ABORT Process");
    CHECK(rst_diag_cause(&d) == RST_CAUSE_ABORT);

    d = DIAG("\x33\xAA\x04\xD2\x00\x00\x7E\x99");   /* vendor code 1234 of PEN 32409 */
    CHECK(d.format == RST_DIAG_COMPACT);
    CHECK(d.code == 1234);
    CHECK(d.pen == 32409);
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN);   /* a vendor's code means what it says */

    d = DIAG("\x33\xAA\x00\x02\x00\x00\x00\x00");
    CHECK(rst_diag_cause(&d) == RST_CAUSE_NO_CONNECTION);
    d = DIAG("\x33\xAA\x00\x0E\x00\x00\x00\x00");
    CHECK(rst_diag_cause(&d) == RST_CAUSE_IDLE_TIMEOUT);
    d = DIAG("\x33\xAA\x00\x09\x00\x00\x00\x00");   /* Not Authorized: no cause of ours */
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN);
    CHECK(rst_diag_reason_name(999) == NULL);
    CHECK(rst_diag_reason_name(0) == NULL);

    /* Malformed ones are ignored (the draft, 3.3): wrong length, code 0. */
    CHECK(DIAG("\x33\xAA\x00\x04\x00\x00\x00\x00\x00").format == RST_DIAG_MALFORMED);
    CHECK(DIAG("\x33\xAA\x00\x04\x00\x00").format == RST_DIAG_MALFORMED);
    CHECK(DIAG("\x33\xAA\x00\x00\x00\x00\x00\x00").format == RST_DIAG_MALFORMED);
    struct rst_diag m = DIAG("\x33\xAA\x00\x00\x00\x00\x00\x00");
    CHECK(rst_diag_cause(&m) == RST_CAUSE_UNKNOWN);
    /* A capture that cut it short: unreadable, not malformed. */
    d = diag_of((const uint8_t *)"\x33\xAA\x00\x04", 4, 8);
    CHECK(d.format == RST_DIAG_DATA);
    CHECK(d.uncaptured == 4);
    d = diag_of(NULL, 0, 8);                      /* nothing of it captured */
    CHECK(d.format == RST_DIAG_DATA && d.uncaptured == 8);
    CHECK(DIAG("\x33\xAA\x00\x04\x00\x00\x00\x00").uncaptured == 0);
}

static void test_diag_text(void)
{
    struct rst_diag d = DIAG("\xF3\x17" "Connection closed by policy");
    CHECK(d.format == RST_DIAG_DESCRIPTION);
    CHECK(d.text_len == 27);
    CHECK(memcmp(d.text, "Connection closed by policy", 27) == 0);
    CHECK(!d.text_truncated);
    CHECK(rst_diag_cause(&d) == RST_CAUSE_UNKNOWN);

    CHECK(DIAG("\xF3\x17").format == RST_DIAG_MALFORMED);            /* no description */
    CHECK(DIAG("\xF3\x17\xC0\x80").format == RST_DIAG_MALFORMED);    /* overlong UTF-8 */
    CHECK(DIAG("\xF3\x17\xED\xA0\x80").format == RST_DIAG_MALFORMED);/* a surrogate */
    CHECK(DIAG("\xF3\x17" "a\x01" "b").format == RST_DIAG_MALFORMED);/* a control byte */

    /* RFC 1122 4.2.2.12 text, e.g. a firewall's "Access Denied" (NUL padded). */
    d = diag_of((const uint8_t *)"Access Denied\0\0", 15, 15);
    CHECK(d.format == RST_DIAG_TEXT);
    CHECK(d.text_len == 13);
    d = DIAG("R\xC3\xA9initialis\xC3\xA9");                     /* UTF-8 "Réinitialisé" */
    CHECK(d.format == RST_DIAG_TEXT);
    CHECK(DIAG("\x01\x02\x03\x04").format == RST_DIAG_DATA);
    CHECK(DIAG("A").format == RST_DIAG_DATA);                   /* one byte is no words */
    CHECK(DIAG("Acc\0ss").format == RST_DIAG_DATA);             /* NUL inside: binary */
    CHECK(DIAG("\xFF\xFE" "Access").format == RST_DIAG_DATA);   /* not UTF-8 */
    CHECK(diag_of(NULL, 0, 0).format == RST_DIAG_NONE);
    CHECK(diag_of(NULL, 0, 40).format == RST_DIAG_DATA);        /* not captured */

    /* Ethernet pads a short frame: bytes past the TCP payload are no text. */
    d = diag_of((const uint8_t *)"Bye\x00\x00\x00", 6, 3);
    CHECK(d.format == RST_DIAG_TEXT);
    CHECK(d.text_len == 3);
}

static void test_diag_text_is_cut_to_whole_characters(void)
{
    /* The capture ends inside "é": the text stops before it. */
    const uint8_t cut[] = "Fermeture d\xC3\xA9";
    struct rst_diag d = diag_of(cut, sizeof cut - 2, sizeof cut - 1 + 10);
    CHECK(d.format == RST_DIAG_TEXT);
    CHECK(d.text_len == 11);
    CHECK(d.text_truncated);

    /* Longer than the core keeps: cut on a character boundary. */
    uint8_t longer[2 + 3 * 100];
    longer[0] = 0xF3;
    longer[1] = 0x17;
    for (int i = 0; i < 100; i++)
        memcpy(longer + 2 + 3 * i, "\xE2\x82\xAC", 3);          /* "€" x 100 */
    d = diag_of(longer, sizeof longer, sizeof longer);
    CHECK(d.format == RST_DIAG_DESCRIPTION);
    CHECK(d.text_len <= RST_DIAG_TEXT_MAX);
    CHECK(d.text_len % 3 == 0);
    CHECK(d.text_truncated);
}

/* A RST with a payload, from a socket as in segment(). */
static uint32_t send_rst_saying(struct net *n, enum who from, uint8_t flags, uint32_t seq,
                                uint32_t ack, const void *payload, uint32_t len)
{
    struct rst_segment s = segment(n, from, flags | RST, seq, ack, len);
    s.payload = payload;
    s.payload_caplen = len;
    return rst_core_add(n->core, &s, &n->params);
}

static void test_stated_reason_wins_over_the_wire(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    /* At the server's next seq, no reply: an abort on the wire; the server
     * states "Desynchronized state". */
    struct rst_verdict v = verdict(&n, send_rst_saying(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101,
                                                       "\x33\xAA\x00\x02\x00\x00\x00\x00", 8));
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.face_value == RST_CAUSE_NO_CONNECTION);
    CHECK(v.wire_cause == RST_CAUSE_ABORT);
    CHECK(v.diag.format == RST_DIAG_COMPACT);
    CHECK(v.diag.code == 2);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "It states its reason: \"Desynchronized state\" (TCP failure cause 2).");
    CHECK_CONTAINS(v.explanation, "From the connection alone it would be abort:");
    net_free(&n);
}

static void test_stated_reason_that_agrees(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_rst_saying(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101,
                                                       "\x33\xAA\x00\x04\x00\x00\x00\x00", 8));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.wire_cause == RST_CAUSE_ABORT);
    CHECK_CONTAINS(v.explanation, "\"ABORT Process\"");
    CHECK(strstr(v.explanation, "From the connection alone") == NULL);
    net_free(&n);
}

static void test_text_and_vendor_codes_are_quoted_not_trusted(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_rst_saying(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101,
                                                       "Access Denied", 13));
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    CHECK(v.diag.format == RST_DIAG_TEXT);
    CHECK(v.diag.text_len == 13 && memcmp(v.diag.text, "Access Denied", 13) == 0);
    CHECK_CONTAINS(v.explanation, "The server aborted");
    CHECK_CONTAINS(v.explanation, "It carries text (RFC 1122 4.2.2.12): \"Access Denied\".");
    net_free(&n);

    net_init(&n, 6);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    v = verdict(&n, send_rst_saying(&n, SERVER, ACK, 0, C_ISN + 1,
                                    "\x33\xAA\x04\xD2\x00\x00\x7E\x99", 8));
    CHECK(v.final_cause == RST_CAUSE_REFUSED);
    CHECK(v.diag.pen == 32409);
    CHECK_CONTAINS(v.explanation, "reason code 1234 of private enterprise number 32409");
    net_free(&n);
}

static void test_a_forged_rst_may_state_a_reason(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 301, C_ISN + 101);
    f.payload_len = 8;
    f.payload = (const uint8_t *)"\x33\xAA\x00\x11\x00\x00\x00\x00";   /* Middlebox interference */
    f.payload_caplen = 8;
    send_seg(&n, SERVER, PSH | ACK, S_ISN + 301, C_ISN + 101, 100);   /* the real server goes on */
    struct rst_verdict v = verdict(&n, send_forged(&n, f));
    CHECK(v.final_cause == RST_CAUSE_INJECTED);
    CHECK(v.diag.code == 17);
    CHECK_CONTAINS(v.explanation, "\"Middlebox interference\"");
    net_free(&n);
}

/* ------------------------------------------------------------ parsing */

static const uint8_t ipv4_rst[] = {
    0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x3f, 0x06, 0x00, 0x00,
    203, 0, 113, 2, 198, 51, 100, 10,
};
static const uint8_t tcp_rst_ack[] = {
    0x1f, 0x41, 0x9c, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe9,
    0x50, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_parse_ipv4_rst(void)
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

static void test_parse_timestamps_and_payload(void)
{
    uint8_t ip[20];
    memcpy(ip, ipv4_rst, 20);
    ip[3] = 20 + 32 + 5;     /* total length: header, 32-byte TCP header, 5 bytes */
    uint8_t tcp[32];
    memcpy(tcp, tcp_rst_ack, 20);
    tcp[12] = 0x80;          /* data offset 8 words */
    tcp[13] = RST_TH_ACK | RST_TH_PSH;
    const uint8_t opts[12] = { 1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9 };
    memcpy(tcp + 20, opts, sizeof opts);
    struct rst_segment s;
    CHECK(rst_parse_ip_tcp(ip, sizeof ip, tcp, sizeof tcp, 20, 37, &s) == RST_PARSE_OK);
    CHECK(s.has_timestamps && s.tsval == 7 && s.tsecr == 9);
    CHECK(s.payload_len == 5);
}

static void test_parse_ipv6_with_extension_headers(void)
{
    uint8_t ip[40] = { 0x60, 0, 0, 0, 0, 8 + 20, 0, 57 };
    ip[8] = 0x20; ip[9] = 0x01; ip[10] = 0x0d; ip[11] = 0xb8; ip[23] = 2;
    ip[24] = 0x20; ip[25] = 0x01; ip[26] = 0x0d; ip[27] = 0xb8; ip[39] = 0x10;
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

static void test_a_cut_header_is_no_evidence(void)
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

static void test_parse_rejects_short_and_bogus_headers(void)
{
    struct rst_segment s;
    CHECK(rst_parse_ip_tcp(ipv4_rst, 10, tcp_rst_ack, 20, 20, 20, &s) == RST_PARSE_TRUNCATED);
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, tcp_rst_ack, 13, 20, 13, &s) == RST_PARSE_TRUNCATED);
    uint8_t bad_ip[20];
    memcpy(bad_ip, ipv4_rst, 20);
    bad_ip[0] = 0x41;        /* IHL 1 word */
    CHECK(rst_parse_ip_tcp(bad_ip, 20, tcp_rst_ack, 20, 20, 20, &s) == RST_PARSE_MALFORMED);
    bad_ip[0] = 0x55;        /* version 5 */
    CHECK(rst_parse_ip_tcp(bad_ip, 20, tcp_rst_ack, 20, 20, 20, &s) == RST_PARSE_MALFORMED);
    uint8_t bad_tcp[20];
    memcpy(bad_tcp, tcp_rst_ack, 20);
    bad_tcp[12] = 0x30;      /* data offset 3 words */
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, bad_tcp, 20, 20, 20, &s) == RST_PARSE_MALFORMED);
    /* Options that run past the header end quietly. */
    uint8_t tcp[24];
    memcpy(tcp, tcp_rst_ack, 20);
    tcp[12] = 0x60;
    tcp[20] = 8; tcp[21] = 40; tcp[22] = 0; tcp[23] = 0;
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, tcp, 24, 20, 24, &s) == RST_PARSE_OK);
    CHECK(!s.has_timestamps);
    /* Headers only (small snap length): the flags are enough. */
    CHECK(rst_parse_ip_tcp(ipv4_rst, 20, tcp_rst_ack, 14, 20, 20, &s) == RST_PARSE_OK);
    CHECK(s.flags == (RST_TH_RST | RST_TH_ACK));
}

static void test_format_ipv6_compression(void)
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

static void test_format_address_digits_and_short_buffers(void)
{
    char buf[64];
    uint8_t v4[4] = { 0, 9, 10, 255 };
    rst_format_address(4, v4, buf, sizeof buf);
    CHECK_STR(buf, "0.9.10.255");
    uint8_t full[16] = { 0xab, 0xcd, 0, 0x01, 0x10, 0, 0xff, 0xff, 0, 1, 0x0a, 0xbc, 0x12, 0x34,
                         0xf0, 0x0f };
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

static void test_cause_names_are_the_public_values(void)
{
    CHECK_STR(rst_cause_name(RST_CAUSE_REFUSED), "refused");
    CHECK_STR(rst_cause_name(RST_CAUSE_NO_CONNECTION), "no-connection");
    CHECK_STR(rst_cause_name(RST_CAUSE_ACCEPT_QUEUE_OVERFLOW), "accept-queue-overflow");
    CHECK_STR(rst_cause_name(RST_CAUSE_ABORT), "abort");
    CHECK_STR(rst_cause_name(RST_CAUSE_DATA_AFTER_CLOSE), "data-after-close");
    CHECK_STR(rst_cause_name(RST_CAUSE_INVALID_SEGMENT), "invalid-segment");
    CHECK_STR(rst_cause_name(RST_CAUSE_KEEPALIVE_TIMEOUT), "keepalive-timeout");
    CHECK_STR(rst_cause_name(RST_CAUSE_RETRANSMISSION_TIMEOUT), "retransmission-timeout");
    CHECK_STR(rst_cause_name(RST_CAUSE_IDLE_TIMEOUT), "idle-timeout");
    CHECK_STR(rst_cause_name(RST_CAUSE_INJECTED), "injected");
    CHECK_STR(rst_cause_name(RST_CAUSE_UNKNOWN), "unknown");
    CHECK_STR(rst_cause_name((enum rst_cause)99), "unknown");
}

#define RUN(t) do { current = #t; t(); } while (0)

/* ------------------------------------------------------------ locating headers */

static const uint8_t host_a[4] = { 198, 51, 100, 10 }, host_b[4] = { 203, 0, 113, 2 };
static const uint8_t tunnel_a[4] = { 198, 51, 100, 1 }, tunnel_b[4] = { 203, 0, 113, 1 };

/* Appends an IPv4 header (RFC 791) whose packet runs to `total` bytes. */
static size_t put_ipv4(uint8_t *f, size_t at, const uint8_t *src, const uint8_t *dst,
                       uint8_t proto, size_t total)
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

static void test_locate_plain_ethernet(void)
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

static void test_locate_prefers_the_dissectors_ports(void)
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

static void test_locate_ipv6_extension_headers_and_fragments(void)
{
    uint8_t f[14 + 40 + 16 + 20] = { 0 };
    size_t at = put_ethernet(f, 0x86dd);
    f[at] = 0x60;
    f[at + 5] = 16 + 20;
    f[at + 6] = 0;                       /* hop-by-hop options */
    f[at + 7] = 57;
    uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
    memcpy(f + at + 8, src, 16);
    memcpy(f + at + 24, dst, 16);
    at += 40;
    f[at] = 60, f[at + 1] = 0;           /* then destination options, 8 bytes each */
    f[at + 8] = 6, f[at + 9] = 0;        /* then TCP */
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
    f[at + 16] = 6, f[at + 19] = 0x08;   /* offset 1 (8 bytes) */
    CHECK(!rst_locate_tcp(f, sizeof f, sizeof f, &h, &l) && l.fragment && l.fragment_ip == 14);
    /* The packet rebuilt from the reassembled payload (what follows the
     * fragment header): one whole packet again. */
    uint8_t payload[20], whole[128];
    put_tcp(payload, 0, 8001, 40000);
    size_t n = rst_rebuild_fragment(f, sizeof f, 14, payload, sizeof payload, whole, sizeof whole);
    CHECK(n == 14 + 40 + 16 + 8 + 20);     /* the fragment header stays */
    CHECK(rst_locate_tcp(whole, n, n, &h, &l) && l.tcp == 78 && !l.fragment);
    CHECK(whole[14 + 5] == 16 + 8 + 20 && whole[at + 18] == 0 && whole[at + 19] == 0);

    uint8_t g[60] = { 0 };
    at = put_ipv4(g, put_ethernet(g, 0x0800), host_b, host_a, 6, 40);
    g[14 + 7] = 0x10;                    /* fragment offset 16 */
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
    const uint8_t *outer_src = backward ? tunnel_b : tunnel_a, *outer_dst = backward ? tunnel_a : tunnel_b;
    const uint8_t *src = backward ? host_b : host_a, *dst = backward ? host_a : host_b;
    size_t at = put_ethernet(f, 0x0800);
    at = put_ipv4(f, at, outer_src, outer_dst, 47, 20 + 8 + 40);
    f[at] = 0x20, f[at + 1] = 0, f[at + 2] = 0x08, f[at + 3] = 0x00;   /* K bit, IPv4 */
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

static void test_tunnel_views(void)
{
    uint8_t f[120] = { 0 };
    struct rst_frame_hint h;
    size_t len = gre_frame(f, false, 1, &h);
    struct rst_frame_layout l;
    CHECK(rst_locate_tcp(f, len, len, &h, &l) && l.n_outer == 1 && l.outer[0] == 14 && l.ip == 42);
    uint32_t key1 = view_of(f, len, &h);
    CHECK((key1 & 0x80000000u) && (key1 & 0x0f) == 1);
    len = gre_frame(f, true, 1, &h);
    CHECK(view_of(f, len, &h) == key1);          /* both directions: one connection */
    len = gre_frame(f, false, 2, &h);
    CHECK(view_of(f, len, &h) != key1);          /* another key: another tenant */
    h.outer_kind[0] = RST_TUNNEL_PLAIN;          /* key ignored: the tunnel's endpoints only */
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
        v[at + 2] = 0x12, v[at + 3] = 0xb5;    /* UDP port 4789 */
        v[at + 8] = 0x08;                      /* VXLAN: VNI valid */
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
    last[14 + 7] = 64 / 8;               /* offset 64, no more fragments */
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

/* ------------------------------------------------------------ two capture points */

/* The lab's second capture point, next to the server: the server's link
 * (the router's MAC there 02:00:00:00:02:01, the server's 02:00:00:00:02:02),
 * the client's packets one hop later (TTL 63), the server's straight from it
 * (TTL 64).  Its own interface, or (collapsed) the same one as the client's
 * point, as a default mergecap leaves it. */
static struct rst_segment at_server_point(struct net *n, struct rst_segment s, bool collapsed,
                                          int64_t time_us)
{
    static const uint8_t router[6] = { 2, 0, 0, 0, 2, 1 }, server[6] = { 2, 0, 0, 0, 2, 2 };
    bool from_client = memcmp(s.src, n->end[CLIENT].addr, 16) == 0;
    s.frame = ++n->frame;
    s.time_us = time_us;
    s.view = collapsed ? 0 : 1u << 4;
    s.interface_id = collapsed ? 0 : 1;
    s.ttl = from_client ? 63 : 64;
    memcpy(s.src_mac, from_client ? router : server, 6);
    memcpy(s.link_src, s.src_mac, 6);
    memcpy(s.link_dst, from_client ? server : router, 6);
    return s;
}

/* Feeds a segment as the next frame at its time; returns the RST id. */
static uint32_t feed_at(struct net *n, struct rst_segment s, int64_t time_us)
{
    s.frame = ++n->frame;
    s.time_us = time_us;
    return rst_core_add(n->core, &s, &n->params);
}

static uint32_t feed(struct net *n, struct rst_segment s)
{
    return rst_core_add(n->core, &s, &n->params);
}

/* The handshake at both points from t0 (as the lab's: 20 ms between them):
 * the SYN at the client's point and then at the server's, the SYN-ACK at the
 * server's and then at the client's; acks 1: then the client's ACK at its
 * own point, 2: and at the server's. */
static void handshake_at_two_points(struct net *n, int64_t t0, int acks)
{
    struct rst_segment syn = segment(n, CLIENT, SYN, C_ISN, 0, 0);
    feed_at(n, syn, t0);
    feed(n, at_server_point(n, syn, false, t0 + 20000));
    struct rst_segment synack = segment(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    feed(n, at_server_point(n, synack, false, t0 + 20030));
    feed_at(n, synack, t0 + 40030);
    if (acks < 1)
        return;
    struct rst_segment ack = segment(n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
    feed_at(n, ack, t0 + 40060);
    if (acks > 1)
        feed(n, at_server_point(n, ack, false, t0 + 60060));
}

/* The forged handshake at both points, in time order: the client's SYN, the
 * forger's RST 1 ms later (client point only), the SYN at the server 20 ms
 * after the client sent it, the SYN-ACK, the SYN-ACK at the client, the
 * client's RST answering it, and that RST at the server. */
struct two_points {
    uint32_t forged, client_rst, client_rst_there;
    uint32_t synack_there, client_rst_frame, client_rst_there_frame;
};

static struct two_points forged_handshake_at_two_points(struct net *n, bool collapsed)
{
    struct two_points t;
    net_init(n, 4);
    int64_t t0 = n->now_us;
    struct rst_segment syn = segment(n, CLIENT, SYN, C_ISN, 0, 0);
    feed_at(n, syn, t0);
    struct rst_segment f = forged(n, SERVER, ACK, 0, C_ISN + 1);
    f.window = 0;
    t.forged = feed_at(n, f, t0 + 1000);
    feed(n, at_server_point(n, syn, collapsed, t0 + 20000));
    struct rst_segment synack = segment(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    feed(n, at_server_point(n, synack, collapsed, t0 + 20030));
    t.synack_there = n->frame;
    feed_at(n, synack, t0 + 40030);
    struct rst_segment rst = segment(n, CLIENT, RST, C_ISN + 1, 0, 0);
    rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
    t.client_rst = feed_at(n, rst, t0 + 40060);
    t.client_rst_frame = n->frame;
    t.client_rst_there = feed(n, at_server_point(n, rst, collapsed, t0 + 60060));
    t.client_rst_there_frame = n->frame;
    return t;
}

static void check_forged_handshake_at_two_points(bool collapsed)
{
    struct net n;
    struct two_points t = forged_handshake_at_two_points(&n, collapsed);
    struct rst_verdict v = verdict(&n, t.forged);
    CHECK(v.vantage.unseen);
    CHECK(v.vantage.ref_frame == t.synack_there);
    CHECK(v.vantage.other_interface == (collapsed ? 0 : 1));
    CHECK(v.vantage.other_mac_known == collapsed);
    CHECK(!collapsed || v.vantage.other_mac[5] == 2);   /* the server's own end */
    CHECK(v.injected && v.suspicion == 100 && v.final_cause == RST_CAUSE_INJECTED);
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    CHECK(v.first_sighting);
    CHECK_CONTAINS(v.explanation, "Forged in the name of the server (suspicion 100): the "
                                  "capture point nearer the server never saw it, though the "
                                  "server's packets pass there");
    /* The single-point evidence is still there, each item its own. */
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_MAC) && evidence(&v, RST_EV_RACE));

    /* The client's RST, seen at both points: linked, genuine, counted once. */
    v = verdict(&n, t.client_rst);
    CHECK(v.final_cause == RST_CAUSE_NO_CONNECTION && !v.injected && v.n_evidence == 0);
    CHECK(v.vantage.peer_frame == t.client_rst_there_frame && !v.vantage.unseen);
    CHECK(v.first_sighting);
    CHECK_CONTAINS(v.explanation, "The other capture point saw it too (frame");
    v = verdict(&n, t.client_rst_there);
    CHECK(v.vantage.peer_frame == t.client_rst_frame);
    CHECK(!v.injected && v.n_evidence == 0 && v.suspicion == 0);
    CHECK(!v.first_sighting);
    /* Each point is its own connection. */
    CHECK(rst_core_connections(n.core) == 2);
    net_free(&n);
}

static void test_two_interfaces_prove_a_forged_handshake_rst(void)
{
    check_forged_handshake_at_two_points(false);
}

static void test_collapsed_merge_splits_the_links(void)
{
    check_forged_handshake_at_two_points(true);
}

static void test_one_pass_proves_nothing_before_the_other_point_speaks(void)
{
    /* At the forged RST nothing of the server's has been seen at either
     * point yet: no proof (it needs the packets after it, tshark -2). */
    struct net n;
    net_init(&n, 4);
    struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN, 0, 0);
    feed_at(&n, syn, n.now_us);
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN + 1);
    f.window = 0;
    uint32_t id = feed(&n, f);
    feed(&n, at_server_point(&n, syn, true, f.time_us + 19000));
    struct rst_verdict v = verdict(&n, id);
    CHECK(!v.vantage.unseen && !v.injected);
    net_free(&n);
}

static void test_a_refusal_seen_at_both_points_is_genuine(void)
{
    /* The collapsed merge of refused-v4 once read the two points' TTLs and
     * MACs of the server as one sender's (suspicion 30). */
    for (int collapsed = 0; collapsed < 2; collapsed++) {
        struct net n;
        net_init(&n, 4);
        int64_t t0 = n.now_us;
        struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN, 0, 0);
        feed_at(&n, syn, t0);
        feed(&n, at_server_point(&n, syn, collapsed, t0 + 20000));
        struct rst_segment rst = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
        rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
        uint32_t there = feed(&n, at_server_point(&n, rst, collapsed, t0 + 20030));
        uint32_t here = feed_at(&n, rst, t0 + 40030);
        struct rst_verdict v = verdict(&n, here);
        CHECK(v.final_cause == RST_CAUSE_REFUSED && v.suspicion == 0 && v.n_evidence == 0);
        CHECK(v.vantage.peer_frame == n.frame - 1 && !v.first_sighting);
        v = verdict(&n, there);
        CHECK(v.final_cause == RST_CAUSE_REFUSED && v.suspicion == 0 && v.first_sighting);
        CHECK(v.vantage.peer_frame == n.frame);
        net_free(&n);
    }
}

static void test_no_proof_from_a_point_that_stopped_capturing(void)
{
    /* The server's point saw the handshake, then nothing more: a RST "from
     * the server" later may have passed it after it stopped. */
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    handshake_at_two_points(&n, t0, 1);
    struct rst_segment f = forged(&n, SERVER, ACK, S_ISN + 1, C_ISN + 1);
    uint32_t id = feed_at(&n, f, t0 + 3000000);
    struct rst_verdict v = verdict(&n, id);
    CHECK(!v.vantage.unseen && !v.vantage.peer_frame);
    CHECK(v.suspicion < 100);
    net_free(&n);
}

static void test_no_proof_from_a_point_farther_from_the_sender(void)
{
    /* A RST from the client, seen at the client, not at the server: the
     * server's point lies beyond it (the client's TTL is lower there), so
     * the RST may have been dropped on the way.  No proof. */
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    handshake_at_two_points(&n, t0, 2);
    struct rst_segment rst = segment(&n, CLIENT, RST | ACK, C_ISN + 1, S_ISN + 1, 0);
    uint32_t id = feed_at(&n, rst, t0 + 70000);
    struct rst_segment later = segment(&n, SERVER, ACK, S_ISN + 1, C_ISN + 1, 0);
    feed(&n, at_server_point(&n, later, false, t0 + 100000));
    struct rst_verdict v = verdict(&n, id);
    CHECK(!v.vantage.unseen && !v.injected);
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);
}

static void check_a_point_the_connection_never_reached(bool collapsed)
{
    /* onpath-firewall-reject, captured at both ends: a first connection is
     * seen at both points, the SYN of the second is rejected by the router
     * in the server's name (it never reaches the server's point), then a
     * third connection passes both points again.  Collapsed, the second
     * connection is seen on one link only, and still compares the server
     * with its packets on that link alone. */
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    for (int k = 0; k < 3; k++) {
        n.end[CLIENT].port = (uint16_t)(40000 + k);
        n.end[SERVER].port = k == 1 ? 8021 : 8080;
        int64_t base = t0 + k * 1000000;
        struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN + k, 0, 0);
        feed_at(&n, syn, base);
        if (k == 1) {
            struct rst_segment r = segment(&n, SERVER, RST | ACK, 0, C_ISN + k + 1, 0);
            r.ttl = 64, r.ip_id = 0, r.window = 0, r.has_timestamps = false;
            uint32_t id = feed_at(&n, r, base + 100);
            /* One pass: the server's point has not spoken since. */
            CHECK(!verdict(&n, id).vantage.unseen);
            continue;
        }
        feed(&n, at_server_point(&n, syn, collapsed, base + 20000));
        struct rst_segment synack = segment(&n, SERVER, SYN | ACK, S_ISN + k, C_ISN + k + 1, 0);
        feed(&n, at_server_point(&n, synack, collapsed, base + 20030));
        feed_at(&n, synack, base + 40030);
    }
    /* The rejected connection's RST is record 1. */
    struct rst_verdict v = verdict(&n, 1);
    CHECK(v.vantage.unseen && v.injected && v.suspicion == 100);
    CHECK(v.vantage.other_interface == (collapsed ? 0 : 1));
    CHECK(evidence(&v, RST_EV_TTL) && evidence(&v, RST_EV_TTL)->expected == 63);
    CHECK(v.vantage.ref_frame == n.frame - 1);   /* the third SYN-ACK, at the server */
    CHECK(v.face_value == RST_CAUSE_REFUSED);
    net_free(&n);
}

static void test_a_point_the_connection_never_reached(void)
{
    check_a_point_the_connection_never_reached(false);
    check_a_point_the_connection_never_reached(true);
}

static void test_a_forged_frame_does_not_open_a_capture_point(void)
{
    /* At one point a forged RST with the forger's own MAC still names the
     * receiver's MAC as its destination: the same link, not a second point. */
    struct net n;
    struct rst_verdict v = verdict(&n, forged_handshake_rst(&n, true));
    CHECK(rst_core_connections(n.core) == 1);
    CHECK(v.injected && !v.vantage.unseen && !v.vantage.peer_frame && v.first_sighting);
    net_free(&n);
}

static void test_a_mirrored_copy_counts_once(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_segment r = segment(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    r.ip_id = 0, r.window = 0, r.has_timestamps = false;
    uint32_t first = feed(&n, r);
    uint32_t copy = feed_at(&n, r, r.time_us + 10);
    CHECK(verdict(&n, first).first_sighting);
    CHECK(!verdict(&n, copy).first_sighting);
    CHECK(verdict(&n, copy).final_cause == RST_CAUSE_REFUSED);
    net_free(&n);
}

static void test_identical_rsts_pair_in_order(void)
{
    /* The client answers two data segments of a server it no longer knows
     * with the same bare RST.  At the client's point the server's second
     * segment lies between them; at the server's point they pass 0.1 ms
     * apart with nothing between, and it keeps the second as a copy of the
     * first.  The first pairs with the first, the second with the second. */
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    handshake_at_two_points(&n, t0, 2);
    struct rst_segment d1 = segment(&n, SERVER, PSH | ACK, S_ISN + 1, C_ISN + 1, 100);
    struct rst_segment d2 = segment(&n, SERVER, PSH | ACK, S_ISN + 101, C_ISN + 1, 100);
    feed(&n, at_server_point(&n, d1, false, t0 + 100000));
    feed(&n, at_server_point(&n, d2, false, t0 + 100100));
    struct rst_segment rst = segment(&n, CLIENT, RST, C_ISN + 1, 0, 0);
    rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
    feed_at(&n, d1, t0 + 120000);
    uint32_t p1 = feed_at(&n, rst, t0 + 120050);
    uint32_t p1_frame = n.frame;
    feed_at(&n, d2, t0 + 120100);
    uint32_t p2 = feed_at(&n, rst, t0 + 120150);
    uint32_t p2_frame = n.frame;
    uint32_t q1 = feed(&n, at_server_point(&n, rst, false, t0 + 140050));
    uint32_t q1_frame = n.frame;
    uint32_t q2 = feed(&n, at_server_point(&n, rst, false, t0 + 140150));
    uint32_t q2_frame = n.frame;
    CHECK(rst_core_record(n.core, q2)->copy_of == q1);   /* kept as a copy there */
    CHECK(!rst_core_record(n.core, p2)->copy_of);
    CHECK(verdict(&n, p1).vantage.peer_frame == q1_frame);
    CHECK(verdict(&n, p2).vantage.peer_frame == q2_frame);
    CHECK(verdict(&n, q1).vantage.peer_frame == p1_frame);
    CHECK(verdict(&n, q2).vantage.peer_frame == p2_frame);
    /* Counted once each: at the client's point, where they passed first. */
    CHECK(verdict(&n, p1).first_sighting && verdict(&n, p2).first_sighting);
    CHECK(!verdict(&n, q1).first_sighting && !verdict(&n, q2).first_sighting);
    net_free(&n);
}

/* A half-open server answers each of the client's ACKs with the same bare
 * RST, `count` times 1 ms apart, seen at both points.  Returns how many of
 * the RSTs were linked to their other sighting and how many proven forged. */
static void storm_at_two_points(int count, unsigned *peers, unsigned *unseen)
{
    struct net n;
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    handshake_at_two_points(&n, t0, 0);
    uint32_t *ids = calloc((size_t)count * 2, sizeof *ids);
    for (int i = 0; i < count; i++) {
        int64_t at = t0 + 100000 + i * 1000;
        struct rst_segment ack = segment(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 1, 0);
        /* In capture order: the points 0.2 ms apart here. */
        feed_at(&n, ack, at);
        feed(&n, at_server_point(&n, ack, false, at + 200));
        struct rst_segment rst = segment(&n, SERVER, RST, S_ISN + 1, 0, 0);
        rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
        ids[2 * i] = feed(&n, at_server_point(&n, rst, false, at + 230));
        ids[2 * i + 1] = feed_at(&n, rst, at + 430);
    }
    *peers = *unseen = 0;
    for (int i = 0; i < 2 * count; i++) {
        struct rst_verdict v = verdict(&n, ids[i]);
        *unseen += v.vantage.unseen;
        *peers += v.vantage.peer_frame != 0;
    }
    free(ids);
    net_free(&n);
}

static void test_a_storm_at_two_points_proves_nothing_false(void)
{
    unsigned peers, unseen;
    /* 50 alike RSTs at each point: each pairs with its own. */
    storm_at_two_points(50, &peers, &unseen);
    CHECK(peers == 100 && unseen == 0);
    /* 2000: the walk over a sender's RSTs is bounded (the verdicts stay
     * cheap); where it is cut, nothing is linked, and absence proves
     * nothing. */
    storm_at_two_points(2000, &peers, &unseen);
    CHECK(unseen == 0);
}

/* Segments of two capture points, fed in capture order (a merged file is
 * sorted by time), whatever the order they were built in. */
struct timeline {
    struct rst_segment seg[32];
    uint32_t id[32], frame[32];
    int n;
};

static int add_event(struct timeline *t, struct rst_segment s, int64_t time_us)
{
    s.time_us = time_us;
    t->seg[t->n] = s;
    return t->n++;
}

static void feed_timeline(struct net *n, struct timeline *t)
{
    int order[32];
    for (int i = 0; i < t->n; i++)
        order[i] = i;
    for (int i = 1; i < t->n; i++)   /* stable insertion sort by time */
        for (int j = i; j > 0 && t->seg[order[j]].time_us < t->seg[order[j - 1]].time_us; j--) {
            int k = order[j];
            order[j] = order[j - 1];
            order[j - 1] = k;
        }
    for (int i = 0; i < t->n; i++) {
        struct rst_segment *s = &t->seg[order[i]];
        s->frame = ++n->frame;
        t->frame[order[i]] = s->frame;
        t->id[order[i]] = rst_core_add(n->core, s, &n->params);
    }
}

static void test_clock_offset_between_the_points(void)
{
    /* The server's capture clock runs 30 s ahead: every packet there is
     * stamped after all of the client's.  The SYN-ACK at both points gives
     * the lag; the forged RST is still proven, the client's RST still paired. */
    const int64_t skew = 30000000;
    struct net n;
    struct timeline t = { .n = 0 };
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    struct rst_segment syn = segment(&n, CLIENT, SYN, C_ISN, 0, 0);
    add_event(&t, syn, t0);
    struct rst_segment f = forged(&n, SERVER, ACK, 0, C_ISN + 1);
    f.window = 0;
    int forged_rst = add_event(&t, f, t0 + 1000);
    add_event(&t, at_server_point(&n, syn, false, 0), t0 + 20000 + skew);
    struct rst_segment synack = segment(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    int synack_there = add_event(&t, at_server_point(&n, synack, false, 0), t0 + 20030 + skew);
    add_event(&t, synack, t0 + 40030);
    struct rst_segment rst = segment(&n, CLIENT, RST, C_ISN + 1, 0, 0);
    rst.ip_id = 0, rst.window = 0, rst.has_timestamps = false;
    int here = add_event(&t, rst, t0 + 40060);
    int there = add_event(&t, at_server_point(&n, rst, false, 0), t0 + 60060 + skew);
    feed_timeline(&n, &t);
    struct rst_verdict v = verdict(&n, t.id[forged_rst]);
    CHECK(v.vantage.unseen && v.vantage.ref_frame == t.frame[synack_there]);
    v = verdict(&n, t.id[here]);
    CHECK(v.vantage.peer_frame == t.frame[there] && !v.injected);
    net_free(&n);
}

static void test_no_proof_without_the_points_lag(void)
{
    /* Both captures start mid-connection (no SYN at either point to measure
     * the lag) and the server's clock runs 30 s ahead: the server's genuine
     * RST is not found within 5 s at the other point, and its absence there
     * proves nothing. */
    const int64_t skew = 30000000;
    struct net n;
    struct timeline t = { .n = 0 };
    net_init(&n, 4);
    int64_t t0 = n.now_us;
    struct rst_segment data = segment(&n, CLIENT, PSH | ACK, C_ISN + 1, S_ISN + 1, 100);
    add_event(&t, data, t0);
    add_event(&t, at_server_point(&n, data, false, 0), t0 + 20000 + skew);
    struct rst_segment ack = segment(&n, SERVER, ACK, S_ISN + 1, C_ISN + 101, 0);
    add_event(&t, at_server_point(&n, ack, false, 0), t0 + 20100 + skew);
    add_event(&t, ack, t0 + 40100);
    struct rst_segment rst = segment(&n, SERVER, RST | ACK, S_ISN + 1, C_ISN + 101, 0);
    add_event(&t, at_server_point(&n, rst, false, 0), t0 + 50000 + skew);
    int here = add_event(&t, rst, t0 + 70000);
    struct rst_segment more = segment(&n, CLIENT, ACK, C_ISN + 101, S_ISN + 1, 0);
    add_event(&t, more, t0 + 80000);
    add_event(&t, at_server_point(&n, more, false, 0), t0 + 100000 + skew);
    feed_timeline(&n, &t);
    struct rst_verdict v = verdict(&n, t.id[here]);
    CHECK(!v.vantage.unseen && !v.injected);
    CHECK(v.final_cause == RST_CAUSE_ABORT);
    net_free(&n);
}

int main(void)
{
    RUN(test_refused_syn_to_closed_port);
    RUN(test_refused_ipv6);
    RUN(test_client_rst_after_forged_rst_is_no_connection);
    RUN(test_syn_ack_with_wrong_ack_is_invalid);
    RUN(test_abort_after_response);
    RUN(test_abort_with_unread_data);
    RUN(test_abort_acking_only_a_fin_has_no_unread_data);
    RUN(test_abort_acking_data_and_fin_has_unread_data);
    RUN(test_rst_after_own_abort_is_no_connection);
    RUN(test_abort_after_own_refusal_is_contradiction);
    RUN(test_rst_after_forged_one_keeps_its_cause);
    RUN(test_refusal_after_refusal_stays_refused);
    RUN(test_block_page_is_no_baseline);
    RUN(test_second_router_same_distance_is_baseline);
    RUN(test_rsts_only_from_two_distances);
    RUN(test_rsts_only_anchored_by_other_connection);
    RUN(test_client_abort);
    RUN(test_late_ack_after_own_abort_is_no_connection);
    RUN(test_data_after_close);
    RUN(test_server_lost_state_is_no_connection);
    RUN(test_accept_queue_overflow);
    RUN(test_no_overflow_after_an_earlier_rst);
    RUN(test_no_overflow_for_a_fin);
    RUN(test_ack_without_syn_in_syn_sent_is_invalid);
    RUN(test_abort_without_ack_flag);
    RUN(test_ack_matching_nothing_sent_is_invalid);
    RUN(test_ack_of_unsent_data_is_invalid);
    RUN(test_keepalive_timeout);
    RUN(test_answered_keepalives_do_not_count);
    RUN(test_retransmission_timeout);
    RUN(test_acked_retransmission_does_not_count);
    RUN(test_idle_timeout);
    RUN(test_lone_rst_is_unknown);
    RUN(test_mid_connection_capture_is_hedged);
    RUN(test_forged_handshake_rst_needs_the_later_syn_ack);
    RUN(test_threshold_preference);
    RUN(test_weight_zero_turns_a_signal_off);
    RUN(test_race_real_server_keeps_sending);
    RUN(test_no_race_after_a_reply_to_an_unacceptable_ack);
    RUN(test_gfw_style_burst);
    RUN(test_rising_replies_are_not_a_burst);
    RUN(test_replies_to_every_ack_in_flight);
    RUN(test_rejected_forgeries_during_the_handshake);
    RUN(test_forged_packets_do_not_become_the_baseline);
    RUN(test_a_rst_seen_twice_is_no_burst);
    RUN(test_late_reply_to_an_earlier_segment);
    RUN(test_window_on_a_reply_rst);
    RUN(test_timestamps_off_the_senders_clock);
    RUN(test_ip_id_off_the_senders_counter);
    RUN(test_ack_matching_nothing_the_receiver_sent);
    RUN(test_timing_of_replies);
    RUN(test_host_baseline_flags_an_on_path_reject);
    RUN(test_host_baseline_spares_the_hosts_own_reject);
    RUN(test_forged_rst_in_the_clients_name);
    RUN(test_acceptability);
    RUN(test_seq_zero_after_syn_ack_is_evidence);
    RUN(test_seq_zero_answering_an_ack_is_evidence);
    RUN(test_hop_limit_and_mac_in_ipv6);
    RUN(test_varying_mac_gives_no_mac_evidence);
    RUN(test_no_mac_means_no_mac_evidence);
    RUN(test_sequence_numbers_wrap);
    RUN(test_port_reuse_starts_a_new_connection);
    RUN(test_syn_retransmission_is_the_same_connection);
    RUN(test_views_are_separate_connections);
    RUN(test_unknown_ids_are_refused);
    RUN(test_many_connections);
    RUN(test_rst_storm_memory_grows_per_rst_not_per_segment);
    RUN(test_memory_per_connection);
    RUN(test_diag_compact);
    RUN(test_diag_text);
    RUN(test_diag_text_is_cut_to_whole_characters);
    RUN(test_stated_reason_wins_over_the_wire);
    RUN(test_stated_reason_that_agrees);
    RUN(test_text_and_vendor_codes_are_quoted_not_trusted);
    RUN(test_a_forged_rst_may_state_a_reason);
    RUN(test_parse_ipv4_rst);
    RUN(test_parse_timestamps_and_payload);
    RUN(test_parse_ipv6_with_extension_headers);
    RUN(test_parse_rejects_short_and_bogus_headers);
    RUN(test_a_cut_header_is_no_evidence);
    RUN(test_format_ipv6_compression);
    RUN(test_format_address_digits_and_short_buffers);
    RUN(test_locate_plain_ethernet);
    RUN(test_locate_prefers_the_dissectors_ports);
    RUN(test_locate_ipv6_extension_headers_and_fragments);
    RUN(test_tunnel_views);
    RUN(test_two_interfaces_prove_a_forged_handshake_rst);
    RUN(test_collapsed_merge_splits_the_links);
    RUN(test_one_pass_proves_nothing_before_the_other_point_speaks);
    RUN(test_a_refusal_seen_at_both_points_is_genuine);
    RUN(test_no_proof_from_a_point_that_stopped_capturing);
    RUN(test_no_proof_from_a_point_farther_from_the_sender);
    RUN(test_a_point_the_connection_never_reached);
    RUN(test_a_forged_frame_does_not_open_a_capture_point);
    RUN(test_a_mirrored_copy_counts_once);
    RUN(test_identical_rsts_pair_in_order);
    RUN(test_a_storm_at_two_points_proves_nothing_false);
    RUN(test_clock_offset_between_the_points);
    RUN(test_no_proof_without_the_points_lag);
    RUN(test_cause_names_are_the_public_values);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
