/* Unit tests of the classification core (plugin/core), without Wireshark.
 *
 * Each test builds a connection segment by segment the way a real stack
 * would send it (RFC 9293 and the Linux behaviour in ../../docs/causes.md)
 * and checks the verdict on its RSTs.
 */
#include "rst_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A client and a server as a capture point near the client sees them: the
 * server's packets arrive through the router (its MAC, TTL 63). */
struct net {
    struct rst_core *core;
    struct rst_params params;
    uint8_t ip_version;
    uint8_t client[16], server[16];
    uint16_t cport, sport;
    uint8_t client_mac[6], router_mac[6];
    uint8_t client_ttl, server_ttl;
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
    memcpy(n->client, ip_version == 4 ? c4 : c6, ip_version == 4 ? 4 : 16);
    memcpy(n->server, ip_version == 4 ? s4 : s6, ip_version == 4 ? 4 : 16);
    n->cport = 40000;
    n->sport = 8080;
    memcpy(n->client_mac, cmac, 6);
    memcpy(n->router_mac, rmac, 6);
    n->client_ttl = 64;
    n->server_ttl = 63;
    n->now_us = 1700000000LL * 1000000;
}

static void net_free(struct net *n)
{
    rst_core_free(n->core);
}

enum who { CLIENT, SERVER };

static struct rst_segment segment(struct net *n, enum who from, uint8_t flags, uint32_t seq,
                                  uint32_t ack, uint32_t len)
{
    struct rst_segment s;
    memset(&s, 0, sizeof s);
    s.frame = ++n->frame;
    n->now_us += 1000;
    s.time_us = n->now_us;
    s.ip_version = n->ip_version;
    memcpy(s.src, from == CLIENT ? n->client : n->server, 16);
    memcpy(s.dst, from == CLIENT ? n->server : n->client, 16);
    s.sport = from == CLIENT ? n->cport : n->sport;
    s.dport = from == CLIENT ? n->sport : n->cport;
    s.ttl = from == CLIENT ? n->client_ttl : n->server_ttl;
    s.has_mac = true;
    memcpy(s.src_mac, from == CLIENT ? n->client_mac : n->router_mac, 6);
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.window = (flags & RST_TH_RST) ? 0 : 64240;
    s.payload_len = len;
    return s;
}

/* Feeds a segment; returns the RST id (0 for other segments). */
static uint32_t send_seg(struct net *n, enum who from, uint8_t flags, uint32_t seq, uint32_t ack,
                         uint32_t len)
{
    struct rst_segment s = segment(n, from, flags, seq, ack, len);
    return rst_core_add(n->core, &s, &n->params);
}

static struct rst_verdict verdict(struct net *n, uint32_t id)
{
    struct rst_verdict v;
    memset(&v, 0, sizeof v);
    CHECK(id != 0);
    CHECK(rst_core_verdict(n->core, id, &n->params, &v));
    return v;
}

#define C_ISN 1000u
#define S_ISN 5000u
#define SYN RST_TH_SYN
#define ACK RST_TH_ACK
#define FIN RST_TH_FIN
#define RST RST_TH_RST
#define PSH RST_TH_PSH

/* SYN, SYN-ACK, ACK; then a 100-byte request and a 300-byte response. */
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

static struct rst_verdict forged_handshake_net(struct net *n, bool feed_synack)
{
    net_init(n, 4);
    send_seg(n, CLIENT, SYN, C_ISN, 0, 0);
    /* A device on the client's segment: its own MAC, one hop nearer. */
    struct rst_segment forged = segment(n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    forged.ttl = 64;
    forged.src_mac[5] = 0x66;
    uint32_t id = rst_core_add(n->core, &forged, &n->params);
    if (feed_synack)
        send_seg(n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    return verdict(n, id);
}

/* ------------------------------------------------------------ tests */

static void test_refused_syn_to_closed_port(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0));
    CHECK(v.cause == RST_CAUSE_REFUSED);
    CHECK(v.sender == RST_ROLE_SERVER);
    CHECK(v.answers_frame == 1);
    /* seq 0 answering a SYN is the rule, not evidence (RFC 9293 3.10.7.1). */
    CHECK(v.n_evidence == 0);
    CHECK(v.suspicion == 0);
    CHECK_CONTAINS(v.explanation, "Answers the SYN in frame 1");
    CHECK_CONTAINS(v.explanation, "203.0.113.2:8080");
    net_free(&n);
}

static void test_refused_ipv6(void)
{
    struct net n;
    net_init(&n, 6);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0));
    CHECK(v.cause == RST_CAUSE_REFUSED);
    CHECK_CONTAINS(v.explanation, "[2001:db8:2::2]:8080");
    net_free(&n);
}

static void test_forged_handshake_rst_needs_the_later_syn_ack(void)
{
    struct net n;
    /* One pass, at the RST: nothing of the server's to compare with. */
    struct rst_verdict v = forged_handshake_net(&n, false);
    CHECK(v.cause == RST_CAUSE_REFUSED);
    CHECK(!v.injected);
    net_free(&n);
    /* The real SYN-ACK arrives later: TTL 63 via the router's MAC. */
    v = forged_handshake_net(&n, true);
    CHECK(v.cause == RST_CAUSE_INJECTED);
    CHECK(v.genuine_cause == RST_CAUSE_REFUSED);
    CHECK(v.injected);
    CHECK(v.n_evidence == 2);
    CHECK(v.evidence[0].kind == RST_EV_TTL);
    CHECK(v.evidence[0].observed == 64 && v.evidence[0].expected == 63);
    CHECK(v.evidence[0].ref_frame == 3);
    CHECK(v.evidence[0].weight == 25);
    CHECK(v.evidence[1].kind == RST_EV_MAC);
    CHECK(v.evidence[1].weight == 40);
    CHECK(v.suspicion == 65);
    CHECK_CONTAINS(v.explanation, "Forged in the name of the server");
    CHECK_CONTAINS(v.explanation, "TTL 64 where the server's packets arrive with 63 (frame 3)");
    net_free(&n);
}

static void test_threshold_preference(void)
{
    struct net n;
    forged_handshake_net(&n, true);
    n.params.threshold = 70;
    struct rst_verdict v = verdict(&n, 1);
    CHECK(v.suspicion == 65);
    CHECK(!v.injected);
    CHECK(v.cause == RST_CAUSE_REFUSED);
    CHECK_CONTAINS(v.explanation, "below the threshold");
    net_free(&n);
}

static void test_client_rst_after_forged_rst_is_no_connection(void)
{
    struct net n;
    forged_handshake_net(&n, true);
    /* The client's kernel no longer has the attempt: bare RST, seq = SEG.ACK. */
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST, C_ISN + 1, 0, 0));
    CHECK(v.cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.sender == RST_ROLE_CLIENT);
    CHECK(v.answers_frame == 3);
    CHECK(v.n_evidence == 0);
    CHECK_CONTAINS(v.explanation, "accepted the RST in frame 2");
    net_free(&n);
}

static void test_syn_ack_with_wrong_ack_is_invalid(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 77, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST, C_ISN + 77, 0, 0));
    CHECK(v.cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK_CONTAINS(v.explanation, "does not acknowledge the SYN");
    net_free(&n);
}

static void test_abort_after_response(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0));
    CHECK(v.cause == RST_CAUSE_ABORT);
    CHECK(v.sender == RST_ROLE_SERVER);
    CHECK(v.answers_frame == 0);
    CHECK(v.n_evidence == 0);
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
    CHECK(v.cause == RST_CAUSE_ABORT);
    CHECK_CONTAINS(v.explanation, "close() with unread data.");
    net_free(&n);
}

static void test_client_abort(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 301, 0));
    CHECK(v.cause == RST_CAUSE_ABORT);
    CHECK(v.sender == RST_ROLE_CLIENT);
    net_free(&n);
}

static void test_late_ack_after_own_abort_is_no_connection(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 20);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 301, 0, 0));
    CHECK(v.cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.answers_frame == 9);
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
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 302, 0, 0));
    CHECK(v.cause == RST_CAUSE_DATA_AFTER_CLOSE);
    CHECK(v.answers_frame == 10);
    CHECK_CONTAINS(v.explanation, "FIN in frame 8");
    net_free(&n);
}

static void test_server_lost_state_is_no_connection(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    send_seg(&n, CLIENT, PSH | ACK, C_ISN + 101, S_ISN + 301, 100);           /* frame 8 */
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 301, 0, 0));
    CHECK(v.cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.answers_frame == 8);
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
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 1, 0, 0));
    CHECK(v.cause == RST_CAUSE_ACCEPT_QUEUE_OVERFLOW);
    CHECK(v.answers_frame == 3);
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
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 1, 0, 0));
    CHECK(v.cause == RST_CAUSE_NO_CONNECTION);
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
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 1, 0, 0));
    CHECK(v.cause == RST_CAUSE_NO_CONNECTION);
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
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST, 0, 0, 0));
    CHECK(v.cause == RST_CAUSE_INVALID_SEGMENT);
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
    CHECK(v.cause == RST_CAUSE_ABORT);
    CHECK(v.answers_frame == 0);
    net_free(&n);
}

static void test_ack_matching_nothing_sent_is_invalid(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    send_seg(&n, CLIENT, ACK, C_ISN + 1, S_ISN + 0x70000000u, 0);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 0x70000000u, 0, 0));
    CHECK(v.cause == RST_CAUSE_INVALID_SEGMENT);
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
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, S_ISN + 1001, 0, 0));
    CHECK(v.cause == RST_CAUSE_INVALID_SEGMENT);
    CHECK_CONTAINS(v.explanation, "acknowledges 1000 bytes the server never sent");
    net_free(&n);
}

static void test_keepalive_timeout(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    for (int i = 0; i < 3; i++)
        send_seg(&n, CLIENT, ACK, C_ISN + 100, S_ISN + 301, 0);   /* probes: SND.NXT - 1 */
    struct rst_verdict v = verdict(&n, send_seg(&n, CLIENT, RST | ACK, C_ISN + 101, S_ISN + 301, 0));
    CHECK(v.cause == RST_CAUSE_KEEPALIVE_TIMEOUT);
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
    CHECK(v.cause == RST_CAUSE_ABORT);
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
    CHECK(v.cause == RST_CAUSE_RETRANSMISSION_TIMEOUT);
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
    CHECK(v.cause == RST_CAUSE_ABORT);
    net_free(&n);
}

static void test_idle_timeout(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    n.now_us += 400LL * 1000000;
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0));
    CHECK(v.cause == RST_CAUSE_IDLE_TIMEOUT);
    CHECK_CONTAINS(v.explanation, "after 400 s of silence");
    n.params.idle_seconds = 0;   /* 0 turns the rule off; the cause is fixed when fed */
    CHECK(verdict(&n, 1).cause == RST_CAUSE_IDLE_TIMEOUT);
    net_free(&n);
}

static void test_lone_rst_is_unknown(void)
{
    struct net n;
    net_init(&n, 4);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, 12345, 0, 0));
    CHECK(v.cause == RST_CAUSE_UNKNOWN);
    CHECK(v.sender == RST_ROLE_UNKNOWN);
    CHECK_CONTAINS(v.explanation, "nothing from the peer precedes this RST");
    net_free(&n);
}

static void test_mid_connection_capture_is_hedged(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, PSH | ACK, 777, 888, 10);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST, 888, 0, 0));
    CHECK(v.cause == RST_CAUSE_NO_CONNECTION);
    CHECK(v.sender == RST_ROLE_UNKNOWN);
    CHECK_CONTAINS(v.explanation, "203.0.113.2:8080 has no connection");
    CHECK_CONTAINS(v.explanation, "starts mid-connection");
    net_free(&n);
}

static void test_seq_zero_after_syn_ack_is_evidence(void)
{
    struct net n;
    net_init(&n, 4);
    handshake_and_exchange(&n);
    /* A censor's RST/ACK with seq 0 after the HTTP request: the server knows
     * its own sequence numbers and would never send that. */
    struct rst_segment forged = segment(&n, SERVER, RST | ACK, 0, C_ISN + 101, 0);
    struct rst_verdict v = verdict(&n, rst_core_add(n.core, &forged, &n.params));
    CHECK(v.n_evidence == 1);
    CHECK(v.evidence[0].kind == RST_EV_SEQ_ZERO);
    CHECK(v.evidence[0].ref_frame == 2);
    CHECK(v.suspicion == 40);
    CHECK(!v.injected);
    CHECK_CONTAINS(v.explanation, "seq 0 although the sender had sent its SYN-ACK (frame 2)");
    net_free(&n);
}

static void test_seq_zero_answering_an_ack_is_evidence(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, PSH | ACK, 777, 888, 10);
    struct rst_verdict v = verdict(&n, send_seg(&n, SERVER, RST | ACK, 0, 787, 0));
    CHECK(v.n_evidence == 1);
    CHECK(v.evidence[0].kind == RST_EV_SEQ_ZERO);
    CHECK(v.evidence[0].ref_frame == 1);
    net_free(&n);
}

static void test_hop_limit_and_mac_in_ipv6(void)
{
    struct net n;
    net_init(&n, 6);
    handshake_and_exchange(&n);
    struct rst_segment forged = segment(&n, SERVER, RST | ACK, S_ISN + 301, C_ISN + 101, 0);
    forged.ttl = 50;
    forged.src_mac[5] = 0x66;
    struct rst_verdict v = verdict(&n, rst_core_add(n.core, &forged, &n.params));
    CHECK(v.injected);
    CHECK(v.evidence[0].kind == RST_EV_TTL && v.evidence[0].weight == 40);
    CHECK(v.suspicion == 80);
    CHECK_CONTAINS(v.explanation, "hop limit 50");
    net_free(&n);
}

static void test_varying_mac_gives_no_mac_evidence(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 1, 0);
    n.router_mac[5] = 2;   /* a second router on the path (ECMP, VRRP) */
    send_seg(&n, SERVER, ACK, S_ISN + 1, C_ISN + 1, 0);
    n.router_mac[5] = 3;
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
    CHECK(v.cause == RST_CAUSE_ABORT);
    net_free(&n);
}

static void test_port_reuse_starts_a_new_connection(void)
{
    struct net n;
    net_init(&n, 4);
    send_seg(&n, CLIENT, SYN, C_ISN, 0, 0);
    send_seg(&n, SERVER, RST | ACK, 0, C_ISN + 1, 0);
    /* The same port pair again, new ISN: a new connection whose SYN-ACK must
     * not serve as a reference for the old RST's TTL or MAC. */
    send_seg(&n, CLIENT, SYN, C_ISN + 99999, 0, 0);
    n.server_ttl = 40;
    send_seg(&n, SERVER, SYN | ACK, S_ISN, C_ISN + 100000, 0);
    struct rst_verdict v = verdict(&n, 1);
    CHECK(v.cause == RST_CAUSE_REFUSED);
    CHECK(v.n_evidence == 0);
    CHECK(rst_core_connections(n.core) == 2);
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
    net_free(&n);
}

static void test_unknown_ids_are_refused(void)
{
    struct net n;
    struct rst_verdict v;
    net_init(&n, 4);
    CHECK(!rst_core_verdict(n.core, 0, &n.params, &v));
    CHECK(!rst_core_verdict(n.core, 7, &n.params, &v));
    net_free(&n);
}

static void test_many_connections(void)
{
    struct net n;
    net_init(&n, 4);
    for (uint32_t i = 0; i < 50000; i++) {
        n.cport = (uint16_t)(1024 + i % 60000);
        n.client[3] = (uint8_t)(i / 60000);
        n.client[2] = (uint8_t)(i >> 8);
        send_seg(&n, CLIENT, SYN, i, 0, 0);
        send_seg(&n, SERVER, RST | ACK, 0, i + 1, 0);
    }
    CHECK(rst_core_connections(n.core) == 50000);
    struct rst_verdict v = verdict(&n, 50000);
    CHECK(v.cause == RST_CAUSE_REFUSED);
    CHECK(v.answers_frame == 99999);
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

int main(void)
{
    RUN(test_refused_syn_to_closed_port);
    RUN(test_refused_ipv6);
    RUN(test_forged_handshake_rst_needs_the_later_syn_ack);
    RUN(test_threshold_preference);
    RUN(test_client_rst_after_forged_rst_is_no_connection);
    RUN(test_syn_ack_with_wrong_ack_is_invalid);
    RUN(test_abort_after_response);
    RUN(test_abort_with_unread_data);
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
    RUN(test_parse_ipv4_rst);
    RUN(test_parse_timestamps_and_payload);
    RUN(test_parse_ipv6_with_extension_headers);
    RUN(test_parse_rejects_short_and_bogus_headers);
    RUN(test_format_ipv6_compression);
    RUN(test_cause_names_are_the_public_values);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
