/* Random-input test of the classification core: header bytes, payloads and
 * whole segment sequences no stack would send, fed in any order.  Built with
 * AddressSanitizer and UndefinedBehaviorSanitizer by tests/fuzz.py, where
 * any memory error, undefined behaviour or leak aborts it; here it also
 * checks that every verdict keeps the promises of rst_core.h.
 *
 *     fuzz_core [ROUNDS] [SEED]
 */
#include "rst_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint32_t rnd(void)
{
    /* xorshift64* (Vigna): deterministic for a seed, good enough to explore. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static uint32_t below(uint32_t n)
{
    return n ? rnd() % n : 0;
}

static int failures;

#define EXPECT(cond, what) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "fuzz_core: %s (round %u, seed %llu)\n", what, round_no, \
                    (unsigned long long)seed); \
            failures++; \
        } \
    } while (0)

static unsigned round_no;
static unsigned long long seed;

/* Values near the edges that matter: 0, wrap-around, small, random. */
static uint32_t seq_value(uint32_t base)
{
    switch (below(6)) {
    case 0:
        return 0;
    case 1:
        return 0xFFFFFFFFu - below(3000);
    case 2:
        return base + below(5000);
    case 3:
        return base - below(100);
    case 4:
        return rnd();
    default:
        return base;
    }
}

/* Beginnings of statements: the diagnostic payload's magic numbers, the
 * CBOR layout's (12345, then a small map and keys), F5's reset cause, text. */
static const char *const diag_heads[] = {
    "\x33\xAA",
    "\xF3\x17",
    "Ac",
    "\x19\x30\x39\xA1\x01",
    "\x19\x30\x39\xA2\x03\x6A",
    "\x19\x30\x39\xA3\x02\x1A",
    "BIG-IP: [0x",
    "BIG-IP: [0x2d7:28] {peer} ",
};

static void random_payload(uint8_t *buf, uint32_t *len)
{
    *len = below(4) == 0 ? 0 : below(300);
    for (uint32_t i = 0; i < *len; i++)
        buf[i] = below(3) ? (uint8_t)(0x20 + below(0x5f)) : (uint8_t)rnd();
    if (*len >= 2 && below(2)) {
        const char *head = diag_heads[below(sizeof diag_heads / sizeof diag_heads[0])];
        size_t n = strlen(head);
        memcpy(buf, head, n < *len ? n : *len);
    }
}

/* MP_TCPRST, MP_FASTCLOSE, or a malformed one (RFC 8684), now and then;
 * and windows in Citrix's NetScaler table. */
static void random_mptcp(struct rst_segment *s)
{
    if (below(6))
        return;
    s->has_mptcp_rst = below(2);
    s->mptcp_rst_reason = (uint8_t)(below(3) ? below(8) : rnd());
    s->mptcp_rst_flags = (uint8_t)below(16);
    s->mptcp_fastclose = below(3) == 0;
    s->mptcp_malformed = below(4) == 0;
    if (below(2))
        s->window = (uint16_t)(8196 + below(1850));
}

static void random_segment(struct rst_segment *s, uint32_t frame, int64_t *now, uint8_t *payload)
{
    static const uint8_t flag_set[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x19, 0x06 };
    static const uint32_t bases[] = { 1000, 5000, 0xFFFFFF00u };
    memset(s, 0, sizeof *s);
    s->frame = frame;
    *now += below(10) == 0 ? (int64_t)below(400) * 1000000 : below(50000);
    if (below(20) == 0)
        *now -= below(1000000); /* out-of-order timestamps */
    s->time_us = *now;
    s->view = below(8) == 0 ? below(3) : 0;
    s->ip_version = below(4) == 0 ? 6 : 4;
    s->src[0] = s->dst[0] = 203;
    s->src[15] = (uint8_t)below(3);
    s->dst[15] = (uint8_t)below(3);
    s->src[3] = s->src[15];
    s->dst[3] = s->dst[15];
    static const uint16_t ports[] = { 80, 443, 40000, 40001 };
    s->sport = ports[below(4)];
    s->dport = ports[below(4)];
    s->ttl = below(3) ? (uint8_t)(60 + below(6)) : (uint8_t)rnd();
    s->has_ip_id = s->ip_version == 4;
    s->ip_id = (uint16_t)(below(2) ? frame : rnd());
    s->has_mac = below(5) != 0;
    s->src_mac[5] = (uint8_t)below(3);
    /* A few links per view: frames that name neither end of a connection's
     * link open another capture point (a collapsed merge). */
    s->has_link = below(5) != 0;
    s->link_src[5] = (uint8_t)below(4);
    s->link_dst[0] = (uint8_t)(below(8) == 0); /* now and then multicast */
    s->link_dst[5] = (uint8_t)below(6);
    s->group = below(8) == 0 ? below(2) : 0;
    s->flags = below(6) ? flag_set[below(sizeof flag_set)] : (uint8_t)rnd();
    s->seq = seq_value(bases[below(3)]);
    s->ack = seq_value(bases[below(3)]);
    s->window = below(3) ? (uint16_t)below(3) : (uint16_t)rnd();
    random_payload(payload, &s->payload_len);
    if (s->payload_len && below(2)) {
        s->payload = payload;
        s->payload_caplen = below(3) ? s->payload_len : below(s->payload_len + 1);
    }
    if (below(10) == 0)
        s->payload_len = rnd(); /* a length the capture does not hold */
    s->has_timestamps = below(2);
    s->tsval = seq_value(7000000);
    s->tsecr = seq_value(9000000);
    s->has_wscale = below(2);
    s->wscale = (uint8_t)below(20);
    random_mptcp(s);
}

static void random_params(struct rst_params *p)
{
    rst_params_default(p);
    if (below(2))
        return;
    p->threshold = below(150);
    for (int k = 0; k < RST_EV_COUNT; k++)
        p->weight[k] = below(120);
    p->keepalive_probes = below(5);
    p->retransmissions = below(6);
    p->idle_seconds = below(600);
    p->burst_ms = below(5000);
    p->netscaler_codes = below(2) != 0;
}

static int utf8_ok(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == 0)
            return 0;
    return 1;
}

static void check_verdict(const struct rst_verdict *v, const struct rst_params *p, uint32_t frame)
{
    EXPECT(v->final_cause < RST_CAUSE_COUNT && v->face_value < RST_CAUSE_COUNT,
           "cause out of range");
    EXPECT(v->suspicion <= 100, "suspicion over 100");
    /* A RST unseen where it had to pass is proven forged, whatever the score. */
    bool proven = v->vantage.unseen;
    EXPECT(v->injected == (proven || (v->n_evidence > 0 && v->suspicion >= p->threshold)),
           "injected does not follow the threshold");
    EXPECT(!proven || v->vantage.ref_frame, "unseen without the sender's packet there");
    EXPECT(!proven || !v->vantage.peer_frame, "unseen and seen");
    EXPECT(v->vantage.peer_frame != frame, "seen at another point as itself");
    EXPECT(!v->injected || v->final_cause == RST_CAUSE_INJECTED, "injected but another cause");
    EXPECT(v->injected || v->final_cause != RST_CAUSE_INJECTED, "cause injected, not injected");
    EXPECT(v->n_evidence <= RST_EV_COUNT, "too much evidence");
    unsigned sum = 0;
    for (unsigned i = 0; i < v->n_evidence && i < RST_EV_COUNT; i++) {
        EXPECT(v->evidence[i].kind < RST_EV_COUNT, "evidence kind out of range");
        sum += v->evidence[i].weight;
    }
    EXPECT(v->suspicion == (proven || sum > 100 ? 100 : sum),
           "suspicion is not the sum of the weights");
    EXPECT(memchr(v->explanation, 0, sizeof v->explanation) != NULL, "explanation not terminated");
    EXPECT(v->explanation[0] != 0, "empty explanation");
    EXPECT(v->answers_frame < frame || v->answers_frame == 0, "answers a later frame");
    EXPECT(memchr(v->sender_address, 0, sizeof v->sender_address) != NULL,
           "address not terminated");
    EXPECT(v->diag.text_len <= RST_DIAG_TEXT_MAX, "diag text too long");
    EXPECT(!v->diag.text || utf8_ok(v->diag.text, v->diag.text_len), "diag text with NUL");
    EXPECT(v->diag.cause_offset <= v->diag.text_len || v->diag.vendor != RST_VENDOR_F5,
           "F5 cause past its text");
    EXPECT(v->diag.format != RST_DIAG_WINDOW || p->netscaler_codes,
           "NetScaler code read while off");
    EXPECT(v->diag.format != RST_DIAG_WINDOW || !v->injected, "NetScaler code on a forged RST");
    EXPECT(v->diag.format != RST_DIAG_WINDOW || rst_diag_reason(&v->diag),
           "NetScaler code without a reason");
}

/* Finding headers in a frame: a hint whose addresses often stand in the
 * bytes, so that the search gets past its first test. */
static void fuzz_locate(const uint8_t *buf, size_t size)
{
    struct rst_frame_hint h;
    memset(&h, 0, sizeof h);
    h.ip_version = below(2) ? 4 : 6;
    size_t alen = h.ip_version == 4 ? 4 : 16;
    size_t from = below(2) ? (h.ip_version == 4 ? 12 : 8) : below((uint32_t)(size - 2 * alen));
    memcpy(h.src, buf + from, alen);
    memcpy(h.dst, buf + from + alen, alen);
    h.ports_known = below(2);
    h.sport = (uint16_t)rnd(), h.dport = (uint16_t)rnd();
    h.n_outer = below(RST_TUNNELS_MAX + 3);
    for (unsigned k = 0; k < RST_TUNNELS_MAX; k++)
        h.outer_kind[k] = (enum rst_tunnel_kind)below(3);
    size_t caplen = below((uint32_t)size + 1);
    struct rst_frame_layout l;
    if (!rst_locate_tcp(buf, caplen, rnd(), &h, &l)) {
        if (!l.fragment)
            return;
        EXPECT(l.fragment_ip < caplen, "a fragment outside the frame");
        /* Rebuild it with (part of) the frame as the reassembled payload. */
        uint8_t whole[2 * 160];
        size_t n = rst_rebuild_fragment(buf, caplen, l.fragment_ip, buf, below((uint32_t)size + 1),
                                        whole, below(sizeof whole + 1));
        EXPECT(n <= sizeof whole, "rebuilt past the buffer");
        if (!n || !rst_locate_tcp(whole, n, n, &h, &l))
            return;
        EXPECT(l.ip < n && l.tcp > l.ip, "located headers outside the rebuilt packet");
        uint32_t group;
        rst_frame_view(whole, n, rnd(), &h, &l, &group);
        return;
    }
    EXPECT(l.ip < caplen && l.tcp > l.ip && l.n_outer <= RST_TUNNELS_MAX && l.n_outer <= h.n_outer,
           "located headers outside the frame");
    for (unsigned k = 0; k < l.n_outer; k++)
        EXPECT(l.outer[k] < l.ip && (k == 0 || l.outer[k] > l.outer[k - 1]),
               "enclosing headers out of order");
    rst_frame_view(buf, caplen, rnd(), &h, &l, NULL);
}

/* Header bytes: random, or a plausible IPv4/IPv6 + TCP header with random damage. */
static void fuzz_parser(void)
{
    uint8_t buf[160];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rnd();
    if (below(2)) {
        buf[0] = below(2) ? 0x45 : 0x60;
        if (buf[0] == 0x45)
            buf[9] = 6;
        else
            buf[6] = below(2) ? 6 : (uint8_t)(below(2) ? 0 : 60);
    }
    size_t ip_len = below(sizeof buf + 1);
    size_t tcp_at = below(sizeof buf);
    size_t tcp_len = below((uint32_t)(sizeof buf - tcp_at) + 1);
    long offset = below(3) ? (long)tcp_at : -1;
    struct rst_segment s;
    memset(&s, 0, sizeof s);
    enum rst_parse_status st =
        rst_parse_ip_tcp(buf, ip_len, buf + tcp_at, tcp_len, offset, rnd(), &s);
    if (st == RST_PARSE_OK)
        EXPECT(s.ip_version == 4 || s.ip_version == 6, "parsed an IP version that is neither");
    char addr[48];
    rst_format_address(s.ip_version, buf, addr, sizeof addr);
    rst_format_address((uint8_t)rnd(), buf, addr, below(sizeof addr));
    struct rst_diag d;
    rst_diag_parse(buf, below(sizeof buf), rnd(), &d);
    EXPECT(d.text_len <= RST_DIAG_TEXT_MAX, "diag text too long");
    if (below(2)) {
        /* A CBOR head or an F5 prefix on random bytes: every cut of it. */
        const char *head = diag_heads[3 + below(5)];
        memcpy(buf, head, strlen(head));
        size_t n = below(sizeof buf);
        rst_diag_parse(buf, n, (uint32_t)n, &d);
        EXPECT(d.text_len <= n && d.text_len <= RST_DIAG_TEXT_MAX, "diag text out of its payload");
        EXPECT(d.vendor != RST_VENDOR_F5 || d.cause_offset <= d.text_len, "F5 cause past its text");
    }
    fuzz_locate(buf, sizeof buf);
}

int main(int argc, char **argv)
{
    unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200;
    seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261122;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    static uint8_t payloads[4096][300];
    uint32_t ids[4096];
    for (round_no = 0; round_no < rounds; round_no++) {
        struct rst_core *core = rst_core_new();
        struct rst_params params;
        random_params(&params);
        uint32_t n = 1 + below(4096), n_ids = 0;
        int64_t now = 1700000000000000LL;
        for (uint32_t f = 1; f <= n; f++) {
            struct rst_segment s;
            random_segment(&s, f, &now, payloads[f - 1]);
            uint32_t id = rst_core_add(core, &s, &params);
            if (id)
                ids[n_ids++] = id;
            if (below(64) == 0)
                fuzz_parser();
        }
        for (uint32_t i = 0; i < n_ids; i++) {
            struct rst_verdict v;
            EXPECT(rst_core_verdict(core, ids[i], &params, true, &v), "no verdict for an id");
            check_verdict(&v, &params, n + 1);
        }
        struct rst_verdict v;
        EXPECT(!rst_core_verdict(core, n_ids + 1, &params, true, &v),
               "a verdict for an unknown id");
        EXPECT(rst_core_memory(core) > 0, "no memory accounted");
        rst_core_free(core);
    }
    printf("fuzz_core: %u rounds, seed %llu, %d failures\n", rounds, seed, failures);
    return failures ? 1 : 0;
}
